//! Files attached to a bid: PDF, DOCX, XLSX, PNG or JPEG, recognized by their bytes (a name
//! ending in .pdf is not enough), at most 10 MiB each and 10 per bid, within a storage
//! quota per bid and per organization (`ProcurementRules`), counted over every file kept. They are sealed with
//! the bid: before opening only the organization's members see or fetch them; after opening
//! the bureau does too. Each submitted version lists the digests of the files it includes.
//! Name and bytes are stored encrypted under the call's key (`domain::sealing`), and stay
//! so: whoever may fetch a file gets it decrypted.
use super::calls;
use crate::audit;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::sealing::{self, CallKey, Sealer};
use chrono::{DateTime, Utc};
use entity::enums::{CallStatus, Role};
use entity::{bid_attachment, call, organization, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::files::{MAX_BYTES, MAX_FILES, checked_file, sniff};

/// An attachment as a bid version records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub name: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
}

fn owner(u: &user::Model) -> AppResult<i32> {
    if u.role != Role::NgoMember {
        return Err(AppError::Forbidden);
    }
    u.organization_id.ok_or_else(|| AppError::Conflict(Msg::new("bid.needs_organization")))
}

/// Adds a file to the organization's bid on a call, before the deadline.
pub async fn add(
    db: &DatabaseConnection,
    (sealer, rules): (&Sealer, &super::rules::ProcurementRules),
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    name: &str,
    bytes: &[u8],
) -> AppResult<bid_attachment::Model> {
    let org = owner(u)?;
    let c = calls::visible(db, Some(u), call_id).await?;
    open_for_changes(&c, now)?;
    let (name, kind) = checked_file(name, bytes)?;
    let txn = db.begin().await?;
    // The organization's uploads are counted one after another: on PostgreSQL its row is
    // held until this transaction ends (SQLite has a single writer anyway), so twenty
    // uploads at once cannot all see nine files and each add a tenth.
    organization::Entity::find_by_id(org).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    let count = mine(&txn, call_id, org).filter(bid_attachment::Column::Removed.eq(false)).count(&txn).await?;
    if count >= MAX_FILES {
        return Err(AppError::Conflict(Msg::new("attachment.too_many").arg("n", MAX_FILES)));
    }
    within_quota(&txn, rules, call_id, org, bytes.len() as i64).await?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let key = sealing::key_for(&txn, sealer, call_id).await?;
    let public_ref = crate::secrets::random_ref();
    let mut a = bid_attachment::ActiveModel {
        call_id: Set(call_id),
        organization_id: Set(org),
        file_name: Set(String::new()),
        sealed_name: Set(Some(key.seal(&sealing::name_purpose(&public_ref), name.as_bytes())?)),
        kind: Set(kind.to_string()),
        size_bytes: Set(bytes.len() as i64),
        sha256: Set(sha256.clone()),
        data: Set(key.seal(&sealing::file_purpose(&public_ref), bytes)?),
        public_ref: Set(public_ref),
        uploaded_by: Set(u.id),
        uploaded_at: Set(now),
        removed: Set(false),
        in_version: Set(false),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append_sealed(&txn, now, call_id, serde_json::json!({"event": "attached", "sha256": sha256})).await?;
    super::bids::still_taking(&txn, call_id, now).await?;
    txn.commit().await?;
    (a.file_name, a.sealed_name, a.data) = (name, None, vec![]);
    Ok(a)
}

pub async fn remove(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    public_ref: &str,
) -> AppResult<()> {
    let org = owner(u)?;
    let c = calls::visible(db, Some(u), call_id).await?;
    open_for_changes(&c, now)?;
    let txn = db.begin().await?;
    let this = || {
        Condition::all()
            .add(bid_attachment::Column::PublicRef.eq(public_ref))
            .add(bid_attachment::Column::Removed.eq(false))
            .add(bid_attachment::Column::CallId.eq(call_id))
            .add(bid_attachment::Column::OrganizationId.eq(org))
    };
    // Never part of a submitted version: nothing refers to it, and it goes, bytes and all.
    // A version that lists it keeps it (removed from the bid, still there to check).
    let deleted = bid_attachment::Entity::delete_many()
        .filter(this().add(bid_attachment::Column::InVersion.eq(false)))
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        let r = bid_attachment::Entity::update_many()
            .col_expr(bid_attachment::Column::Removed, sea_orm::sea_query::Expr::value(true))
            .filter(this())
            .exec(&txn)
            .await?;
        if r.rows_affected == 0 {
            return Err(AppError::NotFound);
        }
    }
    audit::append_sealed(&txn, now, call_id, serde_json::json!({"event": "detached", "attachment": public_ref}))
        .await?;
    super::bids::still_taking(&txn, call_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Refuses a file that would take the bid's or the organization's stored files (kept ones
/// included: a version may list them) over their quota.
async fn within_quota(
    txn: &sea_orm::DatabaseTransaction,
    rules: &super::rules::ProcurementRules,
    call_id: i32,
    org: i32,
    adding: i64,
) -> AppResult<()> {
    let stored = |q: sea_orm::Select<bid_attachment::Entity>| async move {
        q.select_only()
            // SUM of a bigint is numeric on PostgreSQL: cast back.
            .column_as(sea_orm::sea_query::Expr::cust("CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT)"), "total")
            .into_tuple::<i64>()
            .one(txn)
            .await
            .map(|t| t.unwrap_or(0))
    };
    let mib = |b: i64| (b + 1024 * 1024 - 1) / (1024 * 1024);
    let on_bid = stored(mine(txn, call_id, org)).await?;
    if on_bid + adding > rules.attachment_quota_bid_mib * 1024 * 1024 {
        return Err(AppError::Conflict(
            Msg::new("attachment.bid_quota").arg("used", mib(on_bid)).arg("max", rules.attachment_quota_bid_mib),
        ));
    }
    let of_org = stored(bid_attachment::Entity::find().filter(bid_attachment::Column::OrganizationId.eq(org))).await?;
    if of_org + adding > rules.attachment_quota_organization_mib * 1024 * 1024 {
        return Err(AppError::Conflict(
            Msg::new("attachment.organization_quota")
                .arg("used", mib(of_org))
                .arg("max", rules.attachment_quota_organization_mib),
        ));
    }
    Ok(())
}

/// Marks the files a version about to be stored lists (by digest) as listed, so removing
/// them later keeps them. A file removed since the version was drawn up is refused: the
/// version would list a file that is gone.
pub(super) async fn keep_for_version(
    txn: &sea_orm::DatabaseTransaction,
    call_id: i32,
    org: i32,
    digests: &[String],
) -> AppResult<()> {
    let wanted: std::collections::BTreeSet<&String> = digests.iter().collect();
    if wanted.is_empty() {
        return Ok(());
    }
    bid_attachment::Entity::update_many()
        .col_expr(bid_attachment::Column::InVersion, sea_orm::sea_query::Expr::value(true))
        .filter(bid_attachment::Column::CallId.eq(call_id))
        .filter(bid_attachment::Column::OrganizationId.eq(org))
        .filter(bid_attachment::Column::Removed.eq(false))
        .filter(bid_attachment::Column::Sha256.is_in(wanted.iter().map(|d| d.as_str())))
        .exec(txn)
        .await?;
    let present: std::collections::BTreeSet<String> = mine(txn, call_id, org)
        .filter(bid_attachment::Column::Removed.eq(false))
        .filter(bid_attachment::Column::InVersion.eq(true))
        .filter(bid_attachment::Column::Sha256.is_in(wanted.iter().map(|d| d.as_str())))
        .select_only()
        .column(bid_attachment::Column::Sha256)
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    if wanted.iter().any(|d| !present.contains(*d)) {
        return Err(AppError::Conflict(Msg::new("error.concurrent_change")));
    }
    Ok(())
}

fn open_for_changes(c: &call::Model, now: DateTime<Utc>) -> AppResult<()> {
    match (c.status, c.bid_deadline) {
        (CallStatus::Published, Some(d)) if now < d => Ok(()),
        _ => Err(AppError::Conflict(Msg::new("bid.deadline_passed"))),
    }
}

fn mine(_db: &impl ConnectionTrait, call_id: i32, org: i32) -> sea_orm::Select<bid_attachment::Entity> {
    bid_attachment::Entity::find()
        .filter(bid_attachment::Column::CallId.eq(call_id))
        .filter(bid_attachment::Column::OrganizationId.eq(org))
}

/// The organization's files now on its bid, without their bytes, oldest first; their
/// names decrypted with the call's key.
pub async fn refs<C: ConnectionTrait>(
    db: &C,
    key: Option<&CallKey>,
    call_id: i32,
    org: i32,
) -> AppResult<Vec<(String, AttachmentRef)>> {
    type Row = (String, String, Option<Vec<u8>>, String, i64, String);
    let rows: Vec<Row> = mine(db, call_id, org)
        .filter(bid_attachment::Column::Removed.eq(false))
        .select_only()
        .column(bid_attachment::Column::PublicRef)
        .column(bid_attachment::Column::FileName)
        .column(bid_attachment::Column::SealedName)
        .column(bid_attachment::Column::Kind)
        .column(bid_attachment::Column::SizeBytes)
        .column(bid_attachment::Column::Sha256)
        .order_by_asc(bid_attachment::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, plain, sealed, kind, size_bytes, sha256)| {
            let name = sealing::file_name(key, &id, plain, sealed);
            (id, AttachmentRef { name, kind, size_bytes, sha256 })
        })
        .collect())
}

/// Every file ever attached on the call by any bidder, removed ones too, as
/// (organization, public reference, SHA-256): how an opened version's files are found.
pub async fn digests_of_call<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<Vec<(i32, String, String)>> {
    Ok(bid_attachment::Entity::find()
        .filter(bid_attachment::Column::CallId.eq(call_id))
        .select_only()
        .column(bid_attachment::Column::OrganizationId)
        .column(bid_attachment::Column::PublicRef)
        .column(bid_attachment::Column::Sha256)
        .order_by_asc(bid_attachment::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// A file's bytes, for the organization's members, or once the call is opened for the
/// bureau and the panel members who have declared no conflict.
pub async fn fetch(
    db: &DatabaseConnection,
    sealer: &Sealer,
    u: &user::Model,
    call_id: i32,
    public_ref: &str,
) -> AppResult<bid_attachment::Model> {
    let c = calls::visible(db, Some(u), call_id).await?;
    let a = bid_attachment::Entity::find()
        .filter(bid_attachment::Column::PublicRef.eq(public_ref))
        .filter(bid_attachment::Column::CallId.eq(call_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = u.role == Role::NgoMember && u.organization_id == Some(a.organization_id);
    if own {
        return sealing::reveal_file(sealer.call_key(&c)?.as_ref(), a);
    }
    // Anyone else only once the bid it belongs to was opened (never for a call cancelled first).
    let opened = !calls::sealed(&c)
        && entity::bid::Entity::find()
            .filter(entity::bid::Column::CallId.eq(call_id))
            .filter(entity::bid::Column::OrganizationId.eq(a.organization_id))
            .filter(entity::bid::Column::OpenedAt.is_not_null())
            .one(db)
            .await?
            .is_some();
    if opened && (u.role.is_bureau() || super::panel::seated(db, u, call_id).await.is_ok()) {
        return sealing::reveal_file(sealer.call_key(&c)?.as_ref(), a);
    }
    Err(AppError::NotFound)
}
