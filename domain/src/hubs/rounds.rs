//! Admission rounds (a cohort each): dates, places and the questions applicants answer.
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::{field_error, int_field, line_field};
use crate::i18n::Msg;
use crate::organization_input::parse_date;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::RoundStatus;
use entity::{hub_round, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub const MAX_QUESTIONS: usize = 10;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoundInput {
    pub name: String,
    pub opens_on: String,
    pub closes_on: String,
    pub starts_on: String,
    pub places: String,
    /// One question per line.
    pub questions: String,
}

fn date(e: &mut FieldErrors, field: &'static str, s: &str) -> Option<NaiveDate> {
    let d = parse_date(s);
    if d.is_none() {
        e.add(field, Msg::new(if s.trim().is_empty() { "field.required" } else { "date.invalid" }));
    }
    d
}

pub fn questions_of(r: &hub_round::Model) -> Vec<String> {
    serde_json::from_str(&r.questions).unwrap_or_default()
}

/// Whether applications are accepted today: the round is open and today is within its dates.
pub fn accepts_applications(r: &hub_round::Model, today: NaiveDate) -> bool {
    r.status == RoundStatus::Open && r.opens_on <= today && today <= r.closes_on
}

/// Whether the hub's staff may still move the round on (to review, or closed): a closed
/// round is final.
pub fn may_move_on(r: &hub_round::Model) -> bool {
    r.status.transition(RoundStatus::Closed).is_ok()
}

pub async fn create(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    today: NaiveDate,
    hub_id: i32,
    i: &RoundInput,
) -> AppResult<hub_round::Model> {
    let txn = db.begin().await?;
    super::require_staff(&txn, u, hub_id).await?;
    let h = super::get(&txn, hub_id).await?;
    let mut e = FieldErrors::default();
    let name = line_field(&mut e, "name", &i.name, 100);
    let opens = date(&mut e, "opens_on", &i.opens_on);
    let closes = date(&mut e, "closes_on", &i.closes_on);
    let starts = date(&mut e, "starts_on", &i.starts_on);
    let places = int_field(&mut e, "places", &i.places, 1..=h.capacity);
    let questions: Vec<String> = i.questions.lines().map(crate::clean).filter(|q| !q.is_empty()).collect();
    if questions.len() > MAX_QUESTIONS {
        e.add("questions", Msg::new("round.too_many_questions").arg("max", MAX_QUESTIONS));
    } else if questions.iter().any(|q| q.chars().count() > 300) {
        e.add("questions", Msg::new("field.too_long").arg("max", 300));
    }
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            e.add("closes_on", Msg::new("date.before_start"));
        }
        if c < today {
            e.add("closes_on", Msg::new("round.closes_in_past"));
        }
    }
    if let (Some(c), Some(s)) = (closes, starts)
        && s < c
    {
        e.add("starts_on", Msg::new("round.starts_before_close"));
    }
    e.into_result()?;
    let (Some(opens), Some(closes), Some(starts), Some(places)) = (opens, closes, starts, places) else {
        return Err(field_error("name", Msg::new("field.required")));
    };
    let r = hub_round::ActiveModel {
        hub_id: Set(hub_id),
        name: Set(name),
        opens_on: Set(opens),
        closes_on: Set(closes),
        starts_on: Set(starts),
        places: Set(places),
        accepted: Set(0),
        questions: Set(serde_json::to_string(&questions).unwrap_or_else(|_| "[]".into())),
        status: Set(RoundStatus::Open),
        created_by: Set(Some(u.id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "hub_round.opened",
        "hub_round",
        r.id,
        serde_json::json!({"hub_id": hub_id, "name": r.name, "places": places, "opens_on": opens, "closes_on": closes}),
    )
    .await?;
    txn.commit().await?;
    Ok(r)
}

pub async fn get<C: ConnectionTrait>(db: &C, hub_id: i32, round_id: i32) -> AppResult<hub_round::Model> {
    hub_round::Entity::find_by_id(round_id)
        .filter(hub_round::Column::HubId.eq(hub_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn of_hub<C: ConnectionTrait>(db: &C, hub_id: i32) -> AppResult<Vec<hub_round::Model>> {
    Ok(hub_round::Entity::find()
        .filter(hub_round::Column::HubId.eq(hub_id))
        .order_by_desc(hub_round::Column::OpensOn)
        .order_by_desc(hub_round::Column::Id)
        .all(db)
        .await?)
}

/// Moves a round on: open → reviewing → closed. Closing with undecided applications is
/// refused; closing lets the waitlist lapse (each applicant is told).
#[allow(clippy::too_many_arguments)]
pub async fn change_status(
    db: &DatabaseConnection,
    emails: &crate::outbox::EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    hub_id: i32,
    round_id: i32,
    to: &str,
) -> AppResult<hub_round::Model> {
    let txn = db.begin().await?;
    super::require_staff(&txn, u, hub_id).await?;
    let r = get(&txn, hub_id, round_id).await?;
    let Some(to) = RoundStatus::from_code(to.trim()) else {
        return Err(field_error("to", Msg::new("field.choose")));
    };
    let next = r.status.transition(to)?;
    crate::move_once::<hub_round::Entity, _, _>(
        &txn,
        (hub_round::Column::Id, round_id),
        hub_round::Column::Status,
        r.status,
        next,
    )
    .await?;
    if next == RoundStatus::Closed {
        let pending = super::applications::count_undecided(&txn, round_id).await?;
        if pending > 0 {
            return Err(AppError::Conflict(Msg::new("round.undecided_left").arg("n", pending)));
        }
    }
    if next == RoundStatus::Closed {
        super::decisions::lapse_waitlist(&txn, emails, origin, u, now, &r).await?;
    }
    let from = r.status;
    let mut am: hub_round::ActiveModel = r.into();
    am.status = Set(next);
    let r = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "hub_round.status_changed",
        "hub_round",
        round_id,
        serde_json::json!({"from": from.code(), "to": next.code()}),
    )
    .await?;
    txn.commit().await?;
    Ok(r)
}
