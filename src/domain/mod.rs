//! The rules of the platform. No Rocket here: functions take a connection or a
//! transaction and plain values, and return domain types or an AppError.
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod canonical;
pub mod checkpoints;
pub mod claims;
pub mod contracts;
pub mod evaluations;
pub mod fields;
pub mod hubs;
pub mod import_export;
pub mod listing;
pub mod money;
pub mod organization_input;
pub mod organizations;
pub mod outbox;
pub mod procurement;
pub mod records;
pub mod sealing;
pub mod secrets;
pub mod sessions;
pub mod uscc;
pub mod xlsx_limits;

use crate::error::AppError;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    Ok(db.begin().await?)
}

/// Text as stored: trimmed, without control characters other than newline and tab
/// (PostgreSQL refuses NUL in text, and nobody means to type one).
pub fn clean(s: &str) -> String {
    s.trim().chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect::<String>().trim().to_string()
}

/// Cleaned text, or None when blank.
pub fn non_blank(s: &str) -> Option<String> {
    let t = clean(s);
    if t.is_empty() { None } else { Some(t) }
}
