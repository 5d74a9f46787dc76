//! The release of an evaluation's result and what it does. Once every cleared evaluator has
//! scored (and the survey and findings are in), the officer releases: the total and grade are
//! fixed, the report PDF is drawn and stored, the provider gets it by email, the public
//! project page shows the summary, and the platform applies the consequences:
//! - mid-term passed (合格 or better): the instalment tied to it becomes payable (once its
//!   milestone, if any, is accepted); 不合格 withholds it;
//! - final 优秀/良好: the last instalment becomes payable in full; 合格: less the configured
//!   deduction; 不合格: withheld, and calls published in the following months refuse the
//!   organization (see the procurement eligibility check).
use super::ReportDocument;
use super::access::{self, Viewer};
use super::rules::EvaluationRules;
use super::view::{self, EvaluationView};
use crate::audit::{self, Actor};
use crate::contracts::access::notify_provider;
use crate::contracts::documents;
use crate::documents::{self as drawing, Draws};
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Msg, format_money};
use crate::outbox::EmailTemplates;
use chrono::{DateTime, Utc};
use entity::enums::{
    ContractStatus, DocumentKind, EvaluationGrade, EvaluationKind, EvaluationStatus, EvaluatorStatus, InstalmentStatus,
    PaymentCondition,
};
use entity::{contract, contract_instalment, evaluation, evaluation_evaluator, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, TransactionTrait,
};
use std::sync::Arc;

/// What stands in the way of releasing, in the order an officer would mend it.
pub fn blockers(v: &EvaluationView, seats: &[evaluation_evaluator::Model]) -> Vec<Msg> {
    let mut out = Vec::new();
    match v.status {
        EvaluationStatus::Released => return vec![Msg::new("evaluation.released")],
        EvaluationStatus::Scheduled => out.push(Msg::new("evaluation.awaiting_self").arg("date", &v.self_due_on)),
        EvaluationStatus::Scoring => {}
    }
    let name = |uid: i32| v.evaluators.iter().find(|e| e.user_id == uid).map(|e| e.name.clone()).unwrap_or_default();
    let undeclared: Vec<String> =
        seats.iter().filter(|s| s.status == EvaluatorStatus::Assigned).map(|s| name(s.user_id)).collect();
    if !undeclared.is_empty() {
        out.push(Msg::new("evaluation.undeclared").arg("names", undeclared.join("、")));
    }
    let cleared: Vec<&evaluation_evaluator::Model> =
        seats.iter().filter(|s| s.status == EvaluatorStatus::Cleared).collect();
    if cleared.is_empty() {
        out.push(Msg::new("evaluation.no_cleared_evaluator"));
    }
    let unscored: Vec<String> = cleared.iter().filter(|s| s.submitted_at.is_none()).map(|s| name(s.user_id)).collect();
    if !unscored.is_empty() {
        out.push(Msg::new("evaluation.not_all_scored").arg("names", unscored.join("、")));
    }
    if v.has_satisfaction && v.surveyed.is_none() {
        out.push(Msg::new("evaluation.survey_missing"));
    }
    if v.findings.trim().is_empty() {
        out.push(Msg::new("evaluation.findings_missing"));
    }
    out
}

/// Withholds an instalment the evaluation's grade does not earn.
async fn withhold(
    txn: &DatabaseTransaction,
    u: &user::Model,
    now: DateTime<Utc>,
    k: &contract::Model,
    i: &contract_instalment::Model,
    grade: EvaluationGrade,
) -> AppResult<()> {
    crate::contracts::payments::move_instalment(txn, i, InstalmentStatus::Withheld, now).await?;
    audit::append(
        txn,
        now,
        &Actor::user(u),
        "contract.instalment_withheld",
        "contract",
        k.id,
        serde_json::json!({"instalment": i.position, "amount_fen": i.amount_fen, "grade": grade.code()}),
    )
    .await?;
    Ok(())
}

