#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hub_assessments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub membership_id: i32,
    pub outcome: AssessmentOutcome,
    pub assessed_on: Date,
    pub new_end_on: Option<Date>,
    pub note: String,
    /// The checklist as assessed: JSON array of {title, required, met, evidence}. Not
    /// serialized as text: views show it parsed.
    #[serde(skip_serializing)]
    pub items: String,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub assessed_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
