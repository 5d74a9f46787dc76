//! An officer schedules a mid-term or final evaluation of an active contract: the template
//! (copied into the evaluation), the day, the self-evaluation's due date, the method and the
//! evaluators. The provider is told and asked for its self-evaluation; each evaluator is told.
use super::access;
use crate::audit::{self, Actor};
use crate::contracts::access::notify_provider;
use crate::contracts::terms::parse_term_date;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Locale, Msg, format_date};
use crate::outbox::{self, EmailTemplates};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    Affiliation, ContractStatus, EvaluationKind, EvaluationStatus, EvaluatorStatus, IndicatorLink, MilestoneStatus,
    PaymentCondition, Role,
};
use entity::{
    contract, contract_output, evaluation, evaluation_evaluator, evaluation_indicator, evaluation_output, milestone,
    milestone_indicator, milestone_report_value, user,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const MAX_EVALUATORS: usize = 9;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScheduleInput {
    /// "midterm" or "final".
    pub kind: String,
    pub template_id: String,
    pub visit_on: String,
    pub self_due_on: String,
    pub method: String,
    pub evaluators: Vec<i32>,
}

/// Indicator values by name and unit: (target, latest achievement) per milestone, in due order.
type ByIndicator = HashMap<(String, String), i64>;

/// What the provider achieved by the latest accepted milestone report (reports are read as
/// cumulative, so the latest one stands), and, for a mid-term evaluation, the targets of the
/// milestone that carries the mid-term instalment: the outputs are measured against those at
/// mid-term and against the contract's quantities at the end.
pub async fn from_milestones<C: ConnectionTrait>(
    db: &C,
    contract_id: i32,
    kind: EvaluationKind,
) -> AppResult<(ByIndicator, ByIndicator)> {
    let ms = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(contract_id))
        .order_by_asc(milestone::Column::DueOn)
        .all(db)
        .await?;
    let key = |i: &milestone_indicator::Model| (i.name.trim().to_string(), i.unit.trim().to_string());
    let mut achieved = HashMap::new();
    let mut targets = HashMap::new();
    let midterm_instalments: Vec<i32> = entity::contract_instalment::Entity::find()
        .filter(entity::contract_instalment::Column::ContractId.eq(contract_id))
        .filter(entity::contract_instalment::Column::Condition.eq(PaymentCondition::MidtermPassed))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    for m in &ms {
        let inds = milestone_indicator::Entity::find()
            .filter(milestone_indicator::Column::MilestoneId.eq(m.id))
            .all(db)
            .await?;
        if kind == EvaluationKind::Midterm && m.instalment_id.is_some_and(|i| midterm_instalments.contains(&i)) {
            targets.extend(inds.iter().map(|i| (key(i), i.target)));
        }
        if m.status != MilestoneStatus::Accepted {
            continue;
        }
        let Some(r) = crate::contracts::reports::latest(db, m.id).await? else { continue };
        let values = milestone_report_value::Entity::find()
            .filter(milestone_report_value::Column::ReportId.eq(r.id))
            .all(db)
            .await?;
        for v in values {
            if let Some(i) = inds.iter().find(|i| i.id == v.indicator_id) {
                achieved.insert(key(i), v.achieved);
            }
        }
    }
    Ok((targets, achieved))
}

/// The output an output-linked indicator measures: one whose name it contains (or that
/// contains its name), else the next output not yet taken.
fn match_outputs(linked: &[&str], outputs: &[contract_output::Model]) -> Vec<Option<i32>> {
    let mut taken: Vec<i32> = Vec::new();
    let mut out = Vec::new();
    for name in linked {
        let by_name = outputs
            .iter()
            .find(|o| !taken.contains(&o.id) && (name.contains(o.name.as_str()) || o.name.contains(name)));
        let pick = by_name.or_else(|| outputs.iter().find(|o| !taken.contains(&o.id)));
        if let Some(o) = pick {
            taken.push(o.id);
        }
        out.push(pick.map(|o| o.id));
    }
    out
}

struct Parsed {
    kind: EvaluationKind,
    template_id: i32,
    visit_on: NaiveDate,
    self_due_on: NaiveDate,
    method: String,
    evaluators: Vec<user::Model>,
}

