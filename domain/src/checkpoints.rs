//! Signed checkpoints of the audit log. The hash chain shows an entry edited in the middle,
//! but not the newest entries deleted: what is left is still a valid chain. A checkpoint
//! anchors the head outside the table — the newest entry's number and hash, and the time,
//! signed with an Ed25519 key kept outside the database — made at every opening and award
//! and at least daily. Each is stored, appended to a file (one JSON line each, never
//! rewritten) and published, so anyone who kept a copy can show that a log was cut short
//! or rewritten: `fuhua audit-verify --checkpoints FILE`.
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use entity::{audit_checkpoint, audit_log};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// At least this often, even when nothing is opened or awarded.
pub const EVERY: Duration = Duration::hours(24);

/// One checkpoint, as stored, published and kept in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub head_hash: String,
    pub at: DateTime<Utc>,
    pub public_key: String,
    pub signature: String,
}

impl From<audit_checkpoint::Model> for Checkpoint {
    fn from(m: audit_checkpoint::Model) -> Checkpoint {
        Checkpoint { seq: m.seq, head_hash: m.head_hash, at: m.at, public_key: m.public_key, signature: m.signature }
    }
}

/// What is signed: `fuhua-audit-checkpoint|<seq>|<head hash>|<time, RFC 3339 UTC seconds>`.
pub fn statement(seq: i64, head_hash: &str, at: DateTime<Utc>) -> String {
    format!("fuhua-audit-checkpoint|{seq}|{head_hash}|{}", at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

impl Checkpoint {
    /// The signature is the named key's, over exactly this statement.
    pub fn signature_holds(&self) -> bool {
        let key = hex::decode(&self.public_key).ok().and_then(|b| <[u8; 32]>::try_from(b).ok());
        let sig = hex::decode(&self.signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok());
        match (key.and_then(|k| VerifyingKey::from_bytes(&k).ok()), sig) {
            (Some(k), Some(s)) => {
                k.verify(statement(self.seq, &self.head_hash, self.at).as_bytes(), &Signature::from_bytes(&s)).is_ok()
            }
            _ => false,
        }
    }
}

/// The signing key and where checkpoints are written.
pub struct Notary {
    key: SigningKey,
    file: PathBuf,
}

impl Notary {
    /// `FUHUA_CHECKPOINT_KEY` (64 hex characters, the Ed25519 seed) when set, else the key
    /// in `data_dir/checkpoint.key`, made on first start. Checkpoints go to
    /// `data_dir/checkpoints.jsonl`.
    pub fn load(data_dir: &Path) -> Result<Notary, String> {
        let file = data_dir.join("checkpoints.jsonl");
        let seed = crate::secrets::key_32(data_dir, "FUHUA_CHECKPOINT_KEY", "checkpoint.key", "checkpoint")?;
        Ok(Notary { key: SigningKey::from_bytes(&seed), file })
    }

    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Signs the log's head now, unless that head already has a checkpoint. Stored and
    /// appended to the file; None while the log is empty.
    pub async fn checkpoint<C: ConnectionTrait>(&self, db: &C, now: DateTime<Utc>) -> AppResult<Option<Checkpoint>> {
        let Some(head) = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).limit(1).one(db).await? else {
            return Ok(None);
        };
        if let Some(done) = audit_checkpoint::Entity::find_by_id(head.seq).one(db).await? {
            return Ok(Some(done.into()));
        }
        let at = chrono::SubsecRound::trunc_subsecs(now, 0);
        let signature = hex::encode(self.key.sign(statement(head.seq, &head.hash, at).as_bytes()).to_bytes());
        let cp = Checkpoint { seq: head.seq, head_hash: head.hash, at, public_key: self.public_key(), signature };
        // The file first: a checkpoint stored but never written out would be no anchor.
        self.append_to_file(&cp)?;
        let inserted = audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
            seq: Set(cp.seq),
            head_hash: Set(cp.head_hash.clone()),
            at: Set(cp.at),
            public_key: Set(cp.public_key.clone()),
            signature: Set(cp.signature.clone()),
        })
        .exec_without_returning(db)
        .await;
        if let Err(e) = inserted {
            // Another server signed the same head a moment ago: that one stands.
            if let Some(done) = audit_checkpoint::Entity::find_by_id(cp.seq).one(db).await? {
                return Ok(Some(done.into()));
            }
            return Err(e.into());
        }
        Ok(Some(cp))
    }

    fn append_to_file(&self, cp: &Checkpoint) -> AppResult<()> {
        let line = serde_json::to_string(cp).map_err(|e| AppError::Internal(e.to_string()))?;
        let io = |e: std::io::Error| AppError::Internal(format!("{}: {e}", self.file.display()));
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.file).map_err(io)?;
        writeln!(f, "{line}").map_err(io)?;
        f.sync_data().map_err(io)
    }

    /// A checkpoint when the last is older than [`EVERY`] (or there is none).
    pub async fn if_due<C: ConnectionTrait>(&self, db: &C, now: DateTime<Utc>) -> AppResult<Option<Checkpoint>> {
        let last =
            audit_checkpoint::Entity::find().order_by_desc(audit_checkpoint::Column::At).limit(1).one(db).await?;
        if last.is_some_and(|l| now - l.at < EVERY) {
            return Ok(None);
        }
        self.checkpoint(db, now).await
    }
}

