#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One panel member's score (0–100) of one bid on one non-price criterion. Revision 0 is
/// the score as submitted; a correction is a new row with the next revision and a reason.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "scores")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub panel_member_id: i32,
    pub bid_id: i32,
    pub criterion_id: i32,
    pub revision: i32,
    pub score: i32,
    pub comment: String,
    pub reason: Option<String>,
    pub entered_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
