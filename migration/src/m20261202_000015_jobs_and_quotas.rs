//! Long work out of the request and the writer's way, and storage that can be given back:
//! - `import_jobs`: an import is checked in full first, then applied in short steps, with
//!   its progress on its own page; `import_job_rows` lists what each step created, so a
//!   step that fails (or a server stopped half-way) undoes the steps before it.
//! - `worker_beats`: when each background loop last ran, for `/admin/outbox`.
//! - `bid_attachments.in_version`: whether a submitted version lists the file. A file
//!   removed before that is deleted with its bytes; one a version lists is kept. Files
//!   stored before this change are counted as listed (kept), the safe side.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("import_jobs")
                .col(pk_auto("id"))
                .col(string_len("public_ref", 32).unique_key())
                .col(string_len("kind", 32))
                .col(string_len("status", 32))
                .col(integer("created_by"))
                .col(string_len("file_name", 255))
                .col(string_len("locale", 8))
                .col(integer("total_rows"))
                .col(integer("rows_checked"))
                .col(integer("rows_applied"))
                .col(text_null("outcome"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("import_job_rows")
                .col(integer("job_id"))
                .col(integer("organization_id"))
                .primary_key(Index::create().col("job_id").col("organization_id"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("worker_beats")
                .col(string_len("name", 40).primary_key())
                .col(timestamp_with_time_zone("beat_at"))
                .col(text_null("note"))
                .take(),
        )
        .await?;
        m.alter_table(Table::alter().table("bid_attachments").add_column(boolean("in_version").default(true)).take())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("bid_attachments").drop_column("in_version").take()).await?;
        for t in ["worker_beats", "import_job_rows", "import_jobs"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
