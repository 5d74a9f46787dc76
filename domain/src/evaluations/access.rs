//! Who sees an evaluation: the bureau; the evaluators chosen for it; the members of the
//! provider whose contract it evaluates. Anyone else gets 404.
pub use crate::access::Viewer;
use crate::access::is_member_of;
use crate::error::{AppError, AppResult};
use entity::enums::Role;
use entity::{contract, evaluation, evaluation_evaluator, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

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
    if seat(db, id, u.id).await?.is_some() {
        return Ok((ev, k, Viewer::Evaluator));
    }
    if is_member_of(u, k.organization_id) {
        return Ok((ev, k, Viewer::Member));
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
        (_, _, Viewer::Evaluator) => Err(AppError::Forbidden),
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

/// What the reader may do with an evaluation now. Pages, the API and templates take these
/// flags instead of comparing roles and states; each step checks its state again when taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EvaluationCan {
    /// The bureau and the provider go back to the contract.
    pub see_contract: bool,
    /// The released report, or the bureau's preview before it.
    pub see_report: bool,
    /// The bureau, until the release: evaluators, outputs, survey, findings, release.
    pub manage: bool,
    /// The bureau, once the self-evaluation is overdue: open the scoring without it.
    pub open_scoring: bool,
    /// The provider, while scheduled: submit its self-evaluation.
    pub self_evaluate: bool,
    /// The reader's part as one of the evaluators, when seated.
    pub my_step: Option<EvaluatorStep>,
}

/// Where a seated evaluator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluatorStep {
    /// Declare any tie to the provider before seeing the scoring.
    Declare,
    /// Stood aside after declaring a tie.
    Recused,
    /// Cleared; the scoring opens after the self-evaluation.
    AwaitSelf,
    /// Enter or revise the scores.
    Score,
    /// The result is released and final.
    Done,
}

impl EvaluationCan {
    pub fn of(
        viewer: Viewer,
        ev: &evaluation::Model,
        seat: Option<&evaluation_evaluator::Model>,
        today: chrono::NaiveDate,
    ) -> EvaluationCan {
        use entity::enums::{EvaluationStatus as E, EvaluatorStatus as S};
        let open = ev.status != E::Released;
        let bureau = viewer.is_bureau();
        EvaluationCan {
            see_contract: bureau || viewer == Viewer::Member,
            see_report: ev.report_document_id.is_some() || bureau,
            manage: bureau && open,
            open_scoring: bureau && ev.status == E::Scheduled && today > ev.self_due_on,
            self_evaluate: viewer == Viewer::Member && ev.status == E::Scheduled,
            my_step: seat.map(|s| match (s.status, ev.status) {
                (S::Assigned, E::Scheduled | E::Scoring) => EvaluatorStep::Declare,
                (S::Conflicted, _) => EvaluatorStep::Recused,
                (_, E::Scheduled) => EvaluatorStep::AwaitSelf,
                (_, E::Scoring) => EvaluatorStep::Score,
                (_, E::Released) => EvaluatorStep::Done,
            }),
        }
    }
}
