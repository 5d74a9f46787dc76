//! What the bureau did about a red flag: an officer's note on the flag (checked and found
//! in order, explained, referred to discipline inspection…), shown beside the flag and in
//! the annual report. One note a flag; writing it again replaces it, and the audit log
//! keeps every version.
use super::{RedFlag, Rule, Subject};
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::fields::field_error;
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::{call, contract, flag_review, user};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait};
use serde_json::json;

pub const NOTE_MAX_CHARS: usize = 2000;

impl Subject {
    pub fn code(self) -> &'static str {
        match self {
            Subject::Call => "call",
            Subject::Contract => "contract",
        }
    }

    pub fn from_code(code: &str) -> Option<Subject> {
        [Subject::Call, Subject::Contract].into_iter().find(|s| s.code() == code)
    }
}

/// Puts each flag's note, if any, beside it.
pub async fn attach<C: ConnectionTrait>(db: &C, flags: &mut [RedFlag]) -> AppResult<()> {
    let notes = flag_review::Entity::find().all(db).await?;
    for f in flags.iter_mut() {
        f.review = notes
            .iter()
            .find(|n| n.rule == f.rule.code() && n.subject == f.subject.code() && n.subject_id == f.subject_id)
            .map(|n| (n.note.clone(), n.reviewed_at));
    }
    Ok(())
}

/// Records the bureau's note on a flag. The rule and the subject must name something that
/// exists; an empty or overlong note is refused on the `note` field.
pub async fn record(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    (rule, subject, subject_id): (&str, &str, i32),
    note: &str,
) -> AppResult<()> {
    if !u.role.is_bureau() {
        return Err(AppError::Forbidden);
    }
    let rule = Rule::from_code(rule).ok_or(AppError::NotFound)?;
    let subject = Subject::from_code(subject).ok_or(AppError::NotFound)?;
    let exists = match subject {
        Subject::Call => call::Entity::find_by_id(subject_id).one(db).await?.is_some(),
        Subject::Contract => contract::Entity::find_by_id(subject_id).one(db).await?.is_some(),
    };
    if !exists {
        return Err(AppError::NotFound);
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(field_error("note", Msg::new("flag.note_required")));
    }
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(field_error("note", Msg::new("flag.note_too_long").arg("max", NOTE_MAX_CHARS)));
    }
    let txn = db.begin().await?;
    // One statement: a note written at the same instant by two officers replaces, never fails.
    let upsert = sea_orm::sea_query::OnConflict::columns([
        flag_review::Column::Rule,
        flag_review::Column::Subject,
        flag_review::Column::SubjectId,
    ])
    .update_columns([flag_review::Column::Note, flag_review::Column::ReviewedBy, flag_review::Column::ReviewedAt])
    .to_owned();
    flag_review::Entity::insert(flag_review::ActiveModel {
        rule: Set(rule.code().into()),
        subject: Set(subject.code().into()),
        subject_id: Set(subject_id),
        note: Set(note.into()),
        reviewed_by: Set(u.id),
        reviewed_at: Set(now),
        ..Default::default()
    })
    .on_conflict(upsert)
    .exec_without_returning(&txn)
    .await?;
    let payload = json!({"rule": rule.code(), "subject": subject.code(), "subject_id": subject_id, "note": note});
    audit::append(&txn, now, &Actor::user(u), "integrity.flag_reviewed", subject.code(), subject_id, payload).await?;
    txn.commit().await?;
    Ok(())
}
