//! The rules of the platform. No Rocket, Tera, lettre or printpdf here (the crate does not
//! depend on them): functions take a connection or a transaction and plain values, and
//! return domain types or an AppError. A document or an email is asked for through
//! [`documents::Draws`] and [`outbox::EmailBodies`], which the application wires up.
pub mod access;
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod bureau_report;
pub mod canonical;
pub mod checkpoints;
pub mod claims;
pub mod clock;
pub mod contracts;
pub mod dashboard;
pub mod documents;
pub mod error;
pub mod evaluations;
pub mod fields;
pub mod files;
pub mod hubs;
pub mod i18n;
pub mod import_export;
pub mod import_jobs;
pub mod integrity;
pub mod listing;
pub mod lists;
pub mod memory;
pub mod money;
pub mod open_data;
pub mod organization_input;
pub mod organization_view;
pub mod organizations;
pub mod outbox;
pub mod places;
pub mod portal;
pub mod procurement;
pub mod procurement_rules;
pub mod records;
pub mod sealing;
pub mod secrets;
pub mod sessions;
pub mod sheets;
pub mod subscriptions;
pub mod todo;
pub mod uscc;
pub mod xlsx_limits;

use crate::error::AppError;
use crate::i18n::Msg;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};

pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    Ok(db.begin().await?)
}

/// Text as stored: trimmed, without control characters other than newline and tab
/// (PostgreSQL refuses NUL in text, and nobody means to type one), and without the
/// invisible characters that change how the text around them reads (`invisible`).
pub fn clean(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| (!c.is_control() || matches!(c, '\n' | '\t')) && !invisible(*c))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Text of one line (a name, a title, an address): cleaned, with line breaks, tabs and runs
/// of spaces made one space, so that it cannot start a new line in a plain-text email or a
/// header, or a list.
pub fn clean_line(s: &str) -> String {
    clean(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters that are not seen but change what is: bidirectional overrides, embeddings,
/// isolates and marks (U+202E makes "gpj.exe" display as "exe.jpg"), zero-width
/// spaces and joiners, word joiners and invisible operators, the byte-order mark and the
/// soft hyphen.
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Cleaned text, or None when blank.
pub fn non_blank(s: &str) -> Option<String> {
    let t = clean(s);
    if t.is_empty() { None } else { Some(t) }
}

/// Moves one row from the state it was read in (`from`) to `to`, by an update that matches
/// only while the row is still in `from`: of two decisions taken at the same moment, on one
/// server or two, exactly one moves it and the other is refused with a conflict. On
/// PostgreSQL the row stays locked by the transaction until it commits, so whatever the
/// caller writes next about the row is written by the winner alone.
pub(crate) async fn move_once<E, C, V>(
    db: &C,
    (id_col, id): (E::Column, i32),
    status_col: E::Column,
    from: V,
    to: V,
) -> Result<(), AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
    V: Into<sea_orm::Value>,
{
    let r = E::update_many()
        .col_expr(status_col, Expr::value(to))
        .filter(id_col.eq(id))
        .filter(status_col.eq(from))
        .exec(db)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("error.concurrent_change")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_to_one_line_and_lose_what_cannot_be_seen() {
        assert_eq!(clean_line("  王\r\n小明\t \u{202E}gpj.exe "), "王 小明 gpj.exe");
        assert_eq!(clean("a\u{200B}b\u{FEFF}c\u{2066}d"), "abcd");
        assert_eq!(clean("第一行\n第二行"), "第一行\n第二行", "free text keeps its lines");
        assert_eq!(clean_line("\u{200D}\u{200C}"), "");
    }
}
