//! What waits for a hub manager (applications to decide, members whose term ends soon), an
//! expert (panels to declare for and score) and an evaluator (evaluations to declare for
//! and score).
use super::{Item, Projects, Section, Want, When, call_item, calls_by_id, count_and_first, names_by_id};
use crate::error::AppResult;
use chrono::Duration;
use entity::enums::{
    ApplicationStatus, CallStatus, EvaluationStatus, EvaluatorStatus, MembershipStage, PanelMemberStatus,
};
use entity::{call, evaluation, evaluation_evaluator, hub, hub_application, hub_manager, hub_membership, panel_member};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use std::collections::HashMap;

pub(super) async fn hub_manager<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    at: When,
    want: Want,
) -> AppResult<Vec<Section>> {
    let hubs: Vec<i32> = hub_manager::Entity::find()
        .select_only()
        .column(hub_manager::Column::HubId)
        .filter(hub_manager::Column::UserId.eq(user_id))
        .into_tuple::<i32>()
        .all(db)
        .await?;
    if hubs.is_empty() {
        return Ok(Vec::new());
    }
    let names: HashMap<i32, String> = if want.items() {
        hub::Entity::find()
            .filter(hub::Column::Id.is_in(hubs.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|h| (h.id, h.name))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(vec![applications(db, &hubs, &names, want).await?, ending(db, &hubs, &names, at, want).await?])
}

async fn applications<C: ConnectionTrait>(
    db: &C,
    hubs: &[i32],
    names: &HashMap<i32, String>,
    want: Want,
) -> AppResult<Section> {
    let q = hub_application::Entity::find()
        .filter(hub_application::Column::HubId.is_in(hubs.iter().copied()))
        .filter(hub_application::Column::Status.eq(ApplicationStatus::Submitted));
    let (count, rows) =
        count_and_first(db, q.clone(), q.order_by_asc(hub_application::Column::CreatedAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let orgs = names_by_id(db, rows.iter().filter_map(|a| a.organization_id)).await?;
        items = rows
            .iter()
            .map(|a| Item {
                title: a
                    .organization_id
                    .and_then(|o| orgs.get(&o).cloned())
                    .or_else(|| a.team_name.clone())
                    .unwrap_or_default(),
                party: names.get(&a.hub_id).cloned(),
                href: format!("/hubs/{}/applications/{}", a.hub_id, a.id),
                on: Some(crate::i18n::to_local(a.created_at).date_naive()),
                ..Item::default()
            })
            .collect();
    }
    Ok(Section::new("applications", true, count, items))
}

/// Members incubating whose planned end is within the reminder's distance (or past).
async fn ending<C: ConnectionTrait>(
    db: &C,
    hubs: &[i32],
    names: &HashMap<i32, String>,
    at: When,
    want: Want,
) -> AppResult<Section> {
    let horizon = at.today + Duration::days(crate::hubs::reminders::DAYS_BEFORE_END);
    let q = hub_membership::Entity::find()
        .filter(hub_membership::Column::HubId.is_in(hubs.iter().copied()))
        .filter(hub_membership::Column::Stage.is_in([MembershipStage::Incubating, MembershipStage::Extended]))
        .filter(hub_membership::Column::PlannedEndOn.lte(horizon));
    let (count, rows) =
        count_and_first(db, q.clone(), q.order_by_asc(hub_membership::Column::PlannedEndOn), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let orgs = names_by_id(db, rows.iter().filter_map(|m| m.organization_id)).await?;
        items = rows
            .iter()
            .map(|m| Item {
                title: m
                    .organization_id
                    .and_then(|o| orgs.get(&o).cloned())
                    .or_else(|| m.team_name.clone())
                    .unwrap_or_default(),
                reference: Some(m.agreement_no.clone()).filter(|a| !a.is_empty()),
                party: names.get(&m.hub_id).cloned(),
                href: format!("/hubs/{}/members/{}", m.hub_id, m.id),
                on: Some(m.planned_end_on),
                late: m.planned_end_on < at.today,
                ..Item::default()
            })
            .collect();
    }
    Ok(Section::new("members_ending", true, count, items))
}

/// Seats on the panels of opened calls where the expert still has to declare or to score.
pub(super) async fn expert<C: ConnectionTrait>(db: &C, user_id: i32, want: Want) -> AppResult<Vec<Section>> {
    let opened =
        call::Entity::find().select_only().column(call::Column::Id).filter(call::Column::Status.eq(CallStatus::Opened));
    let q = panel_member::Entity::find()
        .filter(panel_member::Column::UserId.eq(user_id))
        .filter(panel_member::Column::CallId.in_subquery(opened.into_query()))
        .filter(
            Condition::any().add(panel_member::Column::Status.eq(PanelMemberStatus::Drawn)).add(
                Condition::all()
                    .add(panel_member::Column::Status.eq(PanelMemberStatus::Seated))
                    .add(panel_member::Column::SubmittedAt.is_null()),
            ),
        );
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(panel_member::Column::DrawnAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let calls = calls_by_id(db, rows.iter().map(|m| m.call_id)).await?;
        items = rows
            .iter()
            .map(|m| Item {
                step: Some(if m.status == PanelMemberStatus::Drawn { "todo.declare" } else { "todo.score" }),
                on: Some(crate::i18n::to_local(m.drawn_at).date_naive()),
                ..call_item(calls.get(&m.call_id), format!("/calls/{}/panel", m.call_id))
            })
            .collect();
    }
    Ok(vec![Section::new("panels", true, count, items).all("/panels")])
}

/// Evaluations where the evaluator still has to declare, or, cleared, to score.
pub(super) async fn evaluator<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    at: When,
    want: Want,
) -> AppResult<Vec<Section>> {
    let unreleased = evaluation::Entity::find()
        .select_only()
        .column(evaluation::Column::Id)
        .filter(evaluation::Column::Status.ne(EvaluationStatus::Released));
    let scoring = evaluation::Entity::find()
        .select_only()
        .column(evaluation::Column::Id)
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scoring));
    let q = evaluation_evaluator::Entity::find().filter(evaluation_evaluator::Column::UserId.eq(user_id)).filter(
        Condition::any()
            .add(
                Condition::all()
                    .add(evaluation_evaluator::Column::Status.eq(EvaluatorStatus::Assigned))
                    .add(evaluation_evaluator::Column::EvaluationId.in_subquery(unreleased.into_query())),
            )
            .add(
                Condition::all()
                    .add(evaluation_evaluator::Column::Status.eq(EvaluatorStatus::Cleared))
                    .add(evaluation_evaluator::Column::SubmittedAt.is_null())
                    .add(evaluation_evaluator::Column::EvaluationId.in_subquery(scoring.into_query())),
            ),
    );
    let (count, seats) = count_and_first(db, q.clone(), q.order_by_asc(evaluation_evaluator::Column::Id), want).await?;
    let mut items = Vec::new();
    if !seats.is_empty() {
        let evs: HashMap<i32, evaluation::Model> = evaluation::Entity::find()
            .filter(evaluation::Column::Id.is_in(seats.iter().map(|s| s.evaluation_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let p = Projects::load(db, evs.values().map(|e| e.contract_id)).await?;
        items = seats
            .iter()
            .filter_map(|s| {
                let e = evs.get(&s.evaluation_id)?;
                Some(Item {
                    step: Some(if s.status == EvaluatorStatus::Assigned { "todo.declare" } else { "todo.score" }),
                    on: Some(e.visit_on),
                    late: e.visit_on < at.today && s.status == EvaluatorStatus::Assigned,
                    ..p.item(e.contract_id, format!("/evaluations/{}#mine", e.id))
                })
            })
            .collect();
    }
    Ok(vec![Section::new("evaluations", true, count, items).all("/evaluations")])
}
