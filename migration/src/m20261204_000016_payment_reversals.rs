//! A payment recorded by mistake is reversed, not deleted: the reversal is a payment entry
//! of the opposite amount that names the payment it reverses (`reverses_id`, unique: a
//! payment is reversed once) and the officer's reason. Sums over payments stay right
//! without knowing of reversals.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        m.alter_table(Table::alter().table("payments").add_column(integer_null("reverses_id")).take()).await?;
        m.alter_table(Table::alter().table("payments").add_column(text_null("reason")).take()).await?;
        m.create_index(
            Index::create().name("ux_payments_reverses").table("payments").col("reverses_id").unique().take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ux_payments_reverses").table("payments").to_owned()).await?;
        m.alter_table(Table::alter().table("payments").drop_column("reason").take()).await?;
        m.alter_table(Table::alter().table("payments").drop_column("reverses_id").take()).await
    }
}
