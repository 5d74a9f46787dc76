#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hub_rounds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub hub_id: i32,
    pub name: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub starts_on: Date,
    pub places: i32,
    /// Accepted applications; raised by an update that only matches while below `places`.
    pub accepted: i32,
    /// The questions applicants answer, as a JSON array of strings.
    pub questions: String,
    pub status: RoundStatus,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
