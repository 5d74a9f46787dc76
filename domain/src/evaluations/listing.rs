//! Lists of evaluations: an account's own (the bureau all, an evaluator those it was chosen
//! for, a provider its organization's), the released summaries shown on a public project
//! page, and an organization's released results for its credit record.
use super::grading::{self, points};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::enums::{EvaluationGrade, EvaluationKind, EvaluationStatus, Role};
use entity::{call, contract, evaluation, evaluation_evaluator, evaluation_score, organization, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationRow {
    pub id: i32,
    pub contract_id: i32,
    pub number: Option<String>,
    pub project: String,
    pub provider: String,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub visit_on: NaiveDate,
    pub self_due_on: NaiveDate,
    pub total: Option<String>,
    pub total_centi: Option<i32>,
    pub grade: Option<EvaluationGrade>,
    /// For the list's filters: the call's category and districts, the visit's year.
    pub category: entity::enums::ServiceCategory,
    pub district_ids: Vec<i32>,
    pub year: i32,
}

async fn rows<C: ConnectionTrait>(db: &C, evs: Vec<evaluation::Model>) -> AppResult<Vec<EvaluationRow>> {
    let ks =
        contract::Entity::find().filter(contract::Column::Id.is_in(evs.iter().map(|e| e.contract_id))).all(db).await?;
    let calls = call::Entity::find().filter(call::Column::Id.is_in(ks.iter().map(|k| k.call_id))).all(db).await?;
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(ks.iter().map(|k| k.organization_id)))
        .all(db)
        .await?;
    Ok(evs
        .into_iter()
        .filter_map(|e| {
            let k = ks.iter().find(|k| k.id == e.contract_id)?;
            let c = calls.iter().find(|c| c.id == k.call_id)?;
            Some(EvaluationRow {
                id: e.id,
                contract_id: k.id,
                number: k.number.clone(),
                project: c.title.clone(),
                provider: orgs.iter().find(|o| o.id == k.organization_id).map(|o| o.name.clone()).unwrap_or_default(),
                kind: e.kind,
                status: e.status,
                visit_on: e.visit_on,
                self_due_on: e.self_due_on,
                total: e.total_centi.map(points),
                total_centi: e.total_centi,
                grade: e.grade,
                category: c.category,
                district_ids: crate::lists::call_districts(c),
                year: chrono::Datelike::year(&e.visit_on),
            })
        })
        .collect())
}

