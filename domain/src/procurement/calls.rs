//! Calls for proposals (采购公告): an officer drafts a call, saves it as often as needed,
//! and publishes it once it passes every rule of publication; a published call is public
//! and may be cancelled with a reason.
pub use super::call_input::{
    CallInput, CriterionInput, InstalmentInput, MAX_CRITERIA, MAX_INSTALMENTS, parse_local_datetime, to_input,
};
use super::call_input::{parse, write_lists};
use super::rules::ProcurementRules;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::organization_input::Places;
use chrono::{DateTime, Datelike, Duration, Utc};
use entity::enums::CallStatus;
use entity::{call, call_criterion, call_instalment, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;

pub async fn create(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    places: &Places,
    i: &CallInput,
) -> AppResult<call::Model> {
    let p = parse(places, i).map_err(AppError::Invalid)?;
    let txn = db.begin().await?;
    let mut row = p.row.clone();
    row.status = Set(CallStatus::Draft);
    row.created_by = Set(Some(u.id));
    row.created_at = Set(now);
    row.updated_at = Set(now);
    let c = row.insert(&txn).await?;
    write_lists(&txn, c.id, &p).await?;
    audit::append(&txn, now, &Actor::user(u), "call.drafted", "call", c.id, serde_json::json!({"title": c.title}))
        .await?;
    txn.commit().await?;
    Ok(c)
}

/// Saves a draft again. A published call is not edited here (changes to a published call
/// come with bidding, where they may move the deadline).
pub async fn update(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    places: &Places,
    id: i32,
    i: &CallInput,
) -> AppResult<call::Model> {
    let txn = db.begin().await?;
    let c = get(&txn, id).await?;
    if c.status != CallStatus::Draft {
        return Err(AppError::Conflict(Msg::new("call.not_draft")));
    }
    let p = parse(places, i).map_err(AppError::Invalid)?;
    let mut row = p.row.clone();
    row.id = sea_orm::ActiveValue::Unchanged(id);
    row.updated_at = Set(now);
    let c = row.update(&txn).await?;
    write_lists(&txn, id, &p).await?;
    audit::append(&txn, now, &Actor::user(u), "call.draft_saved", "call", id, serde_json::json!({"title": c.title}))
        .await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<call::Model> {
    call::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

/// A call as `viewer` may see it: drafts are the bureau's alone.
pub async fn visible(db: &DatabaseConnection, viewer: Option<&user::Model>, id: i32) -> AppResult<call::Model> {
    let c = get(db, id).await?;
    if c.status == CallStatus::Draft && !viewer.is_some_and(|u| u.role.is_bureau()) {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

pub async fn list(db: &DatabaseConnection, viewer: Option<&user::Model>) -> AppResult<Vec<call::Model>> {
    let mut q = call::Entity::find();
    if !viewer.is_some_and(|u| u.role.is_bureau()) {
        q = q.filter(call::Column::Status.ne(CallStatus::Draft));
    }
    Ok(q.order_by_desc(call::Column::PublishedAt).order_by_desc(call::Column::Id).all(db).await?)
}

pub async fn criteria<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<call_criterion::Model>> {
    Ok(call_criterion::Entity::find()
        .filter(call_criterion::Column::CallId.eq(id))
        .order_by_asc(call_criterion::Column::Position)
        .all(db)
        .await?)
}

pub async fn instalments<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<call_instalment::Model>> {
    Ok(call_instalment::Entity::find()
        .filter(call_instalment::Column::CallId.eq(id))
        .order_by_asc(call_instalment::Column::Position)
        .all(db)
        .await?)
}

/// Every rule of publication the call does not meet yet, by field.
pub fn publication_problems(
    c: &call::Model,
    criteria: &[call_criterion::Model],
    instalments: &[call_instalment::Model],
    rules: &ProcurementRules,
    now: DateTime<Utc>,
) -> FieldErrors {
    let mut e = FieldErrors::default();
    if c.budget_ceiling_fen <= 0 {
        e.add("budget", Msg::new("field.required"));
    }
    if c.area_district_ids.trim() == "[]" || c.area_district_ids.trim().is_empty() {
        e.add("districts", Msg::new("call.area_required"));
    }
    if c.target_groups.is_empty() {
        e.add("target_groups", Msg::new("field.required"));
    }
    if c.outputs_expected.is_empty() {
        e.add("outputs_expected", Msg::new("field.required"));
    }
    let max_term = if c.multi_year { rules.max_multi_year_months } else { rules.max_term_months };
    if c.term_months > max_term {
        e.add("term_months", Msg::new("call.term_too_long").arg("max", max_term));
    }
    let total: i32 = criteria.iter().map(|x| x.weight).sum();
    let prices: Vec<&call_criterion::Model> = criteria.iter().filter(|x| x.is_price).collect();
    if criteria.len() < 2 {
        e.add("criteria", Msg::new("call.criteria_too_few"));
    } else if prices.len() != 1 {
        e.add("criteria", Msg::new("call.one_price_criterion"));
    } else if total != 100 {
        e.add("criteria", Msg::new("call.weights_sum").arg("sum", total));
    } else {
        let range = rules.price_weight(c.method);
        if !range.contains(&prices[0].weight) {
            e.add(
                "criteria",
                Msg::new("call.price_weight_range")
                    .arg("weight", prices[0].weight)
                    .arg("min", range.start())
                    .arg("max", range.end()),
            );
        }
    }
    let paid: i32 = instalments.iter().map(|x| x.percent).sum();
    if instalments.is_empty() {
        e.add("instalments", Msg::new("call.instalments_required"));
    } else if paid != 100 {
        e.add("instalments", Msg::new("call.instalments_sum").arg("sum", paid));
    }
    match c.bid_deadline {
        None => e.add("bid_deadline", Msg::new("field.required")),
        Some(d) if d < now + Duration::days(rules.min_days(c.method)) => {
            e.add("bid_deadline", Msg::new("call.tender_period").arg("days", rules.min_days(c.method)))
        }
        Some(_) => {}
    }
    match (c.question_deadline, c.bid_deadline) {
        (None, _) => e.add("question_deadline", Msg::new("field.required")),
        (Some(q), _) if q <= now => e.add("question_deadline", Msg::new("call.question_deadline_past")),
        (Some(q), Some(b)) if q > b - Duration::days(rules.question_days_before_deadline) => e.add(
            "question_deadline",
            Msg::new("call.question_deadline_late").arg("days", rules.question_days_before_deadline),
        ),
        _ => {}
    }
    e
}

/// Publishes a draft that meets every rule; it gets its reference number then.
pub async fn publish(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ProcurementRules,
    id: i32,
) -> AppResult<call::Model> {
    let txn = db.begin().await?;
    let c = get(&txn, id).await?;
    let status = c.status.transition(CallStatus::Published)?;
    let problems = publication_problems(&c, &criteria(&txn, id).await?, &instalments(&txn, id).await?, rules, now);
    problems.into_result()?;
    let year = crate::i18n::to_local(now).year();
    let published_this_year =
        call::Entity::find().filter(call::Column::Reference.starts_with(format!("SYMZ-{year}-"))).count(&txn).await?;
    let reference = format!("SYMZ-{year}-{:03}", published_this_year + 1);
    crate::move_once::<call::Entity, _, _>(&txn, (call::Column::Id, id), call::Column::Status, c.status, status)
        .await?;
    let mut am: call::ActiveModel = c.into();
    am.status = Set(status);
    am.reference = Set(Some(reference.clone()));
    am.published_at = Set(Some(now));
    am.updated_at = Set(now);
    let c = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "call.published",
        "call",
        id,
        serde_json::json!({"reference": reference}),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn cancel(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    reason: &str,
) -> AppResult<call::Model> {
    let reason = crate::clean(reason);
    if reason.is_empty() {
        return Err(crate::fields::field_error("reason", Msg::new("call.cancel_needs_reason")));
    }
    let txn = db.begin().await?;
    let c = get(&txn, id).await?;
    // Only while still a draft or unopened: an opening (or another cancellation) at the same
    // moment wins, and this one is refused.
    let note: String = reason.chars().take(1000).collect();
    move_status(&txn, &c, CallStatus::Cancelled, now, Some(note), Msg::new("error.concurrent_change")).await?;
    let c = get(&txn, id).await?;
    // Nothing of the bids goes into the entry: not even their chain's head, which would tell
    // an empty chain (no bid) from another. They stay in their own chain, unopened.
    audit::append(&txn, now, &Actor::user(u), "call.cancelled", "call", id, serde_json::json!({"reason": reason}))
        .await?;
    txn.commit().await?;
    Ok(c)
}

/// Moves the call from the status it was read in to `to`, only if it is still in that
/// status (and, before opening, still unopened): of two decisions at the same moment one
/// wins, and the other is refused with `refusal`. `note` is the reason kept on the call.
pub(crate) async fn move_status<C: ConnectionTrait>(
    db: &C,
    c: &call::Model,
    to: CallStatus,
    now: DateTime<Utc>,
    note: Option<String>,
    refusal: Msg,
) -> AppResult<CallStatus> {
    use sea_orm::sea_query::Expr;
    let to = c.status.transition(to)?;
    let mut q = call::Entity::update_many()
        .col_expr(call::Column::Status, Expr::value(to))
        .col_expr(call::Column::UpdatedAt, Expr::value(now))
        .filter(call::Column::Id.eq(c.id))
        .filter(call::Column::Status.eq(c.status));
    if let Some(n) = note {
        q = q.col_expr(call::Column::CancelReason, Expr::value(n));
    }
    if matches!(c.status, CallStatus::Draft | CallStatus::Published) {
        q = q.filter(call::Column::OpenedAt.is_null());
    }
    if q.exec(db).await?.rows_affected == 0 {
        return Err(AppError::Conflict(refusal));
    }
    Ok(to)
}

/// Whether the call's bids are still sealed: until they are opened, whatever else becomes
/// of the call (a call cancelled before opening keeps them sealed for good).
pub fn sealed(c: &call::Model) -> bool {
    c.opened_at.is_none()
}

/// Where a published call stands now, by the server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Draft,
    QuestionsOpen,
    QuestionsClosed,
    BiddingClosed,
    Opened,
    /// Opened, with a panel formed.
    Evaluating,
    Awarded,
    Failed,
    Cancelled,
}

impl Phase {
    pub const ALL: &'static [Phase] = &[
        Phase::Draft,
        Phase::QuestionsOpen,
        Phase::QuestionsClosed,
        Phase::BiddingClosed,
        Phase::Opened,
        Phase::Evaluating,
        Phase::Awarded,
        Phase::Failed,
        Phase::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::QuestionsOpen => "questions_open",
            Phase::QuestionsClosed => "questions_closed",
            Phase::BiddingClosed => "bidding_closed",
            Phase::Opened => "opened",
            Phase::Evaluating => "evaluating",
            Phase::Awarded => "awarded",
            Phase::Failed => "failed",
            Phase::Cancelled => "cancelled",
        }
    }
}

/// The phase, telling an opened call under evaluation (its panel formed) from one waiting for it.
pub async fn phase_of<C: ConnectionTrait>(db: &C, c: &call::Model, now: DateTime<Utc>) -> AppResult<Phase> {
    let p = phase(c, now);
    if p == Phase::Opened && super::panel::get_panel(db, c.id).await?.is_some() {
        return Ok(Phase::Evaluating);
    }
    Ok(p)
}

pub fn phase(c: &call::Model, now: DateTime<Utc>) -> Phase {
    match c.status {
        CallStatus::Draft => Phase::Draft,
        CallStatus::Cancelled => Phase::Cancelled,
        CallStatus::Opened => Phase::Opened,
        CallStatus::Failed => Phase::Failed,
        CallStatus::Awarded => Phase::Awarded,
        CallStatus::Published => match (c.question_deadline, c.bid_deadline) {
            (_, Some(b)) if now >= b => Phase::BiddingClosed,
            (Some(q), _) if now >= q => Phase::QuestionsClosed,
            _ => Phase::QuestionsOpen,
        },
    }
}
