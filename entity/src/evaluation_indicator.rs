#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An indicator as it stood in the template when the evaluation was scheduled.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "evaluation_indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub evaluation_id: i32,
    pub position: i32,
    pub dimension_position: i32,
    pub dimension: String,
    pub dimension_weight: i32,
    pub name: String,
    pub weight: i32,
    pub guide: String,
    pub link: IndicatorLink,
    /// For an output-linked indicator: the contract output it measures.
    pub output_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
