//! The terms an officer completes on a draft contract: the parties' particulars, the
//! clauses, the term and the itemized outputs. Only a draft is edited; a signed contract
//! changes by amendment. An empty clause means the standard clause, printed in the
//! language of the PDF.
use super::access;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::money::Money;
use crate::procurement_rules::ProcurementRules;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use entity::enums::{ContractStatus, PaymentCondition};
use entity::{call, contract, contract_instalment, contract_output, milestone, organization, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub const MAX_OUTPUTS: usize = 30;
const SHORT: usize = crate::fields::SHORT_TEXT;
const CLAUSE: usize = crate::fields::LONG_TEXT;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OutputInput {
    pub name: String,
    pub standard: String,
    pub unit: String,
    pub quantity: String,
    /// Yuan, as typed.
    pub unit_price: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TermsInput {
    pub purchaser_name: String,
    pub purchaser_address: String,
    pub purchaser_representative: String,
    pub provider_address: String,
    pub provider_representative: String,
    pub legal_basis: String,
    pub service_content: String,
    pub performance_targets: String,
    pub acceptance_terms: String,
    pub breach_terms: String,
    pub dispute_terms: String,
    /// "2027-01-01"
    pub starts_on: String,
    pub ends_on: String,
    pub bond_percent: String,
    pub outputs: Vec<OutputInput>,
}

/// The terms as parsed: every field checked, nothing cut.
struct Terms {
    text: [String; 11],
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    bond_percent: i32,
    outputs: Vec<(String, String, String, i64, i64)>,
}

/// A date of a contract's term or its milestones: a registry date (see
/// `organization_input::parse_date`) in this century or the next.
pub fn parse_term_date(s: &str) -> Option<NaiveDate> {
    crate::organization_input::parse_date(s).filter(|d| (2000..2200).contains(&d.year()))
}

/// The longest term the call allows, in months.
pub fn max_term_months(c: &call::Model, rules: &ProcurementRules) -> i32 {
    if c.multi_year { rules.max_multi_year_months } else { rules.max_term_months }
}

/// Whole months from `start` to the day after `end` (2027-01-01..2027-12-31 is 12).
pub fn term_months(start: NaiveDate, end: NaiveDate) -> i32 {
    let next = end + Duration::days(1);
    let months = (next.year() - start.year()) * 12 + next.month() as i32 - start.month() as i32;
    if next.day() > start.day() { months + 1 } else { months.max(0) }
}

/// The outputs typed, blank rows skipped: each named with its unit, a quantity and a unit
/// price, the total within reason; a row in error is named by its number.
fn parse_outputs(e: &mut FieldErrors, typed: &[OutputInput]) -> Vec<(String, String, String, i64, i64)> {
    let rows: Vec<&OutputInput> = typed
        .iter()
        .filter(|o| ![&o.name, &o.standard, &o.unit, &o.quantity, &o.unit_price].iter().all(|s| s.trim().is_empty()))
        .collect();
    if rows.len() > MAX_OUTPUTS {
        e.add("outputs", Msg::new("contract.too_many_outputs").arg("max", MAX_OUTPUTS));
    }
    let mut outputs = Vec::new();
    let mut total: i64 = 0;
    for (i, o) in rows.iter().enumerate() {
        let row = i + 1;
        let name = crate::clean(&o.name);
        let standard = crate::clean(&o.standard);
        let unit = crate::clean(&o.unit);
        if name.is_empty() || unit.is_empty() || name.chars().count() > 100 || unit.chars().count() > 20 {
            e.add("outputs", Msg::new("contract.output_name").arg("row", row));
        }
        if standard.chars().count() > 500 {
            e.add("outputs", Msg::new("field.too_long").arg("max", 500));
        }
        let quantity = o.quantity.trim().parse::<i64>().ok().filter(|q| crate::fields::OUTPUT_QUANTITY.contains(q));
        if quantity.is_none() {
            e.add("outputs", Msg::new("contract.output_quantity").arg("row", row));
        }
        let price = Money::parse_yuan(&o.unit_price);
        if price.is_err() {
            e.add("outputs", Msg::new("contract.output_price").arg("row", row));
        }
        if let (Some(q), Ok(p)) = (quantity, price) {
            // A subtotal or total past ¥1,000,000,000,000 is a typing mistake, not a contract.
            match q.checked_mul(p.fen()).and_then(|s| total.checked_add(s)).filter(|t| *t <= 100_000_000_000_000) {
                Some(t) => total = t,
                None => e.add("outputs", Msg::new("contract.output_price").arg("row", row)),
            }
            outputs.push((name, standard, unit, q, p.fen()));
        }
    }
    outputs
}

fn parse(input: &TermsInput, c: &call::Model, rules: &ProcurementRules, max_bond: i32) -> AppResult<Terms> {
    let mut e = FieldErrors::default();
    let mut text = |field: &'static str, s: &str, max: usize, required: bool| {
        let t = crate::clean(s);
        if required && t.is_empty() {
            e.add(field, Msg::new("field.required"));
        } else if t.chars().count() > max {
            e.add(field, Msg::new("field.too_long").arg("max", max));
        }
        t
    };
    let text = [
        text("purchaser_name", &input.purchaser_name, SHORT, true),
        text("purchaser_address", &input.purchaser_address, SHORT, true),
        text("purchaser_representative", &input.purchaser_representative, SHORT, true),
        text("provider_address", &input.provider_address, SHORT, true),
        text("provider_representative", &input.provider_representative, SHORT, true),
        text("legal_basis", &input.legal_basis, CLAUSE, false),
        text("service_content", &input.service_content, CLAUSE, true),
        text("performance_targets", &input.performance_targets, CLAUSE, false),
        text("acceptance_terms", &input.acceptance_terms, CLAUSE, false),
        text("breach_terms", &input.breach_terms, CLAUSE, false),
        text("dispute_terms", &input.dispute_terms, CLAUSE, false),
    ];
    let starts_on = parse_term_date(&input.starts_on);
    let ends_on = parse_term_date(&input.ends_on);
    if starts_on.is_none() {
        e.add("starts_on", Msg::new("field.date"));
    }
    if ends_on.is_none() {
        e.add("ends_on", Msg::new("field.date"));
    }
    if let (Some(s), Some(t)) = (starts_on, ends_on) {
        let max = max_term_months(c, rules);
        let limit = s.checked_add_months(Months::new(max as u32)).map(|d| d - Duration::days(1));
        if t < s {
            e.add("ends_on", Msg::new("contract.ends_before_start"));
        } else if limit.is_some_and(|l| t > l) {
            e.add("ends_on", Msg::new("contract.term_too_long").arg("max", max));
        }
    }
    let bond_percent = crate::fields::int_field(&mut e, "bond_percent", &input.bond_percent, 0..=max_bond).unwrap_or(0);
    let outputs = parse_outputs(&mut e, &input.outputs);
    e.into_result()?;
    Ok(Terms {
        text,
        starts_on: starts_on.ok_or(AppError::Internal("date".into()))?,
        ends_on: ends_on.ok_or(AppError::Internal("date".into()))?,
        bond_percent,
        outputs,
    })
}

/// Saves the terms of a draft. A milestone that would fall outside the new term is named
/// and nothing changes.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ProcurementRules,
    max_bond: i32,
    id: i32,
    input: &TermsInput,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let k = access::for_bureau(&txn, u, id).await?;
    require_draft(&k)?;
    let c = call::Entity::find_by_id(k.call_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let t = parse(input, &c, rules, max_bond)?;
    // A milestone left outside a new term is listed among the blockers of approval, so
    // the officer can move the term first and the milestones after.
    let [pn, pa, pr, va, vr, lb, sc, pt, at, bt, dt] = t.text;
    let mut am: contract::ActiveModel = k.into();
    am.purchaser_name = Set(pn);
    am.purchaser_address = Set(pa);
    am.purchaser_representative = Set(pr);
    am.provider_address = Set(va);
    am.provider_representative = Set(vr);
    am.legal_basis = Set(lb);
    am.service_content = Set(sc);
    am.performance_targets = Set(pt);
    am.acceptance_terms = Set(at);
    am.breach_terms = Set(bt);
    am.dispute_terms = Set(dt);
    am.starts_on = Set(Some(t.starts_on));
    am.ends_on = Set(Some(t.ends_on));
    am.term_months = Set(term_months(t.starts_on, t.ends_on));
    am.bond_percent = Set(t.bond_percent);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    // A draft made before milestones existed gets them now.
    let has_milestones = milestone::Entity::find().filter(milestone::Column::ContractId.eq(id)).one(&txn).await?;
    if has_milestones.is_none() {
        seed_milestones(&txn, now, id, t.starts_on, t.ends_on).await?;
    }
    contract_output::Entity::delete_many().filter(contract_output::Column::ContractId.eq(id)).exec(&txn).await?;
    for (i, (name, standard, unit, quantity, price)) in t.outputs.iter().enumerate() {
        contract_output::ActiveModel {
            contract_id: Set(id),
            position: Set(i as i32 + 1),
            name: Set(name.clone()),
            standard: Set(standard.clone()),
            unit: Set(unit.clone()),
            quantity: Set(*quantity),
            unit_price_fen: Set(*price),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.terms_saved",
        "contract",
        id,
        serde_json::json!({"starts_on": t.starts_on, "ends_on": t.ends_on, "outputs": t.outputs.len()}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Only a draft is edited: an approved one is reopened first, a sent or signed one is
/// changed by amendment.
pub fn require_draft(k: &contract::Model) -> AppResult<()> {
    match k.status {
        ContractStatus::Draft => Ok(()),
        ContractStatus::Approved => Err(AppError::Conflict(Msg::new("contract.reopen_first"))),
        _ => Err(AppError::Conflict(Msg::new("contract.signed_no_edit"))),
    }
}

/// Fills a new draft from what the platform knows: the provider's registered address and
/// legal representative, a term starting on the first of next month, and one milestone
/// for each instalment that waits for results, spread over the term.
pub async fn seed<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, id: i32) -> AppResult<()> {
    let k = contract::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let org = organization::Entity::find_by_id(k.organization_id).one(db).await?.ok_or(AppError::NotFound)?;
    let today = crate::i18n::to_local(now).date_naive();
    let starts_on = today.with_day(1).and_then(|d| d.checked_add_months(Months::new(1))).unwrap_or(today);
    let ends_on = starts_on
        .checked_add_months(Months::new(k.term_months.max(1) as u32))
        .map(|d| d - Duration::days(1))
        .unwrap_or(starts_on);
    let mut am: contract::ActiveModel = k.clone().into();
    am.provider_address = Set(org.address.clone());
    am.provider_representative = Set(org.legal_representative.clone());
    am.starts_on = Set(Some(starts_on));
    am.ends_on = Set(Some(ends_on));
    am.update(db).await?;
    seed_milestones(db, now, id, starts_on, ends_on).await
}

/// One milestone for each instalment that waits for results, spread over the term.
async fn seed_milestones<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    id: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> AppResult<()> {
    let waiting: Vec<contract_instalment::Model> = contract_instalment::Entity::find()
        .filter(contract_instalment::Column::ContractId.eq(id))
        .order_by_asc(contract_instalment::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter(|i| i.condition != PaymentCondition::Signing)
        .collect();
    let days = (ends_on - starts_on).num_days();
    let n = waiting.len() as i64;
    for (k_i, inst) in waiting.iter().enumerate() {
        let step = k_i as i64 + 1;
        let due = if inst.condition == PaymentCondition::FinalPassed || step == n {
            ends_on
        } else {
            starts_on + Duration::days(days * step / n.max(1))
        };
        let title = if inst.description.trim().is_empty() {
            format!("第{}期付款节点", inst.position)
        } else {
            inst.description.clone()
        };
        milestone::ActiveModel {
            contract_id: Set(id),
            position: Set(step as i32),
            title: Set(title),
            due_on: Set(due),
            deliverables: Set(String::new()),
            instalment_id: Set(Some(inst.id)),
            status: Set(entity::enums::MilestoneStatus::Scheduled),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_in_whole_months() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        assert_eq!(term_months(d("2027-01-01"), d("2027-12-31")), 12);
        assert_eq!(term_months(d("2027-01-01"), d("2028-01-01")), 13);
        assert_eq!(term_months(d("2027-01-15"), d("2027-04-14")), 3);
        assert_eq!(term_months(d("2027-01-15"), d("2027-04-15")), 4);
    }
}
