//! Imports too large to run while the officer waits: the file is read and its header
//! checked at once, then a background job checks every row and applies them in short
//! steps (`apply_in_steps`), so that nobody else waits for the database's
//! writer longer than one step. All or nothing still: a refused row applies nothing, and a
//! step that fails (or a server stopped half-way) undoes the steps before it. The job's
//! page shows how far it has come; the officer may leave and come back to the result.
use super::audit::{self, Actor};
use super::import_export::{self, NewRows, Prepared, RowError};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Msg};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::JobStatus;
use entity::{import_job, import_job_row, organization, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use serde::Serialize;

pub const KIND_ORGANIZATIONS: &str = "organizations";

/// Records the job, before it runs.
pub async fn create(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    locale: Locale,
    file_name: &str,
    rows: usize,
) -> AppResult<import_job::Model> {
    let txn = db.begin().await?;
    let job = import_job::ActiveModel {
        public_ref: Set(super::secrets::random_ref()),
        kind: Set(KIND_ORGANIZATIONS.into()),
        status: Set(JobStatus::Checking),
        created_by: Set(u.id),
        file_name: Set(super::clean_line(file_name).chars().take(200).collect()),
        locale: Set(locale.tag().into()),
        total_rows: Set(rows as i32),
        rows_checked: Set(0),
        rows_applied: Set(0),
        outcome: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "import_job.started",
        "import_job",
        &job.public_ref,
        serde_json::json!({"file": job.file_name, "rows": rows}),
    )
    .await?;
    txn.commit().await?;
    Ok(job)
}

/// Runs the job to its end: check, then apply or refuse. Never returns an error: what went
/// wrong is the job's outcome, on its page.
pub async fn run(db: DatabaseConnection, clock: Clock, actor: Actor, job: import_job::Model, p: Prepared) {
    let locale = Locale::from_tag(&job.locale).unwrap_or(Locale::ZhCn);
    let today = clock.today_local();
    let result = check_and_apply(&db, &clock, &actor, &job, today, locale, p).await;
    let now = clock.now();
    let (from, to, outcome) = match result {
        Ok(Ok(n)) => (JobStatus::Applying, JobStatus::Done, serde_json::json!({"imported": n})),
        Ok(Err(errors)) => (JobStatus::Checking, JobStatus::Refused, serde_json::json!({"errors": errors})),
        Err((from, e)) => {
            log::warn!("import {} failed: {e}", job.public_ref);
            (from, JobStatus::Failed, serde_json::json!({"message": e.message(locale)}))
        }
    };
    if let Err(e) = finish(&db, &actor, now, &job, from, to, outcome).await {
        log::error!("import {}: could not record its end: {e}", job.public_ref);
    }
    crate::memory::give_back();
}

async fn check_and_apply(
    db: &DatabaseConnection,
    clock: &Clock,
    actor: &Actor,
    job: &import_job::Model,
    today: NaiveDate,
    locale: Locale,
    p: Prepared,
) -> Result<Result<usize, Vec<RowError>>, (JobStatus, AppError)> {
    let checked: NewRows = match import_export::check(db, today, locale, p, Some((job.id, clock))).await {
        Err(e) => return Err((JobStatus::Checking, e)),
        Ok(Err(errors)) => return Ok(Err(errors)),
        Ok(Ok(rows)) => rows,
    };
    super::move_once::<import_job::Entity, _, _>(
        db,
        (import_job::Column::Id, job.id),
        import_job::Column::Status,
        JobStatus::Checking,
        JobStatus::Checking.transition(JobStatus::Applying).map_err(|e| (JobStatus::Checking, e.into()))?,
    )
    .await
    .map_err(|e| (JobStatus::Checking, e))?;
    apply_in_steps(db, actor, clock, job.id, &checked).await.map(Ok).map_err(|e| (JobStatus::Applying, e))
}

/// Rows applied per transaction by a background import: a step takes about 20 ms, so a
/// login or a form waiting for the writer waits that long at most for each of its writes.
pub const APPLY_STEP: usize = 10;

/// Applies checked rows in steps of `APPLY_STEP`, each its own transaction that also lists
/// what it created under the job and moves the job's count on. If a step fails (an
/// organization registered meanwhile under the same code), the steps before it are undone
/// and the error names the row.
pub async fn apply_in_steps(
    db: &DatabaseConnection,
    actor: &Actor,
    clock: &crate::clock::Clock,
    job: i32,
    parsed: &[(usize, super::organizations::NewOrganization)],
) -> AppResult<usize> {
    use entity::import_job_row;
    let mut done_rows = 0;
    for step in parsed.chunks(APPLY_STEP) {
        let done: AppResult<()> = async {
            let now = clock.now();
            let txn = db.begin().await?;
            let orgs: Vec<_> = step.iter().map(|(_, o)| o).collect();
            let ids = super::organizations::insert_batch(&txn, actor, now, &orgs, "organization.imported")
                .await
                .map_err(|(i, e)| match i {
                    Some(i) => AppError::Conflict(
                        Msg::new("import.step_failed").arg("line", step[i].0).arg("detail", e.to_string()),
                    ),
                    None => e,
                })?;
            let made =
                ids.into_iter().map(|id| import_job_row::ActiveModel { job_id: Set(job), organization_id: Set(id) });
            import_job_row::Entity::insert_many(made).exec(&txn).await?;
            applied(&txn, job, done_rows + step.len(), now).await?;
            txn.commit().await?;
            Ok(())
        }
        .await;
        if let Err(e) = done {
            undo(db, actor, clock.now(), job).await?;
            return Err(e);
        }
        done_rows += step.len();
        // A breath between steps: whoever queued for the writer meanwhile goes first.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    Ok(done_rows)
}

/// Moves the job to its end state, once, with what it did.
async fn finish(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    job: &import_job::Model,
    from: JobStatus,
    to: JobStatus,
    outcome: serde_json::Value,
) -> AppResult<()> {
    let to = from.transition(to)?;
    let txn = db.begin().await?;
    let r = import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, Expr::value(to))
        .col_expr(import_job::Column::Outcome, Expr::value(Some(outcome.to_string())))
        .col_expr(import_job::Column::UpdatedAt, Expr::value(now))
        .col_expr(import_job::Column::FinishedAt, Expr::value(Some(now)))
        .filter(import_job::Column::Id.eq(job.id))
        .filter(import_job::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("error.concurrent_change")));
    }
    let summary = match to {
        JobStatus::Refused => serde_json::json!({"refused_rows": outcome["errors"].as_array().map(Vec::len)}),
        _ => outcome,
    };
    audit::append(&txn, now, actor, &format!("import_job.{}", to.code()), "import_job", &job.public_ref, summary)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Progress: rows applied so far (inside the step's transaction).
pub async fn applied<C: ConnectionTrait>(db: &C, id: i32, n: usize, now: DateTime<Utc>) -> AppResult<()> {
    import_export::progress(db, id, import_job::Column::RowsApplied, n, now).await
}

/// Deletes what the job's steps created (the rows it lists), audited. Returns how many.
pub async fn undo(db: &DatabaseConnection, actor: &Actor, now: DateTime<Utc>, job: i32) -> AppResult<usize> {
    let ids: Vec<i32> = import_job_row::Entity::find()
        .filter(import_job_row::Column::JobId.eq(job))
        .select_only()
        .column(import_job_row::Column::OrganizationId)
        .into_tuple()
        .all(db)
        .await?;
    let txn = db.begin().await?;
    for chunk in ids.chunks(500) {
        entity::organization_name_gram::Entity::delete_many()
            .filter(entity::organization_name_gram::Column::OrganizationId.is_in(chunk.to_vec()))
            .exec(&txn)
            .await?;
        entity::organization_category::Entity::delete_many()
            .filter(entity::organization_category::Column::OrganizationId.is_in(chunk.to_vec()))
            .exec(&txn)
            .await?;
        organization::Entity::delete_many().filter(organization::Column::Id.is_in(chunk.to_vec())).exec(&txn).await?;
    }
    import_job_row::Entity::delete_many().filter(import_job_row::Column::JobId.eq(job)).exec(&txn).await?;
    let job_ref = import_job::Entity::find_by_id(job).one(&txn).await?.map(|j| j.public_ref).unwrap_or_default();
    import_job::Entity::update_many()
        .col_expr(import_job::Column::RowsApplied, Expr::value(0))
        .filter(import_job::Column::Id.eq(job))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        now,
        actor,
        "organization.import_undone",
        "import_job",
        &job_ref,
        serde_json::json!({"organizations": ids}),
    )
    .await?;
    txn.commit().await?;
    Ok(ids.len())
}