async fn parse<C: ConnectionTrait>(db: &C, input: &ScheduleInput, today: NaiveDate) -> AppResult<Parsed> {
    let mut e = FieldErrors::default();
    let kind = EvaluationKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.add("kind", Msg::new("field.choose"));
    }
    let template_id = input.template_id.trim().parse::<i32>().ok();
    let template = match template_id {
        Some(id) => entity::indicator_template::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    if template.is_none() {
        e.add("template_id", Msg::new("field.choose"));
    }
    let visit_on = parse_term_date(&input.visit_on);
    let self_due_on = parse_term_date(&input.self_due_on);
    match visit_on {
        None => e.add("visit_on", Msg::new("field.date")),
        Some(d) if d < today => e.add("visit_on", Msg::new("evaluation.date_past")),
        _ => {}
    }
    match (self_due_on, visit_on) {
        (None, _) => e.add("self_due_on", Msg::new("field.date")),
        (Some(d), _) if d < today => e.add("self_due_on", Msg::new("evaluation.date_past")),
        (Some(d), Some(v)) if d > v => e.add("self_due_on", Msg::new("evaluation.self_after_visit")),
        _ => {}
    }
    let method = crate::clean(&input.method);
    if method.chars().count() > 2000 {
        e.add("method", Msg::new("field.too_long").arg("max", 2000));
    }
    let mut ids = input.evaluators.clone();
    ids.sort_unstable();
    ids.dedup();
    // Refused before any query: a list of thousands of ids is not a panel.
    let evaluators: Vec<user::Model> = if ids.is_empty() || ids.len() > MAX_EVALUATORS {
        vec![]
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids.clone()))
            .filter(user::Column::Role.is_in([Role::Officer, Role::Evaluator]))
            .filter(user::Column::Disabled.eq(false))
            .order_by_asc(user::Column::Id)
            .all(db)
            .await?
    };
    if ids.len() > MAX_EVALUATORS {
        e.add("evaluators", Msg::new("template.too_many").arg("max", MAX_EVALUATORS));
    } else if evaluators.is_empty() || evaluators.len() != ids.len() {
        e.add("evaluators", Msg::new("evaluation.choose_evaluators"));
    }
    e.into_result()?;
    let missing = || AppError::Internal("parsed".into());
    Ok(Parsed {
        kind: kind.ok_or_else(missing)?,
        template_id: template_id.ok_or_else(missing)?,
        visit_on: visit_on.ok_or_else(missing)?,
        self_due_on: self_due_on.ok_or_else(missing)?,
        method,
        evaluators,
    })
}

/// The project's name: the title of the call the contract was awarded under.
pub async fn project_title<C: ConnectionTrait>(db: &C, k: &contract::Model) -> AppResult<String> {
    Ok(entity::call::Entity::find_by_id(k.call_id).one(db).await?.map(|c| c.title).unwrap_or_default())
}

fn affiliation(u: &user::Model) -> Affiliation {
    if u.role == Role::Evaluator { Affiliation::ThirdParty } else { Affiliation::Bureau }
}

