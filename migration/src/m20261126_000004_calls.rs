//! Calls for proposals (采购公告): the call with its service area, eligibility rules and
//! timeline; its scoring criteria; its payment schedule; the questions bidders ask.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").on_delete(ForeignKeyAction::Restrict).take()
}

fn code(col: &'static str) -> ColumnDef {
    string_len(col, 32)
}

/// Creates calls.
async fn create_calls(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("calls")
            .col(pk_auto("id"))
            .col(string_len_null("reference", 40).unique_key().take())
            .col(string("title"))
            .col(code("category"))
            .col(code("purchase_type"))
            .col(code("method"))
            .col(big_integer("budget_ceiling_fen"))
            .col(text("area_district_ids"))
            .col(text("area_community_ids"))
            .col(text("target_groups"))
            .col(text("outputs_expected"))
            .col(integer("term_months"))
            .col(boolean("multi_year"))
            .col(integer("min_years_registered"))
            .col(integer("min_grade"))
            .col(boolean("require_annual_report"))
            .col(code("hub_rule"))
            .col(string("org_types"))
            .col(timestamp_with_time_zone_null("question_deadline"))
            .col(timestamp_with_time_zone_null("bid_deadline"))
            .col(code("status"))
            .col(timestamp_with_time_zone_null("published_at"))
            .col(text_null("cancel_reason"))
            .col(integer_null("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates call_criteria, call_instalments and call_questions.
async fn create_call_details(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("call_criteria")
            .col(pk_auto("id"))
            .col(integer("call_id"))
            .col(integer("position"))
            .col(string("name"))
            .col(integer("weight"))
            .col(text("description"))
            .col(boolean("is_price"))
            .foreign_key(&mut fk("call_criteria", "call_id", "calls"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("call_instalments")
            .col(pk_auto("id"))
            .col(integer("call_id"))
            .col(integer("position"))
            .col(integer("percent"))
            .col(code("condition"))
            .col(text("description"))
            .foreign_key(&mut fk("call_instalments", "call_id", "calls"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("call_questions")
            .col(pk_auto("id"))
            .col(integer("call_id"))
            .col(integer("asked_by"))
            .col(integer_null("organization_id"))
            .col(text("question"))
            .col(text_null("answer"))
            .col(integer_null("answered_by"))
            .col(timestamp_with_time_zone_null("answered_at"))
            .col(timestamp_with_time_zone("asked_at"))
            .foreign_key(&mut fk("call_questions", "call_id", "calls"))
            .foreign_key(&mut fk("call_questions", "asked_by", "users"))
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates the indexes on calls, call_criteria, call_instalments and call_questions.
async fn create_call_indexes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    for (table, name, cols) in [
        ("calls", "ix_calls_status", &["status", "bid_deadline"][..]),
        ("call_criteria", "ix_call_criteria_call", &["call_id", "position"][..]),
        ("call_instalments", "ix_call_instalments_call", &["call_id", "position"][..]),
        ("call_questions", "ix_call_questions_call", &["call_id", "asked_at"][..]),
    ] {
        let mut i = Index::create();
        i.name(name).table(table);
        for c in cols {
            i.col(*c);
        }
        m.create_index(i.take()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_calls(m).await?;
        create_call_details(m).await?;
        create_call_indexes(m).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["call_questions", "call_instalments", "call_criteria", "calls"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
