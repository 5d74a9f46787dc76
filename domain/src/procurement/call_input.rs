//! A call as typed into the form or the API, parsed at the boundary into a row and its
//! criteria and instalments; and a stored call turned back into form values.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::{int_field, line_field, truthy};
use crate::i18n::Msg;
use crate::money::Money;
use crate::organization_input::Places;
use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use entity::enums::{HubRule, OrgType, PaymentCondition, ProcurementMethod, PurchaseType, ServiceCategory};
use entity::{call, call_criterion, call_instalment};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

pub const MAX_CRITERIA: usize = 10;
pub const MAX_INSTALMENTS: usize = 6;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CriterionInput {
    pub name: String,
    pub weight: String,
    pub description: String,
    /// "on" for the price criterion (its score is computed, never typed).
    pub is_price: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InstalmentInput {
    pub percent: String,
    pub condition: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CallInput {
    pub title: String,
    pub category: String,
    pub purchase_type: String,
    pub method: String,
    /// Yuan, as typed ("120000" or "120,000.00").
    pub budget: String,
    pub districts: Vec<String>,
    pub communities: Vec<String>,
    pub target_groups: String,
    pub outputs_expected: String,
    pub term_months: String,
    pub multi_year: String,
    pub min_years_registered: String,
    pub min_grade: String,
    pub require_annual_report: String,
    pub hub_rule: String,
    pub org_types: Vec<String>,
    /// Asia/Shanghai local time, "2026-12-10T17:00".
    pub question_deadline: String,
    pub bid_deadline: String,
    pub criteria: Vec<CriterionInput>,
    pub instalments: Vec<InstalmentInput>,
}

/// A local date and time as typed (Asia/Shanghai), as UTC.
pub fn parse_local_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let n = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .filter(|n| (2000..2200).contains(&n.year()))?;
    chrono_tz::Asia::Shanghai.from_local_datetime(&n).single().map(|t| t.with_timezone(&Utc))
}

fn code_field<T: Copy>(e: &mut FieldErrors, field: &'static str, s: &str, from: fn(&str) -> Option<T>) -> Option<T> {
    let v = from(s.trim());
    if v.is_none() {
        e.add(field, Msg::new("field.choose"));
    }
    v
}

pub(super) struct Parsed {
    pub(super) row: call::ActiveModel,
    pub(super) criteria: Vec<(String, i32, String, bool)>,
    pub(super) instalments: Vec<(i32, PaymentCondition, String)>,
}

/// What a draft may hold: every field well formed, none yet required but the title and
/// the kinds of call. Completeness is checked at publication.
pub(super) fn parse(places: &Places, i: &CallInput) -> Result<Parsed, FieldErrors> {
    let mut e = FieldErrors::default();
    let title = line_field(&mut e, "title", &i.title, 200);
    let category = code_field(&mut e, "category", &i.category, ServiceCategory::from_code);
    let purchase_type = code_field(&mut e, "purchase_type", &i.purchase_type, PurchaseType::from_code);
    let method = code_field(&mut e, "method", &i.method, ProcurementMethod::from_code);
    let hub_rule = if i.hub_rule.trim().is_empty() {
        Some(HubRule::None)
    } else {
        code_field(&mut e, "hub_rule", &i.hub_rule, HubRule::from_code)
    };
    let budget = parse_budget(&mut e, &i.budget);
    let (districts, communities) = parse_area(&mut e, places, &i.districts, &i.communities);
    let opt_int = |e: &mut FieldErrors, f: &'static str, s: &str, r: std::ops::RangeInclusive<i32>, d: i32| {
        if s.trim().is_empty() { d } else { int_field(e, f, s, r).unwrap_or(d) }
    };
    let term_months = opt_int(&mut e, "term_months", &i.term_months, 1..=36, 12);
    let min_years = opt_int(&mut e, "min_years_registered", &i.min_years_registered, 0..=50, 0);
    let min_grade = opt_int(&mut e, "min_grade", &i.min_grade, 0..=5, 0);
    let mut org_types = Vec::new();
    for t in &i.org_types {
        match OrgType::from_code(t.trim()) {
            Some(t) => org_types.push(t.code()),
            None => e.add("org_types", Msg::new("field.choose")),
        }
    }
    let deadline = |e: &mut FieldErrors, f: &'static str, s: &str| {
        if s.trim().is_empty() {
            return None;
        }
        let d = parse_local_datetime(s);
        if d.is_none() {
            e.add(f, Msg::new("call.datetime_invalid"));
        }
        d
    };
    let question_deadline = deadline(&mut e, "question_deadline", &i.question_deadline);
    let bid_deadline = deadline(&mut e, "bid_deadline", &i.bid_deadline);

    let criteria = parse_criteria(&mut e, &i.criteria);
    let instalments = parse_instalments(&mut e, &i.instalments);
    e.into_result().map_err(|err| match err {
        AppError::Invalid(fe) => fe,
        _ => FieldErrors::default(),
    })?;
    let (Some(category), Some(purchase_type), Some(method), Some(hub_rule)) =
        (category, purchase_type, method, hub_rule)
    else {
        return Err(FieldErrors::default());
    };
    let row = call::ActiveModel {
        title: Set(title),
        category: Set(category),
        purchase_type: Set(purchase_type),
        method: Set(method),
        budget_ceiling_fen: Set(budget),
        area_district_ids: Set(serde_json::to_string(&districts).unwrap_or_else(|_| "[]".into())),
        area_community_ids: Set(serde_json::to_string(&communities).unwrap_or_else(|_| "[]".into())),
        target_groups: Set(crate::clean(&i.target_groups).chars().take(2000).collect()),
        outputs_expected: Set(crate::clean(&i.outputs_expected).chars().take(crate::fields::LONG_TEXT).collect()),
        term_months: Set(term_months),
        multi_year: Set(truthy(&i.multi_year)),
        min_years_registered: Set(min_years),
        min_grade: Set(min_grade),
        require_annual_report: Set(truthy(&i.require_annual_report)),
        hub_rule: Set(hub_rule),
        org_types: Set(org_types.join(",")),
        question_deadline: Set(question_deadline),
        bid_deadline: Set(bid_deadline),
        ..Default::default()
    };
    Ok(Parsed { row, criteria, instalments })
}

