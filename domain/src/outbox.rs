//! Email as rows: a message is written in the same transaction as the change that caused
//! it, and the mail worker delivers it later with retries.
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use chrono::{DateTime, Duration, Utc};
use entity::enums::OutboxStatus;
use entity::outbox;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::sync::Arc;

/// Draws an email's plain-text and HTML bodies from its kind, language and facts. The
/// domain says which email and with what; the application wires up the template engine
/// that draws it (`mail::templates`).
pub trait EmailBodies: Send + Sync {
    fn bodies(&self, kind: &str, lang: &str, facts: &serde_json::Value) -> Result<(String, String), String>;
}

/// The emails the rules send: the subject is the catalogue entry `email.<kind>.subject`,
/// the bodies come from the wired-up `EmailBodies`.
#[derive(Clone)]
pub struct EmailTemplates {
    bodies: Arc<dyn EmailBodies>,
}

impl EmailTemplates {
    pub fn new(bodies: impl EmailBodies + 'static) -> Self {
        EmailTemplates { bodies: Arc::new(bodies) }
    }

    /// Subject, text and HTML of one email.
    pub fn render(&self, kind: &str, locale: Locale, ctx: &serde_json::Value) -> AppResult<(String, String, String)> {
        let subject = locale.tf(&format!("email.{kind}.subject"), &[]);
        let subject = match filing_reference(ctx) {
            Some(r) => format!("[{r}] {subject}"),
            None => subject,
        };
        let (text, html) = self
            .bodies
            .bodies(kind, locale.tag(), ctx)
            .map_err(|e| AppError::Internal(format!("email {kind}: {e}")))?;
        Ok((subject, text, html))
    }
}

/// What a message is filed under, for its subject: the contract's number, else the call's
/// reference ("[SYHT-2026-001] 合同款项已支付"), when the message is about one.
fn filing_reference(ctx: &serde_json::Value) -> Option<String> {
    ["number", "reference"]
        .iter()
        .filter_map(|k| ctx.get(*k).and_then(|v| v.as_str()))
        .map(crate::clean_line)
        .find(|s| !s.is_empty())
}

/// Kinds starting with this are notices to bidders while bids are sealed.
pub const SEALED_PREFIX: &str = "sealed_";

/// Renders and queues one message. Use the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    templates: &EmailTemplates,
    now: DateTime<Utc>,
    to: &str,
    locale: Locale,
    kind: &str,
    ctx: serde_json::Value,
) -> AppResult<i32> {
    let (subject, body_text, body_html) = templates.render(kind, locale, &ctx)?;
    let row = outbox::ActiveModel {
        public_ref: Set(crate::secrets::random_ref()),
        kind: Set(kind.to_string()),
        to_address: Set(to.to_string()),
        subject: Set(subject),
        body_text: Set(body_text),
        body_html: Set(body_html),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … capped at 1 hour.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 20) as u32 >> 1);
    Duration::seconds(secs.clamp(30, 3600))
}

/// Messages due now, oldest first.
pub async fn due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, limit: u64) -> AppResult<Vec<outbox::Model>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Takes a message for delivery: moves its next attempt into the future only if nobody
/// else did first, so two workers never send the same message.
pub async fn claim<C: ConnectionTrait>(db: &C, msg: &outbox::Model, lease_until: DateTime<Utc>) -> AppResult<bool> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::NextAttemptAt, sea_orm::sea_query::Expr::value(lease_until))
        .filter(outbox::Column::Id.eq(msg.id))
        .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
        .filter(outbox::Column::NextAttemptAt.eq(msg.next_attempt_at))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records a delivery. Only a pending message becomes sent (a message is never sent
/// "again" into another state).
pub async fn mark_sent<C: ConnectionTrait>(db: &C, msg: &outbox::Model, now: DateTime<Utc>) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    let status = msg.status.transition(OutboxStatus::Sent)?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::SentAt, Expr::value(Some(now)))
        .col_expr(outbox::Column::Attempts, Expr::value(msg.attempts + 1))
        .col_expr(outbox::Column::LastError, Expr::value(Option::<String>::None))
        .filter(outbox::Column::Id.eq(msg.id))
        .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt, only while the message is still pending under the lease this
/// worker took (`lease_until`): a message that another worker has sent meanwhile stays
/// sent. After `max_attempts` the message is dead and waits for an admin. Returns the
/// status it is left in, or None when it was no longer this worker's.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    msg: &outbox::Model,
    lease_until: DateTime<Utc>,
    now: DateTime<Utc>,
    error: &str,
    max_attempts: i32,
) -> AppResult<Option<OutboxStatus>> {
    use sea_orm::sea_query::Expr;
    let attempts = msg.attempts + 1;
    let status = if attempts >= max_attempts { msg.status.transition(OutboxStatus::Dead)? } else { msg.status };
    let r = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now + backoff(attempts)))
        .col_expr(outbox::Column::LastError, Expr::value(Some(error.chars().take(500).collect::<String>())))
        .filter(outbox::Column::Id.eq(msg.id))
        .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
        .filter(outbox::Column::NextAttemptAt.eq(lease_until))
        .exec(db)
        .await?;
    Ok((r.rows_affected == 1).then_some(status))
}

