#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An issued bureau annual report (民政局年度报告, not an organization's 年报): the PDF as
/// issued for a year, with its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "bureau_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub year: i32,
    pub sha256: String,
    pub size_bytes: i64,
    #[serde(skip_serializing)]
    pub data: Vec<u8>,
    /// A staff account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub issued_by: i32,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