/// The ceiling in yuan: empty is none yet (a draft), else over zero and at most 1 billion.
fn parse_budget(e: &mut FieldErrors, typed: &str) -> i64 {
    match typed.trim() {
        "" => 0,
        b => match Money::parse_yuan(b) {
            Ok(m) if m.fen() > 0 && m.fen() <= 100_000_000_000 => m.fen(),
            Ok(_) => {
                e.add("budget", Msg::new("call.budget_range"));
                0
            }
            Err(msg) => {
                e.add("budget", msg);
                0
            }
        },
    }
}

/// The districts served and the communities in them.
fn parse_area(
    e: &mut FieldErrors,
    places: &Places,
    districts_typed: &[String],
    communities_typed: &[String],
) -> (Vec<i32>, Vec<i32>) {
    let mut districts = Vec::new();
    for d in districts_typed {
        match places.district(d) {
            Some(d) => districts.push(d.id),
            None => e.add("districts", Msg::new("field.choose")),
        }
    }
    let mut communities = Vec::new();
    for c in communities_typed {
        match places.communities.iter().find(|x| x.id.to_string() == c.trim()) {
            Some(c) if districts.contains(&c.district_id) => communities.push(c.id),
            _ => e.add("communities", Msg::new("community.unknown")),
        }
    }
    (districts, communities)
}

/// The scoring criteria typed, blank rows skipped; the first bad one is named.
fn parse_criteria(e: &mut FieldErrors, rows: &[CriterionInput]) -> Vec<(String, i32, String, bool)> {
    let mut criteria = Vec::new();
    for c in rows.iter().take(MAX_CRITERIA) {
        let name = crate::clean(&c.name);
        if name.is_empty() && c.weight.trim().is_empty() {
            continue;
        }
        match (name.chars().count(), c.weight.trim().parse::<i32>()) {
            (1..=100, Ok(w)) if (1..=100).contains(&w) => {
                criteria.push((name, w, crate::clean(&c.description).chars().take(1000).collect(), truthy(&c.is_price)))
            }
            _ => {
                e.add("criteria", Msg::new("call.criterion_invalid"));
                break;
            }
        }
    }
    criteria
}

