//! Who sees an evaluation: the bureau; the evaluators chosen for it; the members of the
//! provider whose contract it evaluates. Anyone else gets 404.
use crate::error::{AppError, AppResult};
use entity::enums::Role;
use entity::{contract, evaluation, evaluation_evaluator, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Bureau,
    Evaluator(evaluation_evaluator::Model),
    Provider,
}

pub async fn seat<C: ConnectionTrait>(
    db: &C,
    evaluation_id: i32,
    user_id: i32,
) -> AppResult<Option<evaluation_evaluator::Model>> {
    Ok(evaluation_evaluator::Entity::find()
        .filter(evaluation_evaluator::Column::EvaluationId.eq(evaluation_id))
        .filter(evaluation_evaluator::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

pub async fn load<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    id: i32,
) -> AppResult<(evaluation::Model, contract::Model, Viewer)> {
    let ev = evaluation::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let k = contract::Entity::find_by_id(ev.contract_id).one(db).await?.ok_or(AppError::NotFound)?;
    if u.role.is_bureau() {
        return Ok((ev, k, Viewer::Bureau));
    }
    if let Some(s) = seat(db, id, u.id).await? {
        return Ok((ev, k, Viewer::Evaluator(s)));
    }
    if u.role == Role::NgoMember && u.organization_id == Some(k.organization_id) {
        return Ok((ev, k, Viewer::Provider));
    }
    Err(AppError::NotFound)
}

pub async fn for_bureau<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    id: i32,
) -> AppResult<(evaluation::Model, contract::Model)> {
    match load(db, u, id).await? {
        (ev, k, Viewer::Bureau) => Ok((ev, k)),
        (_, _, Viewer::Evaluator(_)) => Err(AppError::Forbidden),
        _ => Err(AppError::NotFound),
    }
}

/// Refuses an officer who declared a tie to the provider of this evaluation: having stood
/// aside from the scoring, they do not record its survey, findings or result either.
pub async fn not_recused<C: ConnectionTrait>(db: &C, u: &user::Model, id: i32) -> AppResult<()> {
    match seat(db, id, u.id).await? {
        Some(s) if s.status == entity::enums::EvaluatorStatus::Conflicted => {
            Err(AppError::Conflict(crate::i18n::Msg::new("evaluation.recused_officer")))
        }
        _ => Ok(()),
    }
}

/// People who may be chosen as evaluators: bureau officers and third-party evaluators.
pub async fn candidates<C: ConnectionTrait>(db: &C) -> AppResult<Vec<user::Model>> {
    use sea_orm::QueryOrder;
    Ok(user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Officer, Role::Evaluator]))
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Role)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}
