//! What waits for the bureau's officers: claims to decide, calls to open, panels to form,
//! awards to confirm, challenges to answer, drafts to complete, reports to review,
//! instalments to pay and evaluations to release.
use super::{Item, Projects, SHOWN, Section, Want, When, call_item, calls_by_id, count_and_first, names_by_id};
use crate::error::AppResult;
use crate::money::Money;
use entity::enums::{
    CallStatus, ClaimStatus, ContractStatus, EvaluationStatus, EvaluatorStatus, InstalmentStatus, MilestoneStatus,
    PanelMemberStatus,
};
use entity::{
    call, challenge, claim, contract, contract_instalment, evaluation, evaluation_evaluator, milestone, panel,
    panel_member, user,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use std::collections::{HashMap, HashSet};

/// The bureau's sections, read at the same time (each on its own connection of the pool).
pub(super) async fn sections<C: ConnectionTrait>(db: &C, at: When, want: Want) -> AppResult<Vec<Section>> {
    let (claims, to_open, (to_form, to_award), challenges, reports, payable, ready, call_drafts, contract_drafts) = tokio::try_join!(
        claims(db, want),
        calls_to_open(db, at, want),
        opened_calls(db, want),
        challenges(db, want),
        reports(db, at, want),
        payable(db, want),
        evaluations_ready(db, want),
        call_drafts(db, want),
        contract_drafts(db, want),
    )?;
    Ok(vec![claims, to_open, to_form, to_award, challenges, reports, payable, ready, call_drafts, contract_drafts])
}

async fn claims<C: ConnectionTrait>(db: &C, want: Want) -> AppResult<Section> {
    let q = claim::Entity::find().filter(claim::Column::Status.eq(ClaimStatus::Pending));
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(claim::Column::CreatedAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let orgs = names_by_id(db, rows.iter().map(|c| c.organization_id)).await?;
        let users: HashMap<i32, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(rows.iter().map(|c| c.user_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        items = rows
            .iter()
            .map(|c| Item {
                title: orgs.get(&c.organization_id).cloned().unwrap_or_default(),
                party: users.get(&c.user_id).cloned(),
                href: "/claims?status=pending".into(),
                on: Some(crate::i18n::to_local(c.created_at).date_naive()),
                ..Item::default()
            })
            .collect();
    }
    Ok(Section::new("claims", true, count, items).all("/claims?status=pending"))
}

async fn calls_to_open<C: ConnectionTrait>(db: &C, at: When, want: Want) -> AppResult<Section> {
    let q = call::Entity::find()
        .filter(call::Column::Status.eq(CallStatus::Published))
        .filter(call::Column::BidDeadline.lte(at.now));
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(call::Column::BidDeadline), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        items = rows
            .iter()
            .map(|c| Item {
                on: c.bid_deadline.map(|d| crate::i18n::to_local(d).date_naive()),
                ..call_item(Some(c), format!("/calls/{}#bids", c.id))
            })
            .collect();
    }
    Ok(Section::new("calls_to_open", true, count, items))
}

/// Opened calls split in two: those with no panel yet, and those whose panel has finished
/// (every member drawn has declared, every seated member has submitted scores).
async fn opened_calls<C: ConnectionTrait>(db: &C, want: Want) -> AppResult<(Section, Section)> {
    let opened: Vec<call::Model> = call::Entity::find()
        .filter(call::Column::Status.eq(CallStatus::Opened))
        .order_by_asc(call::Column::OpenedAt)
        .all(db)
        .await?;
    let ids: Vec<i32> = opened.iter().map(|c| c.id).collect();
    let with_panel: HashSet<i32> = panel::Entity::find()
        .select_only()
        .column(panel::Column::CallId)
        .filter(panel::Column::CallId.is_in(ids.clone()))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let unfinished: HashSet<i32> = panel_member::Entity::find()
        .select_only()
        .column(panel_member::Column::CallId)
        .filter(panel_member::Column::CallId.is_in(ids))
        .filter(
            Condition::any().add(panel_member::Column::Status.eq(PanelMemberStatus::Drawn)).add(
                Condition::all()
                    .add(panel_member::Column::Status.eq(PanelMemberStatus::Seated))
                    .add(panel_member::Column::SubmittedAt.is_null()),
            ),
        )
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let pick = |key, keep: &dyn Fn(&call::Model) -> bool, href: &dyn Fn(i32) -> String| {
        let all: Vec<&call::Model> = opened.iter().filter(|c| keep(c)).collect();
        let items = if want.items() {
            all.iter()
                .take(SHOWN as usize)
                .map(|c| Item {
                    on: c.opened_at.map(|d| crate::i18n::to_local(d).date_naive()),
                    ..call_item(Some(c), href(c.id))
                })
                .collect()
        } else {
            Vec::new()
        };
        Section::new(key, true, all.len() as u64, items)
    };
    let to_form = pick("panels_to_form", &|c| !with_panel.contains(&c.id), &|id| format!("/calls/{id}/panel"));
    let to_award = pick("awards_to_confirm", &|c| with_panel.contains(&c.id) && !unfinished.contains(&c.id), &|id| {
        format!("/calls/{id}/award")
    });
    Ok((to_form, to_award))
}

async fn challenges<C: ConnectionTrait>(db: &C, want: Want) -> AppResult<Section> {
    let q = challenge::Entity::find().filter(challenge::Column::Answer.is_null());
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(challenge::Column::FiledAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let calls = calls_by_id(db, rows.iter().map(|c| c.call_id)).await?;
        let orgs = names_by_id(db, rows.iter().map(|c| c.organization_id)).await?;
        items = rows
            .iter()
            .map(|ch| Item {
                party: orgs.get(&ch.organization_id).cloned(),
                on: Some(crate::i18n::to_local(ch.filed_at).date_naive()),
                ..call_item(calls.get(&ch.call_id), format!("/calls/{}#challenges", ch.call_id))
            })
            .collect();
    }
    Ok(Section::new("challenges", true, count, items))
}

async fn reports<C: ConnectionTrait>(db: &C, at: When, want: Want) -> AppResult<Section> {
    let q = milestone::Entity::find().filter(milestone::Column::Status.eq(MilestoneStatus::Submitted));
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(milestone::Column::UpdatedAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let p = Projects::load(db, rows.iter().map(|m| m.contract_id)).await?;
        items = rows.iter().map(|m| p.milestone(m, at.today)).collect();
    }
    Ok(Section::new("reports_to_review", true, count, items).all("/contracts?waiting=true"))
}

async fn payable<C: ConnectionTrait>(db: &C, want: Want) -> AppResult<Section> {
    let q =
        contract_instalment::Entity::find().filter(contract_instalment::Column::Status.eq(InstalmentStatus::Payable));
    let (count, rows) =
        count_and_first(db, q.clone(), q.order_by_asc(contract_instalment::Column::PayableAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let p = Projects::load(db, rows.iter().map(|i| i.contract_id)).await?;
        items = rows
            .iter()
            .map(|i| Item {
                detail: Some(i.description.clone()).filter(|d| !d.is_empty()),
                on: i.payable_at.map(|d| crate::i18n::to_local(d).date_naive()),
                amount: Some(Money(i.amount_fen - i.deduction_fen)),
                ..p.item(i.contract_id, format!("/contracts/{}#payments", i.contract_id))
            })
            .collect();
    }
    Ok(Section::new("payable", true, count, items))
}

/// Evaluations in scoring whose evaluators have all declared and every cleared one has
/// scored: what remains is the officer's review and release.
async fn evaluations_ready<C: ConnectionTrait>(db: &C, want: Want) -> AppResult<Section> {
    let scoring = evaluation::Entity::find()
        .select_only()
        .column(evaluation::Column::Id)
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scoring));
    let seats = evaluation_evaluator::Entity::find()
        .filter(evaluation_evaluator::Column::EvaluationId.in_subquery(scoring.into_query()))
        .all(db)
        .await?;
    let mut by_eval: HashMap<i32, Vec<&evaluation_evaluator::Model>> = HashMap::new();
    for s in &seats {
        by_eval.entry(s.evaluation_id).or_default().push(s);
    }
    let mut ready: Vec<i32> = by_eval
        .iter()
        .filter(|(_, ss)| {
            !ss.iter().any(|s| s.status == EvaluatorStatus::Assigned)
                && ss.iter().any(|s| s.status == EvaluatorStatus::Cleared)
                && ss.iter().filter(|s| s.status == EvaluatorStatus::Cleared).all(|s| s.submitted_at.is_some())
        })
        .map(|(id, _)| *id)
        .collect();
    ready.sort_unstable();
    let mut items = Vec::new();
    if want.items() && !ready.is_empty() {
        let shown: Vec<i32> = ready.iter().take(SHOWN as usize).copied().collect();
        let evs = evaluation::Entity::find().filter(evaluation::Column::Id.is_in(shown)).all(db).await?;
        let p = Projects::load(db, evs.iter().map(|e| e.contract_id)).await?;
        items = evs
            .iter()
            .map(|e| Item {
                step: Some(super::kind_step(e.kind)),
                on: Some(e.visit_on),
                ..p.item(e.contract_id, format!("/evaluations/{}#h-release", e.id))
            })
            .collect();
    }
    Ok(Section::new("evaluations_to_release", true, ready.len() as u64, items).all("/evaluations"))
}

async fn call_drafts<C: ConnectionTrait>(db: &C, want: Want) -> AppResult<Section> {
    let q = call::Entity::find().filter(call::Column::Status.eq(CallStatus::Draft));
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_desc(call::Column::UpdatedAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        items = rows
            .iter()
            .map(|c| Item {
                on: Some(crate::i18n::to_local(c.updated_at).date_naive()),
                ..call_item(Some(c), format!("/calls/{}/edit", c.id))
            })
            .collect();
    }
    Ok(Section::new("call_drafts", true, count, items).all("/calls"))
}

/// Contracts drawn up at an award and not yet sent: a draft to complete, or an approved
/// text to send to the provider.
async fn contract_drafts<C: ConnectionTrait>(db: &C, want: Want) -> AppResult<Section> {
    let q = contract::Entity::find()
        .filter(contract::Column::Status.is_in([ContractStatus::Draft, ContractStatus::Approved]));
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(contract::Column::CreatedAt), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        let p = Projects::load(db, rows.iter().map(|k| k.id)).await?;
        items = rows
            .iter()
            .map(|k| {
                let (step, href) = if k.status == ContractStatus::Draft {
                    ("todo.complete_draft", format!("/contracts/{}/edit", k.id))
                } else {
                    ("todo.send_contract", format!("/contracts/{}#h-send", k.id))
                };
                Item {
                    step: Some(step),
                    amount: Some(Money(k.amount_fen)),
                    on: Some(crate::i18n::to_local(k.created_at).date_naive()),
                    ..p.item(k.id, href)
                }
            })
            .collect();
    }
    Ok(Section::new("contract_drafts", true, count, items).all("/contracts"))
}
