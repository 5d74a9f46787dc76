#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A payment recorded by an officer against a payable instalment, or the reversal of one
/// (an entry of the opposite amount; nothing is deleted).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contract_id: i32,
    pub instalment_id: i32,
    pub amount_fen: i64,
    pub paid_on: Date,
    #[sea_orm(unique)]
    pub voucher_no: String,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub recorded_by: i32,
    pub recorded_at: DateTimeUtc,
    /// For a reversal entry (a negative amount): the payment it reverses.
    #[sea_orm(unique)]
    pub reverses_id: Option<i32>,
    /// For a reversal entry: the officer's reason.
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
