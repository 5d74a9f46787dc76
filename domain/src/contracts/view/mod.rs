//! A contract as its pages, its PDF and the API show it: the terms, the outputs with their
//! subtotals, the payment schedule with what is paid, the milestones with their reports
//! and whether they are overdue, payments, documents, amendments and the timeline.
mod milestone_views;

use super::access::{ContractCan, Viewer};
use super::payments::{self, Totals};
use super::{ContractRules, milestones};
use crate::error::{AppError, AppResult};
use crate::i18n::{format_date, format_datetime, format_money};
use crate::money::Money;
use chrono::NaiveDate;
use entity::enums::{ContractStatus, InstalmentStatus, PaymentCondition};
use entity::{
    audit_log, call, contract, contract_amendment, contract_document, contract_instalment, contract_output,
    organization,
};
pub use milestone_views::{IndicatorView, MilestoneView, ReportView};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct OutputView {
    pub position: i32,
    pub name: String,
    pub standard: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_price_fen: Money,
    pub unit_price: String,
    pub unit_price_input: String,
    pub subtotal_fen: Money,
    pub subtotal: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstalmentView {
    pub id: i32,
    pub position: i32,
    pub percent: i32,
    pub amount_fen: Money,
    pub amount: String,
    pub condition: PaymentCondition,
    pub description: String,
    pub status: InstalmentStatus,
    /// A payment may be recorded against it now.
    pub payable: bool,
    pub paid_fen: Money,
    pub paid: String,
    /// Still to pay on it, when payable.
    pub open_fen: Money,
    pub open: String,
    pub open_input: String,
    pub milestone: Option<String>,
    /// Deducted after a 合格 final evaluation.
    pub deduction: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub id: i32,
    pub instalment: i32,
    pub amount: String,
    pub amount_fen: Money,
    pub paid_on: String,
    pub voucher_no: String,
    pub recorded_at: String,
    /// A reversal entry: the voucher of the payment it reverses, and why.
    pub reverses: Option<String>,
    pub reason: Option<String>,
    /// This payment has been reversed (by a later entry).
    pub reversed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub id: i32,
    pub kind: entity::enums::DocumentKind,
    pub language: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub issued_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmendmentView {
    pub seq: i32,
    pub reason: String,
    pub changes: serde_json::Value,
    pub made_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub at: String,
    pub action: String,
    pub actor: String,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContractView {
    pub id: i32,
    /// Serialized as the party the reader stands for: "bureau" or "provider".
    #[serde(serialize_with = "as_party")]
    pub viewer: Viewer,
    /// The viewer is the bureau (pages word their guidance for the bureau or the provider).
    pub bureau: bool,
    pub can: ContractCan,
    pub number: Option<String>,
    pub status: ContractStatus,
    pub call_id: i32,
    pub call_title: String,
    pub call_reference: Option<String>,
    pub method: entity::enums::ProcurementMethod,
    pub category: entity::enums::ServiceCategory,
    pub multi_year: bool,
    pub organization_id: i32,
    pub provider_name: String,
    pub provider_uscc: Option<String>,
    pub provider_address: String,
    pub provider_representative: String,
    pub purchaser_name: String,
    pub purchaser_address: String,
    pub purchaser_representative: String,
    pub legal_basis: String,
    pub service_content: String,
    pub performance_targets: String,
    pub acceptance_terms: String,
    pub breach_terms: String,
    pub dispute_terms: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub term_months: i32,
    pub amount_fen: Money,
    pub amount: String,
    pub amount_capitals: String,
    pub bond_percent: i32,
    pub bond_fen: Money,
    pub bond: String,
    pub bond_capitals: String,
    pub outputs: Vec<OutputView>,
    pub outputs_total_fen: Money,
    pub outputs_total: String,
    pub instalments: Vec<InstalmentView>,
    pub milestones: Vec<MilestoneView>,
    pub payments: Vec<PaymentView>,
    pub documents: Vec<DocumentView>,
    pub amendments: Vec<AmendmentView>,
    pub totals: Totals,
    pub paid: String,
    pub payable: String,
    pub remaining: String,
    pub signed_via: Option<String>,
    pub signed_at: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub overdue_count: usize,
}

/// The contract's API has always named its reader by party; the provider's members are
/// `Viewer::Member` everywhere else.
fn as_party<S: serde::Serializer>(v: &Viewer, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match v {
        Viewer::Bureau => "bureau",
        Viewer::Member => "provider",
        Viewer::Evaluator => "evaluator",
        Viewer::Public => "public",
    })
}

/// Builds the view. `today` is the Beijing date that decides what is overdue.
pub async fn build<C: ConnectionTrait>(
    db: &C,
    k: &contract::Model,
    viewer: Viewer,
    rules: &ContractRules,
    today: NaiveDate,
) -> AppResult<ContractView> {
    let c = call::Entity::find_by_id(k.call_id).one(db).await?.ok_or(AppError::NotFound)?;
    let org = organization::Entity::find_by_id(k.organization_id).one(db).await?.ok_or(AppError::NotFound)?;
    let outputs = output_views(db, k.id).await?;
    let outputs_total_fen = outputs.iter().fold(0i64, |t, o| t.saturating_add(o.subtotal_fen.fen()));
    let instalment_rows = contract_instalment::Entity::find()
        .filter(contract_instalment::Column::ContractId.eq(k.id))
        .order_by_asc(contract_instalment::Column::Position)
        .all(db)
        .await?;
    let payment_rows = payments::of_contract(db, k.id).await?;
    let milestone_rows = milestones::of_contract(db, k.id).await?;
    let milestones = milestone_views::milestone_views(db, k, viewer, today, &milestone_rows, &instalment_rows).await?;
    let instalments = instalment_views(&instalment_rows, &payment_rows, &milestone_rows);
    let totals = payments::totals(k.amount_fen, &instalment_rows, &payment_rows);
    let bond_fen = k.amount_fen * k.bond_percent as i64 / 100;
    let or_default = |s: &str, d: &str| if s.trim().is_empty() { d.to_string() } else { s.to_string() };
    Ok(ContractView {
        id: k.id,
        viewer,
        bureau: viewer.is_bureau(),
        can: ContractCan::of(viewer, k.status),
        number: k.number.clone(),
        status: k.status,
        call_id: c.id,
        call_title: c.title,
        call_reference: c.reference,
        method: c.method,
        category: c.category,
        multi_year: c.multi_year,
        organization_id: org.id,
        provider_name: org.name,
        provider_uscc: org.uscc,
        provider_address: k.provider_address.clone(),
        provider_representative: k.provider_representative.clone(),
        purchaser_name: or_default(&k.purchaser_name, &rules.purchaser_name),
        purchaser_address: or_default(&k.purchaser_address, &rules.purchaser_address),
        purchaser_representative: or_default(&k.purchaser_representative, &rules.purchaser_representative),
        legal_basis: k.legal_basis.clone(),
        service_content: k.service_content.clone(),
        performance_targets: k.performance_targets.clone(),
        acceptance_terms: k.acceptance_terms.clone(),
        breach_terms: k.breach_terms.clone(),
        dispute_terms: k.dispute_terms.clone(),
        starts_on: k.starts_on.map(format_date),
        ends_on: k.ends_on.map(format_date),
        term_months: k.term_months,
        amount_fen: Money(k.amount_fen),
        amount: format_money(k.amount_fen),
        amount_capitals: Money(k.amount_fen).capitals(),
        bond_percent: k.bond_percent,
        bond_fen: Money(bond_fen),
        bond: format_money(bond_fen),
        bond_capitals: Money(bond_fen).capitals(),
        outputs,
        outputs_total_fen: Money(outputs_total_fen),
        outputs_total: format_money(outputs_total_fen),
        instalments,
        overdue_count: milestones.iter().filter(|m| m.overdue).count(),
        milestones,
        payments: payment_views(&payment_rows, &instalment_rows),
        documents: document_views(db, k.id).await?,
        amendments: amendment_views(db, k.id).await?,
        paid: format_money(totals.paid_fen),
        payable: format_money(totals.payable_fen),
        remaining: format_money(totals.remaining_fen),
        totals,
        signed_via: k.signed_via.clone(),
        signed_at: k.signed_at.map(format_datetime),
        timeline: timeline(db, k.id, viewer).await?,
    })
}

async fn output_views<C: ConnectionTrait>(db: &C, contract_id: i32) -> AppResult<Vec<OutputView>> {
    let rows = contract_output::Entity::find()
        .filter(contract_output::Column::ContractId.eq(contract_id))
        .order_by_asc(contract_output::Column::Position)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| {
            let subtotal = o.quantity.saturating_mul(o.unit_price_fen);
            OutputView {
                position: o.position,
                name: o.name,
                standard: o.standard,
                unit: o.unit,
                quantity: o.quantity,
                unit_price_fen: Money(o.unit_price_fen),
                unit_price: format_money(o.unit_price_fen),
                unit_price_input: Money(o.unit_price_fen).to_yuan_input(),
                subtotal_fen: Money(subtotal),
                subtotal: format_money(subtotal),
            }
        })
        .collect())
}

