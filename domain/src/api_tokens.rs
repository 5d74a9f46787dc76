//! API tokens: bearer credentials for the JSON API, shown once and stored as a hash.
use super::audit::{self, Actor};
use super::secrets::{random_token, token_hash};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::{api_token, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

/// A bearer token for the JSON API, shown once.
pub async fn create_api_token(
    db: &DatabaseConnection,
    u: &user::Model,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let name = super::clean(name);
    let name = name.as_str();
    if name.is_empty() || name.chars().count() > 100 {
        let mut e = FieldErrors::default();
        e.add("name", Msg::new("field.required"));
        return Err(AppError::Invalid(e));
    }
    let raw = format!("fh_{}", random_token());
    let txn = db.begin().await?;
    let t = api_token::ActiveModel {
        user_id: Set(u.id),
        name: Set(name.to_string()),
        token_hash: Set(token_hash(&raw)),
        created_at: Set(now),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "api_token.created",
        "api_token",
        t.id,
        serde_json::json!({"name": name}),
    )
    .await?;
    txn.commit().await?;
    Ok(raw)
}

pub async fn api_tokens(db: &DatabaseConnection, u: &user::Model) -> AppResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(u.id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

pub async fn revoke_api_token(db: &DatabaseConnection, u: &user::Model, id: i32, now: DateTime<Utc>) -> AppResult<()> {
    let txn = db.begin().await?;
    // Only one's own token: someone else's is "not found".
    let t = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(u.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if t.revoked_at.is_some() {
        return Err(AppError::Conflict(Msg::new("api_token.already_revoked")));
    }
    let mut am: api_token::ActiveModel = t.into();
    am.revoked_at = Set(Some(now));
    am.update(&txn).await?;
    audit::append(&txn, now, &Actor::user(u), "api_token.revoked", "api_token", id, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn user_by_api_token(db: &DatabaseConnection, raw: &str) -> AppResult<Option<user::Model>> {
    let Some(t) = api_token::Entity::find().filter(api_token::Column::TokenHash.eq(token_hash(raw))).one(db).await?
    else {
        return Ok(None);
    };
    if t.revoked_at.is_some() {
        return Ok(None);
    }
    Ok(user::Entity::find_by_id(t.user_id).one(db).await?.filter(|u| !u.disabled && u.email_verified_at.is_some()))
}