#[allow(clippy::too_many_arguments)]
pub async fn schedule(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    today: NaiveDate,
    contract_id: i32,
    input: &ScheduleInput,
) -> AppResult<evaluation::Model> {
    if !u.role.is_bureau() {
        return Err(AppError::Forbidden);
    }
    let k = contract::Entity::find_by_id(contract_id).one(db).await?.ok_or(AppError::NotFound)?;
    if k.status != ContractStatus::Active {
        return Err(AppError::Conflict(Msg::new("contract.not_active")));
    }
    let p = parse(db, input, today).await?;
    let t = super::templates::get(db, p.template_id).await?;
    let project = project_title(db, &k).await?;
    let txn = db.begin().await?;
    let taken = evaluation::Entity::find()
        .filter(evaluation::Column::ContractId.eq(k.id))
        .filter(evaluation::Column::Kind.eq(p.kind))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(Msg::new("evaluation.already_scheduled")));
    }
    let ev = evaluation::ActiveModel {
        contract_id: Set(k.id),
        kind: Set(p.kind),
        template_id: Set(t.template.id),
        template_name: Set(t.template.name.clone()),
        status: Set(EvaluationStatus::Scheduled),
        visit_on: Set(p.visit_on),
        self_due_on: Set(p.self_due_on),
        method: Set(p.method.clone()),
        survey_method: Set(String::new()),
        findings: Set(String::new()),
        recommendations: Set(String::new()),
        created_by: Set(u.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    // Two officers scheduling the same kind at once: the unique index decides.
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(Msg::new("evaluation.already_scheduled"))
        }
        _ => e.into(),
    })?;
    copy_template(&txn, ev.id, &t, k.id, p.kind).await?;
    for person in &p.evaluators {
        seat(&txn, emails, origin, now, &ev, &k, &project, person).await?;
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.scheduled",
        "contract",
        k.id,
        serde_json::json!({"evaluation": ev.id, "kind": p.kind.code(), "template": t.template.id,
            "evaluators": p.evaluators.iter().map(|e| e.id).collect::<Vec<_>>()}),
    )
    .await?;
    let ctx = serde_json::json!({
        "kind": p.kind.code(), "project": project, "visit_on": format_date(p.visit_on),
        "self_due_on": format_date(p.self_due_on), "url": format!("{origin}/evaluations/{}", ev.id),
    });
    notify_provider(&txn, emails, now, &k, "evaluation_scheduled", None, ctx).await?;
    txn.commit().await?;
    Ok(ev)
}

