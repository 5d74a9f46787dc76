//! Milestone reports: the provider reports what was delivered (narrative, achievement per
//! indicator, beneficiaries served, evidence files); the officer accepts it or returns it
//! with comments, and a returned milestone is reported on again. Accepting the milestone
//! that carries an instalment makes that instalment payable.
use super::access;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::field_error;
use crate::files::{MAX_FILES, checked_file};
use crate::i18n::Msg;
use crate::outbox::EmailTemplates;
use chrono::{DateTime, Utc};
use entity::enums::{ContractStatus, InstalmentStatus, MilestoneStatus, ReportDecision};
use entity::{
    contract, contract_instalment, milestone, milestone_indicator, milestone_report, milestone_report_file,
    milestone_report_value, user,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AchievedInput {
    pub indicator_id: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub narrative: String,
    pub beneficiaries: String,
    pub achieved: Vec<AchievedInput>,
}

/// A file as uploaded: its name and bytes.
pub type Upload = (String, Vec<u8>);

async fn milestone_and_contract<C: ConnectionTrait>(
    db: &C,
    milestone_id: i32,
) -> AppResult<(milestone::Model, contract::Model)> {
    let m = milestone::Entity::find_by_id(milestone_id).one(db).await?.ok_or(AppError::NotFound)?;
    let k = contract::Entity::find_by_id(m.contract_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((m, k))
}

/// A report as typed, checked against the milestone's indicators.
struct Typed {
    narrative: String,
    beneficiaries: i64,
    /// (indicator, achieved) for every indicator of the milestone.
    values: Vec<(i32, i64)>,
}

/// The narrative, the people served and a value for every indicator, each in range, and no
/// more files than allowed; every field in error is named at once.
async fn typed(db: &DatabaseConnection, m: &milestone::Model, input: &ReportInput, n_files: usize) -> AppResult<Typed> {
    let mut e = FieldErrors::default();
    let narrative = crate::fields::text_field(&mut e, "narrative", &input.narrative, 8000);
    let beneficiaries = input.beneficiaries.trim().parse::<i64>().ok().filter(|n| (0..=10_000_000).contains(n));
    if beneficiaries.is_none() {
        e.add("beneficiaries", Msg::new("number.range").arg("min", 0).arg("max", 10_000_000));
    }
    let indicators = milestone_indicator::Entity::find()
        .filter(milestone_indicator::Column::MilestoneId.eq(m.id))
        .order_by_asc(milestone_indicator::Column::Position)
        .all(db)
        .await?;
    let mut values = Vec::new();
    for ind in &indicators {
        let typed = input.achieved.iter().find(|a| a.indicator_id.trim() == ind.id.to_string());
        match typed.and_then(|a| a.value.trim().parse::<i64>().ok()).filter(|v| (0..=100_000_000).contains(v)) {
            Some(v) => values.push((ind.id, v)),
            None => e.add("achieved", Msg::new("milestone.achieved_required").arg("name", &ind.name)),
        }
    }
    if n_files as u64 > MAX_FILES {
        e.add("file", Msg::new("attachment.too_many").arg("n", MAX_FILES));
    }
    e.into_result()?;
    Ok(Typed { narrative, beneficiaries: beneficiaries.unwrap_or(0), values })
}

/// The report's indicator values and evidence files, in the report's transaction.
async fn store_parts(
    txn: &sea_orm::DatabaseTransaction,
    report_id: i32,
    values: Vec<(i32, i64)>,
    files: Vec<(String, &'static str, &Vec<u8>)>,
) -> AppResult<()> {
    for (indicator_id, achieved) in values {
        milestone_report_value::ActiveModel {
            report_id: Set(report_id),
            indicator_id: Set(indicator_id),
            achieved: Set(achieved),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    for (name, kind, bytes) in files {
        milestone_report_file::ActiveModel {
            report_id: Set(report_id),
            file_name: Set(name),
            kind: Set(kind.to_string()),
            size_bytes: Set(bytes.len() as i64),
            sha256: Set(hex::encode(Sha256::digest(bytes))),
            data: Set(bytes.clone()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Submits (or, after a return, resubmits) the report on a milestone of an active contract.
pub async fn submit(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    milestone_id: i32,
    input: &ReportInput,
    files: &[Upload],
) -> AppResult<milestone_report::Model> {
    let (m, _) = milestone_and_contract(db, milestone_id).await?;
    let k = access::for_provider(db, u, m.contract_id).await?;
    if k.status != ContractStatus::Active {
        return Err(AppError::Conflict(Msg::new("contract.not_active")));
    }
    let Typed { narrative, beneficiaries, values } = typed(db, &m, input, files.len()).await?;
    let mut checked = Vec::new();
    for (name, bytes) in files.iter().filter(|(_, b)| !b.is_empty()) {
        let (name, kind) = checked_file(name, bytes)?;
        checked.push((name, kind, bytes));
    }
    let txn = db.begin().await?;
    // The state moves by a conditional update, so two submissions at once make one report.
    let status = m
        .status
        .transition(MilestoneStatus::Submitted)
        .map_err(|_| AppError::Conflict(Msg::new("milestone.not_open")))?;
    let moved = milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, Expr::value(status.code()))
        .col_expr(milestone::Column::UpdatedAt, Expr::value(now))
        .filter(milestone::Column::Id.eq(m.id))
        .filter(milestone::Column::Status.eq(m.status))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("milestone.not_open")));
    }
    let version = milestone_report::Entity::find()
        .filter(milestone_report::Column::MilestoneId.eq(m.id))
        .select_only()
        .column_as(milestone_report::Column::Version.max(), "v")
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten()
        .unwrap_or(0)
        + 1;
    let r = milestone_report::ActiveModel {
        milestone_id: Set(m.id),
        version: Set(version),
        narrative: Set(narrative),
        beneficiaries: Set(beneficiaries),
        submitted_by: Set(u.id),
        submitted_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    store_parts(&txn, r.id, values, checked).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.report_submitted",
        "contract",
        k.id,
        serde_json::json!({"milestone": m.id, "version": version}),
    )
    .await?;
    txn.commit().await?;
    Ok(r)
}

/// The officer's decision on the submitted report. Returning needs a comment. A report
/// is decided once: a second decision is refused and changes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    milestone_id: i32,
    accept: bool,
    comment: &str,
) -> AppResult<()> {
    let comment = crate::fields::bounded("comment", comment, crate::fields::LONG_TEXT)?;
    if !accept && comment.is_empty() {
        return Err(field_error("comment", Msg::new("milestone.return_needs_comment")));
    }
    let txn = db.begin().await?;
    let (m, _) = milestone_and_contract(&txn, milestone_id).await?;
    let k = access::for_bureau(&txn, u, m.contract_id).await?;
    if k.status != ContractStatus::Active {
        return Err(AppError::Conflict(Msg::new("contract.not_active")));
    }
    let to = if accept { MilestoneStatus::Accepted } else { MilestoneStatus::Returned };
    if m.status != MilestoneStatus::Submitted {
        return Err(AppError::Conflict(Msg::new("milestone.nothing_to_decide")));
    }
    m.status.transition(to)?;
    let moved = milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, Expr::value(to.code()))
        .col_expr(milestone::Column::UpdatedAt, Expr::value(now))
        .filter(milestone::Column::Id.eq(m.id))
        .filter(milestone::Column::Status.eq(MilestoneStatus::Submitted))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("milestone.nothing_to_decide")));
    }
    let r = latest(&txn, m.id).await?.ok_or(AppError::NotFound)?;
    let version = r.version;
    let mut ar: milestone_report::ActiveModel = r.into();
    ar.decision = Set(Some(if accept { ReportDecision::Accepted } else { ReportDecision::Returned }));
    ar.comment = Set(Some(comment.clone()).filter(|c| !c.is_empty()));
    ar.decided_by = Set(Some(u.id));
    ar.decided_at = Set(Some(now));
    ar.update(&txn).await?;
    if let (true, Some(iid)) = (accept, m.instalment_id) {
        // An instalment tied to an evaluation also waits for that evaluation's result.
        let i = contract_instalment::Entity::find_by_id(iid).one(&txn).await?.ok_or(AppError::NotFound)?;
        super::settling::settle(&txn, now, &i).await?;
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        if accept { "contract.report_accepted" } else { "contract.report_returned" },
        "contract",
        k.id,
        serde_json::json!({"milestone": m.id, "version": version, "comment": comment}),
    )
    .await?;
    let ctx = serde_json::json!({
        "milestone": m.title, "comment": comment,
        "url": format!("{origin}/contracts/{}#milestone-{}", k.id, m.id),
    });
    let kind = if accept { "milestone_accepted" } else { "milestone_returned" };
    access::notify_provider(&txn, emails, now, &k, kind, None, ctx).await?;
    txn.commit().await?;
    Ok(())
}

