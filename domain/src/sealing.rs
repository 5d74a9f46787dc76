//! Sealed at rest (加密封存). A bid's content and its files are stored encrypted until
//! opening, so that a copy of the database — a dump, a backup, a leaked SQLite file —
//! taken before then holds no price, plan, team or file of any bid.
//!
//! Each call has its own key (32 random bytes, made with its first bid or file), stored in
//! the call's row only wrapped by the **sealing key**, which is kept outside the database:
//! `FUHUA_SEALING_KEY` (64 hex characters) or the file `sealing.key` in the data folder,
//! made on first start. Every sealed value is XChaCha20-Poly1305 with a random nonce, bound
//! to what it is (`purpose`: which call, bid version or file) so that no sealed value can be
//! moved onto another row without failing to open. Opening decrypts each standing bid's
//! latest version into the clear (the panel and the bureau read it from then on) and checks
//! its digest as before; versions that were never opened stay sealed for good.
//!
//! Losing the sealing key loses every bid not yet opened: back it up with the database,
//! but not in the same place (README, "Sealing key").
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use entity::{bid_attachment, bid_version, call};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use std::path::Path;

/// The first byte of every sealed value: the format, so that another can follow.
const FORMAT: u8 = 1;
const NONCE: usize = 24;

/// The key that wraps every call's key. Kept outside the database.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

/// One call's key, unwrapped for the moment it is needed.
pub struct CallKey {
    cipher: XChaCha20Poly1305,
}

fn seal_with(cipher: &XChaCha20Poly1305, purpose: &str, plain: &[u8]) -> AppResult<Vec<u8>> {
    let mut nonce = [0u8; NONCE];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: purpose.as_bytes() })
        .map_err(|_| AppError::Internal("sealing failed".into()))?;
    let mut out = Vec::with_capacity(1 + NONCE + sealed.len());
    out.push(FORMAT);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The plain bytes, or None when the value was not sealed by this key for this purpose
/// (another key, another row, or changed bytes).
fn open_with(cipher: &XChaCha20Poly1305, purpose: &str, sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 1 + NONCE || sealed[0] != FORMAT {
        return None;
    }
    let nonce = XNonce::from_slice(&sealed[1..1 + NONCE]);
    cipher.decrypt(nonce, Payload { msg: &sealed[1 + NONCE..], aad: purpose.as_bytes() }).ok()
}

impl Sealer {
    /// `FUHUA_SEALING_KEY` when set, else `data_dir/sealing.key`, made on first start.
    pub fn load(data_dir: &Path) -> Result<Sealer, String> {
        let key = crate::secrets::key_32(data_dir, "FUHUA_SEALING_KEY", "sealing.key", "sealing")?;
        Ok(Sealer::from_key(&key))
    }

