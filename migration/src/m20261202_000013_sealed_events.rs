//! Bid events before opening get a hash chain per call, apart from the audit log, so that
//! no number in the audit log (its entry numbers, the signed checkpoints) counts them.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sealed_events")
                .col(pk_auto("id"))
                .col(integer("call_id"))
                .col(integer("n"))
                .col(timestamp_with_time_zone("at"))
                .col(text("payload"))
                .col(string_len("payload_hash", 64))
                .col(string_len("prev_hash", 64))
                .col(string_len("hash", 64).unique_key())
                .foreign_key(
                    ForeignKey::create()
                        .from("sealed_events", "call_id")
                        .to("calls", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_sealed_events_call_n")
                .table("sealed_events")
                .col("call_id")
                .col("n")
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("sealed_events").to_owned()).await
    }
}
