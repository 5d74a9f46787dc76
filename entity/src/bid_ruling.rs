#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An abnormally low bid (异常低价): the bidder's written explanation and the panel's
/// ruling on whether the bid stands.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "bid_rulings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub bid_id: i32,
    pub call_id: i32,
    pub explanation: Option<String>,
    pub explained_at: Option<DateTimeUtc>,
    pub stands: Option<bool>,
    pub note: Option<String>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
