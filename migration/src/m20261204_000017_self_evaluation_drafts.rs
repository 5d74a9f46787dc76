//! A provider may save its self-evaluation as a draft before submitting it: what was typed,
//! kept as JSON on the evaluation until the submission clears it.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("evaluations").add_column(text_null("self_draft")).take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("evaluations").drop_column("self_draft").take()).await
    }
}
