//! Subscriptions to new calls by email, for anyone: an address (and, if wished, one service
//! category) is pending until the link mailed to it is followed, so nobody can subscribe
//! someone else; every message carries a one-click unsubscribe link. The answer to a
//! subscription is the same whether the address was new, pending or already subscribed,
//! so the form tells nobody who subscribes. New calls are announced by the worker, once a
//! call whatever the number of servers (a notice key claimed in the messages' transaction).
//! The token in the links is kept as it is sent: it can only confirm or end the
//! subscription it belongs to.
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::fields::field_error;
use crate::i18n::{Locale, Msg, format_datetime, format_money};
use crate::outbox::{self, EmailTemplates};
use crate::secrets::random_token;
use chrono::{DateTime, Duration, Utc};
use entity::enums::{CallStatus, ServiceCategory};
use entity::{call, call_subscription};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;

/// Calls published longer ago than this are not announced (a first run does not mail the
/// whole history).
pub const ANNOUNCE_WITHIN_DAYS: i64 = 7;

/// Asks for a subscription: a confirmation link goes to the address unless it is already
/// subscribed to that category. The input is refused on its field.
pub async fn subscribe(
    db: &DatabaseConnection,
    (emails, origin): (&EmailTemplates, &str),
    now: DateTime<Utc>,
    locale: Locale,
    email: &str,
    category: &str,
) -> AppResult<()> {
    let email = crate::accounts::parse_email(email).map_err(|m| field_error("email", m))?;
    let category = category.trim();
    if !category.is_empty() && ServiceCategory::from_code(category).is_none() {
        return Err(field_error("category", Msg::new("subscription.category_unknown")));
    }
    let txn = db.begin().await?;
    let existing = call_subscription::Entity::find()
        .filter(call_subscription::Column::Email.eq(&email))
        .filter(call_subscription::Column::Category.eq(category))
        .one(&txn)
        .await?;
    if existing.as_ref().is_some_and(|s| s.confirmed_at.is_some() && s.unsubscribed_at.is_none()) {
        return Ok(());
    }
    let raw = random_token();
    match existing {
        Some(s) => {
            let mut a: call_subscription::ActiveModel = s.into();
            a.token = Set(raw.clone());
            a.locale = Set(locale.tag().into());
            a.confirmed_at = Set(None);
            a.unsubscribed_at = Set(None);
            sea_orm::ActiveModelTrait::update(a, &txn).await?;
        }
        None => {
            call_subscription::Entity::insert(call_subscription::ActiveModel {
                email: Set(email.clone()),
                locale: Set(locale.tag().into()),
                category: Set(category.into()),
                token: Set(raw.clone()),
                created_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        }
    }
    let category_name =
        if category.is_empty() { String::new() } else { locale.t(&format!("category.{category}")).into() };
    let ctx = json!({"url": format!("{origin}/subscribe/confirm?token={raw}"), "category": category_name});
    outbox::enqueue(&txn, emails, now, &email, locale, "subscription_confirm", ctx).await?;
    txn.commit().await?;
    Ok(())
}

/// The subscription a link names, if it is still pending or active.
pub async fn by_token(db: &DatabaseConnection, raw: &str) -> AppResult<call_subscription::Model> {
    call_subscription::Entity::find()
        .filter(call_subscription::Column::Token.eq(raw.trim()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Follows the confirmation link: pending → active, once.
pub async fn confirm(db: &DatabaseConnection, raw: &str, now: DateTime<Utc>) -> AppResult<()> {
    let s = by_token(db, raw).await?;
    if s.unsubscribed_at.is_some() {
        return Err(AppError::NotFound);
    }
    let txn = db.begin().await?;
    let r = call_subscription::Entity::update_many()
        .col_expr(call_subscription::Column::ConfirmedAt, Expr::value(now))
        .filter(call_subscription::Column::Id.eq(s.id))
        .filter(call_subscription::Column::ConfirmedAt.is_null())
        .exec(&txn)
        .await?;
    if r.rows_affected == 1 {
        audit::append(
            &txn,
            now,
            &Actor::system("subscriber"),
            "subscription.confirmed",
            "subscription",
            s.id,
            json!({}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Ends a subscription; ending it again is not an error.
pub async fn unsubscribe(db: &DatabaseConnection, raw: &str, now: DateTime<Utc>) -> AppResult<()> {
    let s = by_token(db, raw).await?;
    let txn = db.begin().await?;
    let r = call_subscription::Entity::update_many()
        .col_expr(call_subscription::Column::UnsubscribedAt, Expr::value(now))
        .filter(call_subscription::Column::Id.eq(s.id))
        .filter(call_subscription::Column::UnsubscribedAt.is_null())
        .exec(&txn)
        .await?;
    if r.rows_affected == 1 {
        audit::append(&txn, now, &Actor::system("subscriber"), "subscription.ended", "subscription", s.id, json!({}))
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Announces each call published in the last days to the active subscribers of its
/// category (or of every call): once a call, whichever server claims it first.
pub async fn announce(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let calls = call::Entity::find()
        .filter(call::Column::Status.eq(CallStatus::Published))
        .filter(call::Column::PublishedAt.gte(now - Duration::days(ANNOUNCE_WITHIN_DAYS)))
        .filter(call::Column::BidDeadline.gt(now))
        .order_by_asc(call::Column::Id)
        .all(db)
        .await?;
    let mut sent = 0;
    for c in calls {
        let key = format!("call_announced:{}", c.id);
        let txn = db.begin().await?;
        if !crate::contracts::reminders::claim(&txn, &key, now).await? {
            continue;
        }
        let subscribers = call_subscription::Entity::find()
            .filter(call_subscription::Column::ConfirmedAt.is_not_null())
            .filter(call_subscription::Column::UnsubscribedAt.is_null())
            .filter(call_subscription::Column::Category.is_in([String::new(), c.category.code().to_string()]))
            .all(&txn)
            .await?;
        for s in subscribers {
            let locale = Locale::from_tag(&s.locale).unwrap_or(Locale::ZhCn);
            let ctx = json!({
                "title": c.title, "reference": c.reference, "url": format!("{origin}/calls/{}", c.id),
                "category": locale.t(&format!("category.{}", c.category.code())),
                "budget": format_money(c.budget_ceiling_fen),
                "deadline": c.bid_deadline.map(format_datetime).unwrap_or_default(),
                "unsubscribe": format!("{origin}/unsubscribe?token={}", s.token),
            });
            outbox::enqueue(&txn, emails, now, &s.email, locale, "call_announced", ctx).await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    Ok(sent)
}