    pub fn from_key(key: &[u8; 32]) -> Sealer {
        Sealer { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    fn wrap(&self, call_id: i32, key: &[u8; 32]) -> AppResult<Vec<u8>> {
        seal_with(&self.cipher, &format!("fuhua call key {call_id}"), key)
    }

    /// The call's key, if the call has one and it was wrapped by this sealing key. A key
    /// that does not unwrap means the server runs with another sealing key than the one
    /// its bids were sealed with: nothing is opened then, and the officer is told.
    pub fn call_key(&self, c: &call::Model) -> AppResult<Option<CallKey>> {
        self.unwrap_key(c.id, c.sealing_key.as_deref())
    }

    fn unwrap_key(&self, call_id: i32, wrapped: Option<&[u8]>) -> AppResult<Option<CallKey>> {
        let Some(wrapped) = wrapped else { return Ok(None) };
        let key = open_with(&self.cipher, &format!("fuhua call key {call_id}"), wrapped)
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .ok_or_else(|| {
                log::error!("call {call_id}: its key does not unwrap with this server's sealing key");
                AppError::Conflict(Msg::new("sealing.wrong_key"))
            })?;
        Ok(Some(CallKey { cipher: XChaCha20Poly1305::new((&key).into()) }))
    }
}

impl CallKey {
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> AppResult<Vec<u8>> {
        seal_with(&self.cipher, purpose, plain)
    }

    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        open_with(&self.cipher, purpose, sealed)
    }
}

/// What a bid version's sealed content is bound to.
pub fn version_purpose(bid_id: i32, version_no: i32) -> String {
    format!("fuhua bid {bid_id} version {version_no}")
}

/// What a sealed file's bytes are bound to.
pub fn file_purpose(public_ref: &str) -> String {
    format!("fuhua file {public_ref}")
}

/// What a sealed file's name is bound to.
pub fn name_purpose(public_ref: &str) -> String {
    format!("fuhua file name {public_ref}")
}

/// The call's key, made now if it has none: the first bid or file on a call makes it. Of
/// two requests making one at once, the conditional update lets one win and both use it.
pub async fn key_for<C: ConnectionTrait>(db: &C, sealer: &Sealer, call_id: i32) -> AppResult<CallKey> {
    let c = entity::call::Entity::find_by_id(call_id).one(db).await?.ok_or(AppError::NotFound)?;
    if let Some(k) = sealer.call_key(&c)? {
        return Ok(k);
    }
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    call::Entity::update_many()
        .col_expr(call::Column::SealingKey, Expr::value(sealer.wrap(call_id, &key)?))
        .filter(call::Column::Id.eq(call_id))
        .filter(call::Column::SealingKey.is_null())
        .exec(db)
        .await?;
    let c = entity::call::Entity::find_by_id(call_id).one(db).await?.ok_or(AppError::NotFound)?;
    sealer.call_key(&c)?.ok_or_else(|| AppError::Internal("call key not stored".into()))
}

/// A version as its bidder (or, after opening, anyone allowed) reads it: sealed content
/// decrypted into `content` and `total_fen`. Content that does not decrypt stays empty,
/// so its digest does not match and it is never taken for the bid.
pub fn reveal(key: Option<&CallKey>, mut v: bid_version::Model) -> bid_version::Model {
    let Some(sealed) = v.sealed.take() else { return v };
    let plain = key.and_then(|k| k.open(&version_purpose(v.bid_id, v.version_no), &sealed));
    match plain.and_then(|p| String::from_utf8(p).ok()) {
        Some(text) => {
            v.total_fen = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|j| j.get("total_fen").and_then(|t| t.as_i64()))
                .unwrap_or(0);
            v.content = text;
        }
        None => v.sealed = Some(sealed),
    }
    v
}

/// A file as someone allowed fetches it: name and bytes decrypted. A file whose seal does
/// not open is not served.
pub fn reveal_file(key: Option<&CallKey>, mut a: bid_attachment::Model) -> AppResult<bid_attachment::Model> {
    let Some(sealed_name) = a.sealed_name.take() else { return Ok(a) };
    let key = key.ok_or(AppError::Conflict(Msg::new("sealing.wrong_key")))?;
    let name = key.open(&name_purpose(&a.public_ref), &sealed_name).and_then(|n| String::from_utf8(n).ok());
    let data = key.open(&file_purpose(&a.public_ref), &a.data);
    match (name, data) {
        (Some(name), Some(data)) => {
            a.file_name = name;
            a.data = data;
            Ok(a)
        }
        _ => {
            log::error!("file {} on call {} does not open with its call's key", a.public_ref, a.call_id);
            Err(AppError::Conflict(Msg::new("sealing.file_damaged")))
        }
    }
}

/// A sealed file's name, for lists; "—" if it does not open.
pub fn file_name(key: Option<&CallKey>, public_ref: &str, plain: String, sealed: Option<Vec<u8>>) -> String {
    match sealed {
        None => plain,
        Some(s) => key
            .and_then(|k| k.open(&name_purpose(public_ref), &s))
            .and_then(|n| String::from_utf8(n).ok())
            .unwrap_or_else(|| "—".into()),
    }
}

/// Seals what an earlier version of Fuhua stored in the clear and had not opened: the
/// versions and files the migration to sealing at rest listed in `seal_pending`. Run at
/// start; each row is sealed (if still in the clear) and struck off the list, so after the
/// first start there is nothing left to read. Returns (versions, files) sealed.
pub async fn seal_pending<C: ConnectionTrait>(db: &C, sealer: &Sealer) -> AppResult<(usize, usize)> {
    let backend = db.get_database_backend();
    let pending = db
        .query_all_raw(Statement::from_string(backend, "SELECT kind, row_id FROM seal_pending ORDER BY row_id"))
        .await?;
    let (mut versions, mut files) = (0, 0);
    for row in pending {
        let kind: String = row.try_get("", "kind")?;
        let id: i32 = row.try_get("", "row_id")?;
        match kind.as_str() {
            "version" => versions += usize::from(seal_version(db, sealer, id).await?),
            "file" => files += usize::from(seal_file(db, sealer, id).await?),
            _ => {}
        }
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => "DELETE FROM seal_pending WHERE kind = $1 AND row_id = $2",
                _ => "DELETE FROM seal_pending WHERE kind = ? AND row_id = ?",
            },
            [kind.into(), id.into()],
        ))
        .await?;
    }
    Ok((versions, files))
}

