#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A provider's report on a milestone; a resubmission after return is the next version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "milestone_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub milestone_id: i32,
    pub version: i32,
    pub narrative: String,
    pub beneficiaries: i64,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub submitted_by: i32,
    pub submitted_at: DateTimeUtc,
    pub decision: Option<ReportDecision>,
    pub comment: Option<String>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
