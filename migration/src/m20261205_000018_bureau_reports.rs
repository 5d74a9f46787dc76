//! The bureau's annual report (年度报告), issued as a PDF for a year and kept byte for byte
//! with its SHA-256, so a printed or forwarded copy can be checked at /documents/verify;
//! what an officer did about each integrity red flag (the report lists it); and visitors'
//! subscriptions to new calls by email (confirmed by a link, ended by one click).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bureau_reports")
                .col(pk_auto("id"))
                .col(integer("year"))
                .col(string_len("sha256", 64))
                .col(big_integer("size_bytes"))
                .col(blob("data"))
                .col(integer("issued_by"))
                .col(timestamp_with_time_zone("issued_at"))
                .take(),
        )
        .await?;
        m.create_index(Index::create().name("ix_bureau_reports_sha").table("bureau_reports").col("sha256").take())
            .await?;
        m.create_table(
            Table::create()
                .table("flag_reviews")
                .col(pk_auto("id"))
                .col(string_len("rule", 32))
                .col(string_len("subject", 16))
                .col(integer("subject_id"))
                .col(text("note"))
                .col(integer("reviewed_by"))
                .col(timestamp_with_time_zone("reviewed_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_flag_reviews_flag")
                .table("flag_reviews")
                .col("rule")
                .col("subject")
                .col("subject_id")
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("call_subscriptions")
                .col(pk_auto("id"))
                .col(string_len("email", 254))
                .col(string_len("locale", 8))
                .col(string_len("category", 32))
                .col(string_len("token", 64).unique_key())
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(timestamp_with_time_zone_null("unsubscribed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_call_subscriptions_email_category")
                .table("call_subscriptions")
                .col("email")
                .col("category")
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("call_subscriptions").to_owned()).await?;
        m.drop_table(Table::drop().table("flag_reviews").to_owned()).await?;
        m.drop_table(Table::drop().table("bureau_reports").to_owned()).await
    }
}
