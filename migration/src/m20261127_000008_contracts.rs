//! Contracts (政府购买服务合同) beyond the draft an award creates: the terms an officer
//! completes, itemized outputs, milestones with their indicators and reports, payments,
//! amendments, every PDF issued (kept with its SHA-256), and the marks that make each
//! reminder go out once.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").on_delete(ForeignKeyAction::Restrict).take()
}

/// SQLite alters one column per statement.
async fn add(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).take()).await
}

/// Alters contracts (terms columns, ux_contracts_number) and contract_instalments (status, payable_at).
async fn extend_contracts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    add(m, "contracts", string_null("number")).await?;
    for c in [
        "purchaser_name",
        "purchaser_address",
        "purchaser_representative",
        "provider_address",
        "provider_representative",
    ] {
        add(m, "contracts", string(c).default("").take()).await?;
    }
    for c in
        ["legal_basis", "service_content", "performance_targets", "acceptance_terms", "breach_terms", "dispute_terms"]
    {
        add(m, "contracts", text(c).default("").take()).await?;
    }
    add(m, "contracts", date_null("starts_on")).await?;
    add(m, "contracts", date_null("ends_on")).await?;
    add(m, "contracts", integer("bond_percent").default(0).take()).await?;
    // How the provider signed: "platform" (accepted here) or "scan" (countersigned upload).
    add(m, "contracts", string_len_null("signed_via", 16)).await?;
    add(m, "contracts", timestamp_with_time_zone_null("signed_at")).await?;
    m.create_index(Index::create().name("ux_contracts_number").table("contracts").col("number").unique().take())
        .await?;
    add(m, "contract_instalments", string_len("status", 32).default("pending").take()).await?;
    add(m, "contract_instalments", timestamp_with_time_zone_null("payable_at")).await?;
    Ok(())
}

/// Creates contract_outputs and milestones with its indexes.
async fn create_outputs_and_milestones(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("contract_outputs")
            .col(pk_auto("id"))
            .col(integer("contract_id"))
            .col(integer("position"))
            .col(string("name"))
            .col(text("standard"))
            .col(string("unit"))
            .col(big_integer("quantity"))
            .col(big_integer("unit_price_fen"))
            .foreign_key(&mut fk("contract_outputs", "contract_id", "contracts"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("milestones")
            .col(pk_auto("id"))
            .col(integer("contract_id"))
            .col(integer("position"))
            .col(string("title"))
            .col(date("due_on"))
            .col(text("deliverables"))
            .col(integer_null("instalment_id"))
            .col(string_len("status", 32))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("milestones", "contract_id", "contracts"))
            .foreign_key(&mut fk("milestones", "instalment_id", "contract_instalments"))
            .take(),
    )
    .await?;
    m.create_index(
        Index::create().name("ux_milestones_instalment").table("milestones").col("instalment_id").unique().take(),
    )
    .await?;
    m.create_index(Index::create().name("ix_milestones_due").table("milestones").col("due_on").take()).await?;
    Ok(())
}

