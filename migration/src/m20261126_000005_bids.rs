//! Bids (响应文件): one per organization per call, and its versions as submitted, each
//! with the SHA-256 digest of its exact content (the receipt).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").on_delete(ForeignKeyAction::Restrict).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bids")
                .col(pk_auto("id"))
                .col(integer("call_id"))
                .col(integer("organization_id"))
                .col(string_len("status", 32))
                .col(integer("version_count"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("bids", "call_id", "calls"))
                .foreign_key(&mut fk("bids", "organization_id", "organizations"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("bid_versions")
                .col(pk_auto("id"))
                .col(integer("bid_id"))
                .col(integer("version_no"))
                .col(text("content"))
                .col(big_integer("total_fen"))
                .col(string_len("digest", 64))
                .col(integer("submitted_by"))
                .col(timestamp_with_time_zone("submitted_at"))
                .foreign_key(&mut fk("bid_versions", "bid_id", "bids"))
                .foreign_key(&mut fk("bid_versions", "submitted_by", "users"))
                .take(),
        )
        .await?;
        for (table, name, cols) in [
            ("bids", "ux_bids_call_org", &["call_id", "organization_id"][..]),
            ("bid_versions", "ux_bid_versions_no", &["bid_id", "version_no"][..]),
        ] {
            let mut i = Index::create();
            i.name(name).table(table).unique();
            for c in cols {
                i.col(*c);
            }
            m.create_index(i.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("bid_versions").to_owned()).await?;
        m.drop_table(Table::drop().table("bids").to_owned()).await?;
        Ok(())
    }
}
