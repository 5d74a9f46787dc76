#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An output indicator of a milestone with its target (e.g. 200 household visits).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "milestone_indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub milestone_id: i32,
    pub position: i32,
    pub name: String,
    pub unit: String,
    pub target: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
