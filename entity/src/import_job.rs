#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A long import, checked in full and then applied in short steps in the background; its
/// page shows how far it has come and, at the end, what it did or why it refused.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    #[serde(skip_serializing)]
    pub id: i32,
    /// What its address shows instead of the id.
    #[sea_orm(unique)]
    pub public_ref: String,
    /// `organizations`.
    pub kind: String,
    pub status: JobStatus,
    #[serde(skip_serializing)]
    pub created_by: i32,
    pub file_name: String,
    /// The language its messages are written in.
    pub locale: String,
    /// Data rows in the file (the header not counted); 0 until the file has been read.
    pub total_rows: i32,
    pub rows_checked: i32,
    pub rows_applied: i32,
    /// JSON: the refused rows, or the reason it failed.
    pub outcome: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
