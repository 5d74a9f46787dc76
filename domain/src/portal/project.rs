//! A project's public page: the summary of a signed contract — parties, amount, term,
//! outputs, milestones reached, payments made, the issued documents with their SHA-256 —
//! and its released evaluations with their grades and reports. A contract the provider has
//! not signed yet is not public: its address answers "not found", as for an unknown one.
use super::is_public;
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::organizations::Places;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    ContractStatus, DocumentKind, EvaluationGrade, EvaluationKind, EvaluationStatus, MilestoneStatus,
    ProcurementMethod, ServiceCategory,
};
use entity::{call, contract, contract_document, contract_output, evaluation, milestone, organization, payment};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ProjectOutput {
    pub name: String,
    pub standard: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub total: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectMilestone {
    pub position: i32,
    pub title: String,
    pub due_on: NaiveDate,
    pub status: MilestoneStatus,
    pub reached: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectPayment {
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub reversal: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectDocument {
    pub id: i32,
    pub kind: DocumentKind,
    pub language: String,
    pub file_name: String,
    pub sha256: String,
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectEvaluation {
    pub id: i32,
    pub kind: EvaluationKind,
    pub grade: Option<EvaluationGrade>,
    pub total_centi: Option<i32>,
    pub released_at: Option<DateTime<Utc>>,
    pub report: Option<ProjectDocument>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    pub id: i32,
    pub number: Option<String>,
    pub status: ContractStatus,
    pub call_id: i32,
    pub call_reference: Option<String>,
    pub title: String,
    pub category: ServiceCategory,
    pub method: ProcurementMethod,
    pub districts: Vec<String>,
    pub purchaser: String,
    pub provider_id: i32,
    pub provider: String,
    pub amount: Money,
    pub term_months: i32,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub signed_at: Option<DateTime<Utc>>,
    pub outputs: Vec<ProjectOutput>,
    pub milestones: Vec<ProjectMilestone>,
    pub milestones_reached: usize,
    pub payments: Vec<ProjectPayment>,
    pub paid: Money,
    pub documents: Vec<ProjectDocument>,
    pub evaluations: Vec<ProjectEvaluation>,
}

/// A signed contract, or not found.
pub async fn public_contract<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<contract::Model> {
    contract::Entity::find_by_id(id).one(db).await?.filter(|k| is_public(k.status)).ok_or(AppError::NotFound)
}

pub async fn build<C: ConnectionTrait>(db: &C, places: &Places, id: i32) -> AppResult<ProjectView> {
    let k = public_contract(db, id).await?;
    let c = call::Entity::find_by_id(k.call_id).one(db).await?.ok_or(AppError::NotFound)?;
    let provider = organization::Entity::find_by_id(k.organization_id).one(db).await?.ok_or(AppError::NotFound)?;
    let outputs = contract_output::Entity::find()
        .filter(contract_output::Column::ContractId.eq(k.id))
        .order_by_asc(contract_output::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|o| ProjectOutput {
            total: Money(o.quantity.saturating_mul(o.unit_price_fen)),
            name: o.name,
            standard: o.standard,
            unit: o.unit,
            quantity: o.quantity,
            unit_price: Money(o.unit_price_fen),
        })
        .collect();
    let milestones: Vec<ProjectMilestone> = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(k.id))
        .order_by_asc(milestone::Column::DueOn)
        .order_by_asc(milestone::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|m| ProjectMilestone {
            position: m.position,
            title: m.title,
            due_on: m.due_on,
            reached: m.status == MilestoneStatus::Accepted,
            status: m.status,
        })
        .collect();
    let payments: Vec<ProjectPayment> = payment::Entity::find()
        .filter(payment::Column::ContractId.eq(k.id))
        .order_by_asc(payment::Column::PaidOn)
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| ProjectPayment { paid_on: p.paid_on, amount: Money(p.amount_fen), reversal: p.reverses_id.is_some() })
        .collect();
    let documents = documents(db, k.id).await?;
    let evaluations = evaluations(db, k.id, &documents).await?;
    let districts: Vec<i32> = serde_json::from_str(&c.area_district_ids).unwrap_or_default();
    Ok(ProjectView {
        id: k.id,
        number: k.number,
        status: k.status,
        call_id: c.id,
        call_reference: c.reference,
        title: c.title,
        category: c.category,
        method: c.method,
        districts: districts.iter().map(|d| places.district_name(*d).to_string()).collect(),
        purchaser: k.purchaser_name,
        provider_id: provider.id,
        provider: provider.name,
        amount: Money(k.amount_fen),
        term_months: k.term_months,
        starts_on: k.starts_on,
        ends_on: k.ends_on,
        signed_at: k.signed_at,
        outputs,
        milestones_reached: milestones.iter().filter(|m| m.reached).count(),
        milestones,
        paid: Money(payments.iter().map(|p| p.amount.0).sum()),
        payments,
        documents: documents.into_iter().filter(|d| d.kind != DocumentKind::EvaluationReport).collect(),
        evaluations,
    })
}

type DocumentColumns = (i32, DocumentKind, String, String, String, DateTime<Utc>);

/// The documents the public may read: the issued contract and amendments, and released
/// evaluations' reports — never the provider's countersigned scan. Read without their bytes.
async fn documents<C: ConnectionTrait>(db: &C, contract_id: i32) -> AppResult<Vec<ProjectDocument>> {
    use contract_document::Column as D;
    let rows: Vec<DocumentColumns> = contract_document::Entity::find()
        .select_only()
        .columns([D::Id, D::Kind, D::Language, D::FileName, D::Sha256, D::IssuedAt])
        .filter(D::ContractId.eq(contract_id))
        .filter(D::Kind.ne(DocumentKind::Countersigned))
        .order_by_asc(D::IssuedAt)
        .order_by_asc(D::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, language, file_name, sha256, issued_at)| ProjectDocument {
            id,
            kind,
            language,
            file_name,
            sha256,
            issued_at,
        })
        .collect())
}

async fn evaluations<C: ConnectionTrait>(
    db: &C,
    contract_id: i32,
    documents: &[ProjectDocument],
) -> AppResult<Vec<ProjectEvaluation>> {
    Ok(evaluation::Entity::find()
        .filter(evaluation::Column::ContractId.eq(contract_id))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Released))
        .order_by_asc(evaluation::Column::ReleasedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|e| ProjectEvaluation {
            id: e.id,
            kind: e.kind,
            grade: e.grade,
            total_centi: e.total_centi,
            released_at: e.released_at,
            report: e.report_document_id.and_then(|d| documents.iter().find(|x| x.id == d).cloned()),
        })
        .collect())
}

/// One of a signed contract's public documents, with its bytes.
pub async fn document<C: ConnectionTrait>(
    db: &C,
    contract_id: i32,
    document_id: i32,
) -> AppResult<contract_document::Model> {
    let k = public_contract(db, contract_id).await?;
    let d = contract_document::Entity::find_by_id(document_id).one(db).await?.ok_or(AppError::NotFound)?;
    if d.contract_id != k.id || d.kind == DocumentKind::Countersigned {
        return Err(AppError::NotFound);
    }
    Ok(d)
}