/// Notes that a background loop (`delivery`, `reminders`) finished a round, with what it
/// did or the error it met: `/admin/outbox` shows when each last ran, on any server.
pub async fn beat<C: ConnectionTrait>(db: &C, name: &str, now: DateTime<Utc>, note: &str) -> AppResult<()> {
    use entity::worker_beat;
    use sea_orm::sea_query::OnConflict;
    worker_beat::Entity::insert(worker_beat::ActiveModel {
        name: Set(name.to_string()),
        beat_at: Set(now),
        note: Set(Some(note.chars().take(500).collect())),
    })
    .on_conflict(
        OnConflict::column(worker_beat::Column::Name)
            .update_columns([worker_beat::Column::BeatAt, worker_beat::Column::Note])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The state of delivery for the admin: each loop's last round, and when the oldest
/// message still waiting was written (notices of sealed calls left out, as in the list).
#[derive(Debug, serde::Serialize)]
pub struct Health {
    pub beats: Vec<(String, DateTime<Utc>, Option<String>)>,
    pub oldest_pending: Option<DateTime<Utc>>,
    pub pending: u64,
}

pub async fn health<C: ConnectionTrait>(db: &C) -> AppResult<Health> {
    let beats = entity::worker_beat::Entity::find()
        .order_by_asc(entity::worker_beat::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.name, b.beat_at, b.note))
        .collect();
    let waiting = || {
        outbox::Entity::find()
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(outbox::Column::Kind.not_like(format!("{SEALED_PREFIX}%")))
    };
    let oldest = waiting().order_by_asc(outbox::Column::CreatedAt).one(db).await?.map(|m| m.created_at);
    Ok(Health { beats, oldest_pending: oldest, pending: waiting().count(db).await? })
}

/// Puts a dead message back in the queue (admin action), audited.
/// Puts a dead message back in the queue, found by its public reference.
pub async fn retry(
    db: &sea_orm::DatabaseConnection,
    public_ref: &str,
    now: DateTime<Utc>,
    actor: &super::audit::Actor,
) -> AppResult<()> {
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    let msg = outbox::Entity::find()
        .filter(outbox::Column::PublicRef.eq(public_ref))
        .filter(outbox::Column::Kind.not_like(format!("{SEALED_PREFIX}%")))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = msg.status.transition(OutboxStatus::Pending)?;
    let mut am: outbox::ActiveModel = msg.into();
    am.status = Set(status);
    am.attempts = Set(0);
    am.next_attempt_at = Set(now);
    am.update(&txn).await?;
    super::audit::append(&txn, now, actor, "outbox.retry", "outbox", public_ref, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    status: Option<OutboxStatus>,
    page: u64,
) -> AppResult<(Vec<OutboxRow>, u64)> {
    // Notices to the bidders of a sealed call would tell who (and how many) bid: they are
    // delivered like any other message but never listed.
    let mut q = outbox::Entity::find()
        .filter(outbox::Column::Kind.not_like(format!("{SEALED_PREFIX}%")))
        .order_by_desc(outbox::Column::Id);
    if let Some(s) = status {
        q = q.filter(outbox::Column::Status.eq(s));
    }
    let p = q.paginate(db, 50);
    let total = p.num_items().await?;
    // A page past the last shows the last (and a huge number cannot overflow the offset).
    let last = total.div_ceil(50).saturating_sub(1);
    let rows = p.fetch_page(page.min(last)).await?;
    Ok((
        rows.into_iter()
            .map(|m| OutboxRow { retryable: m.status.transition(OutboxStatus::Pending).is_ok(), message: m })
            .collect(),
        total,
    ))
}

/// A message as the administrator's outbox page lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxRow {
    #[serde(flatten)]
    pub message: outbox::Model,
    /// Given up on, and so may be queued again.
    pub retryable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_filed_under_the_contract_else_the_call() {
        use serde_json::json;
        let both = json!({"number": "SYHT-2026-001", "reference": "SYMZ-2026-003"});
        assert_eq!(filing_reference(&both).as_deref(), Some("SYHT-2026-001"));
        let call = json!({"number": null, "reference": "SYMZ-2026-003"});
        assert_eq!(filing_reference(&call).as_deref(), Some("SYMZ-2026-003"));
        assert_eq!(filing_reference(&json!({"number": " \n", "name": "王"})), None);
        assert_eq!(filing_reference(&json!({"reference": "A\r\nBcc: x"})).as_deref(), Some("A Bcc: x"), "one line");
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
