#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One person on a panel: drawn, then seated once they declare no conflict with any
/// bidder, or recused (回避).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "panel_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub user_id: i32,
    pub seat: PanelSeat,
    pub status: PanelMemberStatus,
    /// JSON: per bidding organization, the tie declared and a note.
    pub declaration: String,
    pub recusal_reason: Option<String>,
    pub drawn_at: DateTimeUtc,
    pub declared_at: Option<DateTimeUtc>,
    /// When the member submitted their score sheet; final from then on.
    pub submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
