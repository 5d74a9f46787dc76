//! Scoring by the panel (its report is in `panel_report`). Each seated member submits one score sheet (every
//! valid bid on every non-price criterion, 0–100) at once; it is final. A correction is a
//! new entry with a reason. Nobody reads another member's scores before submitting their
//! own, and the bureau reads them only once every seated member has submitted. The price
//! score is computed, never typed. Abnormally low prices wait for the bidder's written
//! explanation and the panel's ruling before the ranking counts.
use super::calls;
use super::formula;
use super::opening::{self, OpenedBid};
use super::panel;
use super::rules::ProcurementRules;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::field_error;
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::enums::{CallStatus, Role};
use entity::{bid_ruling, call, call_criterion, panel_member, score, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

/// One typed score on a sheet: the score as typed (so a bad one is named, not lost).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreInput {
    /// The bid's public reference.
    pub bid: String,
    pub criterion_id: i32,
    pub score: String,
    pub comment: String,
}

fn parse_score(s: &str) -> Option<i32> {
    s.trim().parse::<i32>().ok().filter(|v| (0..=100).contains(v))
}

/// The bids the panel scores: opened, digest matching, the organization eligible at opening.
pub async fn scored_bids<C: ConnectionTrait>(db: &C, c: &call::Model) -> AppResult<Vec<OpenedBid>> {
    Ok(opening::opened_bids(db, c).await?.into_iter().filter(OpenedBid::valid).collect())
}

pub(super) fn technical(criteria: &[call_criterion::Model]) -> Vec<&call_criterion::Model> {
    criteria.iter().filter(|c| !c.is_price).collect()
}

