//! Amendments (补充协议) to a signed contract: the only way it changes. Each is numbered,
//! says why and what changed (before and after), gets its own PDF, stored with its digest
//! and sent to the provider, and stays in the contract's history.
use super::documents::ContractDocument;
use super::terms::{max_term_months, parse_term_date};
use super::view;
use super::{ContractRules, access, documents};
use crate::audit::{self, Actor};
use crate::documents::{self as drawing, Draws};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::field_error;
use crate::i18n::{Locale, Msg};
use crate::outbox::EmailTemplates;
use crate::procurement_rules::ProcurementRules;
use chrono::{DateTime, Duration, Months, Utc};
use entity::enums::{ContractStatus, DocumentKind};
use entity::{call, contract, contract_amendment, milestone, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AmendmentInput {
    pub reason: String,
    /// A new end of term, or empty.
    pub ends_on: String,
    /// New service content / performance targets, or empty for unchanged.
    pub service_content: String,
    pub performance_targets: String,
}

/// One change: the field's catalogue key, before and after.
pub type Change = (String, String, String);

/// What an amendment would change, checked.
struct Proposed {
    reason: String,
    changes: Vec<Change>,
    new_end: Option<chrono::NaiveDate>,
    service_content: String,
    performance_targets: String,
}

/// Checks the amendment against the contract: a later end within the longest term the call
/// allows and not before a milestone, texts within their limit, and at least one change.
async fn proposed(
    db: &DatabaseConnection,
    k: &contract::Model,
    procurement: &ProcurementRules,
    input: &AmendmentInput,
) -> AppResult<Proposed> {
    let mut e = FieldErrors::default();
    let reason = crate::fields::text_field(&mut e, "reason", &input.reason, 2000);
    let mut changes: Vec<Change> = Vec::new();
    let new_end = match input.ends_on.trim().is_empty() {
        true => None,
        false => new_end(db, k, procurement, &input.ends_on, &mut e).await?,
    };
    if let (Some(d), Some(end)) = (new_end, k.ends_on) {
        changes.push(("field.contract_ends_on".into(), end.to_string(), d.to_string()));
    }
    let service_content = crate::clean(&input.service_content);
    let performance_targets = crate::clean(&input.performance_targets);
    for (field, text) in [("service_content", &service_content), ("performance_targets", &performance_targets)] {
        if text.chars().count() > crate::fields::LONG_TEXT {
            e.add(field, Msg::new("field.too_long").arg("max", crate::fields::LONG_TEXT));
        }
    }
    if !service_content.is_empty() && service_content != k.service_content {
        changes.push(("field.contract_service_content".into(), k.service_content.clone(), service_content.clone()));
    }
    if !performance_targets.is_empty() && performance_targets != k.performance_targets {
        changes.push((
            "field.contract_performance_targets".into(),
            k.performance_targets.clone(),
            performance_targets.clone(),
        ));
    }
    e.into_result()?;
    if changes.is_empty() {
        return Err(field_error("reason", Msg::new("contract.amend_nothing")));
    }
    Ok(Proposed { reason, changes, new_end, service_content, performance_targets })
}

/// A new end date typed as `typed`, if it changes the end and keeps the rules; else the
/// reason in `e`.
async fn new_end(
    db: &DatabaseConnection,
    k: &contract::Model,
    procurement: &ProcurementRules,
    typed: &str,
    e: &mut FieldErrors,
) -> AppResult<Option<chrono::NaiveDate>> {
    let (d, start) = match (parse_term_date(typed), k.starts_on, k.ends_on) {
        (Some(d), Some(start), Some(end)) if d != end => (d, start),
        (None, _, _) => {
            e.add("ends_on", Msg::new("field.date"));
            return Ok(None);
        }
        _ => return Ok(None),
    };
    let c = call::Entity::find_by_id(k.call_id).one(db).await?.ok_or(AppError::NotFound)?;
    let max = max_term_months(&c, procurement);
    let limit = start.checked_add_months(Months::new(max as u32)).map(|x| x - Duration::days(1));
    let last_due = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(k.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.due_on)
        .max();
    if limit.is_some_and(|l| d > l) {
        e.add("ends_on", Msg::new("contract.term_too_long").arg("max", max));
        Ok(None)
    } else if d < start || last_due.is_some_and(|m| d < m) {
        e.add("ends_on", Msg::new("contract.amend_end_before_milestones"));
        Ok(None)
    } else {
        Ok(Some(d))
    }
}

/// The number the contract's next amendment takes.
async fn next_seq(db: &DatabaseConnection, contract_id: i32) -> AppResult<i32> {
    let made = contract_amendment::Entity::find()
        .filter(contract_amendment::Column::ContractId.eq(contract_id))
        .count(db)
        .await?;
    Ok(made as i32 + 1)
}

/// The contract with the amendment applied at `now` (not yet saved).
fn amended(k: &contract::Model, p: &Proposed, now: DateTime<Utc>) -> contract::ActiveModel {
    let mut am: contract::ActiveModel = k.clone().into();
    am.updated_at = Set(now);
    if let Some(d) = p.new_end {
        am.ends_on = Set(Some(d));
        if let Some(start) = k.starts_on {
            am.term_months = Set(super::terms::term_months(start, d));
        }
    }
    if !p.service_content.is_empty() {
        am.service_content = Set(p.service_content.clone());
    }
    if !p.performance_targets.is_empty() {
        am.performance_targets = Set(p.performance_targets.clone());
    }
    am
}

#[allow(clippy::too_many_arguments)]
pub async fn amend<D: Draws<ContractDocument> + ?Sized>(
    db: &DatabaseConnection,
    renderer: &Arc<D>,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ContractRules,
    procurement: &ProcurementRules,
    id: i32,
    input: &AmendmentInput,
    language: Locale,
) -> AppResult<i32> {
    let k = access::for_bureau(db, u, id).await?;
    if k.status != ContractStatus::Active {
        return Err(AppError::Conflict(Msg::new("contract.amend_active_only")));
    }
    let p = proposed(db, &k, procurement, input).await?;
    let seq = next_seq(db, k.id).await?;
    let today = crate::i18n::to_local(now).date_naive();
    let v = view::build(db, &k, access::Viewer::Bureau, rules, today).await?;
    let request = ContractDocument::Amendment {
        view: Box::new(v.clone()),
        seq,
        reason: p.reason.clone(),
        changes: p.changes.clone(),
        language,
    };
    let pdf = drawing::render(renderer, request).await?;
    let txn = db.begin().await?;
    // Re-read inside the transaction: the contract must still be active and unchanged.
    let current = contract::Entity::find_by_id(k.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if current != k {
        return Err(AppError::Conflict(Msg::new("error.concurrent_change")));
    }
    let a = contract_amendment::ActiveModel {
        contract_id: Set(k.id),
        seq: Set(seq),
        reason: Set(p.reason.clone()),
        changes: Set(serde_json::to_string(&p.changes).unwrap_or_default()),
        made_by: Set(u.id),
        made_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    amended(&k, &p, now).update(&txn).await?;
    let number = k.number.clone().unwrap_or_default();
    let d = documents::store(
        &txn,
        now,
        u,
        &k,
        DocumentKind::Amendment,
        Some(a.id),
        language,
        format!("{number}-A{seq}-{}.pdf", language.tag()),
        pdf.bytes,
    )
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.amended",
        "contract",
        k.id,
        serde_json::json!({"seq": seq, "reason": p.reason, "changes": p.changes, "document": d.id, "sha256": d.sha256}),
    )
    .await?;
    let ctx = serde_json::json!({
        "title": v.call_title, "seq": seq, "reason": p.reason,
        "url": format!("{origin}/contracts/{}", k.id),
    });
    access::notify_provider(&txn, emails, now, &k, "contract_amended", Some(d.id), ctx).await?;
    txn.commit().await?;
    Ok(seq)
}
