//! The evaluation under way: the provider's self-evaluation (scores, a summary and what it
//! achieved of each output), and the evaluators' declarations and scores (the bureau's
//! survey and findings are in `assessment`). Each step checks the evaluation's state in the
//! same transaction; after the release nothing here changes anything.
use super::access::{self, Viewer};
use super::grading::parse_points;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::outbox::EmailTemplates;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{ConflictKind, EvaluationStatus, EvaluatorStatus};
use entity::{evaluation, evaluation_evaluator, evaluation_indicator, evaluation_output, evaluation_score, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

/// One indicator's score as typed, with the comment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreLine {
    pub indicator_id: i32,
    pub score: String,
    pub comment: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AchievedLine {
    pub output_id: i32,
    pub achieved: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfInput {
    pub summary: String,
    pub scores: Vec<ScoreLine>,
    pub achieved: Vec<AchievedLine>,
}

pub async fn indicators<C: ConnectionTrait>(db: &C, evaluation_id: i32) -> AppResult<Vec<evaluation_indicator::Model>> {
    Ok(evaluation_indicator::Entity::find()
        .filter(evaluation_indicator::Column::EvaluationId.eq(evaluation_id))
        .order_by_asc(evaluation_indicator::Column::Position)
        .all(db)
        .await?)
}

/// Tells every evaluator not standing aside that scoring is open, with or without the
/// provider's self-evaluation. In the step's transaction.
async fn tell_evaluators(
    txn: &DatabaseTransaction,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    ev: &evaluation::Model,
    k: &entity::contract::Model,
    self_in: bool,
) -> AppResult<()> {
    let project = super::schedule::project_title(txn, k).await?;
    let seats = evaluation_evaluator::Entity::find()
        .filter(evaluation_evaluator::Column::EvaluationId.eq(ev.id))
        .filter(evaluation_evaluator::Column::Status.ne(EvaluatorStatus::Conflicted))
        .all(txn)
        .await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(seats.iter().map(|s| s.user_id))).all(txn).await?;
    for p in people {
        let ctx = serde_json::json!({
            "kind": ev.kind.code(), "project": project, "number": k.number,
            "self_in": self_in, "url": format!("{origin}/evaluations/{}", ev.id),
        });
        super::schedule::tell(txn, emails, now, &p, "evaluation_scoring_open", ctx).await?;
    }
    Ok(())
}

/// The evaluation and this account's seat on it (an officer may be chosen as an evaluator
/// too); 404 when it may not see the evaluation, 403 when it sees it but was not chosen.
async fn seated<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    id: i32,
) -> AppResult<(evaluation::Model, entity::contract::Model, evaluation_evaluator::Model)> {
    let (ev, k, _) = access::load(db, u, id).await?;
    let seat = access::seat(db, id, u.id).await?.ok_or(AppError::Forbidden)?;
    Ok((ev, k, seat))
}

/// An evaluator's own scores by indicator id: (hundredths, comment).
pub async fn scores_of<C: ConnectionTrait>(
    db: &C,
    evaluation_id: i32,
    user_id: i32,
) -> AppResult<std::collections::HashMap<i32, (i32, String)>> {
    Ok(evaluation_score::Entity::find()
        .filter(evaluation_score::Column::EvaluationId.eq(evaluation_id))
        .filter(evaluation_score::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.indicator_id, (s.score_centi, s.comment)))
        .collect())
}

/// Every indicator scored within its weight, comments bounded; refusals name the indicator.
fn parse_sheet(inds: &[evaluation_indicator::Model], lines: &[ScoreLine]) -> AppResult<Vec<(i32, i32, String)>> {
    let mut e = FieldErrors::default();
    let mut out = Vec::new();
    for i in inds {
        let line = lines.iter().find(|l| l.indicator_id == i.id);
        let score = line.map(|l| l.score.as_str()).unwrap_or_default();
        match parse_points(score, i.weight) {
            Ok(c) => {
                let comment = crate::clean(line.map(|l| l.comment.as_str()).unwrap_or_default());
                if comment.chars().count() > 1000 {
                    e.add("scores", Msg::new("evaluation.comment_too_long").arg("indicator", &i.name).arg("max", 1000));
                }
                out.push((i.id, c, comment));
            }
            Err(m) => {
                let m = if m.key == "field.required" {
                    Msg::new("evaluation.score_missing").arg("indicator", &i.name)
                } else {
                    Msg::new("evaluation.score_out_of_range").arg("indicator", &i.name).arg("max", i.weight)
                };
                e.add("scores", m);
            }
        }
    }
    e.into_result()?;
    Ok(out)
}

