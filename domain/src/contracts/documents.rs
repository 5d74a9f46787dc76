//! Contract PDFs: drawn through [`crate::documents`] before the step that issues them, stored
//! byte for byte with their SHA-256 in that step's transaction, so a failed drawing leaves
//! nothing behind, and anyone holding a copy can check it here.
use super::access;
use super::view::ContractView;
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Msg};
use chrono::{DateTime, Utc};
use entity::enums::DocumentKind;
use entity::{contract, contract_document, organization, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What a contract document says.
#[derive(Debug, Clone)]
pub enum ContractDocument {
    /// The contract text in `language`; a draft carries a watermark.
    Contract { view: Box<ContractView>, language: Locale, draft: bool },
    /// Amendment number `seq`, with its reason and each change as (field, before, after).
    Amendment {
        view: Box<ContractView>,
        seq: i32,
        reason: String,
        changes: Vec<(String, String, String)>,
        language: Locale,
    },
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores an issued or uploaded document. Use the transaction of the step that issues it.
#[allow(clippy::too_many_arguments)]
pub async fn store<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    u: &user::Model,
    k: &contract::Model,
    kind: DocumentKind,
    amendment_id: Option<i32>,
    language: Locale,
    file_name: String,
    bytes: Vec<u8>,
) -> AppResult<contract_document::Model> {
    Ok(contract_document::ActiveModel {
        contract_id: Set(k.id),
        kind: Set(kind),
        amendment_id: Set(amendment_id),
        language: Set(language.tag().to_string()),
        file_name: Set(file_name),
        sha256: Set(sha256_hex(&bytes)),
        size_bytes: Set(bytes.len() as i64),
        data: Set(bytes),
        issued_by: Set(u.id),
        issued_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A stored document, for the bureau or the contract's provider.
pub async fn fetch<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    contract_id: i32,
    doc_id: i32,
) -> AppResult<contract_document::Model> {
    access::load(db, u, contract_id).await?;
    contract_document::Entity::find_by_id(doc_id)
        .one(db)
        .await?
        .filter(|d| d.contract_id == contract_id)
        .ok_or(AppError::NotFound)
}

/// What the platform knows of a document by its digest.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub sha256: String,
    pub kind: DocumentKind,
    pub number: Option<String>,
    pub provider: String,
    pub issued_at: String,
    pub language: String,
    /// For a contract's document: its status now; none for the bureau's annual report.
    pub contract_status: Option<entity::enums::ContractStatus>,
    /// For the bureau's annual report: its year.
    pub year: Option<i32>,
}

/// Looks a digest up (64 hex digits, any case). Anyone may ask: a contract's number,
/// provider and date are public with its award; the document itself is not shown.
pub async fn verify<C: ConnectionTrait>(db: &C, sha256: &str) -> AppResult<Option<Verified>> {
    let digest = sha256.trim().to_ascii_lowercase();
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(crate::fields::field_error("sha256", Msg::new("document.digest_format")));
    }
    let Some(d) = contract_document::Entity::find()
        .filter(contract_document::Column::Sha256.eq(&digest))
        // A countersigned scan is the provider's upload, not a document the platform issued.
        .filter(contract_document::Column::Kind.ne(DocumentKind::Countersigned))
        .order_by_asc(contract_document::Column::Id)
        .one(db)
        .await?
    else {
        return bureau_report(db, &digest).await;
    };
    let k = contract::Entity::find_by_id(d.contract_id).one(db).await?.ok_or(AppError::NotFound)?;
    let org = organization::Entity::find_by_id(k.organization_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(Some(Verified {
        sha256: digest,
        kind: d.kind,
        number: k.number,
        provider: org.name,
        issued_at: crate::i18n::format_datetime(d.issued_at),
        language: d.language,
        contract_status: Some(k.status),
        year: None,
    }))
}

/// An annual report the bureau issued, by its digest.
async fn bureau_report<C: ConnectionTrait>(db: &C, digest: &str) -> AppResult<Option<Verified>> {
    let found = entity::bureau_report::Entity::find()
        .filter(entity::bureau_report::Column::Sha256.eq(digest))
        .order_by_asc(entity::bureau_report::Column::Id)
        .one(db)
        .await?;
    Ok(found.map(|r| Verified {
        sha256: digest.to_string(),
        kind: DocumentKind::BureauReport,
        number: None,
        provider: String::new(),
        issued_at: crate::i18n::format_datetime(r.issued_at),
        language: "zh-CN".into(),
        contract_status: None,
        year: Some(r.year),
    }))
}
