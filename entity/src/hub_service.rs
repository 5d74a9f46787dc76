#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hub_services")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub hub_id: i32,
    pub membership_id: i32,
    pub kind: HubServiceKind,
    pub delivered_on: Date,
    pub title: String,
    pub minutes: i32,
    pub attendees: Option<i32>,
    pub note: String,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub recorded_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
