#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One instalment of a contract's payment schedule, from the call's template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contract_instalments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contract_id: i32,
    pub position: i32,
    pub percent: i32,
    pub amount_fen: i64,
    pub condition: PaymentCondition,
    pub description: String,
    pub status: InstalmentStatus,
    pub payable_at: Option<DateTimeUtc>,
    /// Deducted after a 合格 final evaluation; the instalment pays amount − deduction.
    pub deduction_fen: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
