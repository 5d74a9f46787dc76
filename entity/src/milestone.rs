#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A contract milestone (里程碑): a due date, deliverables and output indicators; the one
/// carrying an instalment makes it payable when its report is accepted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "milestones")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contract_id: i32,
    pub position: i32,
    pub title: String,
    pub due_on: Date,
    pub deliverables: String,
    #[sea_orm(unique)]
    pub instalment_id: Option<i32>,
    pub status: MilestoneStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
