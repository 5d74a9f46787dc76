#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hub_applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub hub_id: i32,
    pub organization_id: Option<i32>,
    pub applicant_user_id: i32,
    /// Set for an unregistered team (a prospective organization).
    pub team_name: Option<String>,
    pub core_members: String,
    pub plan: String,
    /// Answers to the round's questions, as a JSON array of strings.
    pub answers: String,
    pub status: ApplicationStatus,
    /// "org:ID" or "team:USER" while the application is open, NULL after; unique per round.
    pub open_key: Option<String>,
    pub decision_note: String,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