/// At start: a job a stopped server left running will not go on (its file was in that
/// server's memory). One still checking ends as failed; one applying is undone first.
pub async fn recover(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<usize> {
    let stuck = import_job::Entity::find()
        .filter(import_job::Column::Status.is_in([JobStatus::Checking, JobStatus::Applying]))
        .all(db)
        .await?;
    let actor = Actor::system("import recovery");
    for job in &stuck {
        if job.status == JobStatus::Applying {
            undo(db, &actor, now, job.id).await?;
        }
        let message = Locale::from_tag(&job.locale).unwrap_or(Locale::ZhCn).t("import.interrupted").to_string();
        finish(db, &actor, now, job, job.status, JobStatus::Failed, serde_json::json!({"message": message})).await?;
    }
    Ok(stuck.len())
}

pub async fn get<C: ConnectionTrait>(db: &C, public_ref: &str) -> AppResult<import_job::Model> {
    import_job::Entity::find()
        .filter(import_job::Column::PublicRef.eq(public_ref))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A job as its page shows it.
#[derive(Debug, Serialize)]
pub struct JobView {
    pub public_ref: String,
    pub status: &'static str,
    pub finished: bool,
    /// Finished with every row imported.
    pub succeeded: bool,
    pub file_name: String,
    pub total: i32,
    pub checked: i32,
    pub applied: i32,
    /// Of the whole work (checking every row, then applying every row), 0 to 100.
    pub percent: i64,
    /// Estimated from the pace so far; None before there is a pace, or once finished.
    pub seconds_left: Option<i64>,
    pub imported: Option<i64>,
    pub errors: Vec<RowError>,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

pub fn view(j: &import_job::Model) -> JobView {
    let outcome: serde_json::Value =
        j.outcome.as_deref().and_then(|o| serde_json::from_str(o).ok()).unwrap_or(serde_json::Value::Null);
    let total = j.total_rows.max(1) as i64;
    let done = match j.status {
        JobStatus::Done => 2 * total,
        _ => j.rows_checked as i64 + j.rows_applied as i64,
    };
    let percent = (done * 100 / (2 * total)).clamp(0, 100);
    let elapsed = (j.updated_at - j.created_at).num_seconds();
    let seconds_left = (!j.status.finished() && done > 0 && elapsed > 0).then(|| elapsed * (2 * total - done) / done);
    JobView {
        public_ref: j.public_ref.clone(),
        status: j.status.code(),
        finished: j.status.finished(),
        succeeded: j.status == JobStatus::Done,
        file_name: j.file_name.clone(),
        total: j.total_rows,
        checked: j.rows_checked,
        applied: j.rows_applied,
        percent,
        seconds_left,
        imported: outcome["imported"].as_i64(),
        errors: serde_json::from_value(outcome["errors"].clone()).unwrap_or_default(),
        message: outcome["message"].as_str().map(str::to_string),
        created_at: j.created_at,
        finished_at: j.finished_at,
    }
}
