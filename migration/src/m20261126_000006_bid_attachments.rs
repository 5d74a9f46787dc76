//! Files attached to bids, kept in the database with their digest so that a bid and its
//! files are sealed, versioned and backed up together.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bid_attachments")
                .col(pk_auto("id"))
                .col(integer("call_id"))
                .col(integer("organization_id"))
                .col(string("file_name"))
                .col(string_len("kind", 16))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(blob("data"))
                .col(integer("uploaded_by"))
                // Removed from the bid; kept, because a submitted version may list it.
                .col(boolean("removed"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("bid_attachments", "call_id")
                        .to("calls", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("bid_attachments", "organization_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_bid_attachments_owner")
                .table("bid_attachments")
                .col("call_id")
                .col("organization_id")
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("bid_attachments").to_owned()).await?;
        Ok(())
    }
}
