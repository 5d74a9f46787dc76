//! Reminders to a provider whose self-evaluation is due (by default 3 days before, and a
//! missed day is caught up), sent once across servers like the milestone reminders.
use super::rules::EvaluationRules;
use crate::contracts::access::notify_provider;
use crate::contracts::reminders::{claim, notice_for, sent_already};
use crate::error::AppResult;
use crate::outbox::EmailTemplates;
use chrono::{DateTime, Utc};
use entity::enums::{ContractStatus, EvaluationStatus};
use entity::{contract, evaluation};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

pub async fn run(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    rules: &EvaluationRules,
) -> AppResult<usize> {
    let today = crate::i18n::to_local(now).date_naive();
    let horizon = today + chrono::Duration::days(rules.self_remind_days_before.iter().copied().max().unwrap_or(0));
    let waiting = evaluation::Entity::find()
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scheduled))
        .filter(evaluation::Column::SelfDueOn.lte(horizon))
        .filter(evaluation::Column::SelfDueOn.gte(today))
        .all(db)
        .await?;
    let contracts = contract::Entity::find()
        .filter(contract::Column::Id.is_in(waiting.iter().map(|e| e.contract_id)))
        .filter(contract::Column::Status.eq(ContractStatus::Active))
        .all(db)
        .await?;
    let due: Vec<(&evaluation::Model, &contract::Model, String)> = waiting
        .iter()
        .filter_map(|e| {
            let k = contracts.iter().find(|k| k.id == e.contract_id)?;
            let which = notice_for(e.self_due_on, today, &rules.self_remind_days_before)?;
            Some((e, k, format!("evaluation-self:{}:{which}:{}", e.id, e.self_due_on)))
        })
        .collect();
    let known = sent_already(db, due.iter().map(|d| d.2.clone()).collect()).await?;
    let mut sent = 0;
    for (e, k, key) in due.into_iter().filter(|d| !known.contains(&d.2)) {
        let txn = db.begin().await?;
        if !claim(&txn, &key, now).await? {
            continue;
        }
        let ctx = serde_json::json!({
            "kind": e.kind.code(), "project": k.number, "self_due_on": e.self_due_on.to_string(),
            "days": (e.self_due_on - today).num_days(), "url": format!("{origin}/evaluations/{}", e.id),
        });
        notify_provider(&txn, emails, now, k, "evaluation_self_due", None, ctx).await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
