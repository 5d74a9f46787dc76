//! Receipts (回执) of bids: what a bidder keeps and can check with any SHA-256 tool — the
//! call, the version, the time and the digest of the bid's canonical bytes, which it
//! carries — emailed to the member who acts, and found again by digest for the checking page.
use super::bids::organization_of;
use super::calls;
use crate::error::{AppError, AppResult};
use crate::outbox::EmailTemplates;
use chrono::{DateTime, Utc};
use entity::{bid, bid_version, call, user};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;

/// What the bidder keeps: proof of what was submitted, and when. It names the call and the
/// version, never a row id (ids run across every bidder and would count them).
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub call_id: i32,
    pub call_reference: Option<String>,
    pub version_no: i32,
    /// SHA-256 of `canonical`, as hex.
    pub digest: String,
    pub submitted_at: DateTime<Utc>,
    pub total_fen: i64,
    /// The exact bytes the digest covers: `printf '%s' "$canonical" | sha256sum`.
    pub canonical: String,
}

pub fn receipt(v: &bid_version::Model, c: &call::Model) -> Receipt {
    Receipt {
        call_id: c.id,
        call_reference: c.reference.clone(),
        version_no: v.version_no,
        digest: v.digest.clone(),
        submitted_at: v.submitted_at,
        total_fen: v.total_fen,
        canonical: v.content.clone(),
    }
}

/// Emails the member who acted its receipt (or the withdrawal): a notice about a sealed
/// bid, kept off the mail queue's listing like every such notice.
pub(super) async fn tell<C: ConnectionTrait>(
    db: &C,
    (templates, origin): (&EmailTemplates, &str),
    now: DateTime<Utc>,
    u: &user::Model,
    c: &call::Model,
    kind: &str,
    r: Option<&Receipt>,
) -> AppResult<()> {
    let locale = crate::i18n::Locale::from_tag(&u.locale).unwrap_or(crate::i18n::Locale::ZhCn);
    crate::outbox::enqueue(
        db,
        templates,
        now,
        &u.email,
        locale,
        kind,
        serde_json::json!({
            "name": u.display_name, "call": c.title, "reference": c.reference,
            "version": r.map(|r| r.version_no), "digest": r.map(|r| r.digest.clone()),
            "at": crate::i18n::format_datetime(now),
            "url": format!("{origin}/calls/{}/bid", c.id),
            "receipt_url": r.map(|r| format!("{origin}/calls/{}/bid/versions/{}/receipt.json", c.id, r.version_no)),
            "verify_url": format!("{origin}/receipts/verify"),
        }),
    )
    .await?;
    Ok(())
}

/// One of the organization's own versions on a call, for its members only.
pub async fn own_version(
    db: &DatabaseConnection,
    sealer: &crate::sealing::Sealer,
    u: &user::Model,
    call_id: i32,
    version_no: i32,
) -> AppResult<(call::Model, bid_version::Model)> {
    let org = organization_of(u).map_err(|_| AppError::NotFound)?;
    let c = calls::visible(db, Some(u), call_id).await?;
    let b = bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = bid_version::Entity::find()
        .filter(bid_version::Column::BidId.eq(b.id))
        .filter(bid_version::Column::VersionNo.eq(version_no))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = crate::sealing::reveal(sealer.call_key(&c)?.as_ref(), v);
    Ok((c, v))
}

/// Which of the organization's own bid versions have this digest: (call, its reference or
/// title, version). Nobody learns anything of another organization's bids here.
pub async fn own_versions_with_digest(
    db: &DatabaseConnection,
    u: &user::Model,
    digest: &str,
) -> AppResult<Vec<(i32, String, i32)>> {
    let Ok(org) = organization_of(u) else { return Ok(vec![]) };
    let mine = bid::Entity::find().filter(bid::Column::OrganizationId.eq(org)).all(db).await?;
    if mine.is_empty() {
        return Ok(vec![]);
    }
    let versions = bid_version::Entity::find()
        .filter(bid_version::Column::BidId.is_in(mine.iter().map(|b| b.id)))
        .filter(bid_version::Column::Digest.eq(digest))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for v in versions {
        let Some(b) = mine.iter().find(|b| b.id == v.bid_id) else { continue };
        let c = calls::get(db, b.call_id).await?;
        out.push((c.id, c.reference.clone().unwrap_or(c.title.clone()), v.version_no));
    }
    Ok(out)
}