/// The evaluations this account works on.
pub async fn for_user<C: ConnectionTrait>(db: &C, u: &user::Model) -> AppResult<Vec<EvaluationRow>> {
    let q = evaluation::Entity::find().order_by_desc(evaluation::Column::VisitOn).order_by_desc(evaluation::Column::Id);
    let evs = if u.role.is_bureau() {
        q.all(db).await?
    } else if u.role == Role::NgoMember {
        let Some(org) = u.organization_id else { return Ok(vec![]) };
        let ks: Vec<i32> = contract::Entity::find()
            .filter(contract::Column::OrganizationId.eq(org))
            .all(db)
            .await?
            .into_iter()
            .map(|k| k.id)
            .collect();
        q.filter(evaluation::Column::ContractId.is_in(ks)).all(db).await?
    } else {
        let mine: Vec<i32> = evaluation_evaluator::Entity::find()
            .filter(evaluation_evaluator::Column::UserId.eq(u.id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.evaluation_id)
            .collect();
        q.filter(evaluation::Column::Id.is_in(mine)).all(db).await?
    };
    rows(db, evs).await
}

/// A contract's evaluations, for the contract page (bureau and provider).
pub async fn for_contract<C: ConnectionTrait>(db: &C, contract_id: i32) -> AppResult<Vec<EvaluationRow>> {
    let evs = evaluation::Entity::find()
        .filter(evaluation::Column::ContractId.eq(contract_id))
        .order_by_asc(evaluation::Column::VisitOn)
        .all(db)
        .await?;
    rows(db, evs).await
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicDimension {
    pub name: String,
    pub weight: i32,
    pub score: Option<String>,
}

/// What the public sees of a released evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct PublicSummary {
    pub id: i32,
    pub kind: EvaluationKind,
    pub total: Option<String>,
    pub grade: Option<EvaluationGrade>,
    pub released_on: Option<String>,
    pub evaluators: usize,
    pub surveyed: Option<i32>,
    pub satisfied: Option<String>,
    pub dimensions: Vec<PublicDimension>,
}

/// Released evaluations of the contracts awarded under a call.
pub async fn public_for_call<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<Vec<PublicSummary>> {
    let ks: Vec<i32> = contract::Entity::find()
        .filter(contract::Column::CallId.eq(call_id))
        .all(db)
        .await?
        .into_iter()
        .map(|k| k.id)
        .collect();
    let evs = evaluation::Entity::find()
        .filter(evaluation::Column::ContractId.is_in(ks))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Released))
        .order_by_asc(evaluation::Column::ReleasedAt)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for e in evs {
        let inds = super::conduct::indicators(db, e.id).await?;
        let seats = evaluation_evaluator::Entity::find()
            .filter(evaluation_evaluator::Column::EvaluationId.eq(e.id))
            .filter(evaluation_evaluator::Column::Status.eq(entity::enums::EvaluatorStatus::Cleared))
            .all(db)
            .await?;
        let scores: Vec<(i32, i32)> = evaluation_score::Entity::find()
            .filter(evaluation_score::Column::EvaluationId.eq(e.id))
            .filter(evaluation_score::Column::UserId.is_in(seats.iter().map(|s| s.user_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.indicator_id, s.score_centi))
            .collect();
        let r = grading::results(&inds, &scores);
        out.push(PublicSummary {
            id: e.id,
            kind: e.kind,
            total: e.total_centi.map(points),
            grade: e.grade,
            released_on: e.released_at.map(|t| crate::i18n::to_local(t).date_naive().to_string()),
            evaluators: seats.len(),
            surveyed: e.survey_surveyed,
            satisfied: e.survey_satisfied_bp.map(points),
            dimensions: r
                .dimensions
                .into_iter()
                .map(|d| PublicDimension { name: d.name, weight: d.weight, score: d.score_centi.map(points) })
                .collect(),
        });
    }
    Ok(out)
}

/// A released result in an organization's credit record.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationRecord {
    pub evaluation_id: i32,
    pub call_id: i32,
    pub project: String,
    pub kind: EvaluationKind,
    pub grade: EvaluationGrade,
    pub total: String,
    /// Beijing date of the release.
    pub released_on: NaiveDate,
    /// The moment of the release: a bar or preference counts for calls published after it.
    pub released_at: chrono::DateTime<chrono::Utc>,
    pub barred_until: Option<NaiveDate>,
    pub preferred_until: Option<NaiveDate>,
}

pub async fn released_for_org<C: ConnectionTrait>(db: &C, org_id: i32) -> AppResult<Vec<EvaluationRecord>> {
    Ok(released_for_orgs(db, &[org_id]).await?.into_iter().map(|(_, r)| r).collect())
}

/// The released evaluations of these organizations' contracts, newest first, each with its
/// organization: three queries however many organizations.
pub async fn released_for_orgs<C: ConnectionTrait>(db: &C, org_ids: &[i32]) -> AppResult<Vec<(i32, EvaluationRecord)>> {
    let ks = contract::Entity::find()
        .filter(contract::Column::OrganizationId.is_in(org_ids.iter().copied()))
        .all(db)
        .await?;
    if ks.is_empty() {
        return Ok(vec![]);
    }
    let calls = call::Entity::find().filter(call::Column::Id.is_in(ks.iter().map(|k| k.call_id))).all(db).await?;
    let evs = evaluation::Entity::find()
        .filter(evaluation::Column::ContractId.is_in(ks.iter().map(|k| k.id)))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Released))
        .order_by_desc(evaluation::Column::ReleasedAt)
        .all(db)
        .await?;
    Ok(evs
        .into_iter()
        .filter_map(|e| {
            let k = ks.iter().find(|k| k.id == e.contract_id)?;
            let record = EvaluationRecord {
                evaluation_id: e.id,
                call_id: k.call_id,
                project: calls.iter().find(|c| c.id == k.call_id).map(|c| c.title.clone()).unwrap_or_default(),
                kind: e.kind,
                grade: e.grade?,
                total: points(e.total_centi?),
                released_on: crate::i18n::to_local(e.released_at?).date_naive(),
                released_at: e.released_at?,
                barred_until: e.barred_until,
                preferred_until: e.preferred_until,
            };
            Some((k.organization_id, record))
        })
        .collect())
}
