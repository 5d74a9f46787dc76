//! The append-only, hash-chained audit log. Every change of state appends one entry in
//! the same transaction as the change. Editing or deleting a row breaks the chain, and
//! `verify` names the first entry that no longer fits.
use crate::error::AppResult;
use chrono::{DateTime, SubsecRound, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The object type that bid events had in the audit log before they got chains of their
/// own: such entries, in databases from then, stay off the audit page until opening.
pub const SEALED_BID_OBJECT: &str = "sealed_bid";

/// Who did it: an account, or the system itself ("cli", "system", "import").
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i32>,
    pub label: String,
}

impl Actor {
    pub fn user(u: &entity::user::Model) -> Actor {
        Actor { user_id: Some(u.id), label: u.email.clone() }
    }
    pub fn system(label: &str) -> Actor {
        Actor { user_id: None, label: label.to_string() }
    }
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn entry_hash(e: &audit_log::Model) -> String {
    let line = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}",
        e.seq,
        e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        e.actor_user_id.map(|i| i.to_string()).unwrap_or_default(),
        e.actor,
        e.action,
        e.object_type,
        e.object_id,
        e.payload_hash,
        e.prev_hash
    );
    sha256_hex(line.as_bytes())
}

/// Serializes appends to a hash-chained table until the transaction ends: on PostgreSQL by
/// a table lock; SQLite has one writer.
async fn lock_table<C: ConnectionTrait>(db: &C, table: &str) -> AppResult<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let sql = format!("LOCK TABLE {table} IN EXCLUSIVE MODE");
        db.execute_raw(Statement::from_string(DatabaseBackend::Postgres, sql)).await?;
    }
    Ok(())
}

/// Appends one entry. Call inside the transaction that makes the change.
pub async fn append<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: impl ToString,
    payload: serde_json::Value,
) -> AppResult<()> {
    append_many(db, now, actor, action, object_type, [(object_id.to_string(), payload)]).await
}

/// Appends one entry per object, all by one actor with one action, in one statement: a
/// batch (an import step) takes the chain's lock once, last, and holds it only to commit.
pub async fn append_many<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    object_type: &str,
    entries: impl IntoIterator<Item = (String, serde_json::Value)>,
) -> AppResult<()> {
    let entries: Vec<(String, serde_json::Value)> = entries.into_iter().collect();
    if entries.is_empty() {
        return Ok(());
    }
    // Appends are serialized: on PostgreSQL by a table lock held to commit; SQLite has one writer.
    lock_table(db, "audit_log").await?;
    let last = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).limit(1).one(db).await?;
    let (mut seq, mut prev_hash) = match last {
        Some(l) => (l.seq, l.hash),
        None => (0, GENESIS.to_string()),
    };
    let mut rows = Vec::new();
    for (object_id, payload) in entries {
        seq += 1;
        let payload = payload.to_string();
        let mut entry = audit_log::Model {
            seq,
            // PostgreSQL keeps microseconds: hash what both databases store.
            at: now.trunc_subsecs(6),
            actor_user_id: actor.user_id,
            actor: actor.label.clone(),
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id,
            payload_hash: sha256_hex(payload.as_bytes()),
            payload,
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        prev_hash = entry.hash.clone();
        rows.push(audit_log::ActiveModel {
            seq: Set(entry.seq),
            at: Set(entry.at),
            actor_user_id: Set(entry.actor_user_id),
            actor: Set(entry.actor),
            action: Set(entry.action),
            object_type: Set(entry.object_type),
            object_id: Set(entry.object_id),
            payload: Set(entry.payload),
            payload_hash: Set(entry.payload_hash),
            prev_hash: Set(entry.prev_hash),
            hash: Set(entry.hash),
        });
    }
    audit_log::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

fn sealed_hash(e: &entity::sealed_event::Model) -> String {
    let line = format!(
        "sealed|{}|{}|{}|{}|{}",
        e.call_id,
        e.n,
        e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        e.payload_hash,
        e.prev_hash
    );
    sha256_hex(line.as_bytes())
}

/// Appends a bid event of a call not yet opened to that call's own chain, never to the
/// audit log: the log's numbers are seen by people, and must not count bid events. Call
/// inside the transaction that makes the change.
pub async fn append_sealed<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    call_id: i32,
    payload: serde_json::Value,
) -> AppResult<()> {
    use entity::sealed_event;
    lock_table(db, "sealed_events").await?;
    let last = sealed_event::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&sealed_event::Column::CallId, call_id))
        .order_by_desc(sealed_event::Column::N)
        .limit(1)
        .one(db)
        .await?;
    let (n, prev_hash) = match last {
        Some(l) => (l.n + 1, l.hash),
        None => (1, GENESIS.to_string()),
    };
    let payload = payload.to_string();
    let mut e = sealed_event::Model {
        id: 0,
        call_id,
        n,
        at: now.trunc_subsecs(6),
        payload_hash: sha256_hex(payload.as_bytes()),
        payload,
        prev_hash,
        hash: String::new(),
    };
    e.hash = sealed_hash(&e);
    sealed_event::Entity::insert(sealed_event::ActiveModel {
        call_id: Set(e.call_id),
        n: Set(e.n),
        at: Set(e.at),
        payload: Set(e.payload),
        payload_hash: Set(e.payload_hash),
        prev_hash: Set(e.prev_hash),
        hash: Set(e.hash),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Waits for every bid event being written to commit, and holds others off until this
/// transaction ends (PostgreSQL; SQLite has one writer): the opening reads the bids after it.
pub async fn lock_sealed<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    lock_table(db, "sealed_events").await?;
    Ok(())
}

/// The head of a call's sealed chain: how many events, and the newest one's hash.
pub async fn sealed_head<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<(i32, String)> {
    use entity::sealed_event;
    let last = sealed_event::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&sealed_event::Column::CallId, call_id))
        .order_by_desc(sealed_event::Column::N)
        .limit(1)
        .one(db)
        .await?;
    Ok(last.map(|l| (l.n, l.hash)).unwrap_or((0, GENESIS.to_string())))
}

