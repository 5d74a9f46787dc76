//! Amendments to published calls (更正公告), and the evaluation of an opened call: the expert pool's specialties, the panel and its
//! conflict declarations, the experts' scores (corrections are new rows), rulings on
//! abnormally low prices, the award with its challenge window, challenges, and the draft
//! contract the award creates.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").on_delete(ForeignKeyAction::Restrict).take()
}

/// Creates expert_profiles and call_amendments.
async fn create_experts_and_amendments(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("expert_profiles")
            .col(pk_auto("id"))
            .col(integer_uniq("user_id"))
            // Service category codes, comma-separated.
            .col(string("specialties"))
            .col(string("affiliation"))
            .col(boolean("available"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("expert_profiles", "user_id", "users"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("call_amendments")
            .col(pk_auto("id"))
            .col(integer("call_id"))
            .col(text("note"))
            // JSON: field → [before, after].
            .col(text("changes"))
            .col(timestamp_with_time_zone_null("old_deadline"))
            .col(timestamp_with_time_zone_null("new_deadline"))
            .col(integer("made_by"))
            .col(timestamp_with_time_zone("made_at"))
            .foreign_key(&mut fk("call_amendments", "call_id", "calls"))
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates panels and panel_members with its unique index.
async fn create_panels(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("panels")
            .col(pk_auto("id"))
            .col(integer_uniq("call_id"))
            .col(integer("size"))
            .col(integer("purchaser_reps"))
            .col(integer("formed_by"))
            .col(timestamp_with_time_zone("formed_at"))
            .foreign_key(&mut fk("panels", "call_id", "calls"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("panel_members")
            .col(pk_auto("id"))
            .col(integer("call_id"))
            .col(integer("user_id"))
            .col(string_len("seat", 16))
            .col(string_len("status", 32))
            // Per bidder: the kind of tie declared (none, employment, board, kin, other) and a note.
            .col(text("declaration"))
            .col(string_null("recusal_reason"))
            .col(timestamp_with_time_zone("drawn_at"))
            .col(timestamp_with_time_zone_null("declared_at"))
            .col(timestamp_with_time_zone_null("submitted_at"))
            .foreign_key(&mut fk("panel_members", "call_id", "calls"))
            .foreign_key(&mut fk("panel_members", "user_id", "users"))
            .take(),
    )
    .await?;
    m.create_index(
        Index::create().name("ux_panel_members").table("panel_members").col("call_id").col("user_id").unique().take(),
    )
    .await?;
    Ok(())
}

/// Creates scores with its indexes.
async fn create_scores(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("scores")
            .col(pk_auto("id"))
            .col(integer("call_id"))
            .col(integer("panel_member_id"))
            .col(integer("bid_id"))
            .col(integer("criterion_id"))
            // 0 for the score as submitted; each correction is the next number.
            .col(integer("revision"))
            .col(integer("score"))
            .col(text("comment"))
            .col(string_null("reason"))
            .col(timestamp_with_time_zone("entered_at"))
            .foreign_key(&mut fk("scores", "call_id", "calls"))
            .foreign_key(&mut fk("scores", "panel_member_id", "panel_members"))
            .foreign_key(&mut fk("scores", "bid_id", "bids"))
            .foreign_key(&mut fk("scores", "criterion_id", "call_criteria"))
            .take(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("ux_scores_entry")
            .table("scores")
            .col("panel_member_id")
            .col("bid_id")
            .col("criterion_id")
            .col("revision")
            .unique()
            .take(),
    )
    .await?;
    m.create_index(Index::create().name("ix_scores_call").table("scores").col("call_id").take()).await?;
    Ok(())
}

/// Creates bid_rulings, awards and challenges.
async fn create_rulings_awards_challenges(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("bid_rulings")
            .col(pk_auto("id"))
            .col(integer_uniq("bid_id"))
            .col(integer("call_id"))
            .col(text_null("explanation"))
            .col(timestamp_with_time_zone_null("explained_at"))
            .col(boolean_null("stands"))
            .col(text_null("note"))
            .col(integer_null("decided_by"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .foreign_key(&mut fk("bid_rulings", "bid_id", "bids"))
            .foreign_key(&mut fk("bid_rulings", "call_id", "calls"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("awards")
            .col(pk_auto("id"))
            .col(integer_uniq("call_id"))
            .col(integer("bid_id"))
            .col(integer("organization_id"))
            .col(big_integer("amount_fen"))
            .col(integer("recommended_bid_id"))
            .col(text_null("deviation_reason"))
            .col(integer("decided_by"))
            .col(timestamp_with_time_zone("decided_at"))
            .col(timestamp_with_time_zone("challenge_until"))
            .foreign_key(&mut fk("awards", "call_id", "calls"))
            .foreign_key(&mut fk("awards", "bid_id", "bids"))
            .foreign_key(&mut fk("awards", "organization_id", "organizations"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("challenges")
            .col(pk_auto("id"))
            .col(integer("call_id"))
            .col(integer("organization_id"))
            .col(integer("filed_by"))
            .col(text("text"))
            .col(timestamp_with_time_zone("filed_at"))
            .col(text_null("answer"))
            .col(integer_null("answered_by"))
            .col(timestamp_with_time_zone_null("answered_at"))
            .foreign_key(&mut fk("challenges", "call_id", "calls"))
            .foreign_key(&mut fk("challenges", "organization_id", "organizations"))
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates contracts and contract_instalments.
async fn create_contracts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("contracts")
            .col(pk_auto("id"))
            .col(integer_uniq("call_id"))
            .col(integer("award_id"))
            .col(integer("organization_id"))
            .col(big_integer("amount_fen"))
            .col(integer("term_months"))
            .col(string_len("status", 32))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("contracts", "call_id", "calls"))
            .foreign_key(&mut fk("contracts", "award_id", "awards"))
            .foreign_key(&mut fk("contracts", "organization_id", "organizations"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("contract_instalments")
            .col(pk_auto("id"))
            .col(integer("contract_id"))
            .col(integer("position"))
            .col(integer("percent"))
            .col(big_integer("amount_fen"))
            .col(string_len("condition", 32))
            .col(string("description"))
            .foreign_key(&mut fk("contract_instalments", "contract_id", "contracts"))
            .take(),
    )
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_experts_and_amendments(m).await?;
        create_panels(m).await?;
        create_scores(m).await?;
        create_rulings_awards_challenges(m).await?;
        create_contracts(m).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "contract_instalments",
            "contracts",
            "challenges",
            "awards",
            "bid_rulings",
            "scores",
            "panel_members",
            "panels",
            "expert_profiles",
            "call_amendments",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
