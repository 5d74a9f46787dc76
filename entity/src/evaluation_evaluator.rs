#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An evaluator chosen for an evaluation, with the declaration about the provider.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "evaluation_evaluators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub evaluation_id: i32,
    pub user_id: i32,
    pub affiliation: Affiliation,
    pub status: EvaluatorStatus,
    pub conflict: Option<ConflictKind>,
    pub conflict_note: Option<String>,
    pub declared_at: Option<DateTimeUtc>,
    /// When the evaluator last handed in a complete set of scores.
    pub submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