fn instalment_views(
    instalment_rows: &[contract_instalment::Model],
    payment_rows: &[entity::payment::Model],
    milestone_rows: &[entity::milestone::Model],
) -> Vec<InstalmentView> {
    instalment_rows
        .iter()
        .map(|i| {
            let paid_fen: i64 = payment_rows.iter().filter(|p| p.instalment_id == i.id).map(|p| p.amount_fen).sum();
            let open_fen =
                if i.status == InstalmentStatus::Payable { super::payments::due_fen(i) - paid_fen } else { 0 };
            InstalmentView {
                id: i.id,
                position: i.position,
                percent: i.percent,
                amount_fen: Money(i.amount_fen),
                amount: format_money(i.amount_fen),
                condition: i.condition,
                description: i.description.clone(),
                status: i.status,
                payable: i.status == InstalmentStatus::Payable,
                paid_fen: Money(paid_fen),
                paid: format_money(paid_fen),
                open_fen: Money(open_fen),
                open: format_money(open_fen),
                open_input: Money(open_fen).to_yuan_input(),
                deduction: (i.deduction_fen > 0).then(|| format_money(i.deduction_fen)),
                milestone: milestone_rows.iter().find(|m| m.instalment_id == Some(i.id)).map(|m| m.title.clone()),
            }
        })
        .collect()
}