/// Bumps the evaluation's version while it is in `status`, so that a release (which moves
/// it on, and checks the version it read) and this step cannot both go through; false when
/// it has moved.
pub(super) async fn hold(
    txn: &DatabaseTransaction,
    id: i32,
    status: EvaluationStatus,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let r = evaluation::Entity::update_many()
        .col_expr(evaluation::Column::UpdatedAt, Expr::value(now))
        .col_expr(evaluation::Column::Version, Expr::col(evaluation::Column::Version).add(1))
        .filter(evaluation::Column::Id.eq(id))
        .filter(evaluation::Column::Status.eq(status))
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}

pub(super) fn not_open(ev: &evaluation::Model) -> AppError {
    AppError::Conflict(match ev.status {
        EvaluationStatus::Released => Msg::new("evaluation.released"),
        EvaluationStatus::Scheduled => Msg::new("evaluation.awaiting_self").arg("date", ev.self_due_on),
        EvaluationStatus::Scoring => Msg::new("evaluation.self_closed"),
    })
}

async fn replace_scores(
    txn: &DatabaseTransaction,
    id: i32,
    user_id: Option<i32>,
    sheet: &[(i32, i32, String)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut del = evaluation_score::Entity::delete_many().filter(evaluation_score::Column::EvaluationId.eq(id));
    del = match user_id {
        Some(uid) => del.filter(evaluation_score::Column::UserId.eq(uid)),
        None => del.filter(evaluation_score::Column::UserId.is_null()),
    };
    del.exec(txn).await?;
    for (iid, centi, comment) in sheet {
        evaluation_score::ActiveModel {
            evaluation_id: Set(id),
            indicator_id: Set(*iid),
            user_id: Set(user_id),
            score_centi: Set(*centi),
            comment: Set(comment.clone()),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The provider's self-evaluation, once; it opens the scoring.
/// A self-evaluation read and checked, every problem at once.
pub(super) struct Checked {
    summary: String,
    sheet: Vec<(i32, i32, String)>,
    achieved: Vec<(i32, i64)>,
}

/// Checks a self-evaluation against the evaluation's indicators and outputs without
/// changing anything.
pub(super) async fn check_self<C: ConnectionTrait>(db: &C, id: i32, input: &SelfInput) -> AppResult<Checked> {
    let inds = indicators(db, id).await?;
    let mut e = FieldErrors::default();
    let summary = crate::fields::text_field(&mut e, "summary", &input.summary, 8000);
    let sheet = match parse_sheet(&inds, &input.scores) {
        Ok(s) => s,
        Err(AppError::Invalid(mut more)) => {
            e.0.append(&mut more.0);
            vec![]
        }
        Err(other) => return Err(other),
    };
    let outputs =
        evaluation_output::Entity::find().filter(evaluation_output::Column::EvaluationId.eq(id)).all(db).await?;
    let mut achieved = Vec::new();
    for o in &outputs {
        let typed = input.achieved.iter().find(|a| a.output_id == o.output_id).map(|a| a.achieved.trim()).unwrap_or("");
        match typed.parse::<i64>() {
            Ok(n) if (0..=100_000_000).contains(&n) => achieved.push((o.id, n)),
            _ => e.add("achieved", Msg::new("evaluation.achieved_invalid")),
        }
    }
    e.into_result()?;
    Ok(Checked { summary, sheet, achieved })
}

pub async fn submit_self(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    input: &SelfInput,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let (ev, k, viewer) = access::load(&txn, u, id).await?;
    if viewer != Viewer::Member {
        return Err(AppError::Forbidden);
    }
    if ev.status != EvaluationStatus::Scheduled {
        return Err(not_open(&ev));
    }
    let Checked { summary, sheet, achieved } = check_self(&txn, id, input).await?;
    let moved = evaluation::Entity::update_many()
        .col_expr(evaluation::Column::Status, Expr::value(ev.status.transition(EvaluationStatus::Scoring)?))
        .col_expr(evaluation::Column::SelfSummary, Expr::value(summary))
        .col_expr(evaluation::Column::SelfSubmittedBy, Expr::value(u.id))
        .col_expr(evaluation::Column::SelfSubmittedAt, Expr::value(now))
        .col_expr(evaluation::Column::SelfDraft, Expr::value(Option::<String>::None))
        .col_expr(evaluation::Column::UpdatedAt, Expr::value(now))
        .filter(evaluation::Column::Id.eq(id))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scheduled))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("evaluation.self_closed")));
    }
    replace_scores(&txn, id, None, &sheet, now).await?;
    for (oid, n) in achieved {
        evaluation_output::Entity::update_many()
            .col_expr(evaluation_output::Column::Achieved, Expr::value(n))
            .filter(evaluation_output::Column::Id.eq(oid))
            .exec(&txn)
            .await?;
    }
    tell_evaluators(&txn, emails, origin, now, &ev, &k, true).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.self_submitted",
        "contract",
        k.id,
        serde_json::json!({"evaluation": id}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// After the self-evaluation's due date has passed without one, the officer opens the
/// scoring so that a silent provider cannot hold the evaluation up.
pub async fn open_scoring(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    today: NaiveDate,
    id: i32,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let (ev, k) = access::for_bureau(&txn, u, id).await?;
    if ev.status != EvaluationStatus::Scheduled {
        return Err(not_open(&ev));
    }
    if today <= ev.self_due_on {
        return Err(AppError::Conflict(Msg::new("evaluation.self_not_due").arg("date", ev.self_due_on)));
    }
    let to = ev.status.transition(EvaluationStatus::Scoring)?;
    let moved = evaluation::Entity::update_many()
        .col_expr(evaluation::Column::Status, Expr::value(to))
        .col_expr(evaluation::Column::UpdatedAt, Expr::value(now))
        .filter(evaluation::Column::Id.eq(id))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scheduled))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("evaluation.self_closed")));
    }
    tell_evaluators(&txn, emails, origin, now, &ev, &k, false).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.self_missed",
        "contract",
        k.id,
        serde_json::json!({"evaluation": id, "due": ev.self_due_on}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An evaluator's declaration about the provider, as for experts: any tie keeps the
/// evaluator from scoring (回避).
pub async fn declare(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    conflict: ConflictKind,
    note: &str,
) -> AppResult<EvaluatorStatus> {
    let note = crate::fields::bounded("note", note, 500)?;
    if conflict != ConflictKind::None && note.is_empty() {
        return Err(crate::fields::field_error("note", Msg::new("evaluation.conflict_needs_note")));
    }
    let txn = db.begin().await?;
    let (ev, k, seat) = seated(&txn, u, id).await?;
    if ev.status == EvaluationStatus::Released {
        return Err(not_open(&ev));
    }
    let to = seat
        .status
        .transition(if conflict == ConflictKind::None { EvaluatorStatus::Cleared } else { EvaluatorStatus::Conflicted })
        .map_err(|_| AppError::Conflict(Msg::new("panel.already_declared")))?;
    if !hold(&txn, id, ev.status, now).await? {
        return Err(AppError::Conflict(Msg::new("evaluation.changed")));
    }
    let moved = evaluation_evaluator::Entity::update_many()
        .col_expr(evaluation_evaluator::Column::Status, Expr::value(to))
        .col_expr(evaluation_evaluator::Column::Conflict, Expr::value(conflict))
        .col_expr(evaluation_evaluator::Column::ConflictNote, Expr::value(Some(note.clone()).filter(|n| !n.is_empty())))
        .col_expr(evaluation_evaluator::Column::DeclaredAt, Expr::value(now))
        .filter(evaluation_evaluator::Column::Id.eq(seat.id))
        .filter(evaluation_evaluator::Column::Status.eq(EvaluatorStatus::Assigned))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("panel.already_declared")));
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        if to == EvaluatorStatus::Cleared { "evaluation.evaluator_cleared" } else { "evaluation.evaluator_conflicted" },
        "contract",
        k.id,
        serde_json::json!({"evaluation": id, "conflict": conflict.code(), "note": note}),
    )
    .await?;
    txn.commit().await?;
    Ok(to)
}

