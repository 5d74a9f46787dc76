#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A mid-term or final evaluation (中期/末期评估) of a contract.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contract_id: i32,
    pub kind: EvaluationKind,
    pub template_id: i32,
    pub template_name: String,
    pub status: EvaluationStatus,
    /// The day of the evaluation (site visit, review of records).
    pub visit_on: Date,
    /// By when the provider submits its self-evaluation.
    pub self_due_on: Date,
    pub method: String,
    pub self_summary: Option<String>,
    pub self_submitted_by: Option<i32>,
    pub self_submitted_at: Option<DateTimeUtc>,
    pub survey_surveyed: Option<i32>,
    /// Share of service users satisfied, in basis points (96.5 % is 9650).
    pub survey_satisfied_bp: Option<i32>,
    pub survey_method: String,
    pub findings: String,
    pub recommendations: String,
    /// Hundredths of a point, set at release.
    pub total_centi: Option<i32>,
    pub grade: Option<EvaluationGrade>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub released_by: Option<i32>,
    pub released_at: Option<DateTimeUtc>,
    pub report_document_id: Option<i32>,
    /// A 不合格 final evaluation: calls published before this day refuse the organization.
    pub barred_until: Option<Date>,
    /// A 优秀/良好 final evaluation counts as a preference in calls published until this day.
    pub preferred_until: Option<Date>,
    /// Bumped by every step; a release goes through only if nothing moved since it read.
    pub version: i32,
    /// The provider's self-evaluation as typed and saved before submitting (JSON); only its
    /// own members see it, and submitting clears it.
    #[serde(skip_serializing)]
    pub self_draft: Option<String>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
