//! Indexes shaped for the registry list (district and status first, then the pinyin sort
//! key), and a table of name bigrams so a search by a fragment of a Chinese name looks
//! up an index instead of scanning every name. Existing names are backfilled.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Bigrams of a name as the application computes them (lower case, no white space).
/// Kept here, not imported: a migration describes the schema as it was when written.
fn bigrams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let mut grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    grams
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_org_district_name").table("organizations").to_owned()).await?;
        m.drop_index(Index::drop().name("ix_org_status_name").table("organizations").to_owned()).await?;
        for (name, cols) in [
            // The id last: a page's ids come from the index alone (PostgreSQL index-only scan).
            ("ix_org_district_status_sort", &["district_id", "status", "name_initials", "name", "id"][..]),
            ("ix_org_status_sort", &["status", "name_initials", "name", "id"][..]),
            ("ix_org_sort", &["name_initials", "name", "id"][..]),
        ] {
            let mut i = Index::create();
            i.name(name).table("organizations");
            for c in cols {
                i.col(*c);
            }
            m.create_index(i.take()).await?;
        }
        m.create_table(
            Table::create()
                .table("organization_name_grams")
                .col(string_len("gram", 16))
                .col(integer("organization_id"))
                .primary_key(Index::create().col("gram").col("organization_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("organization_name_grams", "organization_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_grams_org").table("organization_name_grams").col("organization_id").take(),
        )
        .await?;

        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db.query_all_raw(Statement::from_string(backend, "SELECT id, name FROM organizations")).await?;
        for chunk in rows.chunks(500) {
            let mut insert = Query::insert();
            insert.into_table("organization_name_grams").columns(["gram", "organization_id"]);
            let mut any = false;
            for row in chunk {
                let id: i32 = row.try_get("", "id")?;
                let name: String = row.try_get("", "name")?;
                for g in bigrams(&name) {
                    insert.values_panic([g.into(), id.into()]);
                    any = true;
                }
            }
            if any {
                m.exec_stmt(insert).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("organization_name_grams").take()).await?;
        for name in ["ix_org_district_status_sort", "ix_org_status_sort", "ix_org_sort"] {
            m.drop_index(Index::drop().name(name).table("organizations").to_owned()).await?;
        }
        for (name, cols) in
            [("ix_org_district_name", &["district_id", "name"][..]), ("ix_org_status_name", &["status", "name"][..])]
        {
            let mut i = Index::create();
            i.name(name).table("organizations");
            for c in cols {
                i.col(*c);
            }
            m.create_index(i.take()).await?;
        }
        Ok(())
    }
}