/// The evaluation's own copy of the template's indicators (each output-linked one matched to
/// a contract output by name), and the outputs with what was planned and achieved by the
/// accepted milestones.
async fn copy_template(
    txn: &sea_orm::DatabaseTransaction,
    evaluation_id: i32,
    t: &super::templates::Template,
    contract_id: i32,
    kind: EvaluationKind,
) -> AppResult<()> {
    let outputs = contract_output::Entity::find()
        .filter(contract_output::Column::ContractId.eq(contract_id))
        .order_by_asc(contract_output::Column::Position)
        .all(txn)
        .await?;
    let linked: Vec<&str> = t
        .dimensions
        .iter()
        .flat_map(|d| d.indicators.iter())
        .filter(|i| i.link == IndicatorLink::Output)
        .map(|i| i.name.as_str())
        .collect();
    let mut matched = match_outputs(&linked, &outputs).into_iter();
    let mut position = 0;
    for d in &t.dimensions {
        for i in &d.indicators {
            position += 1;
            let output_id = if i.link == IndicatorLink::Output { matched.next().flatten() } else { None };
            evaluation_indicator::ActiveModel {
                evaluation_id: Set(evaluation_id),
                position: Set(position),
                dimension_position: Set(d.position),
                dimension: Set(d.name.clone()),
                dimension_weight: Set(d.weight),
                name: Set(i.name.clone()),
                weight: Set(i.weight),
                guide: Set(i.guide.clone()),
                link: Set(i.link),
                output_id: Set(output_id),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    let (targets, achieved) = from_milestones(txn, contract_id, kind).await?;
    for o in &outputs {
        let key = (o.name.trim().to_string(), o.unit.trim().to_string());
        evaluation_output::ActiveModel {
            evaluation_id: Set(evaluation_id),
            output_id: Set(o.id),
            planned: Set(targets.get(&key).copied().unwrap_or(o.quantity)),
            achieved: Set(achieved.get(&key).copied().unwrap_or(0)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Emails `person` a message of `kind` about an evaluation, in their language; `ctx` gets
/// their name. In the step's transaction.
pub(super) async fn tell(
    txn: &DatabaseTransaction,
    emails: &EmailTemplates,
    now: DateTime<Utc>,
    person: &user::Model,
    kind: &str,
    mut ctx: serde_json::Value,
) -> AppResult<()> {
    ctx["name"] = serde_json::json!(person.display_name);
    let locale = Locale::from_tag(&person.locale).unwrap_or(Locale::ZhCn);
    outbox::enqueue(txn, emails, now, &person.email, locale, kind, ctx).await?;
    Ok(())
}

/// Seats `person` on the evaluation, to declare first, and tells them.
#[allow(clippy::too_many_arguments)]
async fn seat(
    txn: &DatabaseTransaction,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    ev: &evaluation::Model,
    k: &contract::Model,
    project: &str,
    person: &user::Model,
) -> AppResult<()> {
    evaluation_evaluator::ActiveModel {
        evaluation_id: Set(ev.id),
        user_id: Set(person.id),
        affiliation: Set(affiliation(person)),
        status: Set(EvaluatorStatus::Assigned),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let ctx = serde_json::json!({
        "kind": ev.kind.code(), "project": project, "number": k.number,
        "visit_on": format_date(ev.visit_on), "url": format!("{origin}/evaluations/{}", ev.id),
    });
    tell(txn, emails, now, person, "evaluation_assigned", ctx).await
}

/// Adds an evaluator (e.g. in place of one who declared a conflict) before the release.
pub async fn add_evaluator(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    user_id: i32,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let (ev, k) = access::for_bureau(&txn, u, id).await?;
    if ev.status == EvaluationStatus::Released {
        return Err(AppError::Conflict(Msg::new("evaluation.released")));
    }
    let project = project_title(&txn, &k).await?;
    let person = user::Entity::find_by_id(user_id)
        .filter(user::Column::Role.is_in([Role::Officer, Role::Evaluator]))
        .filter(user::Column::Disabled.eq(false))
        .one(&txn)
        .await?
        .ok_or_else(|| crate::fields::field_error("user_id", Msg::new("evaluation.choose_evaluators")))?;
    if access::seat(&txn, id, user_id).await?.is_some() {
        return Err(AppError::Conflict(Msg::new("evaluation.already_evaluator")));
    }
    if !super::conduct::hold(&txn, id, ev.status, now).await? {
        return Err(AppError::Conflict(Msg::new("evaluation.changed")));
    }
    let count = evaluation_evaluator::Entity::find()
        .filter(evaluation_evaluator::Column::EvaluationId.eq(id))
        .all(&txn)
        .await?
        .len();
    if count >= MAX_EVALUATORS {
        return Err(AppError::Conflict(Msg::new("template.too_many").arg("max", MAX_EVALUATORS)));
    }
    seat(&txn, emails, origin, now, &ev, &k, &project, &person).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.evaluator_added",
        "contract",
        k.id,
        serde_json::json!({"evaluation": id, "user": person.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes an evaluator who has not handed in scores (a conflicted one, typically).
pub async fn remove_evaluator(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    user_id: i32,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let (ev, k) = access::for_bureau(&txn, u, id).await?;
    if ev.status == EvaluationStatus::Released {
        return Err(AppError::Conflict(Msg::new("evaluation.released")));
    }
    let seat = access::seat(&txn, id, user_id).await?.ok_or(AppError::NotFound)?;
    if seat.submitted_at.is_some() {
        return Err(AppError::Conflict(Msg::new("evaluation.evaluator_has_scored")));
    }
    if !super::conduct::hold(&txn, id, ev.status, now).await? {
        return Err(AppError::Conflict(Msg::new("evaluation.changed")));
    }
    evaluation_evaluator::Entity::delete_by_id(seat.id).exec(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "evaluation.evaluator_removed",
        "contract",
        k.id,
        serde_json::json!({"evaluation": id, "user": user_id, "status": seat.status.code()}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(id: i32, name: &str) -> contract_output::Model {
        contract_output::Model {
            id,
            contract_id: 1,
            position: id,
            name: name.into(),
            standard: String::new(),
            unit: "次".into(),
            quantity: 10,
            unit_price_fen: 100,
        }
    }

    #[test]
    fn linked_indicators_find_their_outputs_by_name_then_in_order() {
        let outputs = vec![output(1, "入户探访"), output(2, "健康讲座"), output(3, "志愿者培训")];
        let got = match_outputs(&["健康讲座完成率", "入户探访完成率", "其他"], &outputs);
        assert_eq!(got, vec![Some(2), Some(1), Some(3)]);
        assert_eq!(match_outputs(&["a", "b"], &outputs[..1]), vec![Some(1), None]);
    }
}
