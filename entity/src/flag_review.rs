#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// What an officer did about an integrity red flag (checked, explained, referred): one note
/// a flag, replaced when written again (the audit log keeps every version).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "flag_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rule: String,
    pub subject: String,
    pub subject_id: i32,
    pub note: String,
    /// A staff account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub reviewed_by: i32,
    pub reviewed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
