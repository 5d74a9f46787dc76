//! Changes to a published call (更正公告) before its deadline. A change that affects how
//! bids are written (outputs, target groups, the budget ceiling) must leave the bidders
//! enough time: when the deadline is closer than the method's minimum, it moves out to
//! that minimum. Every bidder is emailed, without the bureau learning who they are: the
//! notices are kept out of the outbox listing while bids are sealed.
use super::calls;
use super::rules::ProcurementRules;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Locale, Msg};
use crate::money::Money;
use crate::outbox::{self, EmailTemplates, SEALED_PREFIX};
use chrono::{DateTime, Duration, DurationRound, Utc};
use entity::enums::CallStatus;
use entity::{call, call_amendment, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

/// The fields a published call may change; empty means unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AmendInput {
    pub target_groups: String,
    pub outputs_expected: String,
    /// Yuan, as typed; only a higher ceiling (a lower one could void sealed bids).
    pub budget: String,
    /// Asia/Shanghai local time; only later.
    pub bid_deadline: String,
    /// The text of the notice: what changed and why.
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Amended {
    pub call: call::Model,
    /// The deadline moved because the change affects bids and it was too close.
    pub extended: bool,
}

/// The terms the amendment changes (target groups, outputs, a higher ceiling), set on `am`
/// and noted in `changes`; whether any of them affects the bids.
fn change_terms(
    c: &call::Model,
    i: &AmendInput,
    e: &mut FieldErrors,
    am: &mut call::ActiveModel,
    changes: &mut serde_json::Map<String, serde_json::Value>,
) -> AppResult<bool> {
    let mut affects_bids = false;
    let targets = crate::fields::bounded("target_groups", &i.target_groups, 1000)?;
    if !targets.is_empty() && targets != c.target_groups {
        changes.insert("target_groups".into(), serde_json::json!([c.target_groups, targets]));
        am.target_groups = Set(targets);
        affects_bids = true;
    }
    let outputs = crate::fields::bounded("outputs_expected", &i.outputs_expected, crate::fields::LONG_TEXT)?;
    if !outputs.is_empty() && outputs != c.outputs_expected {
        changes.insert("outputs_expected".into(), serde_json::json!([c.outputs_expected, outputs]));
        am.outputs_expected = Set(outputs);
        affects_bids = true;
    }
    if !i.budget.trim().is_empty() {
        match Money::parse_yuan(&i.budget) {
            Ok(m) if m.fen() > 100_000_000_000 => e.add("budget", Msg::new("call.budget_range")),
            Ok(m) if m.fen() < c.budget_ceiling_fen => e.add("budget", Msg::new("amend.budget_only_up")),
            Ok(m) if m.fen() > c.budget_ceiling_fen => {
                changes.insert("budget_ceiling_fen".into(), serde_json::json!([c.budget_ceiling_fen, m.fen()]));
                am.budget_ceiling_fen = Set(m.fen());
                affects_bids = true;
            }
            Ok(_) => {}
            Err(msg) => e.add("budget", msg),
        }
    }
    Ok(affects_bids)
}

/// The new bid deadline typed, if any: only later than `old`.
fn later_deadline(
    e: &mut FieldErrors,
    typed: &str,
    old: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if typed.trim().is_empty() {
        return old;
    }
    match calls::parse_local_datetime(typed) {
        Some(d) if old.is_some_and(|o| d <= o) => {
            e.add("bid_deadline", Msg::new("amend.deadline_only_later"));
            old
        }
        Some(d) => Some(d),
        None => {
            e.add("bid_deadline", Msg::new("call.datetime_invalid"));
            old
        }
    }
}

/// Amends a published call before its deadline, with a note: terms that affect the bids
/// move the deadline to at least the method's minimum of days away, and every bidder is told.
pub async fn amend(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ProcurementRules,
    id: i32,
    i: &AmendInput,
) -> AppResult<Amended> {
    let txn = db.begin().await?;
    let c = calls::get(&txn, id).await?;
    let open = c.status == CallStatus::Published && c.bid_deadline.is_some_and(|d| now < d);
    if !open {
        return Err(AppError::Conflict(Msg::new("amend.not_open")));
    }
    let mut e = FieldErrors::default();
    let note = crate::fields::bounded("note", &i.note, 5000)?;
    if note.is_empty() {
        e.add("note", Msg::new("amend.note_required"));
    }
    let mut am: call::ActiveModel = c.clone().into();
    let mut changes = serde_json::Map::new();
    let affects_bids = change_terms(&c, i, &mut e, &mut am, &mut changes)?;
    let old_deadline = c.bid_deadline;
    let mut deadline = later_deadline(&mut e, &i.bid_deadline, old_deadline);
    e.into_result()?;
    if changes.is_empty() && deadline == old_deadline {
        return Err(AppError::Conflict(Msg::new("amend.nothing_changed")));
    }
    // Bidders need the method's minimum of days after a change that affects their bids.
    let earliest = now + Duration::days(rules.change_days(c.method));
    let earliest = earliest.duration_round_up(Duration::minutes(1)).unwrap_or(earliest);
    let extended = affects_bids && deadline.is_some_and(|d| d < earliest);
    if extended {
        deadline = Some(earliest);
    }
    if deadline != old_deadline {
        changes.insert("bid_deadline".into(), serde_json::json!([old_deadline, deadline]));
        am.bid_deadline = Set(deadline);
    }
    am.updated_at = Set(now);
    let updated = am.update(&txn).await?;
    call_amendment::ActiveModel {
        call_id: Set(id),
        note: Set(note.clone()),
        changes: Set(serde_json::Value::Object(changes.clone()).to_string()),
        old_deadline: Set(old_deadline),
        new_deadline: Set(deadline),
        made_by: Set(u.id),
        made_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "call.amended",
        "call",
        id,
        serde_json::json!({"note": note, "changes": changes, "extended": extended}),
    )
    .await?;
    tell_bidders(&txn, emails, origin, now, &updated, &note).await?;
    txn.commit().await?;
    Ok(Amended { call: updated, extended })
}

async fn tell_bidders<C: ConnectionTrait>(
    db: &C,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    c: &call::Model,
    note: &str,
) -> AppResult<()> {
    for (_, to) in super::bids::submitters(db, c.id).await? {
        outbox::enqueue(
            db,
            emails,
            now,
            &to.email,
            Locale::from_tag(&to.locale).unwrap_or(Locale::ZhCn),
            &format!("{SEALED_PREFIX}call_changed"),
            serde_json::json!({
                "name": to.display_name, "call": c.title, "reference": c.reference, "note": note,
                "deadline": c.bid_deadline.map(crate::i18n::format_datetime).unwrap_or_default(),
                "url": format!("{origin}/calls/{}/bid", c.id),
            }),
        )
        .await?;
    }
    Ok(())
}

pub async fn list<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<Vec<call_amendment::Model>> {
    Ok(call_amendment::Entity::find()
        .filter(call_amendment::Column::CallId.eq(call_id))
        .order_by_asc(call_amendment::Column::Id)
        .all(db)
        .await?)
}
