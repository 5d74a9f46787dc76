#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// The contract (政府购买服务合同) an award creates, in draft until the officer completes it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub award_id: i32,
    pub organization_id: i32,
    pub amount_fen: i64,
    pub term_months: i32,
    pub status: ContractStatus,
    /// Assigned when the draft is created, by the configured scheme (e.g. SYHT-2026-001).
    #[sea_orm(unique)]
    pub number: Option<String>,
    pub purchaser_name: String,
    pub purchaser_address: String,
    pub purchaser_representative: String,
    pub provider_address: String,
    pub provider_representative: String,
    pub legal_basis: String,
    pub service_content: String,
    pub performance_targets: String,
    pub acceptance_terms: String,
    pub breach_terms: String,
    pub dispute_terms: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    /// Performance bond (履约保证金) as a percentage of the amount, 0–10.
    pub bond_percent: i32,
    pub signed_via: Option<String>,
    pub signed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