fn payment_views(
    payment_rows: &[entity::payment::Model],
    instalment_rows: &[contract_instalment::Model],
) -> Vec<PaymentView> {
    payment_rows
        .iter()
        .map(|p| PaymentView {
            id: p.id,
            reverses: p.reverses_id.and_then(|r| payment_rows.iter().find(|o| o.id == r)).map(|o| o.voucher_no.clone()),
            reason: p.reason.clone(),
            reversed: payment_rows.iter().any(|o| o.reverses_id == Some(p.id)),
            instalment: instalment_rows.iter().find(|i| i.id == p.instalment_id).map(|i| i.position).unwrap_or(0),
            amount: format_money(p.amount_fen),
            amount_fen: Money(p.amount_fen),
            paid_on: format_date(p.paid_on),
            voucher_no: p.voucher_no.clone(),
            recorded_at: format_datetime(p.recorded_at),
        })
        .collect()
}

/// A stored document, without its bytes.
#[derive(Debug, sea_orm::FromQueryResult)]
struct DocumentRow {
    id: i32,
    kind: entity::enums::DocumentKind,
    language: String,
    file_name: String,
    sha256: String,
    size_bytes: i64,
    issued_at: chrono::DateTime<chrono::Utc>,
}

async fn document_views<C: ConnectionTrait>(db: &C, contract_id: i32) -> AppResult<Vec<DocumentView>> {
    let rows = contract_document::Entity::find()
        .select_only()
        .columns([
            contract_document::Column::Id,
            contract_document::Column::Kind,
            contract_document::Column::Language,
            contract_document::Column::FileName,
            contract_document::Column::Sha256,
            contract_document::Column::SizeBytes,
            contract_document::Column::IssuedAt,
        ])
        .filter(contract_document::Column::ContractId.eq(contract_id))
        .order_by_asc(contract_document::Column::Id)
        .into_model::<DocumentRow>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|d| DocumentView {
            id: d.id,
            kind: d.kind,
            language: d.language,
            file_name: d.file_name,
            sha256: d.sha256,
            size_bytes: d.size_bytes,
            issued_at: format_datetime(d.issued_at),
        })
        .collect())
}

async fn amendment_views<C: ConnectionTrait>(db: &C, contract_id: i32) -> AppResult<Vec<AmendmentView>> {
    Ok(contract_amendment::Entity::find()
        .filter(contract_amendment::Column::ContractId.eq(contract_id))
        .order_by_asc(contract_amendment::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(|a| AmendmentView {
            seq: a.seq,
            reason: a.reason,
            changes: serde_json::from_str(&a.changes).unwrap_or_default(),
            made_at: format_datetime(a.made_at),
        })
        .collect())
}

async fn timeline<C: ConnectionTrait>(db: &C, contract_id: i32, viewer: Viewer) -> AppResult<Vec<TimelineEntry>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::ObjectType.eq("contract"))
        .filter(audit_log::Column::ObjectId.eq(contract_id.to_string()))
        // In the order things happened (a step recorded later with an earlier date, as a
        // payment entered after the fact, takes its place), then as written.
        .order_by_asc(audit_log::Column::At)
        .order_by_asc(audit_log::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(|e| TimelineEntry {
            at: format_datetime(e.at),
            action: e.action,
            // The provider sees what happened, not which officer's account did it.
            actor: if viewer == Viewer::Bureau { e.actor } else { String::new() },
            detail: serde_json::from_str(&e.payload).unwrap_or_default(),
        })
        .collect())
}
