//! Opening (开标) at the bid deadline: each bid's digest is computed again from the stored
//! content and must match its receipt, and its organization must still meet the call's
//! rules (a bidder listed, suspended, deregistered, revoked or barred since it bid is named
//! with the reason and not counted); with too few valid bids the call fails (under
//! competitive consultation the officer may continue with two, and says why). Opening is
//! what unseals a bid: it stamps the call and each standing bid, once, and decrypts each
//! standing bid's latest version with the call's key (`domain::sealing`) before checking it.
use super::bids::{self, BidContent};
use super::calls;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::fields::field_error;
use crate::i18n::Locale;
use crate::i18n::Msg;
use crate::money::Money;
use chrono::{DateTime, Utc};
use entity::enums::{BidStatus, CallStatus, ProcurementMethod};
use entity::{bid, bid_version, call, organization, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde::Serialize;

/// Valid bids a call needs to go on to evaluation.
pub const MIN_BIDS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct OpenedBid {
    /// The row id, for the rules; never shown (it runs across every call's bids).
    #[serde(skip_serializing)]
    pub bid_id: i32,
    /// What people see of the bid: its random public reference.
    pub bid_ref: String,
    pub organization_id: i32,
    pub organization: String,
    pub version_no: i32,
    pub total_fen: Money,
    pub digest: String,
    pub submitted_at: DateTime<Utc>,
    /// The digest computed again from the stored content matches the receipt.
    pub digest_ok: bool,
    /// The files as the version lists them, with their ids when still stored.
    pub attachments: Vec<(Option<String>, super::attachments::AttachmentRef)>,
    /// Why the organization no longer met the call's rules at opening (zh-CN), if so.
    pub ineligible_reason: Option<String>,
}

/// The opened bids of a call, lowest price first. Never a bid that was not opened: none
/// for a call still sealed or cancelled before its opening.
pub async fn opened_bids<C: ConnectionTrait>(db: &C, c: &call::Model) -> AppResult<Vec<OpenedBid>> {
    if calls::sealed(c) {
        return Ok(vec![]);
    }
    let rows = bid::Entity::find()
        .filter(bid::Column::CallId.eq(c.id))
        .filter(bid::Column::Status.eq(BidStatus::Submitted))
        .filter(bid::Column::OpenedAt.is_not_null())
        .order_by_asc(bid::Column::Id)
        .all(db)
        .await?;
    let org_ids: Vec<i32> = rows.iter().map(|b| b.organization_id).collect();
    let orgs = organization::Entity::find().filter(organization::Column::Id.is_in(org_ids)).all(db).await?;
    // Each bid's latest version and every file attached on the call, in one query each.
    let versions = bids::latest_versions(db, &rows).await?;
    let stored = super::attachments::digests_of_call(db, c.id).await?;
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
                let id = stored
                    .iter()
                    .find(|(org, _, sha256)| *org == b.organization_id && *sha256 == a.sha256)
                    .map(|s| s.1.clone());
                (id, a)
            })
            .collect();
        out.push(OpenedBid {
            attachments,
            bid_id: b.id,
            bid_ref: b.public_ref.clone(),
            organization_id: b.organization_id,
            organization: orgs.iter().find(|o| o.id == b.organization_id).map(|o| o.name.clone()).unwrap_or_default(),
            version_no: v.version_no,
            total_fen: Money(v.total_fen),
            digest_ok: bids::digest(&v.content) == v.digest && content.is_some_and(|c| c.total_fen == v.total_fen),
            digest: v.digest.clone(),
            submitted_at: v.submitted_at,
            ineligible_reason: b.ineligible_reason.clone(),
        });
    }
    out.sort_by_key(|b| (b.total_fen, b.bid_id));
    Ok(out)
}

/// The bid of this call that a form or request names by its public reference, once opened;
/// none such is refused on the form's `bid` field ("choose one of the bids").
pub async fn bid_id_of<C: ConnectionTrait>(db: &C, call_id: i32, bid_ref: &str) -> AppResult<i32> {
    bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::PublicRef.eq(bid_ref.trim()))
        .filter(bid::Column::OpenedAt.is_not_null())
        .one(db)
        .await?
        .map(|b| b.id)
        .ok_or_else(|| field_error("bid", Msg::new("bid.choose")))
}

impl OpenedBid {
    /// Counted at opening and scored: its digest matches and its organization qualified.
    pub fn valid(&self) -> bool {
        self.digest_ok && self.ineligible_reason.is_none()
    }
}

/// Whether the officer goes on with two valid bids (consultation only) or lets the call fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithTwo {
    Continue,
    Fail,
}

