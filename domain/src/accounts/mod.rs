//! Accounts: registration with email verification, login with throttling, server-side
//! sessions, password reset, profiles, accounts made by an admin, API tokens.
pub mod view;
pub use view::UserView;

pub use super::api_tokens::{api_tokens, create_api_token, revoke_api_token, user_by_api_token};
use super::audit::{self, Actor};
use super::outbox::{self, EmailTemplates};
use super::secrets::{generate_password, hash_password, random_token, token_hash};
pub use super::sessions::{FAILURE_WINDOW_MINUTES, MAX_FAILURES, login, logout, logout_everywhere, session_user};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Locale, Msg};
use chrono::{DateTime, Duration, Utc};
use entity::enums::{Role, TokenPurpose};
use entity::{email_token, session, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};

/// Lower-cased, trimmed address that a mailer delivers to as it is: a dot-atom local part
/// (ASCII letters, digits and the symbols RFC 5322 allows), one @, and a domain of two or more
/// labels of ASCII letters, digits, inner hyphens or Chinese characters. A group like
/// `grp:x@y.cn;`, a quoted local part or an address with a display part is refused here, not
/// left stuck in the queue; the web crate's mailer test checks that it takes every address
/// this takes.
pub fn parse_email(input: &str) -> Result<String, Msg> {
    let e = input.trim().to_lowercase();
    if e.is_empty() {
        return Err(Msg::new("field.required"));
    }
    let ok = e.len() <= MAX_EMAIL_LEN
        && matches!(e.split_once('@'), Some((local, domain)) if local_part_ok(local) && domain_ok(domain));
    if ok { Ok(e) } else { Err(Msg::new("email.invalid")) }
}

/// RFC 5321's limits on a path, its local part and a domain label.
const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

fn local_part_ok(local: &str) -> bool {
    const SYMBOLS: &[u8] = b"!#$%&'*+/=?^_`{|}~-";
    local.len() <= MAX_LOCAL_LEN
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(|b| b.is_ascii_alphanumeric() || SYMBOLS.contains(&b)))
}

fn domain_ok(domain: &str) -> bool {
    let han = |c: char| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}');
    let mut labels = 0;
    let all_ok = domain.split('.').all(|label| {
        labels += 1;
        // "xn--" labels are already-encoded names the mailer decodes and may refuse.
        let encoded = label.is_ascii() && label.get(2..4) == Some("--");
        !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && !label.starts_with('-')
            && !label.ends_with('-')
            && !encoded
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || han(c))
    });
    all_ok && labels >= 2
}

pub fn check_password(pw: &str) -> Result<(), Msg> {
    let n = pw.chars().count();
    if n < 8 {
        Err(Msg::new("password.too_short"))
    } else if n > 128 {
        Err(Msg::new("password.too_long"))
    } else {
        Ok(())
    }
}

fn hash(pw: &str) -> AppResult<String> {
    hash_password(pw).map_err(AppError::Internal)
}

pub struct Registration {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub locale: Locale,
}

