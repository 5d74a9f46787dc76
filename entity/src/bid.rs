#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "bids")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// What people see of the bid once opened, instead of the id, which runs across every
    /// call and would count the bids on calls still sealed.
    pub public_ref: String,
    pub call_id: i32,
    pub organization_id: i32,
    pub status: BidStatus,
    /// Versions submitted so far; the next version is this plus one, taken by a conditional update.
    pub version_count: i32,
    /// When the bid was opened; until then it is sealed, whatever becomes of its call.
    pub opened_at: Option<DateTimeUtc>,
    /// Set at opening when the organization no longer met the call's rules (zh-CN text).
    pub ineligible_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