/// An evaluator's scores: every indicator, within its weight, with a comment. They may be
/// handed in again (replacing the earlier set) until the result is released.
pub async fn score(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    lines: &[ScoreLine],
) -> AppResult<()> {
    let txn = db.begin().await?;
    let (ev, k, seat) = seated(&txn, u, id).await?;
    match seat.status {
        EvaluatorStatus::Assigned => return Err(AppError::Conflict(Msg::new("evaluation.declare_first"))),
        EvaluatorStatus::Conflicted => return Err(AppError::Conflict(Msg::new("evaluation.conflicted_cannot_score"))),
        EvaluatorStatus::Cleared => {}
    }
    if ev.status != EvaluationStatus::Scoring {
        return Err(not_open(&ev));
    }
    let inds = indicators(&txn, id).await?;
    let sheet = parse_sheet(&inds, lines)?;
    if !hold(&txn, id, EvaluationStatus::Scoring, now).await? {
        return Err(AppError::Conflict(Msg::new("evaluation.released")));
    }
    replace_scores(&txn, id, Some(u.id), &sheet, now).await?;
    let mut a: evaluation_evaluator::ActiveModel = seat.into();
    a.submitted_at = Set(Some(now));
    a.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.scored",
        "contract",
        k.id,
        serde_json::json!({"evaluation": id, "scores": sheet.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>()}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