/// Creates milestone_indicators and milestone_reports with its unique index.
async fn create_milestone_indicators_and_reports(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("milestone_indicators")
            .col(pk_auto("id"))
            .col(integer("milestone_id"))
            .col(integer("position"))
            .col(string("name"))
            .col(string("unit"))
            .col(big_integer("target"))
            .foreign_key(&mut fk("milestone_indicators", "milestone_id", "milestones"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("milestone_reports")
            .col(pk_auto("id"))
            .col(integer("milestone_id"))
            .col(integer("version"))
            .col(text("narrative"))
            .col(big_integer("beneficiaries"))
            .col(integer("submitted_by"))
            .col(timestamp_with_time_zone("submitted_at"))
            .col(string_len_null("decision", 32))
            .col(text_null("comment"))
            .col(integer_null("decided_by"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .foreign_key(&mut fk("milestone_reports", "milestone_id", "milestones"))
            .take(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("ux_milestone_reports_version")
            .table("milestone_reports")
            .col("milestone_id")
            .col("version")
            .unique()
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates milestone_report_values and milestone_report_files.
async fn create_milestone_report_details(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("milestone_report_values")
            .col(pk_auto("id"))
            .col(integer("report_id"))
            .col(integer("indicator_id"))
            .col(big_integer("achieved"))
            .foreign_key(&mut fk("milestone_report_values", "report_id", "milestone_reports"))
            .foreign_key(&mut fk("milestone_report_values", "indicator_id", "milestone_indicators"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("milestone_report_files")
            .col(pk_auto("id"))
            .col(integer("report_id"))
            .col(string("file_name"))
            .col(string_len("kind", 16))
            .col(big_integer("size_bytes"))
            .col(string_len("sha256", 64))
            .col(blob("data"))
            .foreign_key(&mut fk("milestone_report_files", "report_id", "milestone_reports"))
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates payments and contract_amendments with its unique index.
async fn create_payments_and_amendments(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("payments")
            .col(pk_auto("id"))
            .col(integer("contract_id"))
            .col(integer("instalment_id"))
            .col(big_integer("amount_fen"))
            .col(date("paid_on"))
            .col(string_uniq("voucher_no"))
            .col(integer("recorded_by"))
            .col(timestamp_with_time_zone("recorded_at"))
            .foreign_key(&mut fk("payments", "contract_id", "contracts"))
            .foreign_key(&mut fk("payments", "instalment_id", "contract_instalments"))
            .take(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("contract_amendments")
            .col(pk_auto("id"))
            .col(integer("contract_id"))
            .col(integer("seq"))
            .col(text("reason"))
            // JSON: field → [before, after].
            .col(text("changes"))
            .col(integer("made_by"))
            .col(timestamp_with_time_zone("made_at"))
            .foreign_key(&mut fk("contract_amendments", "contract_id", "contracts"))
            .take(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("ux_contract_amendments_seq")
            .table("contract_amendments")
            .col("contract_id")
            .col("seq")
            .unique()
            .take(),
    )
    .await?;
    Ok(())
}

/// Creates contract_documents with its index and notices_sent, and adds outbox.attachment_document_id.
async fn create_documents_and_notices(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("contract_documents")
            .col(pk_auto("id"))
            .col(integer("contract_id"))
            // contract, amendment, countersigned
            .col(string_len("kind", 32))
            .col(integer_null("amendment_id"))
            .col(string_len("language", 8))
            .col(string("file_name"))
            .col(string_len("sha256", 64))
            .col(big_integer("size_bytes"))
            .col(blob("data"))
            .col(integer("issued_by"))
            .col(timestamp_with_time_zone("issued_at"))
            .foreign_key(&mut fk("contract_documents", "contract_id", "contracts"))
            .foreign_key(&mut fk("contract_documents", "amendment_id", "contract_amendments"))
            .take(),
    )
    .await?;
    m.create_index(Index::create().name("ix_contract_documents_sha").table("contract_documents").col("sha256").take())
        .await?;
    m.create_table(
        Table::create()
            .table("notices_sent")
            .col(pk_auto("id"))
            .col(string_uniq("notice_key"))
            .col(timestamp_with_time_zone("created_at"))
            .take(),
    )
    .await?;
    add(m, "outbox", integer_null("attachment_document_id")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        extend_contracts(m).await?;
        create_outputs_and_milestones(m).await?;
        create_milestone_indicators_and_reports(m).await?;
        create_milestone_report_details(m).await?;
        create_payments_and_amendments(m).await?;
        create_documents_and_notices(m).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "notices_sent",
            "contract_documents",
            "contract_amendments",
            "payments",
            "milestone_report_files",
            "milestone_report_values",
            "milestone_reports",
            "milestone_indicators",
            "milestones",
            "contract_outputs",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.drop_index(Index::drop().name("ux_contracts_number").table("contracts").to_owned()).await?;
        let added: [(&str, &[&str]); 3] = [
            ("outbox", &["attachment_document_id"]),
            ("contract_instalments", &["status", "payable_at"]),
            (
                "contracts",
                &[
                    "number",
                    "purchaser_name",
                    "purchaser_address",
                    "purchaser_representative",
                    "provider_address",
                    "provider_representative",
                    "legal_basis",
                    "service_content",
                    "performance_targets",
                    "acceptance_terms",
                    "breach_terms",
                    "dispute_terms",
                    "starts_on",
                    "ends_on",
                    "bond_percent",
                    "signed_via",
                    "signed_at",
                ],
            ),
        ];
        for (table, cols) in added {
            for c in cols {
                m.alter_table(Table::alter().table(table).drop_column(*c).take()).await?;
            }
        }
        Ok(())
    }
}
