#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An itemized output of a contract: e.g. 7 community events of ≥ 200 people, at a unit price.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contract_outputs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contract_id: i32,
    pub position: i32,
    pub name: String,
    /// The standard each unit must meet.
    pub standard: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
