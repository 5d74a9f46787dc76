//! Adding and removing an organization's records: annual reports, assessment grades,
//! list entries and administrative penalties, each checked, stored and audited at once.
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::money::Money;
use crate::organization_input::parse_date;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{AnnualResult, ListKind};
use entity::{annual_report, assessment_grade, list_entry, organization, penalty};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

fn date_field(errs: &mut FieldErrors, field: &'static str, s: &str, today: NaiveDate) -> Option<NaiveDate> {
    match parse_date(s) {
        None => {
            errs.add(field, Msg::new(if s.trim().is_empty() { "field.required" } else { "date.invalid" }));
            None
        }
        Some(d) if d > today => {
            errs.add(field, Msg::new("date.future"));
            None
        }
        Some(d) => Some(d),
    }
}

async fn org_exists(db: &DatabaseConnection, id: i32) -> AppResult<()> {
    if organization::Entity::find_by_id(id).count(db).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnualReportInput {
    pub year: String,
    pub result: String,
    pub note: String,
}

pub async fn add_annual_report(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    org_id: i32,
    i: &AnnualReportInput,
) -> AppResult<annual_report::Model> {
    org_exists(db, org_id).await?;
    let mut e = FieldErrors::default();
    let year = i.year.trim().parse::<i32>().ok().filter(|y| (1980..=today.year()).contains(y));
    if year.is_none() {
        e.add("year", Msg::new("year.invalid"));
    }
    let result = AnnualResult::from_code(i.result.trim());
    if result.is_none() {
        e.add("result", Msg::new("field.choose"));
    }
    let (Some(year), Some(result)) = (year, result) else { return Err(AppError::Invalid(e)) };
    let txn = db.begin().await?;
    let dup = annual_report::Entity::find()
        .filter(annual_report::Column::OrganizationId.eq(org_id))
        .filter(annual_report::Column::Year.eq(year))
        .count(&txn)
        .await?;
    if dup > 0 {
        return Err(crate::fields::field_error("year", Msg::new("annual_report.duplicate")));
    }
    let row = annual_report::ActiveModel {
        organization_id: Set(org_id),
        year: Set(year),
        result: Set(result),
        note: Set(crate::clean(&i.note).chars().take(1000).collect()),
        recorded_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        actor,
        "annual_report.recorded",
        "organization",
        org_id,
        serde_json::json!({"year": year, "result": result.code()}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GradeInput {
    pub grade: String,
    pub valid_from: String,
    pub valid_to: String,
}

pub async fn add_grade(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    org_id: i32,
    i: &GradeInput,
) -> AppResult<assessment_grade::Model> {
    org_exists(db, org_id).await?;
    let mut e = FieldErrors::default();
    let grade = i.grade.trim().trim_end_matches(['A', 'a']).parse::<i32>().ok().filter(|g| (1..=5).contains(g));
    if grade.is_none() {
        e.add("grade", Msg::new("grade.invalid"));
    }
    let from = date_field(&mut e, "valid_from", &i.valid_from, today);
    // A grade is valid five years unless the officer says otherwise.
    let to = if i.valid_to.trim().is_empty() {
        from.and_then(|f| f.with_year(f.year() + 5)).and_then(|d| d.pred_opt())
    } else {
        match parse_date(&i.valid_to) {
            Some(t) if from.is_some_and(|f| t <= f) => {
                e.add("valid_to", Msg::new("date.before_start"));
                None
            }
            Some(t) => Some(t),
            None => {
                e.add("valid_to", Msg::new("date.invalid"));
                None
            }
        }
    };
    let (Some(grade), Some(from), Some(to)) = (grade, from, to) else { return Err(AppError::Invalid(e)) };
    let txn = db.begin().await?;
    let row = assessment_grade::ActiveModel {
        organization_id: Set(org_id),
        grade: Set(grade),
        valid_from: Set(from),
        valid_to: Set(to),
        recorded_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        actor,
        "assessment_grade.recorded",
        "organization",
        org_id,
        serde_json::json!({"grade": grade, "valid_from": from, "valid_to": to}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListEntryInput {
    pub kind: String,
    pub entered_on: String,
    pub reason: String,
}

pub async fn add_list_entry(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    org_id: i32,
    i: &ListEntryInput,
) -> AppResult<list_entry::Model> {
    org_exists(db, org_id).await?;
    let mut e = FieldErrors::default();
    let kind = ListKind::from_code(i.kind.trim());
    if kind.is_none() {
        e.add("kind", Msg::new("field.choose"));
    }
    let entered = date_field(&mut e, "entered_on", &i.entered_on, today);
    let reason = crate::clean(&i.reason);
    let reason = reason.as_str();
    if reason.is_empty() {
        e.add("reason", Msg::new("field.required"));
    }
    let (Some(kind), Some(entered)) = (kind, entered) else { return Err(AppError::Invalid(e)) };
    e.into_result()?;
    let txn = db.begin().await?;
    let open = list_entry::Entity::find()
        .filter(list_entry::Column::OrganizationId.eq(org_id))
        .filter(list_entry::Column::Kind.eq(kind))
        .filter(list_entry::Column::RemovedOn.is_null())
        .count(&txn)
        .await?;
    if open > 0 {
        return Err(AppError::Conflict(Msg::new("list_entry.already_listed")));
    }
    let row = list_entry::ActiveModel {
        organization_id: Set(org_id),
        kind: Set(kind),
        entered_on: Set(entered),
        reason: Set(reason.to_string()),
        removed_on: Set(None),
        removal_reason: Set(None),
        recorded_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        actor,
        "list_entry.added",
        "organization",
        org_id,
        serde_json::json!({"kind": kind.code(), "entered_on": entered, "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListRemovalInput {
    pub removed_on: String,
    pub removal_reason: String,
}

pub async fn remove_list_entry(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    org_id: i32,
    entry_id: i32,
    i: &ListRemovalInput,
) -> AppResult<list_entry::Model> {
    let mut e = FieldErrors::default();
    let removed = date_field(&mut e, "removed_on", &i.removed_on, today);
    let reason = crate::clean(&i.removal_reason);
    let reason = reason.as_str();
    if reason.is_empty() {
        e.add("removal_reason", Msg::new("field.required"));
    }
    let txn = db.begin().await?;
    let entry = list_entry::Entity::find_by_id(entry_id)
        .filter(list_entry::Column::OrganizationId.eq(org_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if entry.removed_on.is_some() {
        return Err(AppError::Conflict(Msg::new("list_entry.already_removed")));
    }
    if let Some(r) = removed
        && r < entry.entered_on
    {
        e.add("removed_on", Msg::new("date.before_start"));
    }
    e.into_result()?;
    let Some(removed) = removed else { return Err(AppError::Invalid(FieldErrors::default())) };
    let kind = entry.kind;
    let mut am: list_entry::ActiveModel = entry.into();
    am.removed_on = Set(Some(removed));
    am.removal_reason = Set(Some(reason.to_string()));
    let row = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        actor,
        "list_entry.removed",
        "organization",
        org_id,
        serde_json::json!({"entry": entry_id, "kind": kind.code(), "removed_on": removed, "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PenaltyInput {
    pub decided_on: String,
    pub authority: String,
    pub decision_number: String,
    pub description: String,
    pub fine: String,
}

pub async fn add_penalty(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    org_id: i32,
    i: &PenaltyInput,
) -> AppResult<penalty::Model> {
    org_exists(db, org_id).await?;
    let mut e = FieldErrors::default();
    let decided = date_field(&mut e, "decided_on", &i.decided_on, today);
    for (field, v) in
        [("authority", &i.authority), ("decision_number", &i.decision_number), ("description", &i.description)]
    {
        if v.trim().is_empty() {
            e.add(field, Msg::new("field.required"));
        }
    }
    let fine = match crate::non_blank(&i.fine) {
        None => None,
        Some(s) => Money::parse_yuan(&s).map(Some).unwrap_or_else(|m| {
            e.add("fine", m);
            None
        }),
    };
    e.into_result()?;
    let Some(decided) = decided else { return Err(AppError::Invalid(FieldErrors::default())) };
    let txn = db.begin().await?;
    let row = penalty::ActiveModel {
        organization_id: Set(org_id),
        decided_on: Set(decided),
        authority: Set(crate::clean(&i.authority)),
        decision_number: Set(crate::clean(&i.decision_number)),
        description: Set(crate::clean(&i.description)),
        fine_fen: Set(fine.map(Money::fen)),
        recorded_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(&txn, now, actor, "penalty.recorded", "organization", org_id, serde_json::json!({"decided_on": decided, "decision_number": crate::clean(&i.decision_number), "fine_fen": fine.map(Money::fen)})).await?;
    txn.commit().await?;
    Ok(row)
}
