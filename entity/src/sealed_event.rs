#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// What happened to the bids of one call before its opening (a version submitted, a file
/// attached or detached, a withdrawal), in a hash chain of its own: kept out of the audit
/// log, whose numbers everyone may see, so that they never count bid events. The chain's
/// head and length are written into the audit log when the call is opened (never when it
/// is cancelled: an empty chain's head would tell that nobody bid).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sealed_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    #[serde(skip_serializing)]
    pub id: i32,
    pub call_id: i32,
    /// 1, 2, 3, … within the call.
    pub n: i32,
    pub at: DateTimeUtc,
    pub payload: String,
    pub payload_hash: String,
    pub prev_hash: String,
    #[sea_orm(unique)]
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
