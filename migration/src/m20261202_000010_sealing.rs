//! Sealing follows the bid: only opening unseals it. A call records when it was opened and
//! each bid when it was opened, so a call cancelled before its deadline (or in any state
//! other than opened) never shows its bids. At opening each bidder's eligibility is checked
//! again; a bid whose organization no longer qualifies keeps the reason and is not counted.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).take()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(m, "calls", timestamp_with_time_zone_null("opened_at")).await?;
        add(m, "bids", timestamp_with_time_zone_null("opened_at")).await?;
        add(m, "bids", text_null("ineligible_reason")).await?;
        // Calls already past opening (opened, awarded, or failed, which only opening or a
        // failed evaluation leads to) were opened when they last changed before that; a
        // cancelled call never was.
        let db = m.get_connection();
        let backend = db.get_database_backend();
        db.execute_raw(Statement::from_string(
            backend,
            "UPDATE calls SET opened_at = updated_at WHERE status IN ('opened', 'awarded', 'failed')",
        ))
        .await?;
        db.execute_raw(Statement::from_string(
            backend,
            "UPDATE bids SET opened_at = (SELECT c.opened_at FROM calls c WHERE c.id = bids.call_id) \
             WHERE status = 'submitted'",
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("bids").drop_column("ineligible_reason").take()).await?;
        m.alter_table(Table::alter().table("bids").drop_column("opened_at").take()).await?;
        m.alter_table(Table::alter().table("calls").drop_column("opened_at").take()).await?;
        Ok(())
    }
}
