#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// Pinyin initials of the name, lower case ("sysyg" for 三亚市阳光…), for search.
    pub name_initials: String,
    /// 统一社会信用代码; a filed community group (备案) may have none.
    #[sea_orm(unique)]
    pub uscc: Option<String>,
    /// Set when an officer accepted a USCC that fails the checksum, with the reason.
    pub uscc_override_reason: Option<String>,
    pub org_type: OrgType,
    pub status: OrgStatus,
    pub registration_date: Date,
    pub registration_authority: String,
    pub legal_representative: String,
    pub address: String,
    pub district_id: i32,
    pub community_id: Option<i32>,
    pub business_scope: String,
    /// Registered funds in fen.
    pub registered_funds_fen: i64,
    pub supervising_unit: Option<String>,
    pub certificate_valid_until: Option<Date>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
