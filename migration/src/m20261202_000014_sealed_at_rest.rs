//! Sealed at rest: a bid's content and files are stored encrypted until opening, so a copy
//! of the database taken before then holds none of them. Each call gets its own key, kept
//! here only wrapped by the sealing key, which lives outside the database
//! (`domain::sealing`). Bids also get a random reference, which is what people see of a
//! bid once it is opened: the row id runs across every call and would count the bids on
//! calls still sealed.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("calls").add_column(blob_null("sealing_key")).take()).await?;
        m.alter_table(Table::alter().table("bid_versions").add_column(blob_null("sealed")).take()).await?;
        m.alter_table(Table::alter().table("bid_attachments").add_column(blob_null("sealed_name")).take()).await?;
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let random = match backend {
            DatabaseBackend::Postgres => "md5(random()::text || clock_timestamp()::text || id::text)",
            _ => "lower(hex(randomblob(16)))",
        };
        m.alter_table(Table::alter().table("bids").add_column(string_len_null("public_ref", 32)).take()).await?;
        db.execute_raw(Statement::from_string(backend, format!("UPDATE bids SET public_ref = {random}"))).await?;
        m.create_index(Index::create().name("ux_bids_public_ref").table("bids").col("public_ref").unique().take())
            .await?;
        // Opening finds each version's files by digest. On SQLite the columns added after
        // `data` sit behind each file's bytes in its row, so reading them walks every file's
        // overflow pages; this index answers that query without touching the rows.
        m.create_index(
            Index::create()
                .name("ix_bid_attachments_call_digests")
                .table("bid_attachments")
                .col("call_id")
                .col("organization_id")
                .col("sha256")
                .col("public_ref")
                .col("id")
                .take(),
        )
        .await?;
        // What this database holds in the clear and not opened — every version of a bid not
        // opened, every file of such a bid (or of none) — is listed here, for the server to
        // seal at its next start with its sealing key (`domain::sealing::seal_pending`),
        // which the migration does not have. Listed once, so no later start reads the files.
        m.create_table(
            Table::create()
                .table("seal_pending")
                .col(string_len("kind", 16))
                .col(integer("row_id"))
                .primary_key(Index::create().col("kind").col("row_id"))
                .take(),
        )
        .await?;
        for sql in [
            "INSERT INTO seal_pending (kind, row_id) SELECT 'version', v.id FROM bid_versions v \
             JOIN bids b ON b.id = v.bid_id WHERE b.opened_at IS NULL",
            "INSERT INTO seal_pending (kind, row_id) SELECT 'file', a.id FROM bid_attachments a \
             WHERE NOT EXISTS (SELECT 1 FROM bids b WHERE b.call_id = a.call_id \
             AND b.organization_id = a.organization_id AND b.opened_at IS NOT NULL)",
        ] {
            db.execute_raw(Statement::from_string(backend, sql)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("seal_pending").to_owned()).await?;
        m.drop_index(Index::drop().name("ix_bid_attachments_call_digests").table("bid_attachments").to_owned()).await?;
        m.drop_index(Index::drop().name("ux_bids_public_ref").table("bids").to_owned()).await?;
        m.alter_table(Table::alter().table("bids").drop_column("public_ref").take()).await?;
        m.alter_table(Table::alter().table("bid_attachments").drop_column("sealed_name").take()).await?;
        m.alter_table(Table::alter().table("bid_versions").drop_column("sealed").take()).await?;
        m.alter_table(Table::alter().table("calls").drop_column("sealing_key").take()).await?;
        Ok(())
    }
}
