#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Evidence attached to a milestone report, kept with its digest.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "milestone_report_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub report_id: i32,
    pub file_name: String,
    /// pdf, docx, xlsx, png or jpeg: recognized by the bytes.
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(skip_serializing)]
    pub data: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
