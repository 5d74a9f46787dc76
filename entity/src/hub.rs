#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hubs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub hub_type: HubType,
    pub district_id: i32,
    pub community_id: Option<i32>,
    pub address: String,
    pub capacity: i32,
    pub mode: IncubationMode,
    pub space_unit: SpaceUnit,
    pub default_term_months: i32,
    pub description: String,
    /// Members now incubating or extended; kept with the membership changes so a full hub refuses at once.
    pub occupied: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
