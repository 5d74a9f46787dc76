#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A file attached to an organization's bid on a call. Uploaded before or between
/// submissions; each submitted version lists the digests of the files it includes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "bid_attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    #[serde(skip_serializing)]
    pub id: i32,
    /// What pages and addresses show instead of the id, which would count other bidders' files.
    pub public_ref: String,
    pub call_id: i32,
    pub organization_id: i32,
    pub file_name: String,
    /// pdf, docx, xlsx, png or jpeg: what the bytes are, not what the name says.
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(skip_serializing)]
    pub data: Vec<u8>,
    /// The file name encrypted under its call's key, when the file is sealed: then `data`
    /// is encrypted too and `file_name` is empty. Files stay sealed at rest for good and
    /// are decrypted when someone allowed fetches them.
    #[serde(skip_serializing)]
    pub sealed_name: Option<Vec<u8>>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub uploaded_by: i32,
    /// Taken off the bid by its organization; kept, because a submitted version may list it.
    pub removed: bool,
    /// A submitted version lists it: kept when removed. A file removed before any version
    /// listed it is deleted, bytes and all.
    #[serde(skip_serializing)]
    pub in_version: bool,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
