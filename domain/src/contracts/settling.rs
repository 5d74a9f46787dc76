//! When an instalment becomes payable: its milestone accepted and, for an instalment tied to
//! an evaluation, that evaluation released with a passing grade. Checked when a milestone
//! report is accepted and when an evaluation is released.
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::enums::{EvaluationKind, EvaluationStatus, InstalmentStatus, MilestoneStatus, PaymentCondition};
use entity::{contract_instalment, evaluation, milestone};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};

/// Whether a pending instalment may be paid now, by its condition: the milestone carrying it
/// (if any) accepted and, for an evaluation's instalment, that evaluation released and passed.
pub async fn instalment_ready<C: ConnectionTrait>(db: &C, i: &contract_instalment::Model) -> AppResult<bool> {
    let m = milestone::Entity::find().filter(milestone::Column::InstalmentId.eq(i.id)).one(db).await?;
    let milestone_ok = m.is_none_or(|m| m.status == MilestoneStatus::Accepted);
    let kind = match i.condition {
        PaymentCondition::Signing | PaymentCondition::MilestoneAccepted => return Ok(milestone_ok),
        PaymentCondition::MidtermPassed => EvaluationKind::Midterm,
        PaymentCondition::FinalPassed => EvaluationKind::Final,
    };
    let ev = evaluation::Entity::find()
        .filter(evaluation::Column::ContractId.eq(i.contract_id))
        .filter(evaluation::Column::Kind.eq(kind))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Released))
        .one(db)
        .await?;
    Ok(milestone_ok && ev.and_then(|e| e.grade).is_some_and(|g| g.passed()))
}

/// Pending → payable when its conditions are met; returns whether it moved.
pub async fn settle(txn: &DatabaseTransaction, now: DateTime<Utc>, i: &contract_instalment::Model) -> AppResult<bool> {
    if i.status != InstalmentStatus::Pending || !instalment_ready(txn, i).await? {
        return Ok(false);
    }
    let to = i.status.transition(InstalmentStatus::Payable)?;
    let r = contract_instalment::Entity::update_many()
        .col_expr(contract_instalment::Column::Status, Expr::value(to))
        .col_expr(contract_instalment::Column::PayableAt, Expr::value(now))
        .filter(contract_instalment::Column::Id.eq(i.id))
        .filter(contract_instalment::Column::Status.eq(InstalmentStatus::Pending))
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}