/// Every call's sealed chain: each event in order and fitting its hash, and the head that
/// the opening wrote into the audit log still the head.
async fn verify_sealed<C: ConnectionTrait>(db: &C) -> AppResult<Option<VerifyOutcome>> {
    use entity::sealed_event;
    let events = sealed_event::Entity::find()
        .order_by_asc(sealed_event::Column::CallId)
        .order_by_asc(sealed_event::Column::N)
        .all(db)
        .await?;
    let mut heads: std::collections::HashMap<i32, (i32, String)> = std::collections::HashMap::new();
    for e in &events {
        let (n, prev) = heads.get(&e.call_id).cloned().unwrap_or((0, GENESIS.to_string()));
        let fits = e.n == n + 1
            && e.prev_hash == prev
            && sha256_hex(e.payload.as_bytes()) == e.payload_hash
            && sealed_hash(e) == e.hash;
        if !fits {
            return Ok(Some(VerifyOutcome::Broken { seq: 0, reason: "a call's sealed bid events do not chain" }));
        }
        heads.insert(e.call_id, (e.n, e.hash.clone()));
    }
    let closings = audit_log::Entity::find()
        .filter(sea_orm::ColumnTrait::is_in(&audit_log::Column::Action, ["call.opened", "call.failed"]))
        .order_by_asc(audit_log::Column::Seq)
        .all(db)
        .await?;
    for c in closings {
        let payload: serde_json::Value = serde_json::from_str(&c.payload).unwrap_or_default();
        let Some(recorded) = payload.get("sealed_head").and_then(|h| h.as_str()) else { continue };
        let call_id = c.object_id.parse::<i32>().unwrap_or_default();
        let head = heads.get(&call_id).map(|h| h.1.clone()).unwrap_or(GENESIS.to_string());
        if head != recorded {
            return Ok(Some(VerifyOutcome::Broken {
                seq: c.seq,
                reason: "a call's sealed bid events changed after it was opened",
            }));
        }
    }
    Ok(None)
}

/// The newest entry's number: it changes whenever anything changes.
pub async fn latest_seq<C: ConnectionTrait>(db: &C) -> AppResult<i64> {
    let seq: Option<i64> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Seq)
        .order_by_desc(audit_log::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(seq.unwrap_or(0))
}

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    Intact { entries: u64 },
    Broken { seq: i64, reason: &'static str },
}

/// Walks the chain from the start and stops at the first entry that does not fit.
pub async fn verify<C: ConnectionTrait>(db: &C) -> AppResult<VerifyOutcome> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut pages = audit_log::Entity::find().order_by_asc(audit_log::Column::Seq).paginate(db, 1000);
    while let Some(rows) = pages.fetch_and_next().await? {
        for e in rows {
            let reason = if e.seq != expected_seq {
                Some("sequence gap")
            } else if e.prev_hash != prev {
                Some("previous hash does not match")
            } else if sha256_hex(e.payload.as_bytes()) != e.payload_hash {
                Some("payload does not match its hash")
            } else if entry_hash(&e) != e.hash {
                Some("entry does not match its hash")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Ok(VerifyOutcome::Broken { seq: expected_seq.min(e.seq), reason });
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
    if let Some(broken) = verify_sealed(db).await? {
        return Ok(broken);
    }
    Ok(VerifyOutcome::Intact { entries: (expected_seq - 1) as u64 })
}

/// Newest first, for the admin's log page.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    before_seq: Option<i64>,
    per_page: u64,
) -> AppResult<Vec<audit_log::Model>> {
    let mut q = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).limit(per_page);
    // Bid events stay out of sight until their call is opened: not even their number shows.
    // Sealed for good when the call was cancelled before opening.
    let sealed: Vec<String> = entity::call::Entity::find()
        .filter(sea_orm::ColumnTrait::is_null(&entity::call::Column::OpenedAt))
        .all(db)
        .await?
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    q = q.filter(
        sea_orm::Condition::any()
            .add(sea_orm::ColumnTrait::ne(&audit_log::Column::ObjectType, SEALED_BID_OBJECT))
            .add(sea_orm::ColumnTrait::is_not_in(&audit_log::Column::ObjectId, sealed)),
    );
    if let Some(b) = before_seq {
        q = q.filter(sea_orm::ColumnTrait::lt(&audit_log::Column::Seq, b));
    }
    Ok(q.all(db).await?)
}
