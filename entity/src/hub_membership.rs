#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hub_memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub hub_id: i32,
    pub round_id: i32,
    pub application_id: i32,
    pub organization_id: Option<i32>,
    pub team_name: Option<String>,
    pub member_user_id: i32,
    pub stage: MembershipStage,
    pub agreement_no: String,
    pub started_on: Date,
    pub planned_end_on: Date,
    pub ended_on: Option<Date>,
    /// The planned end the 30-day reminder was sent for (an extension makes a new one due).
    pub reminder_sent_for: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
