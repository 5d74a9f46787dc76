//! The provider's self-evaluation saved as a draft before it is submitted: exactly what was
//! typed (nothing is checked, nothing is lost), seen only by the provider's own members, and
//! cleared when the self-evaluation is submitted. Submitting is checked first (`check`) so
//! the confirmation is asked only of a self-evaluation that would be accepted.
use super::access::{self, Viewer};
use super::conduct::{SelfInput, check_self};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::enums::EvaluationStatus;
use entity::{evaluation, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// The most a draft may hold (the summary's 8,000 characters and the sheet's lines, with room).
const MAX_DRAFT_BYTES: usize = 256 * 1024;

async fn own_open(db: &DatabaseConnection, u: &user::Model, id: i32) -> AppResult<evaluation::Model> {
    let (ev, _, viewer) = access::load(db, u, id).await?;
    if viewer != Viewer::Member {
        return Err(AppError::Forbidden);
    }
    if ev.status != EvaluationStatus::Scheduled {
        return Err(AppError::Conflict(Msg::new("evaluation.self_closed")));
    }
    Ok(ev)
}

/// Keeps what was typed as the organization's draft, while the self-evaluation is open.
pub async fn save(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    input: &SelfInput,
) -> AppResult<()> {
    own_open(db, u, id).await?;
    let json = serde_json::to_string(input).map_err(|e| AppError::Internal(e.to_string()))?;
    if json.len() > MAX_DRAFT_BYTES {
        return Err(AppError::BadRequest(Msg::new("evaluation.draft_too_large")));
    }
    // Only while still open: a draft never lands on a submitted self-evaluation.
    let moved = evaluation::Entity::update_many()
        .col_expr(evaluation::Column::SelfDraft, Expr::value(Some(json)))
        .col_expr(evaluation::Column::UpdatedAt, Expr::value(now))
        .filter(evaluation::Column::Id.eq(id))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scheduled))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("evaluation.self_closed")));
    }
    Ok(())
}

/// The organization's saved draft of an open self-evaluation.
pub async fn saved(db: &DatabaseConnection, u: &user::Model, id: i32) -> AppResult<Option<SelfInput>> {
    Ok(of(&own_open(db, u, id).await?))
}

/// The saved draft, if any.
pub fn of(ev: &evaluation::Model) -> Option<SelfInput> {
    ev.self_draft.as_deref().and_then(|s| serde_json::from_str(s).ok())
}

/// Whether the self-evaluation would be accepted as it stands (every problem at once).
pub async fn check(db: &DatabaseConnection, u: &user::Model, id: i32, input: &SelfInput) -> AppResult<()> {
    own_open(db, u, id).await?;
    check_self(db, id, input).await.map(|_| ())
}
