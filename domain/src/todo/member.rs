//! What waits for an NGO member: the contract to sign, milestone reports returned, overdue
//! and coming due, self-evaluations due; and, for information, its bids with their
//! receipts, the open calls it may bid on, and the payments received.
use super::{Item, Projects, SHOWN, Section, Want, When, call_item, calls_by_id, count_and_first};
use crate::error::AppResult;
use crate::money::Money;
use crate::procurement::eligibility;
use crate::records;
use chrono::Duration;
use entity::enums::{BidStatus, CallStatus, ClaimStatus, ContractStatus, EvaluationStatus, MilestoneStatus};
use entity::{bid, call, claim, contract, evaluation, milestone, payment, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// How far ahead a milestone counts as coming due: the first reminder's distance.
pub const DUE_SOON_DAYS: i64 = 14;
/// How far back a payment is still news.
pub const PAYMENTS_DAYS: i64 = 90;

pub(super) async fn sections<C: ConnectionTrait>(db: &C, org: i32, at: When, want: Want) -> AppResult<Vec<Section>> {
    // The organization's contracts, once sent (a draft is the bureau's business).
    let mine: Vec<contract::Model> = contract::Entity::find()
        .filter(contract::Column::OrganizationId.eq(org))
        .filter(contract::Column::Status.is_not_in([ContractStatus::Draft, ContractStatus::Approved]))
        .all(db)
        .await?;
    let active: Vec<i32> = mine.iter().filter(|k| k.status == ContractStatus::Active).map(|k| k.id).collect();
    let all: Vec<i32> = mine.iter().map(|k| k.id).collect();
    let p = if want.items() { Projects::load(db, all.clone()).await? } else { Projects::empty() };
    let to_sign: Vec<Item> = mine
        .iter()
        .filter(|k| k.status == ContractStatus::Sent)
        .map(|k| Item { amount: Some(Money(k.amount_fen)), ..p.item(k.id, format!("/contracts/{}#h-sign", k.id)) })
        .collect();
    // Read at the same time, each on its own connection of the pool; the information
    // sections only for the page.
    let info = async {
        if !want.items() {
            return Ok(Vec::new());
        }
        let (b, c, pay) = tokio::try_join!(bids(db, org, at), open_calls(db, org, at), payments(db, &p, &all, at))?;
        Ok::<_, crate::error::AppError>(vec![b, c, pay])
    };
    let (returned, overdue, due_soon, selves, info) = tokio::try_join!(
        milestones(db, &p, &active, at, want, Part::Returned),
        milestones(db, &p, &active, at, want, Part::Overdue),
        milestones(db, &p, &active, at, want, Part::DueSoon),
        self_evaluations(db, &p, &all, at, want),
        info,
    )?;
    let mut out =
        vec![Section::new("to_sign", true, to_sign.len() as u64, to_sign), returned, overdue, due_soon, selves];
    out.extend(info);
    // The member's own organization is every item's provider: not worth a line each.
    for i in out.iter_mut().flat_map(|s| s.items.iter_mut()) {
        i.party = None;
    }
    Ok(out)
}

/// A member whose account is not linked to an organization: its claim, or how to make one.
pub(super) async fn unlinked<C: ConnectionTrait>(db: &C, u: &user::Model, want: Want) -> AppResult<Vec<Section>> {
    let pending = claim::Entity::find()
        .filter(claim::Column::UserId.eq(u.id))
        .filter(claim::Column::Status.eq(ClaimStatus::Pending))
        .count(db)
        .await?;
    let (key, step) = if pending > 0 { ("claim_waiting", "todo.claim_waiting") } else { ("claim", "todo.claim") };
    let items = if want.items() {
        vec![Item { step: Some(step), href: "/account#h-org".into(), ..Item::default() }]
    } else {
        Vec::new()
    };
    // Waiting for the bureau is not a step of the member's own.
    Ok(vec![Section::new(key, pending == 0, 1, items)])
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Returned,
    Overdue,
    DueSoon,
}

async fn milestones<C: ConnectionTrait>(
    db: &C,
    p: &Projects,
    active: &[i32],
    at: When,
    want: Want,
    part: Part,
) -> AppResult<Section> {
    let q = milestone::Entity::find().filter(milestone::Column::ContractId.is_in(active.iter().copied()));
    let (key, q) = match part {
        Part::Returned => ("returned", q.filter(milestone::Column::Status.eq(MilestoneStatus::Returned))),
        Part::Overdue => (
            "overdue",
            q.filter(milestone::Column::Status.eq(MilestoneStatus::Scheduled))
                .filter(milestone::Column::DueOn.lt(at.today)),
        ),
        Part::DueSoon => (
            "due_soon",
            q.filter(milestone::Column::Status.eq(MilestoneStatus::Scheduled))
                .filter(milestone::Column::DueOn.gte(at.today))
                .filter(milestone::Column::DueOn.lte(at.today + Duration::days(DUE_SOON_DAYS))),
        ),
    };
    if active.is_empty() {
        return Ok(Section::new(key, true, 0, Vec::new()));
    }
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(milestone::Column::DueOn), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        items = rows.iter().map(|m| p.milestone(m, at.today)).collect();
    }
    Ok(Section::new(key, true, count, items))
}

