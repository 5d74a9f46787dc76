//! Milestones (里程碑) of a draft contract: those the payment schedule made and any the
//! officer adds, each with a due date inside the term, its deliverables and output
//! indicators with targets. Once the contract is signed they are fixed; what changes is
//! their state, through reports.
use super::access;
use super::terms::{parse_term_date, require_draft};
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::field_error;
use crate::i18n::Msg;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::MilestoneStatus;
use entity::{contract, milestone, milestone_indicator, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub const MAX_INDICATORS: usize = 10;
pub const MAX_MILESTONES: u64 = 24;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorInput {
    pub name: String,
    pub unit: String,
    pub target: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: String,
    pub deliverables: String,
    pub indicators: Vec<IndicatorInput>,
}

struct Parsed {
    title: String,
    due_on: NaiveDate,
    deliverables: String,
    indicators: Vec<(String, String, i64)>,
}

fn parse(input: &MilestoneInput, k: &contract::Model) -> AppResult<Parsed> {
    let mut e = FieldErrors::default();
    let title = crate::fields::line_field(&mut e, "title", &input.title, 100);
    let deliverables = crate::clean(&input.deliverables);
    if deliverables.chars().count() > 1000 {
        e.add("deliverables", Msg::new("field.too_long").arg("max", 1000));
    }
    let due_on = parse_term_date(&input.due_on);
    match (due_on, k.starts_on, k.ends_on) {
        (None, _, _) => e.add("due_on", Msg::new("field.date")),
        (Some(d), Some(s), Some(t)) if d < s || d > t => {
            e.add("due_on", Msg::new("contract.due_outside_term").arg("start", s).arg("end", t))
        }
        _ => {}
    }
    let rows: Vec<&IndicatorInput> = input
        .indicators
        .iter()
        .filter(|i| !(i.name.trim().is_empty() && i.unit.trim().is_empty() && i.target.trim().is_empty()))
        .collect();
    if rows.len() > MAX_INDICATORS {
        e.add("indicators", Msg::new("contract.too_many_indicators").arg("max", MAX_INDICATORS));
    }
    let mut indicators = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let name = crate::clean(&r.name);
        let unit = crate::clean(&r.unit);
        let target = r.target.trim().parse::<i64>().ok().filter(|t| (1..=10_000_000).contains(t));
        match target {
            Some(t)
                if !name.is_empty()
                    && !unit.is_empty()
                    && name.chars().count() <= 100
                    && unit.chars().count() <= 20 =>
            {
                indicators.push((name, unit, t))
            }
            _ => e.add("indicators", Msg::new("contract.indicator_row").arg("row", i + 1)),
        }
    }
    e.into_result()?;
    Ok(Parsed { title, due_on: due_on.ok_or(AppError::Internal("date".into()))?, deliverables, indicators })
}

async fn write_indicators<C: ConnectionTrait>(
    db: &C,
    milestone_id: i32,
    rows: &[(String, String, i64)],
) -> AppResult<()> {
    milestone_indicator::Entity::delete_many()
        .filter(milestone_indicator::Column::MilestoneId.eq(milestone_id))
        .exec(db)
        .await?;
    for (i, (name, unit, target)) in rows.iter().enumerate() {
        milestone_indicator::ActiveModel {
            milestone_id: Set(milestone_id),
            position: Set(i as i32 + 1),
            name: Set(name.clone()),
            unit: Set(unit.clone()),
            target: Set(*target),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Adds a milestone to a draft contract.
pub async fn add(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    contract_id: i32,
    input: &MilestoneInput,
) -> AppResult<milestone::Model> {
    let txn = db.begin().await?;
    let k = access::for_bureau(&txn, u, contract_id).await?;
    require_draft(&k)?;
    let p = parse(input, &k)?;
    let count = milestone::Entity::find().filter(milestone::Column::ContractId.eq(k.id)).count(&txn).await?;
    if count >= MAX_MILESTONES {
        return Err(field_error("title", Msg::new("contract.too_many_milestones").arg("max", MAX_MILESTONES)));
    }
    let m = milestone::ActiveModel {
        contract_id: Set(k.id),
        position: Set(count as i32 + 1),
        title: Set(p.title.clone()),
        due_on: Set(p.due_on),
        deliverables: Set(p.deliverables),
        instalment_id: Set(None),
        status: Set(MilestoneStatus::Scheduled),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    write_indicators(&txn, m.id, &p.indicators).await?;
    touch(&txn, k.id, now).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.milestone_added",
        "contract",
        k.id,
        serde_json::json!({"milestone": m.id, "title": p.title, "due_on": p.due_on}),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Changes a milestone of a draft contract.
pub async fn save(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    milestone_id: i32,
    input: &MilestoneInput,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let m = milestone::Entity::find_by_id(milestone_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let k = access::for_bureau(&txn, u, m.contract_id).await?;
    require_draft(&k)?;
    let p = parse(input, &k)?;
    let mut am: milestone::ActiveModel = m.into();
    am.title = Set(p.title.clone());
    am.due_on = Set(p.due_on);
    am.deliverables = Set(p.deliverables);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    write_indicators(&txn, milestone_id, &p.indicators).await?;
    touch(&txn, k.id, now).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.milestone_saved",
        "contract",
        k.id,
        serde_json::json!({"milestone": milestone_id, "title": p.title, "due_on": p.due_on}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a milestone the officer added; one that carries an instalment stays.
pub async fn remove(db: &DatabaseConnection, u: &user::Model, now: DateTime<Utc>, milestone_id: i32) -> AppResult<()> {
    let txn = db.begin().await?;
    let m = milestone::Entity::find_by_id(milestone_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let k = access::for_bureau(&txn, u, m.contract_id).await?;
    require_draft(&k)?;
    if m.instalment_id.is_some() {
        return Err(AppError::Conflict(Msg::new("contract.milestone_carries_instalment")));
    }
    milestone_indicator::Entity::delete_many()
        .filter(milestone_indicator::Column::MilestoneId.eq(m.id))
        .exec(&txn)
        .await?;
    milestone::Entity::delete_by_id(m.id).exec(&txn).await?;
    touch(&txn, k.id, now).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.milestone_removed",
        "contract",
        k.id,
        serde_json::json!({"milestone": m.id, "title": m.title}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Marks the contract changed, so a step begun on what it was before is refused.
async fn touch<C: ConnectionTrait>(db: &C, contract_id: i32, now: DateTime<Utc>) -> AppResult<()> {
    contract::Entity::update_many()
        .col_expr(contract::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(contract::Column::Id.eq(contract_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn of_contract<C: ConnectionTrait>(db: &C, contract_id: i32) -> AppResult<Vec<milestone::Model>> {
    Ok(milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(contract_id))
        .order_by_asc(milestone::Column::DueOn)
        .order_by_asc(milestone::Column::Position)
        .all(db)
        .await?)
}

/// Overdue: past its due date (Beijing time) and not accepted.
pub fn is_overdue(m: &milestone::Model, today: NaiveDate) -> bool {
    m.due_on < today && m.status != MilestoneStatus::Accepted
}