/// Opens the call's bids once its deadline has passed: claims the opening (once, whoever
/// asks first), checks each bidder's eligibility again, unseals the latest versions, and
/// moves the call to opened or failed by the number of valid bids.
pub async fn open(
    db: &DatabaseConnection,
    sealer: &crate::sealing::Sealer,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    with_two: Option<WithTwo>,
    note: &str,
) -> AppResult<(CallStatus, Vec<OpenedBid>)> {
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    due_to_open(&c, now)?;
    claim(&txn, call_id, now).await?;
    // A bid being saved at this moment either commits first and is opened, or waits and
    // then finds the call opened (see bids::still_taking).
    audit::lock_sealed(&txn).await?;
    // The call's key as it is now (a first bid committed a moment ago may have made it). A
    // server started with another sealing key cannot unseal: refused, and nothing changes.
    let key = sealer.call_key(&calls::get(&txn, call_id).await?)?;
    // Each standing bid is opened, its organization's eligibility checked again now.
    let standing = bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::Status.eq(BidStatus::Submitted))
        .all(&txn)
        .await?;
    check_again(&txn, &c, &standing, now).await?;
    unseal(&txn, key.as_ref(), &standing).await?;
    let opened_call = calls::get(&txn, call_id).await?;
    let all = opened_bids(&txn, &opened_call).await?;
    let valid = all.iter().filter(|b| b.valid()).count();
    let note = crate::clean(note);
    let status = c.status.transition(outcome(&c, valid, with_two, &note)?)?;
    call::Entity::update_many()
        .col_expr(call::Column::Status, Expr::value(status))
        .filter(call::Column::Id.eq(call_id))
        .filter(call::Column::Status.eq(CallStatus::Published))
        .exec(&txn)
        .await?;
    let sealed = audit::sealed_head(&txn, call_id).await?;
    let listed: Vec<serde_json::Value> = all
        .iter()
        .map(|b| {
            serde_json::json!({"organization": b.organization_id, "version": b.version_no, "total_fen": b.total_fen,
            "digest": b.digest, "digest_ok": b.digest_ok, "ineligible": b.ineligible_reason})
        })
        .collect();
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        if status == CallStatus::Opened { "call.opened" } else { "call.failed" },
        "call",
        call_id,
        // The sealed chain of this call's bid events, bound into the log now that it opens.
        serde_json::json!({"bids": listed, "valid": valid, "note": note, "sealed_events": sealed.0, "sealed_head": sealed.1}),
    )
    .await?;
    txn.commit().await?;
    Ok((status, all))
}

/// A published call whose deadline has passed may be opened.
fn due_to_open(c: &call::Model, now: DateTime<Utc>) -> AppResult<()> {
    if c.status != CallStatus::Published {
        return Err(c.status.transition(CallStatus::Opened).err().map(AppError::from).unwrap_or(AppError::NotFound));
    }
    match c.bid_deadline {
        Some(d) if now >= d => Ok(()),
        Some(d) => Err(AppError::Conflict(Msg::new("opening.not_yet").arg("at", crate::i18n::format_datetime(d)))),
        None => Err(AppError::Conflict(Msg::new("opening.not_yet").arg("at", "—"))),
    }
}

/// Claims the opening first: of two officers opening at once, one goes on, the other is told.
async fn claim(txn: &DatabaseTransaction, call_id: i32, now: DateTime<Utc>) -> AppResult<()> {
    let claimed = call::Entity::update_many()
        .col_expr(call::Column::OpenedAt, Expr::value(now))
        .col_expr(call::Column::UpdatedAt, Expr::value(now))
        .filter(call::Column::Id.eq(call_id))
        .filter(call::Column::Status.eq(CallStatus::Published))
        .filter(call::Column::OpenedAt.is_null())
        .exec(txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("opening.already")));
    }
    Ok(())
}

/// Marks the standing bids opened and records why a bidder is no longer eligible, with
/// every bidder's records read in a fixed number of queries, whatever the number of bids.
async fn check_again(
    txn: &DatabaseTransaction,
    c: &call::Model,
    standing: &[bid::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let org_ids: Vec<i32> = standing.iter().map(|b| b.organization_id).collect();
    let mut failures = super::eligibility::first_failures(txn, c, &org_ids, now).await?;
    bid::Entity::update_many()
        .col_expr(bid::Column::OpenedAt, Expr::value(now))
        .filter(bid::Column::Id.is_in(standing.iter().map(|b| b.id)))
        .exec(txn)
        .await?;
    for b in standing {
        // An organization whose row is gone fails as not registered.
        let failed = failures.remove(&b.organization_id).unwrap_or(Some(Msg::new("eligibility.deregistered")));
        if let Some(m) = failed {
            bid::Entity::update_many()
                .col_expr(bid::Column::IneligibleReason, Expr::value(Locale::ZhCn.msg(&m)))
                .filter(bid::Column::Id.eq(b.id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// Each standing bid's latest version is decrypted into the clear, for the panel and the
/// bureau; a version whose seal does not open stays as it is, and its digest fails.
async fn unseal(
    txn: &DatabaseTransaction,
    key: Option<&crate::sealing::CallKey>,
    standing: &[bid::Model],
) -> AppResult<()> {
    for v in bids::latest_versions(txn, standing).await? {
        if v.sealed.is_none() {
            continue;
        }
        let v = crate::sealing::reveal(key, v);
        if v.sealed.is_some() {
            log::error!("bid version {} does not open with its call's key", v.id);
            continue;
        }
        bid_version::Entity::update_many()
            .col_expr(bid_version::Column::Content, Expr::value(v.content))
            .col_expr(bid_version::Column::TotalFen, Expr::value(v.total_fen))
            .col_expr(bid_version::Column::Sealed, Expr::value(Option::<Vec<u8>>::None))
            .filter(bid_version::Column::Id.eq(v.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Opened with enough valid bids; with two in a competitive consultation, as the officer
/// decides (with a reason); else failed.
fn outcome(c: &call::Model, valid: usize, with_two: Option<WithTwo>, note: &str) -> AppResult<CallStatus> {
    if valid >= MIN_BIDS {
        return Ok(CallStatus::Opened);
    }
    if valid == 2 && c.method == ProcurementMethod::CompetitiveConsultation {
        return match with_two {
            None => Err(AppError::Conflict(Msg::new("opening.two_bids_decide"))),
            Some(_) if note.is_empty() => Err(field_error("note", Msg::new("opening.two_bids_reason"))),
            Some(WithTwo::Continue) => Ok(CallStatus::Opened),
            Some(WithTwo::Fail) => Ok(CallStatus::Failed),
        };
    }
    Ok(CallStatus::Failed)
}