/// A new key file readable by its owner only.
/// The public key the server signs with, if its key is configured or its key file exists
/// (nothing is made): what `audit-verify` accepts by default.
pub fn own_public_key(data_dir: &Path) -> Option<String> {
    let configured = std::env::var("FUHUA_CHECKPOINT_KEY").is_ok_and(|k| !k.trim().is_empty());
    (configured || data_dir.join("checkpoint.key").exists())
        .then(|| Notary::load(data_dir).ok())
        .flatten()
        .map(|n| n.public_key())
}

/// Every stored checkpoint, newest first.
pub async fn list<C: ConnectionTrait>(db: &C) -> AppResult<Vec<Checkpoint>> {
    let rows = audit_checkpoint::Entity::find().order_by_desc(audit_checkpoint::Column::Seq).all(db).await?;
    Ok(rows.into_iter().map(Checkpoint::from).collect())
}

/// Checkpoints from a file of JSON lines (as written, or as published and kept by anyone).
pub fn read_file(path: &Path) -> Result<Vec<Checkpoint>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| serde_json::from_str(l).map_err(|e| format!("{} line {}: {e}", path.display(), n + 1)))
        .collect()
}

/// Why a checkpoint and the log disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disagreement {
    /// The signature does not hold (or is not the expected key's): the checkpoint is no proof.
    BadSignature,
    /// The log has no entry with the checkpoint's number: entries were deleted.
    Truncated,
    /// The entry with that number has another hash: the log was rewritten.
    Rewritten,
}

/// Each checkpoint against the log; only those that disagree are returned. With
/// `trusted_key`, a checkpoint signed by any other key is refused too.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    checkpoints: &[Checkpoint],
    trusted_key: Option<&str>,
) -> AppResult<Vec<(Checkpoint, Disagreement)>> {
    let mut out = Vec::new();
    for cp in checkpoints {
        if !cp.signature_holds() || trusted_key.is_some_and(|k| k != cp.public_key) {
            out.push((cp.clone(), Disagreement::BadSignature));
            continue;
        }
        match audit_log::Entity::find_by_id(cp.seq).one(db).await? {
            None => out.push((cp.clone(), Disagreement::Truncated)),
            Some(e) if e.hash != cp.head_hash => out.push((cp.clone(), Disagreement::Rewritten)),
            Some(_) => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notary() -> Notary {
        Notary { key: SigningKey::from_bytes(&[7u8; 32]), file: PathBuf::from("/dev/null") }
    }

    #[test]
    fn a_signature_holds_for_its_statement_only() {
        let n = notary();
        let at =
            DateTime::parse_from_rfc3339("2026-12-02T08:00:00Z").map(|t| t.with_timezone(&Utc)).unwrap_or_default();
        let sig = hex::encode(n.key.sign(statement(42, "ab", at).as_bytes()).to_bytes());
        let cp = Checkpoint { seq: 42, head_hash: "ab".into(), at, public_key: n.public_key(), signature: sig };
        assert!(cp.signature_holds());
        for bad in [
            Checkpoint { seq: 41, ..cp.clone() },
            Checkpoint { head_hash: "ac".into(), ..cp.clone() },
            Checkpoint { at: at + Duration::seconds(1), ..cp.clone() },
            Checkpoint { public_key: hex::encode([1u8; 32]), ..cp.clone() },
            Checkpoint { signature: "00".repeat(64), ..cp.clone() },
            Checkpoint { signature: "zz".into(), ..cp.clone() },
        ] {
            assert!(!bad.signature_holds(), "{bad:?}");
        }
        assert_eq!(statement(42, "ab", at), "fuhua-audit-checkpoint|42|ab|2026-12-02T08:00:00Z");
    }
}
