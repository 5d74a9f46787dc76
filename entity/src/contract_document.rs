#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A PDF issued for a contract (or an amendment), or the provider's countersigned scan,
/// kept byte for byte with its SHA-256 so any copy can be checked against it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contract_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contract_id: i32,
    pub kind: DocumentKind,
    pub amendment_id: Option<i32>,
    pub language: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    #[serde(skip_serializing)]
    pub data: Vec<u8>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub issued_by: i32,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