/// The payment schedule typed, blank rows skipped; the first bad one is named.
fn parse_instalments(e: &mut FieldErrors, rows: &[InstalmentInput]) -> Vec<(i32, PaymentCondition, String)> {
    let mut instalments = Vec::new();
    for p in rows.iter().take(MAX_INSTALMENTS) {
        if p.percent.trim().is_empty() {
            continue;
        }
        match (p.percent.trim().parse::<i32>(), PaymentCondition::from_code(p.condition.trim())) {
            (Ok(n), Some(c)) if (1..=100).contains(&n) => {
                instalments.push((n, c, crate::clean(&p.description).chars().take(500).collect()))
            }
            _ => {
                e.add("instalments", Msg::new("call.instalment_invalid"));
                break;
            }
        }
    }
    instalments
}

pub(super) async fn write_lists<C: ConnectionTrait>(db: &C, call_id: i32, p: &Parsed) -> AppResult<()> {
    call_criterion::Entity::delete_many().filter(call_criterion::Column::CallId.eq(call_id)).exec(db).await?;
    call_instalment::Entity::delete_many().filter(call_instalment::Column::CallId.eq(call_id)).exec(db).await?;
    for (n, (name, weight, description, is_price)) in p.criteria.iter().enumerate() {
        call_criterion::ActiveModel {
            call_id: Set(call_id),
            position: Set(n as i32 + 1),
            name: Set(name.clone()),
            weight: Set(*weight),
            description: Set(description.clone()),
            is_price: Set(*is_price),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for (n, (percent, condition, description)) in p.instalments.iter().enumerate() {
        call_instalment::ActiveModel {
            call_id: Set(call_id),
            position: Set(n as i32 + 1),
            percent: Set(*percent),
            condition: Set(*condition),
            description: Set(description.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The call as it would be typed into the form again.
pub fn to_input(
    c: &call::Model,
    criteria: &[call_criterion::Model],
    instalments: &[call_instalment::Model],
) -> CallInput {
    let ids = |s: &str| serde_json::from_str::<Vec<i32>>(s).unwrap_or_default().iter().map(i32::to_string).collect();
    let local = |t: Option<DateTime<Utc>>| t.map(|t| crate::i18n::to_local(t).format("%Y-%m-%dT%H:%M").to_string());
    CallInput {
        title: c.title.clone(),
        category: c.category.code().into(),
        purchase_type: c.purchase_type.code().into(),
        method: c.method.code().into(),
        budget: if c.budget_ceiling_fen > 0 { Money(c.budget_ceiling_fen).to_yuan_input() } else { String::new() },
        districts: ids(&c.area_district_ids),
        communities: ids(&c.area_community_ids),
        target_groups: c.target_groups.clone(),
        outputs_expected: c.outputs_expected.clone(),
        term_months: c.term_months.to_string(),
        multi_year: if c.multi_year { "on".into() } else { String::new() },
        min_years_registered: c.min_years_registered.to_string(),
        min_grade: c.min_grade.to_string(),
        require_annual_report: if c.require_annual_report { "on".into() } else { String::new() },
        hub_rule: c.hub_rule.code().into(),
        org_types: c.org_types.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
        question_deadline: local(c.question_deadline).unwrap_or_default(),
        bid_deadline: local(c.bid_deadline).unwrap_or_default(),
        criteria: criteria
            .iter()
            .map(|x| CriterionInput {
                name: x.name.clone(),
                weight: x.weight.to_string(),
                description: x.description.clone(),
                is_price: if x.is_price { "on".into() } else { String::new() },
            })
            .collect(),
        instalments: instalments
            .iter()
            .map(|x| InstalmentInput {
                percent: x.percent.to_string(),
                condition: x.condition.code().into(),
                description: x.description.clone(),
            })
            .collect(),
    }
}
