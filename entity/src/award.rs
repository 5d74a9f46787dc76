#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// The award (成交结果) of a call: the bid chosen, the panel's recommendation when the
/// officer deviated from it (with the reason), and the end of the challenge window.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "awards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    /// Bid row ids run over every call, so their gaps count bids elsewhere: kept out of
    /// the public award (it names the winner and the recommendation by organization).
    #[serde(skip_serializing)]
    pub bid_id: i32,
    pub organization_id: i32,
    pub amount_fen: i64,
    #[serde(skip_serializing)]
    pub recommended_bid_id: i32,
    pub deviation_reason: Option<String>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub decided_by: i32,
    pub decided_at: DateTimeUtc,
    /// Challenges (质疑) are accepted until then.
    pub challenge_until: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
