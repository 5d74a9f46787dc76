#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// When a background loop (`delivery`, `reminders`) last completed a round, on any server.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "worker_beats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub beat_at: DateTimeUtc,
    /// What the round did, or the error it met.
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
