//! Reminders to providers before a milestone falls due (by default 14 and 3 days before)
//! and on the day it becomes overdue, and a daily digest to officers of the reports waiting
//! for review. Each goes out once, however many servers run the worker: the notice's key
//! is inserted into a unique column in the same transaction as the messages, and the
//! server that loses the race inserts nothing and sends nothing.
use super::{ContractRules, access};
use crate::error::AppResult;
use crate::i18n::Locale;
use crate::outbox::{self, EmailTemplates};
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use entity::enums::{ContractStatus, MilestoneStatus};
use entity::{contract, milestone, notice_sent};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait, TryInsertResult,
};
use std::collections::HashSet;

/// Claims a notice key; false when another server (or an earlier run) already did.
pub(crate) async fn claim(txn: &DatabaseTransaction, key: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let r = notice_sent::Entity::insert(notice_sent::ActiveModel {
        notice_key: Set(key.to_string()),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([notice_sent::Column::NoticeKey])
    .exec_without_returning(txn)
    .await?;
    Ok(matches!(r, TryInsertResult::Inserted(n) if n == 1))
}

/// Of these keys, those already claimed.
pub(crate) async fn sent_already(db: &DatabaseConnection, keys: Vec<String>) -> AppResult<HashSet<String>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(notice_sent::Entity::find()
        .select_only()
        .column(notice_sent::Column::NoticeKey)
        .filter(notice_sent::Column::NoticeKey.is_in(keys))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Which notice a milestone is due today, if any: the smallest reminder day it has
/// reached (so a server that was down on the day still sends it, once), or overdue.
pub fn notice_for(due_on: NaiveDate, today: NaiveDate, days_before: &[i64]) -> Option<String> {
    let left = (due_on - today).num_days();
    if left < 0 {
        return Some("overdue".into());
    }
    days_before.iter().filter(|d| left <= **d).min().map(|d| format!("before{d}"))
}

/// Queues what is due now. Returns how many notices were sent (one per milestone or
/// officer, whatever the number of recipients).
pub async fn run(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    rules: &ContractRules,
) -> AppResult<usize> {
    let local = crate::i18n::to_local(now);
    let today = local.date_naive();
    let horizon = today + chrono::Duration::days(rules.remind_days_before.iter().copied().max().unwrap_or(0));
    // One query for the candidates, one for the contracts, one for the notices already
    // sent: a worker tick costs three reads however many milestones are open.
    let open = milestone::Entity::find()
        .filter(milestone::Column::Status.ne(MilestoneStatus::Accepted))
        .filter(milestone::Column::DueOn.lte(horizon))
        .order_by_asc(milestone::Column::DueOn)
        .all(db)
        .await?;
    let active: Vec<contract::Model> = contract::Entity::find()
        .filter(contract::Column::Status.eq(ContractStatus::Active))
        .filter(contract::Column::Id.is_in(open.iter().map(|m| m.contract_id)))
        .all(db)
        .await?;
    let due: Vec<(&milestone::Model, &contract::Model, String, bool)> = open
        .iter()
        .filter_map(|m| {
            let k = active.iter().find(|k| k.id == m.contract_id)?;
            let which = notice_for(m.due_on, today, &rules.remind_days_before)?;
            // A milestone whose report is in is not overdue on the provider's side.
            if which == "overdue" && m.status == MilestoneStatus::Submitted {
                return None;
            }
            Some((m, k, format!("milestone:{}:{which}:{}", m.id, m.due_on), which == "overdue"))
        })
        .collect();
    let known = sent_already(db, due.iter().map(|d| d.2.clone()).collect()).await?;
    let mut sent = 0;
    for (m, k, key, overdue) in due.into_iter().filter(|d| !known.contains(&d.2)) {
        let txn = db.begin().await?;
        if !claim(&txn, &key, now).await? {
            continue;
        }
        let kind = if overdue { "milestone_overdue" } else { "milestone_due" };
        let ctx = serde_json::json!({
            "milestone": m.title, "due_on": m.due_on.to_string(), "days": (m.due_on - today).num_days(),
            "url": format!("{origin}/contracts/{}#milestone-{}", k.id, m.id),
        });
        access::notify_provider(&txn, emails, now, k, kind, None, ctx).await?;
        txn.commit().await?;
        sent += 1;
    }
    if local.hour() >= rules.digest_hour {
        sent += digest(db, emails, origin, now, today).await?;
    }
    Ok(sent)
}

/// One digest a day per officer, when reports are waiting.
async fn digest(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<usize> {
    let waiting = milestone::Entity::find()
        .filter(milestone::Column::Status.eq(MilestoneStatus::Submitted))
        .order_by_asc(milestone::Column::UpdatedAt)
        .all(db)
        .await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i32> = waiting.iter().map(|m| m.contract_id).collect();
    let contracts = contract::Entity::find().filter(contract::Column::Id.is_in(ids)).all(db).await?;
    let items: Vec<serde_json::Value> = waiting
        .iter()
        .map(|m| {
            let number = contracts.iter().find(|k| k.id == m.contract_id).and_then(|k| k.number.clone());
            serde_json::json!({
                "number": number, "milestone": m.title,
                "since": crate::i18n::format_datetime(m.updated_at),
                "url": format!("{origin}/contracts/{}#milestone-{}", m.contract_id, m.id),
            })
        })
        .collect();
    let officers = access::officers(db).await?;
    let known = sent_already(db, officers.iter().map(|o| format!("digest:{}:{today}", o.id)).collect()).await?;
    let mut sent = 0;
    for officer in officers.iter().filter(|o| !known.contains(&format!("digest:{}:{today}", o.id))) {
        let txn = db.begin().await?;
        if !claim(&txn, &format!("digest:{}:{today}", officer.id), now).await? {
            continue;
        }
        let locale = Locale::from_tag(&officer.locale).unwrap_or(Locale::ZhCn);
        outbox::enqueue(
            &txn,
            emails,
            now,
            &officer.email,
            locale,
            "review_digest",
            serde_json::json!({"name": officer.display_name, "count": items.len(), "items": items, "url": format!("{origin}/contracts?waiting=true")}),
        )
        .await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_notice_on_each_day() {
        let due = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default();
        let on = |d: i64| notice_for(due, due - chrono::Duration::days(d), &[14, 3]);
        assert_eq!(on(15), None);
        assert_eq!(on(14).as_deref(), Some("before14"));
        assert_eq!(on(4).as_deref(), Some("before14"), "a missed day is caught up, under the same key");
        assert_eq!(on(3).as_deref(), Some("before3"));
        assert_eq!(on(0).as_deref(), Some("before3"));
        assert_eq!(on(-1).as_deref(), Some("overdue"));
    }
}
