#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A change to a published call (更正公告): what changed, why, and the bid deadline
/// before and after (moved when the change affects bids and the deadline was too close).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "call_amendments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub note: String,
    /// JSON: field → [before, after].
    pub changes: String,
    pub old_deadline: Option<DateTimeUtc>,
    pub new_deadline: Option<DateTimeUtc>,
    pub made_by: i32,
    pub made_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
