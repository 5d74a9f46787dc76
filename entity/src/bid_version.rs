#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "bid_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub bid_id: i32,
    pub version_no: i32,
    /// The bid as submitted, canonical JSON; the digest is over exactly these bytes.
    pub content: String,
    pub total_fen: i64,
    /// While sealed: the content encrypted under its call's key, and `content` empty and
    /// `total_fen` 0. Opening decrypts it into those two and clears this.
    #[serde(skip_serializing)]
    pub sealed: Option<Vec<u8>>,
    /// SHA-256 of `content`, hex: the receipt.
    pub digest: String,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub submitted_by: i32,
    pub submitted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
