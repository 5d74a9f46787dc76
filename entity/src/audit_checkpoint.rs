#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A signed statement of the audit log's head at a moment: its newest entry's number and
/// hash. Also appended to a file outside the database, and public.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "audit_checkpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub head_hash: String,
    pub at: DateTimeUtc,
    /// Ed25519 public key (hex) whose signature this is.
    pub public_key: String,
    /// Ed25519 signature (hex) of the statement `fuhua-audit-checkpoint|seq|head_hash|at`.
    pub signature: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
