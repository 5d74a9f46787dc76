//! The bureau's annual report (年度报告) for a year: the dashboard's figures and charts, the
//! projects that ran in the year with their grades, the red flags and what was done about
//! them. Drawn in-process as a PDF like the contracts (the application draws it through
//! `documents::Draws<AnnualReport>`), kept with its SHA-256 and checkable at
//! /documents/verify; issuing it is audited.
use crate::audit::{self, Actor};
use crate::dashboard::{self, Dashboard};
use crate::documents::{Draws, render};
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, to_local};
use crate::integrity::{self, FlagRow, IntegrityRules};
use crate::money::Money;
use crate::organizations::Places;
use crate::portal::{home::organization_names, paid_in_year, signed_contracts};
use chrono::{DateTime, Datelike, Utc};
use entity::enums::{EvaluationGrade, EvaluationStatus};
use entity::{bureau_report, call, contract, evaluation, user};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// One project that ran in the year.
#[derive(Debug, Clone)]
pub struct ProjectLine {
    pub number: String,
    pub title: String,
    pub provider: String,
    pub amount: Money,
    pub paid_in_year: Money,
    /// The latest released evaluation's grade.
    pub grade: Option<EvaluationGrade>,
}

/// What the PDF is drawn from.
#[derive(Debug, Clone)]
pub struct AnnualReport {
    pub year: i32,
    pub purchaser: String,
    pub issued_at: DateTime<Utc>,
    pub dashboard: Dashboard,
    pub projects: Vec<ProjectLine>,
    pub flags: Vec<FlagRow>,
}

pub async fn build<C: ConnectionTrait>(
    db: &C,
    places: &Places,
    rules: &IntegrityRules,
    purchaser: &str,
    year: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<AnnualReport> {
    let dashboard = dashboard::build(db, places, rules, year, now).await?;
    let year = dashboard.year;
    let mut flags = integrity::flags(db, rules, places, now, true).await?;
    flags.retain(|f| f.on.year() == year);
    Ok(AnnualReport {
        year,
        purchaser: purchaser.to_string(),
        issued_at: now,
        projects: projects(db, year).await?,
        flags: integrity::rows(&flags, Locale::ZhCn),
        dashboard,
    })
}

async fn projects<C: ConnectionTrait>(db: &C, year: i32) -> AppResult<Vec<ProjectLine>> {
    let running: Vec<_> = signed_contracts(db).await?.into_iter().filter(|k| k.runs_in(year)).collect();
    let paid = paid_in_year(db, year).await?;
    let ids: Vec<i32> = running.iter().map(|k| k.id).collect();
    let mut numbers: HashMap<i32, String> = HashMap::new();
    let mut grades: HashMap<i32, (DateTime<Utc>, EvaluationGrade)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, Option<String>)> = contract::Entity::find()
            .select_only()
            .columns([contract::Column::Id, contract::Column::Number])
            .filter(contract::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        numbers.extend(rows.into_iter().map(|(id, n)| (id, n.unwrap_or_default())));
        let released: Vec<(i32, Option<DateTime<Utc>>, Option<EvaluationGrade>)> = evaluation::Entity::find()
            .select_only()
            .columns([evaluation::Column::ContractId, evaluation::Column::ReleasedAt, evaluation::Column::Grade])
            .filter(evaluation::Column::ContractId.is_in(chunk.iter().copied()))
            .filter(evaluation::Column::Status.eq(EvaluationStatus::Released))
            .into_tuple()
            .all(db)
            .await?;
        for (k, at, g) in released {
            if let (Some(at), Some(g)) = (at, g) {
                let keep = grades.get(&k).is_none_or(|(prev, _)| at > *prev);
                if keep {
                    grades.insert(k, (at, g));
                }
            }
        }
    }
    let titles: HashMap<i32, String> = call::Entity::find()
        .select_only()
        .columns([call::Column::Id, call::Column::Title])
        .filter(call::Column::Status.eq(entity::enums::CallStatus::Awarded))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let names = organization_names(db, running.iter().map(|k| k.organization_id)).await?;
    let mut out: Vec<ProjectLine> = running
        .iter()
        .map(|k| ProjectLine {
            number: numbers.get(&k.id).cloned().unwrap_or_default(),
            title: titles.get(&k.call_id).cloned().unwrap_or_default(),
            provider: names.get(&k.organization_id).cloned().unwrap_or_default(),
            amount: Money(k.amount_fen),
            paid_in_year: Money(paid.get(&k.id).copied().unwrap_or(0)),
            grade: grades.get(&k.id).map(|g| g.1),
        })
        .collect();
    out.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(out)
}

/// Draws the report, keeps it with its digest and audits the issue; returns what was kept.
pub async fn issue<D: Draws<AnnualReport> + ?Sized>(
    db: &DatabaseConnection,
    drawer: &Arc<D>,
    u: &user::Model,
    report: AnnualReport,
) -> AppResult<bureau_report::Model> {
    if !u.role.is_bureau() {
        return Err(AppError::Forbidden);
    }
    let (year, now) = (report.year, report.issued_at);
    let drawn = render(drawer, report).await?;
    let sha256 = crate::contracts::documents::sha256_hex(&drawn.bytes);
    let txn = db.begin().await?;
    let row = bureau_report::Entity::insert(bureau_report::ActiveModel {
        year: Set(year),
        sha256: Set(sha256.clone()),
        size_bytes: Set(drawn.bytes.len() as i64),
        data: Set(drawn.bytes),
        issued_by: Set(u.id),
        issued_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    let payload = json!({"year": year, "sha256": sha256, "issued_local": to_local(now).to_rfc3339()});
    audit::append(&txn, now, &Actor::user(u), "bureau_report.issued", "bureau_report", row.id, payload).await?;
    txn.commit().await?;
    Ok(row)
}

/// An issued report of the year, as the dashboard lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Issued {
    pub id: i32,
    pub issued_at: DateTime<Utc>,
    pub sha256: String,
}

/// The reports issued for `year`, newest first.
pub async fn issued<C: ConnectionTrait>(db: &C, year: i32) -> AppResult<Vec<Issued>> {
    use sea_orm::QueryOrder;
    let rows: Vec<(i32, DateTime<Utc>, String)> = bureau_report::Entity::find()
        .select_only()
        .columns([bureau_report::Column::Id, bureau_report::Column::IssuedAt, bureau_report::Column::Sha256])
        .filter(bureau_report::Column::Year.eq(year))
        .order_by_desc(bureau_report::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, issued_at, sha256)| Issued { id, issued_at, sha256 }).collect())
}

/// An issued report, for the bureau.
pub async fn get<C: ConnectionTrait>(db: &C, u: &user::Model, id: i32) -> AppResult<bureau_report::Model> {
    if !u.role.is_bureau() {
        return Err(AppError::Forbidden);
    }
    bureau_report::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}