/// Outcome the pages show; identical whether or not the address was already taken, so
/// registration does not reveal who has an account.
pub async fn register(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    r: Registration,
) -> AppResult<()> {
    let mut errs = FieldErrors::default();
    let email = parse_email(&r.email).map_err(|m| errs.add("email", m)).ok();
    if let Err(m) = check_password(&r.password) {
        errs.add("password", m);
    }
    let display_name = super::clean_line(&r.display_name);
    if display_name.is_empty() {
        errs.add("display_name", Msg::new("field.required"));
    } else if display_name.chars().count() > 100 {
        errs.add("display_name", Msg::new("field.too_long").arg("max", 100));
    }
    errs.into_result()?;
    let email = email.unwrap_or_default();
    let password_hash = hash(&r.password)?;
    let txn = db.begin().await?;
    if let Some(existing) = user::Entity::find().filter(user::Column::Email.eq(&email)).one(&txn).await? {
        if mailbox_full(&txn, &email, now).await? {
            return Ok(());
        }
        let locale = Locale::from_tag(&existing.locale).unwrap_or(r.locale);
        outbox::enqueue(&txn, emails, now, &email, locale, "account_exists", serde_json::json!({
            "name": existing.display_name, "login_url": format!("{origin}/login"), "reset_url": format!("{origin}/password-reset"),
        }))
        .await?;
        txn.commit().await?;
        return Ok(());
    }
    let u = user::ActiveModel {
        email: Set(email.clone()),
        password_hash: Set(password_hash),
        display_name: Set(display_name),
        role: Set(Role::NgoMember),
        organization_id: Set(None),
        email_verified_at: Set(None),
        locale: Set(r.locale.tag().to_string()),
        disabled: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let token = issue_token(&txn, u.id, TokenPurpose::VerifyEmail, now, Duration::hours(48)).await?;
    outbox::enqueue(
        &txn,
        emails,
        now,
        &email,
        r.locale,
        "verify_email",
        serde_json::json!({
            "name": u.display_name, "url": format!("{origin}/verify/{token}"),
        }),
    )
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(&u),
        "account.registered",
        "user",
        u.id,
        serde_json::json!({"email": email, "role": "ngo_member"}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
    ttl: Duration,
) -> AppResult<String> {
    // A new link replaces any older one of the same purpose still unused.
    email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(email_token::Column::UserId.eq(user_id))
        .filter(email_token::Column::Purpose.eq(purpose))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let raw = random_token();
    email_token::ActiveModel {
        token_hash: Set(token_hash(&raw)),
        user_id: Set(user_id),
        purpose: Set(purpose),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(raw)
}

/// Consumes a token: it must exist, match the purpose, be unused and unexpired.
async fn use_token<C: ConnectionTrait>(
    db: &C,
    raw: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let invalid = || AppError::BadRequest(Msg::new("token.invalid"));
    let t = email_token::Entity::find_by_id(token_hash(raw)).one(db).await?.ok_or_else(invalid)?;
    if t.purpose != purpose || t.used_at.is_some() || t.expires_at <= now {
        return Err(invalid());
    }
    let user_id = t.user_id;
    // Used once: of two uses at the same moment, only one finds it unused.
    let taken = email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(email_token::Column::TokenHash.eq(t.token_hash))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if taken.rows_affected == 0 {
        return Err(invalid());
    }
    user::Entity::find_by_id(user_id).one(db).await?.ok_or_else(invalid)
}

pub async fn verify_email(db: &DatabaseConnection, raw: &str, now: DateTime<Utc>) -> AppResult<user::Model> {
    let txn = db.begin().await?;
    let u = use_token(&txn, raw, TokenPurpose::VerifyEmail, now).await?;
    let mut am: user::ActiveModel = u.clone().into();
    am.email_verified_at = Set(Some(now));
    let u = am.update(&txn).await?;
    audit::append(&txn, now, &Actor::user(&u), "account.verified", "user", u.id, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(u)
}

/// Account emails (verification, "you already have an account", reset links) sent to one
/// address within an hour, at most: more requests send nothing, and say nothing either way,
/// so nobody can flood a mailbox through the forms.
pub const MAIL_PER_ADDRESS_PER_HOUR: u64 = 3;

async fn mailbox_full<C: ConnectionTrait>(db: &C, email: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let sent = entity::outbox::Entity::find()
        .filter(entity::outbox::Column::ToAddress.eq(email))
        .filter(entity::outbox::Column::Kind.is_in(["verify_email", "account_exists", "password_reset"]))
        .filter(entity::outbox::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(db)
        .await?;
    if sent >= MAIL_PER_ADDRESS_PER_HOUR {
        log::warn!("account mail to {email} held back: {sent} in the last hour");
    }
    Ok(sent >= MAIL_PER_ADDRESS_PER_HOUR)
}

/// Sends a reset link if the address has an account; says nothing either way.
pub async fn request_password_reset(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    email: &str,
) -> AppResult<()> {
    let Ok(email) = parse_email(email) else { return Ok(()) };
    let txn = db.begin().await?;
    if let Some(u) = user::Entity::find().filter(user::Column::Email.eq(&email)).one(&txn).await?
        && !u.disabled
        && !mailbox_full(&txn, &email, now).await?
    {
        let token = issue_token(&txn, u.id, TokenPurpose::ResetPassword, now, Duration::hours(1)).await?;
        let locale = Locale::from_tag(&u.locale).unwrap_or(Locale::ZhCn);
        outbox::enqueue(
            &txn,
            emails,
            now,
            &email,
            locale,
            "password_reset",
            serde_json::json!({
                "name": u.display_name, "url": format!("{origin}/password-reset/{token}"),
            }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Sets a new password from a reset link and ends all existing sessions.
pub async fn reset_password(
    db: &DatabaseConnection,
    raw: &str,
    new_password: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Err(m) = check_password(new_password) {
        let mut e = FieldErrors::default();
        e.add("password", m);
        return Err(AppError::Invalid(e));
    }
    let hashed = hash(new_password)?;
    let txn = db.begin().await?;
    let u = use_token(&txn, raw, TokenPurpose::ResetPassword, now).await?;
    let mut am: user::ActiveModel = u.clone().into();
    am.password_hash = Set(hashed);
    // Following the emailed link proves the address too.
    if u.email_verified_at.is_none() {
        am.email_verified_at = Set(Some(now));
    }
    am.update(&txn).await?;
    session::Entity::delete_many().filter(session::Column::UserId.eq(u.id)).exec(&txn).await?;
    // Whoever had the old password may have made API tokens: they go too.
    let revoked = entity::api_token::Entity::update_many()
        .col_expr(entity::api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(entity::api_token::Column::UserId.eq(u.id))
        .filter(entity::api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(&u),
        "account.password_reset",
        "user",
        u.id,
        serde_json::json!({"api_tokens_revoked": revoked.rows_affected}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn update_profile(
    db: &DatabaseConnection,
    u: &user::Model,
    display_name: &str,
    locale: Locale,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let name = super::clean_line(display_name);
    let name = name.as_str();
    let mut errs = FieldErrors::default();
    if name.is_empty() {
        errs.add("display_name", Msg::new("field.required"));
    } else if name.chars().count() > 100 {
        errs.add("display_name", Msg::new("field.too_long").arg("max", 100));
    }
    errs.into_result()?;
    let txn = db.begin().await?;
    let mut am: user::ActiveModel = u.clone().into();
    am.display_name = Set(name.to_string());
    am.locale = Set(locale.tag().to_string());
    let updated = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "account.profile_updated",
        "user",
        u.id,
        serde_json::json!({"display_name": name, "locale": locale.tag()}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// An account made by an admin (or the CLI): verified at once, with a generated password
/// unless one is given. Returns the account and the password to hand over once.
pub async fn create_account<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    email: &str,
    display_name: &str,
    role: Role,
    organization_id: Option<i32>,
    password: Option<&str>,
) -> AppResult<(user::Model, String)> {
    let mut errs = FieldErrors::default();
    let email = parse_email(email).map_err(|m| errs.add("email", m)).ok().unwrap_or_default();
    let display_name = super::clean_line(display_name);
    if display_name.is_empty() {
        errs.add("display_name", Msg::new("field.required"));
    }
    if let Some(p) = password
        && let Err(m) = check_password(p)
    {
        errs.add("password", m);
    }
    if !email.is_empty() && user::Entity::find().filter(user::Column::Email.eq(&email)).count(db).await? > 0 {
        errs.add("email", Msg::new("email.taken"));
    }
    errs.into_result()?;
    let password = password.map(str::to_string).unwrap_or_else(generate_password);
    let u = user::ActiveModel {
        email: Set(email.clone()),
        password_hash: Set(hash(&password)?),
        display_name: Set(display_name),
        role: Set(role),
        organization_id: Set(organization_id),
        email_verified_at: Set(Some(now)),
        locale: Set(Locale::ZhCn.tag().to_string()),
        disabled: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::append(
        db,
        now,
        actor,
        "account.created",
        "user",
        u.id,
        serde_json::json!({"email": email, "role": role.code()}),
    )
    .await?;
    Ok((u, password))
}

/// An admin makes an account for bureau staff, a hub manager, an expert or an evaluator.
pub async fn create_by_admin(
    db: &DatabaseConnection,
    admin: &user::Model,
    now: DateTime<Utc>,
    email: &str,
    display_name: &str,
    role: &str,
) -> AppResult<(user::Model, String)> {
    let Some(role) = Role::from_code(role.trim()) else {
        let mut e = FieldErrors::default();
        e.add("role", Msg::new("field.choose"));
        return Err(AppError::Invalid(e));
    };
    let txn = db.begin().await?;
    let made = create_account(&txn, &Actor::user(admin), now, email, display_name, role, None, None).await?;
    txn.commit().await?;
    Ok(made)
}

/// An admin stops or restores an account. Stopping ends its sessions at once; its API
/// tokens stop working while it is stopped. Nobody stops their own account.
pub async fn set_disabled(
    db: &DatabaseConnection,
    admin: &user::Model,
    now: DateTime<Utc>,
    user_id: i32,
    disabled: bool,
) -> AppResult<user::Model> {
    if user_id == admin.id {
        return Err(AppError::Conflict(Msg::new("users.not_yourself")));
    }
    let txn = db.begin().await?;
    let u = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if u.disabled == disabled {
        return Err(AppError::Conflict(Msg::new(if disabled {
            "users.already_disabled"
        } else {
            "users.already_enabled"
        })));
    }
    let mut am: user::ActiveModel = u.into();
    am.disabled = Set(disabled);
    let u = am.update(&txn).await?;
    if disabled {
        session::Entity::delete_many().filter(session::Column::UserId.eq(u.id)).exec(&txn).await?;
    }
    let action = if disabled { "account.disabled" } else { "account.enabled" };
    audit::append(&txn, now, &Actor::user(admin), action, "user", u.id, serde_json::json!({"email": u.email})).await?;
    txn.commit().await?;
    Ok(u)
}

pub async fn list_users(db: &DatabaseConnection) -> AppResult<Vec<user::Model>> {
    Ok(user::Entity::find().order_by_asc(user::Column::Id).all(db).await?)
}

pub async fn any_admin(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(user::Entity::find().filter(user::Column::Role.eq(Role::Admin)).count(db).await? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked() {
        assert_eq!(parse_email(" A@Example.ORG ").as_deref(), Ok("a@example.org"));
        assert!(parse_email("no-at.example.org").is_err());
        assert!(parse_email("a@b").is_err());
        assert!(parse_email("a b@c.org").is_err());
        assert!(parse_email("a@@c.org").is_err());
        assert!(parse_email("grp:x@y.cn;").is_err());
        assert!(parse_email("\"a b\"@c.org").is_err());
        assert!(parse_email("a..b@c.org").is_err());
        assert!(parse_email(".a@c.org").is_err());
        assert!(parse_email("a@-c.org").is_err());
        assert!(parse_email("a@c..org").is_err());
        assert!(parse_email("张三@c.org").is_err());
        assert_eq!(parse_email("o'brien+tag@mail.example.org").as_deref(), Ok("o'brien+tag@mail.example.org"));
        assert_eq!(parse_email("wang@民政.中国").as_deref(), Ok("wang@民政.中国"));
    }
}
