#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hub_seats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub hub_id: i32,
    pub label: String,
    /// The membership holding the seat; a seat is assigned by an update that only matches a free seat.
    pub held_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
