//! Opening (开标) at the bid deadline: each bid's digest is computed again from the stored
//! content and must match its receipt; with too few valid bids the call fails (under
//! competitive consultation the officer may continue with two, and says why).
use super::bids::{self, BidContent};
use super::calls;
use crate::domain::audit::{self, Actor};
use crate::domain::fields::field_error;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::enums::{BidStatus, CallStatus, ProcurementMethod};
use entity::{bid, call, organization, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Serialize;

/// Valid bids a call needs to go on to evaluation.
pub const MIN_BIDS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct OpenedBid {
    pub bid_id: i32,
    pub organization_id: i32,
    pub organization: String,
    pub version_no: i32,
    pub total_fen: i64,
    pub digest: String,
    pub submitted_at: DateTime<Utc>,
    /// The digest computed again from the stored content matches the receipt.
    pub digest_ok: bool,
    /// The files as the version lists them, with their ids when still stored.
    pub attachments: Vec<(Option<i32>, super::attachments::AttachmentRef)>,
}

/// The bids of an opened call, lowest price first. Never for a sealed call.
pub async fn opened_bids<C: ConnectionTrait>(db: &C, c: &call::Model) -> AppResult<Vec<OpenedBid>> {
    if c.status.bids_sealed() {
        return Ok(vec![]);
    }
    let rows = bid::Entity::find()
        .filter(bid::Column::CallId.eq(c.id))
        .filter(bid::Column::Status.eq(BidStatus::Submitted))
        .order_by_asc(bid::Column::Id)
        .all(db)
        .await?;
    let org_ids: Vec<i32> = rows.iter().map(|b| b.organization_id).collect();
    let orgs = organization::Entity::find().filter(organization::Column::Id.is_in(org_ids)).all(db).await?;
    // Each bid's latest version and every file attached on the call, in one query each.
    let versions = bids::latest_versions(db, &rows).await?;
    let stored = super::attachments::refs_of_call(db, c.id).await?;
    let mut out = Vec::new();
    for b in rows {
        let Some(v) = versions.iter().find(|v| v.bid_id == b.id) else { continue };
        let content = serde_json::from_str::<BidContent>(&v.content).ok();
        let attachments = content
            .as_ref()
            .map(|c| c.attachments.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                let id =
                    stored.iter().find(|(org, _, s)| *org == b.organization_id && s.sha256 == a.sha256).map(|s| s.1);
                (id, a)
            })
            .collect();
        out.push(OpenedBid {
            attachments,
            bid_id: b.id,
            organization_id: b.organization_id,
            organization: orgs.iter().find(|o| o.id == b.organization_id).map(|o| o.name.clone()).unwrap_or_default(),
            version_no: v.version_no,
            total_fen: v.total_fen,
            digest_ok: bids::digest(&v.content) == v.digest && content.is_some_and(|c| c.total_fen == v.total_fen),
            digest: v.digest.clone(),
            submitted_at: v.submitted_at,
        });
    }
    out.sort_by_key(|b| (b.total_fen, b.bid_id));
    Ok(out)
}

/// Whether the officer goes on with two valid bids (consultation only) or lets the call fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithTwo {
    Continue,
    Fail,
}

pub async fn open(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    with_two: Option<WithTwo>,
    note: &str,
) -> AppResult<(CallStatus, Vec<OpenedBid>)> {
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if c.status != CallStatus::Published {
        return Err(c.status.transition(CallStatus::Opened).err().map(AppError::from).unwrap_or(AppError::NotFound));
    }
    match c.bid_deadline {
        Some(d) if now >= d => {}
        Some(d) => {
            return Err(AppError::Conflict(Msg::new("opening.not_yet").arg("at", crate::i18n::format_datetime(d))));
        }
        None => return Err(AppError::Conflict(Msg::new("opening.not_yet").arg("at", "—"))),
    }
    // Read as opened: the same rows, now unsealed.
    let mut as_opened = c.clone();
    as_opened.status = CallStatus::Opened;
    let all = opened_bids(&txn, &as_opened).await?;
    let valid = all.iter().filter(|b| b.digest_ok).count();
    let note = crate::domain::clean(note);
    let status = if valid >= MIN_BIDS {
        CallStatus::Opened
    } else if valid == 2 && c.method == ProcurementMethod::CompetitiveConsultation {
        match with_two {
            None => return Err(AppError::Conflict(Msg::new("opening.two_bids_decide"))),
            Some(_) if note.is_empty() => return Err(field_error("note", Msg::new("opening.two_bids_reason"))),
            Some(WithTwo::Continue) => CallStatus::Opened,
            Some(WithTwo::Fail) => CallStatus::Failed,
        }
    } else {
        CallStatus::Failed
    };
    let status = c.status.transition(status)?;
    let mut am: call::ActiveModel = c.into();
    am.status = Set(status);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    let listed: Vec<serde_json::Value> = all
        .iter()
        .map(|b| serde_json::json!({"organization": b.organization_id, "version": b.version_no, "total_fen": b.total_fen, "digest": b.digest, "digest_ok": b.digest_ok}))
        .collect();
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        if status == CallStatus::Opened { "call.opened" } else { "call.failed" },
        "call",
        call_id,
        serde_json::json!({"bids": listed, "valid": valid, "note": note}),
    )
    .await?;
    txn.commit().await?;
    Ok((status, all))
}