/// Pending → payable, once.
pub async fn make_payable(txn: &DatabaseTransaction, now: DateTime<Utc>, instalment_id: i32) -> AppResult<()> {
    let i = contract_instalment::Entity::find_by_id(instalment_id).one(txn).await?.ok_or(AppError::NotFound)?;
    if i.status == InstalmentStatus::Pending {
        super::payments::move_instalment(txn, &i, InstalmentStatus::Payable, now).await?;
    }
    Ok(())
}

pub async fn latest<C: ConnectionTrait>(db: &C, milestone_id: i32) -> AppResult<Option<milestone_report::Model>> {
    Ok(milestone_report::Entity::find()
        .filter(milestone_report::Column::MilestoneId.eq(milestone_id))
        .order_by_desc(milestone_report::Column::Version)
        .one(db)
        .await?)
}

/// An evidence file, for the bureau or the provider of its contract.
pub async fn file<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    file_id: i32,
) -> AppResult<milestone_report_file::Model> {
    let f = milestone_report_file::Entity::find_by_id(file_id).one(db).await?.ok_or(AppError::NotFound)?;
    let r = milestone_report::Entity::find_by_id(f.report_id).one(db).await?.ok_or(AppError::NotFound)?;
    let m = milestone::Entity::find_by_id(r.milestone_id).one(db).await?.ok_or(AppError::NotFound)?;
    access::load(db, u, m.contract_id).await?;
    Ok(f)
}
