//! The bureau's part of an evaluation under way: the satisfaction survey, the findings,
//! and which contract output each indicator measures. Each checks, in its transaction, that
//! the evaluation is still open.
use super::access::{self};
use super::grading::parse_percent;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::enums::EvaluationStatus;
use entity::{evaluation, evaluation_indicator, evaluation_output, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::conduct::{hold, not_open};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SurveyInput {
    pub surveyed: String,
    /// Percent satisfied, as typed ("96.5").
    pub satisfied_percent: String,
    pub survey_method: String,
}

/// Beneficiary satisfaction from a survey: how many were asked and the share satisfied.
pub async fn survey(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    input: &SurveyInput,
) -> AppResult<()> {
    let mut e = FieldErrors::default();
    let surveyed = crate::fields::int_field(&mut e, "surveyed", &input.surveyed, 1..=1_000_000);
    let bp = match parse_percent(&input.satisfied_percent) {
        Ok(bp) => Some(bp),
        Err(m) => {
            e.add("satisfied_percent", m);
            None
        }
    };
    let method = crate::clean(&input.survey_method);
    if method.chars().count() > 2000 {
        e.add("survey_method", Msg::new("field.too_long").arg("max", 2000));
    }
    e.into_result()?;
    let detail = serde_json::json!({"surveyed": surveyed, "satisfied_bp": bp});
    bureau_edit(db, u, now, id, "evaluation.survey_recorded", detail, |a| {
        a.survey_surveyed = Set(surveyed);
        a.survey_satisfied_bp = Set(bp);
        a.survey_method = Set(method);
    })
    .await
}

/// The evaluation for an officer's change: refused after the release and to an officer who
/// stood aside.
async fn still_open(
    txn: &DatabaseTransaction,
    u: &user::Model,
    id: i32,
) -> AppResult<(evaluation::Model, entity::contract::Model)> {
    let (ev, k) = access::for_bureau(txn, u, id).await?;
    access::not_recused(txn, u, id).await?;
    if ev.status == EvaluationStatus::Released {
        return Err(not_open(&ev));
    }
    Ok((ev, k))
}

/// An officer's change to an evaluation still open: refused after the release or to an
/// officer who stood aside, held against a release under way, and audited.
async fn bureau_edit(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    action: &str,
    mut detail: serde_json::Value,
    apply: impl FnOnce(&mut evaluation::ActiveModel),
) -> AppResult<()> {
    let txn = db.begin().await?;
    let (ev, k) = still_open(&txn, u, id).await?;
    if !hold(&txn, id, ev.status, now).await? {
        return Err(AppError::Conflict(Msg::new("evaluation.changed")));
    }
    let mut a: evaluation::ActiveModel = ev.into();
    apply(&mut a);
    a.update(&txn).await?;
    detail["evaluation"] = serde_json::json!(id);
    audit::append(&txn, now, &Actor::user(u), action, "contract", k.id, detail).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FindingsInput {
    pub method: String,
    pub findings: String,
    pub recommendations: String,
}

/// The method, findings and recommendations that go into the report.
pub async fn findings(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    input: &FindingsInput,
) -> AppResult<()> {
    let mut e = FieldErrors::default();
    let mut text = |field: &'static str, s: &str| {
        let t = crate::clean(s);
        if t.chars().count() > 8000 {
            e.add(field, Msg::new("field.too_long").arg("max", 8000));
        }
        t
    };
    let (method, findings, recommendations) = (
        text("method", &input.method),
        text("findings", &input.findings),
        text("recommendations", &input.recommendations),
    );
    e.into_result()?;
    bureau_edit(db, u, now, id, "evaluation.findings_saved", serde_json::json!({}), |a| {
        a.method = Set(method);
        a.findings = Set(findings);
        a.recommendations = Set(recommendations);
    })
    .await
}

/// Which contract output an output-linked indicator measures (matched by name when the
/// evaluation was scheduled); the officer may correct it, or unlink it, until the release.
pub async fn link_output(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    indicator_id: i32,
    output_id: Option<i32>,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let (ev, k) = still_open(&txn, u, id).await?;
    let indicator = evaluation_indicator::Entity::find_by_id(indicator_id)
        .one(&txn)
        .await?
        .filter(|i| i.evaluation_id == id && i.link == entity::enums::IndicatorLink::Output)
        .ok_or(AppError::NotFound)?;
    if let Some(oid) = output_id {
        let belongs = evaluation_output::Entity::find()
            .filter(evaluation_output::Column::EvaluationId.eq(id))
            .filter(evaluation_output::Column::OutputId.eq(oid))
            .one(&txn)
            .await?
            .is_some();
        if !belongs {
            return Err(crate::fields::field_error("output_id", Msg::new("field.choose")));
        }
    }
    if !hold(&txn, id, ev.status, now).await? {
        return Err(AppError::Conflict(Msg::new("evaluation.changed")));
    }
    let before = indicator.output_id;
    let mut a: evaluation_indicator::ActiveModel = indicator.into();
    a.output_id = Set(output_id);
    a.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.output_linked",
        "contract",
        k.id,
        serde_json::json!({"evaluation": id, "indicator": indicator_id, "before": before, "output": output_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
