//! Questions on a published call (答疑): NGO members ask until the question deadline;
//! officers answer, and the answer is published to everyone without the asker's name.
use super::calls::{self, Phase};
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::fields::field_error;
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::enums::Role;
use entity::{call_question, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde::Serialize;

/// A question as a reader may see it: the asker is named to the bureau only.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub id: i32,
    pub question: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub asked_at: DateTime<Utc>,
    /// For the bureau: the asker's email; for the asker: true on their own questions.
    pub asker: Option<String>,
    pub mine: bool,
}

pub async fn ask(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    text: &str,
) -> AppResult<call_question::Model> {
    if u.role != Role::NgoMember {
        return Err(AppError::Forbidden);
    }
    let q = crate::clean(text);
    if q.is_empty() {
        return Err(field_error("question", Msg::new("field.required")));
    }
    if q.chars().count() > 2000 {
        return Err(field_error("question", Msg::new("field.too_long").arg("max", 2000)));
    }
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if calls::phase(&c, now) != Phase::QuestionsOpen {
        return Err(AppError::Conflict(Msg::new("call.questions_closed")));
    }
    let row = call_question::ActiveModel {
        call_id: Set(call_id),
        asked_by: Set(u.id),
        organization_id: Set(u.organization_id),
        question: Set(q),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        asked_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "call.question_asked",
        "call",
        call_id,
        serde_json::json!({"question": row.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Answers (or corrects the answer to) a question; the answer is public at once.
pub async fn answer(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    question_id: i32,
    text: &str,
) -> AppResult<call_question::Model> {
    let a = crate::clean(text);
    if a.is_empty() {
        return Err(field_error("answer", Msg::new("field.required")));
    }
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if c.status == entity::enums::CallStatus::Draft {
        return Err(AppError::NotFound);
    }
    let q = call_question::Entity::find_by_id(question_id)
        .filter(call_question::Column::CallId.eq(call_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut am: call_question::ActiveModel = q.into();
    am.answer = Set(Some(a.chars().take(crate::fields::LONG_TEXT).collect()));
    am.answered_by = Set(Some(u.id));
    am.answered_at = Set(Some(now));
    let q = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "call.question_answered",
        "call",
        call_id,
        serde_json::json!({"question": q.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(q)
}

/// The questions `viewer` may read: answered ones for everyone; unanswered ones for the
/// bureau and for their asker.
pub async fn for_reader(
    db: &DatabaseConnection,
    viewer: Option<&user::Model>,
    call_id: i32,
) -> AppResult<Vec<QuestionView>> {
    let bureau = viewer.is_some_and(|u| u.role.is_bureau());
    let rows = call_question::Entity::find()
        .filter(call_question::Column::CallId.eq(call_id))
        .order_by_asc(call_question::Column::AskedAt)
        .order_by_asc(call_question::Column::Id)
        .all(db)
        .await?;
    let askers: Vec<user::Model> = if bureau {
        let ids: Vec<i32> = rows.iter().map(|q| q.asked_by).collect();
        user::Entity::find().filter(user::Column::Id.is_in(ids)).all(db).await?
    } else {
        vec![]
    };
    Ok(rows
        .into_iter()
        .filter_map(|q| {
            let mine = viewer.is_some_and(|v| v.id == q.asked_by);
            if q.answer.is_none() && !bureau && !mine {
                return None;
            }
            Some(QuestionView {
                id: q.id,
                asker: askers.iter().find(|u| u.id == q.asked_by).map(|u| u.email.clone()),
                mine,
                question: q.question,
                answer: q.answer,
                answered_at: q.answered_at,
                asked_at: q.asked_at,
            })
        })
        .collect())
}
