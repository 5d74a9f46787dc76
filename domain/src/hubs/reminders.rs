//! The reminder to a member 30 days before the planned end of incubation. Sent once per
//! planned end (an extension makes a new one due), even with several servers running:
//! the row is marked by an UPDATE that matches only while unmarked, in the same
//! transaction as the message.
use crate::error::AppResult;
use crate::i18n::Locale;
use crate::outbox::{self, EmailTemplates};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::MembershipStage;
use entity::{hub, hub_membership, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

pub const DAYS_BEFORE_END: i64 = 30;

/// Queues the reminders due today. Returns how many were queued.
pub async fn send_term_reminders(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<usize> {
    let horizon = today + Duration::days(DAYS_BEFORE_END);
    let due = hub_membership::Entity::find()
        .filter(hub_membership::Column::Stage.is_in([MembershipStage::Incubating, MembershipStage::Extended]))
        .filter(hub_membership::Column::PlannedEndOn.between(today, horizon))
        .all(db)
        .await?;
    let mut queued = 0;
    for m in due.into_iter().filter(|m| m.reminder_sent_for != Some(m.planned_end_on)) {
        let txn = db.begin().await?;
        let marked = hub_membership::Entity::update_many()
            .col_expr(hub_membership::Column::ReminderSentFor, Expr::value(m.planned_end_on))
            .filter(hub_membership::Column::Id.eq(m.id))
            .filter(hub_membership::Column::PlannedEndOn.eq(m.planned_end_on))
            .filter(
                Condition::any()
                    .add(hub_membership::Column::ReminderSentFor.is_null())
                    .add(Expr::col(hub_membership::Column::ReminderSentFor).ne(m.planned_end_on)),
            )
            .exec(&txn)
            .await?;
        if marked.rows_affected != 1 {
            continue;
        }
        let (Some(member), Some(h)) = (
            user::Entity::find_by_id(m.member_user_id).one(&txn).await?,
            hub::Entity::find_by_id(m.hub_id).one(&txn).await?,
        ) else {
            continue;
        };
        let locale = Locale::from_tag(&member.locale).unwrap_or(Locale::ZhCn);
        outbox::enqueue(
            &txn,
            emails,
            now,
            &member.email,
            locale,
            "hub_term_ending",
            serde_json::json!({
                "name": member.display_name, "hub": h.name, "planned_end_on": m.planned_end_on.to_string(),
                "days": (m.planned_end_on - today).num_days(),
                "url": format!("{origin}/hubs/{}/members/{}", m.hub_id, m.id),
            }),
        )
        .await?;
        txn.commit().await?;
        queued += 1;
    }
    Ok(queued)
}