pub async fn submit_sheet(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    entries: &[ScoreInput],
) -> AppResult<()> {
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    let m = panel::seated(&txn, u, call_id).await?;
    if c.status != CallStatus::Opened {
        return Err(AppError::Conflict(Msg::new("panel.call_not_opened")));
    }
    if m.submitted_at.is_some() {
        return Err(AppError::Conflict(Msg::new("score.already_submitted")));
    }
    let criteria = calls::criteria(&txn, call_id).await?;
    let bids = scored_bids(&txn, &c).await?;
    let mut errors = FieldErrors::default();
    let mut rows = Vec::new();
    for b in &bids {
        for cr in technical(&criteria) {
            let e = entries.iter().find(|e| e.bid == b.bid_ref && e.criterion_id == cr.id);
            match e.and_then(|e| parse_score(&e.score)) {
                Some(v) => {
                    let comment = e.map(|e| crate::clean(&e.comment)).unwrap_or_default();
                    if comment.chars().count() > 1000 {
                        errors.add("scores", Msg::new("field.too_long").arg("max", 1000));
                    }
                    rows.push((b.bid_id, cr.id, v, comment))
                }
                None => {
                    errors.add("scores", Msg::new("score.range").arg("org", &b.organization).arg("criterion", &cr.name))
                }
            }
        }
    }
    errors.into_result()?;
    for (bid_id, criterion_id, v, comment) in &rows {
        score::ActiveModel {
            call_id: Set(call_id),
            panel_member_id: Set(m.id),
            bid_id: Set(*bid_id),
            criterion_id: Set(*criterion_id),
            revision: Set(0),
            score: Set(*v),
            comment: Set(comment.clone()),
            reason: Set(None),
            entered_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let res = panel_member::Entity::update_many()
        .col_expr(panel_member::Column::SubmittedAt, Expr::value(now))
        .filter(panel_member::Column::Id.eq(m.id))
        .filter(panel_member::Column::SubmittedAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("score.already_submitted")));
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "panel.scores_submitted",
        "call",
        call_id,
        serde_json::json!({"member": m.id, "scores": rows.iter().map(|r| [r.0, r.1, r.2]).collect::<Vec<_>>()}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A correction to one submitted score: a new entry, with the reason, before the award.
pub async fn correct(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    entry: &ScoreInput,
    reason: &str,
) -> AppResult<()> {
    let reason = crate::fields::bounded("reason", reason, 1000)?;
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    let m = panel::seated(&txn, u, call_id).await?;
    if c.status != CallStatus::Opened {
        return Err(AppError::Conflict(Msg::new("score.closed")));
    }
    if m.submitted_at.is_none() {
        return Err(AppError::Conflict(Msg::new("score.submit_first")));
    }
    let Some(v) = parse_score(&entry.score) else {
        return Err(field_error("score", Msg::new("score.range_plain")));
    };
    if reason.is_empty() {
        return Err(field_error("reason", Msg::new("score.correction_reason")));
    }
    let bid_id = opening::bid_id_of(&txn, call_id, &entry.bid).await?;
    let last = score::Entity::find()
        .filter(score::Column::PanelMemberId.eq(m.id))
        .filter(score::Column::BidId.eq(bid_id))
        .filter(score::Column::CriterionId.eq(entry.criterion_id))
        .order_by_desc(score::Column::Revision)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = score::ActiveModel {
        call_id: Set(call_id),
        panel_member_id: Set(m.id),
        bid_id: Set(bid_id),
        criterion_id: Set(entry.criterion_id),
        revision: Set(last.revision + 1),
        score: Set(v),
        comment: Set(crate::fields::bounded("comment", &entry.comment, 1000)?),
        reason: Set(Some(reason.clone())),
        entered_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "panel.score_corrected",
        "call",
        call_id,
        serde_json::json!({"member": m.id, "bid": bid_id, "criterion": entry.criterion_id,
            "from": last.score, "to": v, "revision": row.revision, "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The bidder's written explanation of an abnormally low price.
pub async fn explain_low_price(
    db: &DatabaseConnection,
    u: &user::Model,
    rules: &ProcurementRules,
    now: DateTime<Utc>,
    call_id: i32,
    text: &str,
) -> AppResult<()> {
    let text = crate::fields::bounded("text", text, 5000)?;
    if text.is_empty() {
        return Err(field_error("text", Msg::new("field.required")));
    }
    let org = u.organization_id.filter(|_| u.role == Role::NgoMember).ok_or(AppError::Forbidden)?;
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if c.status != CallStatus::Opened {
        return Err(AppError::Conflict(Msg::new("score.closed")));
    }
    let bids = scored_bids(&txn, &c).await?;
    let own = bids.iter().find(|b| b.organization_id == org).ok_or(AppError::NotFound)?;
    if !low_flags(&bids, rules).contains(&own.bid_id) {
        return Err(AppError::Conflict(Msg::new("low_price.not_flagged")));
    }
    let existing = bid_ruling::Entity::find().filter(bid_ruling::Column::BidId.eq(own.bid_id)).one(&txn).await?;
    if existing.as_ref().is_some_and(|r| r.stands.is_some()) {
        return Err(AppError::Conflict(Msg::new("low_price.already_ruled")));
    }
    let mut am: bid_ruling::ActiveModel = match existing {
        Some(r) => r.into(),
        None => bid_ruling::ActiveModel { bid_id: Set(own.bid_id), call_id: Set(call_id), ..Default::default() },
    };
    am.explanation = Set(Some(text.clone()));
    am.explained_at = Set(Some(now));
    am.save(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "bid.low_price_explained",
        "call",
        call_id,
        serde_json::json!({"bid": own.bid_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The panel's ruling on an abnormally low bid, recorded by the officer: it stands (the
/// explanation convinced) or it is invalid. Without an explanation it cannot stand.
pub async fn rule_low_price(
    db: &DatabaseConnection,
    u: &user::Model,
    rules: &ProcurementRules,
    now: DateTime<Utc>,
    call_id: i32,
    bid_id: i32,
    stands: bool,
    note: &str,
) -> AppResult<()> {
    let note = crate::fields::bounded("note", note, 2000)?;
    if note.is_empty() {
        return Err(field_error("note", Msg::new("low_price.ruling_needs_note")));
    }
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if c.status != CallStatus::Opened {
        return Err(AppError::Conflict(Msg::new("score.closed")));
    }
    let bids = scored_bids(&txn, &c).await?;
    if !low_flags(&bids, rules).contains(&bid_id) {
        return Err(AppError::Conflict(Msg::new("low_price.not_flagged")));
    }
    let existing = bid_ruling::Entity::find().filter(bid_ruling::Column::BidId.eq(bid_id)).one(&txn).await?;
    if existing.as_ref().is_some_and(|r| r.stands.is_some()) {
        return Err(AppError::Conflict(Msg::new("low_price.already_ruled")));
    }
    if stands && existing.as_ref().and_then(|r| r.explanation.as_ref()).is_none() {
        return Err(AppError::Conflict(Msg::new("low_price.no_explanation")));
    }
    let mut am: bid_ruling::ActiveModel = match existing {
        Some(r) => r.into(),
        None => bid_ruling::ActiveModel { bid_id: Set(bid_id), call_id: Set(call_id), ..Default::default() },
    };
    am.stands = Set(Some(stands));
    am.note = Set(Some(note.clone()));
    am.decided_by = Set(Some(u.id));
    am.decided_at = Set(Some(now));
    am.save(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "bid.low_price_ruled",
        "call",
        call_id,
        serde_json::json!({"bid": bid_id, "stands": stands, "note": note}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Bids whose price is abnormally low against the mean of the others.
pub fn low_flags(bids: &[OpenedBid], rules: &ProcurementRules) -> Vec<i32> {
    bids.iter()
        .filter(|b| {
            let others: Vec<i64> = bids.iter().filter(|o| o.bid_id != b.bid_id).map(|o| o.total_fen.fen()).collect();
            formula::abnormally_low(b.total_fen.fen(), &others, rules.abnormally_low_percent)
        })
        .map(|b| b.bid_id)
        .collect()
}