async fn seal_version<C: ConnectionTrait>(db: &C, sealer: &Sealer, id: i32) -> AppResult<bool> {
    let Some(v) = bid_version::Entity::find_by_id(id).one(db).await? else { return Ok(false) };
    let Some(b) = entity::bid::Entity::find_by_id(v.bid_id).one(db).await? else { return Ok(false) };
    if v.sealed.is_some() || v.content.is_empty() || b.opened_at.is_some() {
        return Ok(false);
    }
    let key = key_for(db, sealer, b.call_id).await?;
    let sealed = key.seal(&version_purpose(v.bid_id, v.version_no), v.content.as_bytes())?;
    let r = bid_version::Entity::update_many()
        .col_expr(bid_version::Column::Sealed, Expr::value(sealed))
        .col_expr(bid_version::Column::Content, Expr::value(""))
        .col_expr(bid_version::Column::TotalFen, Expr::value(0i64))
        .filter(bid_version::Column::Id.eq(id))
        .filter(bid_version::Column::Sealed.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

async fn seal_file<C: ConnectionTrait>(db: &C, sealer: &Sealer, id: i32) -> AppResult<bool> {
    let Some(a) = bid_attachment::Entity::find_by_id(id).one(db).await? else { return Ok(false) };
    if a.sealed_name.is_some() {
        return Ok(false);
    }
    let key = key_for(db, sealer, a.call_id).await?;
    let r = bid_attachment::Entity::update_many()
        .col_expr(bid_attachment::Column::Data, Expr::value(key.seal(&file_purpose(&a.public_ref), &a.data)?))
        .col_expr(
            bid_attachment::Column::SealedName,
            Expr::value(key.seal(&name_purpose(&a.public_ref), a.file_name.as_bytes())?),
        )
        .col_expr(bid_attachment::Column::FileName, Expr::value(""))
        .filter(bid_attachment::Column::Id.eq(id))
        .filter(bid_attachment::Column::SealedName.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_purpose() {
        let sealer = Sealer::from_key(&[3u8; 32]);
        let key = [9u8; 32];
        let wrapped = sealer.wrap(7, &key).expect("wrap");
        assert!(!wrapped.windows(32).any(|w| w == key), "the call key is not stored in the clear");
        let call_key = CallKey { cipher: XChaCha20Poly1305::new((&key).into()) };
        let sealed = call_key.seal(&version_purpose(1, 1), b"{\"total_fen\":4200}").expect("seal");
        assert_eq!(call_key.open(&version_purpose(1, 1), &sealed).as_deref(), Some(&b"{\"total_fen\":4200}"[..]));
        // Moved onto another version, or to another bid, it does not open.
        assert!(call_key.open(&version_purpose(1, 2), &sealed).is_none());
        assert!(call_key.open(&version_purpose(2, 1), &sealed).is_none());
        // Another key does not open it, nor does a changed byte.
        let other = CallKey { cipher: XChaCha20Poly1305::new((&[8u8; 32]).into()) };
        assert!(other.open(&version_purpose(1, 1), &sealed).is_none());
        let mut changed = sealed.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert!(call_key.open(&version_purpose(1, 1), &changed).is_none());
        assert!(call_key.open(&version_purpose(1, 1), &sealed[..10]).is_none());
        // Two seals of the same bytes differ (fresh nonce each time).
        assert_ne!(sealed, call_key.seal(&version_purpose(1, 1), b"{\"total_fen\":4200}").expect("seal"));
    }

    #[test]
    fn a_call_key_unwraps_only_with_its_sealing_key_and_call() {
        let sealer = Sealer::from_key(&[3u8; 32]);
        let wrapped = sealer.wrap(7, &[9u8; 32]).expect("wrap");
        assert!(sealer.unwrap_key(7, Some(&wrapped)).is_ok_and(|k| k.is_some()));
        assert!(sealer.unwrap_key(8, Some(&wrapped)).is_err(), "bound to its call");
        assert!(Sealer::from_key(&[4u8; 32]).unwrap_key(7, Some(&wrapped)).is_err(), "another sealing key");
        assert!(sealer.unwrap_key(7, None).is_ok_and(|k| k.is_none()));
    }
}
