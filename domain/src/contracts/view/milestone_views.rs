//! A milestone as the contract's page and API show it: its indicators, each report's
//! version with the values and files reported, and what the reader may do with it.
use super::Viewer;
use crate::contracts::milestones;
use crate::error::AppResult;
use crate::i18n::{format_date, format_datetime};
use chrono::NaiveDate;
use entity::enums::{ContractStatus, MilestoneStatus};
use entity::{
    contract, contract_instalment, milestone_indicator, milestone_report, milestone_report_file, milestone_report_value,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    pub id: i32,
    pub name: String,
    pub unit: String,
    pub target: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub id: i32,
    pub version: i32,
    pub narrative: String,
    pub beneficiaries: i64,
    pub submitted_at: String,
    pub decision: Option<String>,
    pub comment: Option<String>,
    pub decided_at: Option<String>,
    /// (indicator name, unit, target, achieved)
    pub achieved: Vec<(String, String, i64, i64)>,
    /// (id, name, kind, size, sha256)
    pub files: Vec<(i32, String, String, i64, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    pub id: i32,
    pub position: i32,
    pub title: String,
    pub due_on: String,
    pub deliverables: String,
    pub status: MilestoneStatus,
    pub overdue: bool,
    pub instalment: Option<i32>,
    /// The provider may report on it now / the bureau may decide on its report now.
    pub can_report: bool,
    pub can_decide: bool,
    pub indicators: Vec<IndicatorView>,
    pub reports: Vec<ReportView>,
}

/// A file attached to a milestone report, without its bytes.
#[derive(Debug, sea_orm::FromQueryResult)]
struct ReportFileRow {
    id: i32,
    report_id: i32,
    file_name: String,
    kind: String,
    size_bytes: i64,
    sha256: String,
}

/// What was reported against a milestone: each report's version with its indicator values
/// and files, newest first.
struct Reported {
    indicators: Vec<milestone_indicator::Model>,
    reports: Vec<milestone_report::Model>,
    values: Vec<milestone_report_value::Model>,
    files: Vec<ReportFileRow>,
}

async fn reported<C: ConnectionTrait>(db: &C, milestone_ids: Vec<i32>) -> AppResult<Reported> {
    let indicators = milestone_indicator::Entity::find()
        .filter(milestone_indicator::Column::MilestoneId.is_in(milestone_ids.clone()))
        .order_by_asc(milestone_indicator::Column::Position)
        .all(db)
        .await?;
    let reports = milestone_report::Entity::find()
        .filter(milestone_report::Column::MilestoneId.is_in(milestone_ids))
        .order_by_desc(milestone_report::Column::Version)
        .all(db)
        .await?;
    let report_ids: Vec<i32> = reports.iter().map(|r| r.id).collect();
    let values = milestone_report_value::Entity::find()
        .filter(milestone_report_value::Column::ReportId.is_in(report_ids.clone()))
        .all(db)
        .await?;
    let files = milestone_report_file::Entity::find()
        .select_only()
        .columns([
            milestone_report_file::Column::Id,
            milestone_report_file::Column::ReportId,
            milestone_report_file::Column::FileName,
            milestone_report_file::Column::Kind,
            milestone_report_file::Column::SizeBytes,
            milestone_report_file::Column::Sha256,
        ])
        .filter(milestone_report_file::Column::ReportId.is_in(report_ids))
        .into_model::<ReportFileRow>()
        .all(db)
        .await?;
    Ok(Reported { indicators, reports, values, files })
}

pub(super) async fn milestone_views<C: ConnectionTrait>(
    db: &C,
    k: &contract::Model,
    viewer: Viewer,
    today: NaiveDate,
    milestone_rows: &[entity::milestone::Model],
    instalment_rows: &[contract_instalment::Model],
) -> AppResult<Vec<MilestoneView>> {
    let r = reported(db, milestone_rows.iter().map(|m| m.id).collect()).await?;
    Ok(milestone_rows
        .iter()
        .map(|m| {
            let inds: Vec<&milestone_indicator::Model> =
                r.indicators.iter().filter(|i| i.milestone_id == m.id).collect();
            MilestoneView {
                id: m.id,
                position: m.position,
                title: m.title.clone(),
                due_on: format_date(m.due_on),
                deliverables: m.deliverables.clone(),
                status: m.status,
                overdue: k.status == ContractStatus::Active && milestones::is_overdue(m, today),
                can_report: viewer == Viewer::Member
                    && k.status == ContractStatus::Active
                    && matches!(m.status, MilestoneStatus::Scheduled | MilestoneStatus::Returned),
                can_decide: viewer == Viewer::Bureau && m.status == MilestoneStatus::Submitted,
                instalment: m
                    .instalment_id
                    .and_then(|iid| instalment_rows.iter().find(|i| i.id == iid))
                    .map(|i| i.position),
                indicators: inds
                    .iter()
                    .map(|i| IndicatorView { id: i.id, name: i.name.clone(), unit: i.unit.clone(), target: i.target })
                    .collect(),
                reports: r
                    .reports
                    .iter()
                    .filter(|rep| rep.milestone_id == m.id)
                    .map(|rep| report_view(rep, &inds, &r))
                    .collect(),
            }
        })
        .collect())
}

fn report_view(r: &milestone_report::Model, inds: &[&milestone_indicator::Model], all: &Reported) -> ReportView {
    ReportView {
        id: r.id,
        version: r.version,
        narrative: r.narrative.clone(),
        beneficiaries: r.beneficiaries,
        submitted_at: format_datetime(r.submitted_at),
        decision: r.decision.map(|d| d.code().to_string()),
        comment: r.comment.clone(),
        decided_at: r.decided_at.map(format_datetime),
        achieved: inds
            .iter()
            .map(|i| {
                let a = all
                    .values
                    .iter()
                    .find(|v| v.report_id == r.id && v.indicator_id == i.id)
                    .map(|v| v.achieved)
                    .unwrap_or(0);
                (i.name.clone(), i.unit.clone(), i.target, a)
            })
            .collect(),
        files: all
            .files
            .iter()
            .filter(|f| f.report_id == r.id)
            .map(|f| (f.id, f.file_name.clone(), f.kind.clone(), f.size_bytes, f.sha256.clone()))
            .collect(),
    }
}