/// Applies a released grade to the contract's instalments (see the module comment).
async fn consequences(
    txn: &DatabaseTransaction,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &EvaluationRules,
    k: &contract::Model,
    kind: EvaluationKind,
    grade: EvaluationGrade,
) -> AppResult<()> {
    let condition = match kind {
        EvaluationKind::Midterm => PaymentCondition::MidtermPassed,
        EvaluationKind::Final => PaymentCondition::FinalPassed,
    };
    let tied = contract_instalment::Entity::find()
        .filter(contract_instalment::Column::ContractId.eq(k.id))
        .filter(contract_instalment::Column::Condition.eq(condition))
        .all(txn)
        .await?;
    for i in tied.into_iter().filter(|i| i.status == InstalmentStatus::Pending) {
        // A deduction of the whole instalment (a bureau may configure 100 %) is withholding it.
        let nothing_left = kind == EvaluationKind::Final
            && grade == EvaluationGrade::Pass
            && rules.deduction_fen(i.amount_fen) >= i.amount_fen;
        if !grade.passed() || nothing_left {
            withhold(txn, u, now, k, &i, grade).await?;
            continue;
        }
        let mut i = i;
        if kind == EvaluationKind::Final && grade == EvaluationGrade::Pass {
            let deduction = std::cmp::min(rules.deduction_fen(i.amount_fen), i.amount_fen);
            let mut a: contract_instalment::ActiveModel = i.clone().into();
            a.deduction_fen = Set(deduction);
            i = a.update(txn).await?;
            audit::append(
                txn,
                now,
                &Actor::user(u),
                "contract.instalment_deducted",
                "contract",
                k.id,
                serde_json::json!({"instalment": i.position, "deduction_fen": deduction,
                    "percent": rules.pass_deduction_percent}),
            )
            .await?;
        }
        if crate::contracts::settling::settle(txn, now, &i).await? {
            audit::append(
                txn,
                now,
                &Actor::user(u),
                "contract.instalment_payable",
                "contract",
                k.id,
                serde_json::json!({"instalment": i.position, "grade": grade.code()}),
            )
            .await?;
        }
    }
    if k.status == ContractStatus::Active {
        crate::contracts::payments::complete_when_settled(txn, u, now, k).await?;
    }
    Ok(())
}

/// Moves the evaluation to released with its total and grade, and the final evaluation's
/// consequence for future calls (barred or preferred until), only if nobody changed it since
/// it was read.
#[allow(clippy::too_many_arguments)]
async fn move_to_released(
    txn: &DatabaseTransaction,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &EvaluationRules,
    ev: &evaluation::Model,
    to: EvaluationStatus,
    total: i32,
    grade: EvaluationGrade,
) -> AppResult<()> {
    let released_on = crate::i18n::to_local(now).date_naive();
    let months = |m: u32| released_on.checked_add_months(chrono::Months::new(m));
    let (barred_until, preferred_until) = match (ev.kind, grade) {
        (EvaluationKind::Final, EvaluationGrade::Fail) => (months(rules.ineligible_months), None),
        (EvaluationKind::Final, g) if g.preferred() => (None, months(rules.preference_months)),
        _ => (None, None),
    };
    let moved = evaluation::Entity::update_many()
        .col_expr(evaluation::Column::Status, Expr::value(to))
        .col_expr(evaluation::Column::TotalCenti, Expr::value(total))
        .col_expr(evaluation::Column::Grade, Expr::value(grade))
        .col_expr(evaluation::Column::ReleasedBy, Expr::value(u.id))
        .col_expr(evaluation::Column::ReleasedAt, Expr::value(now))
        .col_expr(evaluation::Column::BarredUntil, Expr::value(barred_until))
        .col_expr(evaluation::Column::PreferredUntil, Expr::value(preferred_until))
        .col_expr(evaluation::Column::UpdatedAt, Expr::value(now))
        .col_expr(evaluation::Column::Version, Expr::col(evaluation::Column::Version).add(1))
        .filter(evaluation::Column::Id.eq(ev.id))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scoring))
        .filter(evaluation::Column::Version.eq(ev.version))
        .exec(txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("evaluation.changed")));
    }
    Ok(())
}