async fn self_evaluations<C: ConnectionTrait>(
    db: &C,
    p: &Projects,
    contracts: &[i32],
    at: When,
    want: Want,
) -> AppResult<Section> {
    if contracts.is_empty() {
        return Ok(Section::new("self_evaluations", true, 0, Vec::new()));
    }
    let q = evaluation::Entity::find()
        .filter(evaluation::Column::ContractId.is_in(contracts.iter().copied()))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Scheduled))
        .filter(evaluation::Column::SelfSubmittedAt.is_null());
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_asc(evaluation::Column::SelfDueOn), want).await?;
    let mut items = Vec::new();
    if !rows.is_empty() {
        items = rows
            .iter()
            .map(|e| Item {
                step: Some(super::kind_step(e.kind)),
                on: Some(e.self_due_on),
                late: e.self_due_on < at.today,
                ..p.item(e.contract_id, format!("/evaluations/{}#self", e.id))
            })
            .collect();
    }
    Ok(Section::new("self_evaluations", true, count, items))
}

/// The organization's bids standing in calls not yet opened, with the receipt of each.
async fn bids<C: ConnectionTrait>(db: &C, org: i32, at: When) -> AppResult<Section> {
    let open_calls = call::Entity::find()
        .select_only()
        .column(call::Column::Id)
        .filter(call::Column::Status.eq(CallStatus::Published));
    let rows = bid::Entity::find()
        .filter(bid::Column::OrganizationId.eq(org))
        .filter(bid::Column::Status.eq(BidStatus::Submitted))
        .filter(bid::Column::CallId.in_subquery(sea_orm::QueryTrait::into_query(open_calls)))
        .order_by_desc(bid::Column::UpdatedAt)
        .all(db)
        .await?;
    let calls = calls_by_id(db, rows.iter().map(|b| b.call_id)).await?;
    let items: Vec<Item> = rows
        .iter()
        .take(SHOWN as usize)
        .map(|b| {
            let c = calls.get(&b.call_id);
            let deadline = c.and_then(|c| c.bid_deadline).map(|d| crate::i18n::to_local(d).date_naive());
            Item {
                detail: Some(b.public_ref.clone()),
                on: deadline,
                late: deadline.is_some_and(|d| d < at.today),
                ..call_item(c, format!("/calls/{}/bid", b.call_id))
            }
        })
        .collect();
    Ok(Section::new("my_bids", false, rows.len() as u64, items))
}

/// Calls open for bids that the organization passes every rule of, and has not bid on.
async fn open_calls<C: ConnectionTrait>(db: &C, org: i32, at: When) -> AppResult<Section> {
    let open: Vec<call::Model> = call::Entity::find()
        .filter(call::Column::Status.eq(CallStatus::Published))
        .filter(call::Column::BidDeadline.gt(at.now))
        .order_by_asc(call::Column::BidDeadline)
        .all(db)
        .await?;
    if open.is_empty() {
        return Ok(Section::new("open_calls", false, 0, Vec::new()));
    }
    let bid_on: Vec<i32> = bid::Entity::find()
        .select_only()
        .column(bid::Column::CallId)
        .filter(bid::Column::OrganizationId.eq(org))
        .into_tuple::<i32>()
        .all(db)
        .await?;
    let o = crate::organizations::get(db, org).await?;
    let recs = records::load(db, org).await?;
    let credit = records::credit_summary(&o, &recs, at.today);
    let eligible: Vec<&call::Model> = open
        .iter()
        .filter(|c| !bid_on.contains(&c.id))
        .filter(|c| eligibility::checks(c, &o, &credit, at.now).iter().all(|x| x.passed))
        .collect();
    let items = eligible
        .iter()
        .take(SHOWN as usize)
        .map(|c| Item {
            on: c.bid_deadline.map(|d| crate::i18n::to_local(d).date_naive()),
            amount: Some(Money(c.budget_ceiling_fen)),
            ..call_item(Some(c), format!("/calls/{}", c.id))
        })
        .collect();
    Ok(Section::new("open_calls", false, eligible.len() as u64, items).all("/calls"))
}

async fn payments<C: ConnectionTrait>(db: &C, p: &Projects, contracts: &[i32], at: When) -> AppResult<Section> {
    if contracts.is_empty() {
        return Ok(Section::new("payments", false, 0, Vec::new()));
    }
    let q = payment::Entity::find()
        .filter(payment::Column::ContractId.is_in(contracts.iter().copied()))
        .filter(payment::Column::PaidOn.gte(at.today - Duration::days(PAYMENTS_DAYS)));
    let (count, rows) = count_and_first(db, q.clone(), q.order_by_desc(payment::Column::PaidOn), Want::Items).await?;
    let items = rows
        .iter()
        .map(|x| Item {
            amount: Some(Money(x.amount_fen)),
            on: Some(x.paid_on),
            detail: Some(x.voucher_no.clone()).filter(|v| !v.is_empty()),
            ..p.item(x.contract_id, format!("/contracts/{}#payments", x.contract_id))
        })
        .collect();
    Ok(Section::new("payments", false, count, items))
}
