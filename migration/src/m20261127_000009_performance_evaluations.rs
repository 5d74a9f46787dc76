//! Performance evaluation (绩效评价) of contracts: reusable indicator templates (dimensions
//! and weighted indicators), mid-term and final evaluations with a snapshot of their
//! indicators, evaluators and their declarations, scores, the provider's self-evaluation,
//! outputs planned versus achieved, and what the results do to instalments and calls.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").on_delete(ForeignKeyAction::Restrict).take()
}

async fn add(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).take()).await
}

async fn unique(m: &SchemaManager<'_>, name: &str, table: &'static str, cols: &[&'static str]) -> Result<(), DbErr> {
    let mut i = Index::create().name(name).table(table).unique().take();
    for c in cols {
        i.col(*c);
    }
    m.create_index(i).await
}

/// Adds deduction_fen to contract_instalments and evaluation_preference to calls.
async fn add_evaluation_columns(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // 合格 may reduce the last instalment: what is deducted from it, in fen.
    add(m, "contract_instalments", big_integer("deduction_fen").default(0).take()).await?;
    // A call may give preference to organizations whose last final evaluation was 优秀/良好.
    add(m, "calls", boolean("evaluation_preference").default(false).take()).await?;
    Ok(())
}

/// Creates indicator_templates, template_dimensions and template_indicators.
async fn create_indicator_templates(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("indicator_templates")
            .col(pk_auto("id"))
            .col(string("name"))
            .col(string_len("category", 32))
            .col(text("description").default(""))
            .col(integer("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("indicator_templates", "created_by", "users"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("template_dimensions")
            .col(pk_auto("id"))
            .col(integer("template_id"))
            .col(integer("position"))
            .col(string("name"))
            .col(integer("weight"))
            .foreign_key(&mut fk("template_dimensions", "template_id", "indicator_templates"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("template_indicators")
            .col(pk_auto("id"))
            .col(integer("template_id"))
            .col(integer("dimension_id"))
            .col(integer("position"))
            .col(string("name"))
            .col(integer("weight"))
            .col(text("guide").default(""))
            .col(string_len("link", 16).default("none"))
            .foreign_key(&mut fk("template_indicators", "template_id", "indicator_templates"))
            .foreign_key(&mut fk("template_indicators", "dimension_id", "template_dimensions"))
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates evaluations with its unique index.
async fn create_evaluations(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("evaluations")
            .col(pk_auto("id"))
            .col(integer("contract_id"))
            .col(string_len("kind", 16))
            .col(integer("template_id"))
            .col(string("template_name"))
            .col(string_len("status", 32))
            .col(date("visit_on"))
            .col(date("self_due_on"))
            .col(text("method").default(""))
            .col(text_null("self_summary"))
            .col(integer_null("self_submitted_by"))
            .col(timestamp_with_time_zone_null("self_submitted_at"))
            .col(integer_null("survey_surveyed"))
            // Share satisfied in basis points (0–10000: 96.5 % is 9650).
            .col(integer_null("survey_satisfied_bp"))
            .col(text("survey_method").default(""))
            .col(text("findings").default(""))
            .col(text("recommendations").default(""))
            // Hundredths of a point (87.35 is 8735).
            .col(integer_null("total_centi"))
            .col(string_len_null("grade", 16))
            .col(integer_null("released_by"))
            .col(timestamp_with_time_zone_null("released_at"))
            .col(integer_null("report_document_id"))
            // Fixed at release from the rules then in force: a 不合格 final bars calls
            // published before this day; a 优秀/良好 final is a preference until this day.
            .col(date_null("barred_until"))
            .col(date_null("preferred_until"))
            // Bumped by every step, so a release sees whether anything moved since it read.
            .col(integer("version").default(0))
            .col(integer("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("evaluations", "contract_id", "contracts"))
            .foreign_key(&mut fk("evaluations", "template_id", "indicator_templates"))
            .take(),
    )
    .await?;
    unique(m, "ux_evaluations_contract_kind", "evaluations", &["contract_id", "kind"]).await?;
    Ok(())
}

/// Creates evaluation_indicators and evaluation_evaluators with its unique index.
async fn create_evaluation_indicators_and_evaluators(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("evaluation_indicators")
            .col(pk_auto("id"))
            .col(integer("evaluation_id"))
            .col(integer("position"))
            .col(integer("dimension_position"))
            .col(string("dimension"))
            .col(integer("dimension_weight"))
            .col(string("name"))
            .col(integer("weight"))
            .col(text("guide").default(""))
            .col(string_len("link", 16).default("none"))
            .col(integer_null("output_id"))
            .foreign_key(&mut fk("evaluation_indicators", "evaluation_id", "evaluations"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("evaluation_evaluators")
            .col(pk_auto("id"))
            .col(integer("evaluation_id"))
            .col(integer("user_id"))
            .col(string_len("affiliation", 16))
            .col(string_len("status", 16))
            .col(string_len_null("conflict", 32))
            .col(text_null("conflict_note"))
            .col(timestamp_with_time_zone_null("declared_at"))
            .col(timestamp_with_time_zone_null("submitted_at"))
            .foreign_key(&mut fk("evaluation_evaluators", "evaluation_id", "evaluations"))
            .foreign_key(&mut fk("evaluation_evaluators", "user_id", "users"))
            .take(),
    )
    .await?;
    unique(m, "ux_evaluation_evaluators", "evaluation_evaluators", &["evaluation_id", "user_id"]).await?;
    Ok(())
}

/// Creates evaluation_scores and evaluation_outputs with their indexes.
async fn create_evaluation_scores_and_outputs(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("evaluation_scores")
            .col(pk_auto("id"))
            .col(integer("evaluation_id"))
            .col(integer("indicator_id"))
            // The evaluator; NULL for the provider's self-evaluation.
            .col(integer_null("user_id"))
            .col(integer("score_centi"))
            .col(text("comment").default(""))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("evaluation_scores", "indicator_id", "evaluation_indicators"))
            .take(),
    )
    .await?;
    unique(m, "ux_evaluation_scores", "evaluation_scores", &["indicator_id", "user_id"]).await?;
    m.create_index(
        Index::create().name("ix_evaluation_scores_eval").table("evaluation_scores").col("evaluation_id").take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("evaluation_outputs")
            .col(pk_auto("id"))
            .col(integer("evaluation_id"))
            .col(integer("output_id"))
            .col(big_integer("planned"))
            .col(big_integer("achieved"))
            .foreign_key(&mut fk("evaluation_outputs", "evaluation_id", "evaluations"))
            .take(),
    )
    .await?;
    unique(m, "ux_evaluation_outputs", "evaluation_outputs", &["evaluation_id", "output_id"]).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_evaluation_columns(m).await?;
        create_indicator_templates(m).await?;
        create_evaluations(m).await?;
        create_evaluation_indicators_and_evaluators(m).await?;
        create_evaluation_scores_and_outputs(m).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "evaluation_outputs",
            "evaluation_scores",
            "evaluation_evaluators",
            "evaluation_indicators",
            "evaluations",
            "template_indicators",
            "template_dimensions",
            "indicator_templates",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("calls").drop_column("evaluation_preference").take()).await?;
        m.alter_table(Table::alter().table("contract_instalments").drop_column("deduction_fen").take()).await?;
        Ok(())
    }
}
