//! Signed checkpoints of the audit log's head, so that a log cut short or rewritten is
//! found against a checkpoint kept elsewhere.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_checkpoints")
                .col(big_integer("seq").primary_key())
                .col(string_len("head_hash", 64))
                .col(timestamp_with_time_zone("at"))
                .col(string_len("public_key", 64))
                .col(string_len("signature", 128))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_checkpoints").to_owned()).await
    }
}
