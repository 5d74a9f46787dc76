//! Sessions: login with throttling, the session behind a cookie, logout, and logging out
//! everywhere. A session is a row; the cookie holds a random id whose hash is the key.
use super::audit::{self, Actor};
use super::secrets::{hash_password, random_token, token_hash, verify_password};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use chrono::{DateTime, Duration, Utc};
use entity::{login_failure, session, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

pub const MAX_FAILURES: u64 = 10;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Failed attempts in the window for this address or this account.
async fn recent_failures(
    reads: &DatabaseConnection,
    email: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<(u64, u64)> {
    let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let by_email = login_failure::Entity::find()
        .filter(login_failure::Column::Email.eq(email))
        .filter(login_failure::Column::At.gt(since))
        .count(reads)
        .await?;
    let by_ip = login_failure::Entity::find()
        .filter(login_failure::Column::Ip.eq(ip))
        .filter(login_failure::Column::At.gt(since))
        .count(reads)
        .await?;
    Ok((by_email, by_ip))
}

/// Counts a failed (or throttled) login for the throttle, and audits a failure: an
/// administrator sees who was tried, from where, and whether the account exists. Throttled
/// attempts cost an attacker nothing, so they are counted but not audited one by one (the
/// failures before the throttle are); the address tried is cut to 254 characters.
async fn record_failure(
    db: &DatabaseConnection,
    email: &str,
    ip: &str,
    now: DateTime<Utc>,
    account: Option<i32>,
    throttled: bool,
) -> AppResult<()> {
    let email: String = email.chars().take(254).collect();
    let txn = db.begin().await?;
    login_failure::ActiveModel {
        email: Set(email.clone()),
        ip: Set(ip.to_string()),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if !throttled {
        audit::append(
            &txn,
            now,
            &Actor::system("login"),
            "account.login_failed",
            "user",
            account.unwrap_or(0),
            serde_json::json!({"email": email, "ip": ip, "known_account": account.is_some()}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A dummy hash so that a login for an unknown address costs the same as a real one.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not a real password").unwrap_or_default());

/// Checks credentials and opens a session. Returns the raw session id for the cookie.
/// `reads` serves the look-ups (on SQLite, connections that never wait for the writer: a
/// login during a long import waits for the writer once, for its session).
pub async fn login(
    (db, reads): (&DatabaseConnection, &DatabaseConnection),
    now: DateTime<Utc>,
    email: &str,
    password: &str,
    ip: &str,
    replaced_session: Option<&str>,
) -> AppResult<(String, user::Model)> {
    let email = super::clean(email).to_lowercase();
    let (by_email, by_ip) = recent_failures(reads, &email, ip, now).await?;
    if by_email >= MAX_FAILURES || by_ip >= MAX_FAILURES {
        log::warn!(
            "login throttled for account {email} from {ip} ({by_email} account / {by_ip} address failures in {FAILURE_WINDOW_MINUTES} min)"
        );
        let known = user::Entity::find().filter(user::Column::Email.eq(&email)).one(reads).await?.map(|u| u.id);
        record_failure(db, &email, ip, now, known, true).await?;
        return Err(AppError::TooManyRequests(Msg::new("login.throttled").arg("minutes", FAILURE_WINDOW_MINUTES)));
    }
    let found = user::Entity::find().filter(user::Column::Email.eq(&email)).one(reads).await?;
    // Argon2 takes tens of milliseconds of CPU: on a blocking thread, not on one of the
    // server's few async workers, where it would hold up every request queued behind it.
    let (password, hash) = (password.to_string(), found.as_ref().map(|u| u.password_hash.clone()));
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            verify_password(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("password check: {e}")))?;
    if let Some(u) = found.as_ref().filter(|u| ok && u.disabled) {
        log::info!("login refused for disabled account {}", u.email);
        return Err(AppError::BadRequest(Msg::new("login.disabled")));
    }
    let u = match found {
        Some(u) if ok => u,
        other => {
            record_failure(db, &email, ip, now, other.map(|u| u.id), false).await?;
            return Err(AppError::BadRequest(Msg::new("login.failed")));
        }
    };
    if u.email_verified_at.is_none() {
        return Err(AppError::BadRequest(Msg::new("login.unverified")));
    }
    let txn = db.begin().await?;
    if let Some(old) = replaced_session {
        session::Entity::delete_by_id(token_hash(old)).exec(&txn).await?;
    }
    let raw = random_token();
    session::ActiveModel {
        id_hash: Set(token_hash(&raw)),
        user_id: Set(u.id),
        created_at: Set(now),
        last_seen_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::append(&txn, now, &Actor::user(&u), "session.login", "user", u.id, serde_json::json!({"ip": ip})).await?;
    txn.commit().await?;
    Ok((raw, u))
}

/// The user behind a session id, if the session is alive; refreshes its idle timer. Looked
/// up through `reads`, so that a signed-in request does not wait for SQLite's writer unless
/// it writes (the idle timer is written at most once a minute).
pub async fn session_user(
    (db, reads): (&DatabaseConnection, &DatabaseConnection),
    raw: &str,
    now: DateTime<Utc>,
    idle: Duration,
    absolute: Duration,
) -> AppResult<Option<user::Model>> {
    let Some(s) = session::Entity::find_by_id(token_hash(raw)).one(reads).await? else {
        return Ok(None);
    };
    if s.last_seen_at + idle <= now || s.created_at + absolute <= now {
        session::Entity::delete_by_id(s.id_hash).exec(db).await?;
        return Ok(None);
    }
    let u = user::Entity::find_by_id(s.user_id).one(reads).await?;
    let Some(u) = u.filter(|u| !u.disabled) else { return Ok(None) };
    // Touch at most once a minute: reads stay reads.
    if now - s.last_seen_at > Duration::seconds(60) {
        // A session ended meanwhile matches nothing here: no error, and the next request finds it gone.
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(session::Column::IdHash.eq(s.id_hash))
            .exec(db)
            .await?;
    }
    Ok(Some(u))
}

/// Ends this session; audited when it belonged to someone.
pub async fn logout(db: &DatabaseConnection, raw: &str, now: DateTime<Utc>) -> AppResult<()> {
    let txn = db.begin().await?;
    if let Some(s) = session::Entity::find_by_id(token_hash(raw)).one(&txn).await? {
        let user_id = s.user_id;
        session::Entity::delete_by_id(s.id_hash).exec(&txn).await?;
        if let Some(u) = user::Entity::find_by_id(user_id).one(&txn).await? {
            audit::append(&txn, now, &Actor::user(&u), "session.logout", "user", u.id, serde_json::json!({})).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Ends every session of the account, on every device.
pub async fn logout_everywhere(db: &DatabaseConnection, u: &user::Model, now: DateTime<Utc>) -> AppResult<u64> {
    let txn = db.begin().await?;
    let n = session::Entity::delete_many().filter(session::Column::UserId.eq(u.id)).exec(&txn).await?.rows_affected;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "session.logout_everywhere",
        "user",
        u.id,
        serde_json::json!({"sessions": n}),
    )
    .await?;
    txn.commit().await?;
    Ok(n)
}
