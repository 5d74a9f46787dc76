#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A bidder's challenge (质疑) to the result, and the officer's answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "challenges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub organization_id: i32,
    pub filed_by: i32,
    pub text: String,
    pub filed_at: DateTimeUtc,
    pub answer: Option<String>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub answered_by: Option<i32>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