/// Releases the result: see the module comment. Refused, with nothing changed, while anything
/// in [`blockers`] stands; a second release (or scores handed in meanwhile) finds it moved.
#[allow(clippy::too_many_arguments)]
pub async fn release<D: Draws<ReportDocument> + ?Sized>(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    renderer: &Arc<D>,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &EvaluationRules,
    id: i32,
) -> AppResult<EvaluationView> {
    let txn = db.begin().await?;
    let (ev, k) = access::for_bureau(&txn, u, id).await?;
    access::not_recused(&txn, u, id).await?;
    let mut v = view::build(&txn, &ev, &k, Viewer::Bureau, rules).await?;
    if let Some(first) = v.blockers.first() {
        return Err(AppError::Conflict(first.clone()));
    }
    let total =
        v.total_centi.ok_or_else(|| AppError::Conflict(Msg::new("evaluation.not_all_scored").arg("names", "")))?;
    let grade = rules.grade(total);
    let to = ev.status.transition(EvaluationStatus::Released)?;
    move_to_released(&txn, u, now, rules, &ev, to, total, grade).await?;
    (v.status, v.grade, v.total_centi) = (EvaluationStatus::Released, Some(grade), Some(total));
    v.released_at = Some(crate::i18n::format_datetime(now));
    v.blockers.clear();
    let request = ReportDocument { view: Box::new(v.clone()), rules: rules.clone() };
    let rendered = drawing::render(renderer, request).await?;
    let file_name =
        format!("{}-{}.pdf", k.number.clone().unwrap_or_else(|| format!("contract-{}", k.id)), ev.kind.code());
    let stored = documents::store(
        &txn,
        now,
        u,
        &k,
        DocumentKind::EvaluationReport,
        None,
        Locale::ZhCn,
        file_name,
        rendered.bytes,
    )
    .await?;
    evaluation::Entity::update_many()
        .col_expr(evaluation::Column::ReportDocumentId, Expr::value(stored.id))
        .filter(evaluation::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    v.report_document_id = Some(stored.id);
    consequences(&txn, u, now, rules, &k, ev.kind, grade).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.released",
        "contract",
        k.id,
        serde_json::json!({"evaluation": id, "kind": ev.kind.code(), "total_centi": total, "grade": grade.code(),
            "report_sha256": stored.sha256}),
    )
    .await?;
    let ctx = serde_json::json!({
        "kind": ev.kind.code(), "project": v.project, "total": v.total, "grade": grade.code(),
        "amount": format_money(k.amount_fen), "url": format!("{origin}/evaluations/{id}"),
    });
    notify_provider(&txn, emails, now, &k, "evaluation_released", Some(stored.id), ctx).await?;
    txn.commit().await?;
    Ok(v)
}

/// The report for a reader: the stored PDF once released (for the bureau, the evaluators and
/// the provider), else the bureau's unreleased preview view; anyone else gets 404.
pub enum Report {
    Stored(entity::contract_document::Model),
    Preview(Box<EvaluationView>),
}

pub async fn report<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    id: i32,
    rules: &EvaluationRules,
) -> AppResult<Report> {
    let (ev, k, viewer) = access::load(db, u, id).await?;
    if let Some(doc) = ev.report_document_id {
        let d = entity::contract_document::Entity::find_by_id(doc).one(db).await?.ok_or(AppError::NotFound)?;
        return Ok(Report::Stored(d));
    }
    if viewer != Viewer::Bureau {
        return Err(AppError::NotFound);
    }
    // A preview for an officer who also scores shows no more than the evaluation page does.
    Ok(Report::Preview(Box::new(view::build_for(db, &ev, &k, viewer, Some(u.id), rules).await?)))
}
