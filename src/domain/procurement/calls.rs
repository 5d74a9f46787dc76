//! Calls for proposals (采购公告): an officer drafts a call, saves it as often as needed,
//! and publishes it once it passes every rule of publication; a published call is public
//! and may be cancelled with a reason.
use super::rules::ProcurementRules;
use crate::domain::audit::{self, Actor};
use crate::domain::hubs::{int_field, text_field};
use crate::domain::money::Money;
use crate::domain::organization_input::Places;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Utc};
use entity::enums::{
    CallStatus, HubRule, OrgType, PaymentCondition, ProcurementMethod, PurchaseType, Role, ServiceCategory,
};
use entity::{call, call_criterion, call_instalment, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
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

fn truthy(s: &str) -> bool {
    crate::domain::hubs::truthy(s)
}

fn code_field<T: Copy>(e: &mut FieldErrors, field: &'static str, s: &str, from: fn(&str) -> Option<T>) -> Option<T> {
    let v = from(s.trim());
    if v.is_none() {
        e.add(field, Msg::new("field.choose"));
    }
    v
}

struct Parsed {
    row: call::ActiveModel,
    criteria: Vec<(String, i32, String, bool)>,
    instalments: Vec<(i32, PaymentCondition, String)>,
}

/// What a draft may hold: every field well formed, none yet required but the title and
/// the kinds of call. Completeness is checked at publication.
fn parse(places: &Places, i: &CallInput) -> Result<Parsed, FieldErrors> {
    let mut e = FieldErrors::default();
    let title = text_field(&mut e, "title", &i.title, 200);
    let category = code_field(&mut e, "category", &i.category, ServiceCategory::from_code);
    let purchase_type = code_field(&mut e, "purchase_type", &i.purchase_type, PurchaseType::from_code);
    let method = code_field(&mut e, "method", &i.method, ProcurementMethod::from_code);
    let hub_rule = if i.hub_rule.trim().is_empty() {
        Some(HubRule::None)
    } else {
        code_field(&mut e, "hub_rule", &i.hub_rule, HubRule::from_code)
    };
    let budget = match i.budget.trim() {
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
    };
    let mut districts = Vec::new();
    for d in &i.districts {
        match places.district(d) {
            Some(d) => districts.push(d.id),
            None => e.add("districts", Msg::new("field.choose")),
        }
    }
    let mut communities = Vec::new();
    for c in &i.communities {
        match places.communities.iter().find(|x| x.id.to_string() == c.trim()) {
            Some(c) if districts.contains(&c.district_id) => communities.push(c.id),
            _ => e.add("communities", Msg::new("community.unknown")),
        }
    }
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

    let mut criteria = Vec::new();
    for c in i.criteria.iter().take(MAX_CRITERIA) {
        let name = crate::domain::clean(&c.name);
        if name.is_empty() && c.weight.trim().is_empty() {
            continue;
        }
        match (name.chars().count(), c.weight.trim().parse::<i32>()) {
            (1..=100, Ok(w)) if (1..=100).contains(&w) => criteria.push((
                name,
                w,
                crate::domain::clean(&c.description).chars().take(1000).collect(),
                truthy(&c.is_price),
            )),
            _ => {
                e.add("criteria", Msg::new("call.criterion_invalid"));
                break;
            }
        }
    }
    let mut instalments = Vec::new();
    for p in i.instalments.iter().take(MAX_INSTALMENTS) {
        if p.percent.trim().is_empty() {
            continue;
        }
        match (p.percent.trim().parse::<i32>(), PaymentCondition::from_code(p.condition.trim())) {
            (Ok(n), Some(c)) if (1..=100).contains(&n) => {
                instalments.push((n, c, crate::domain::clean(&p.description).chars().take(500).collect()))
            }
            _ => {
                e.add("instalments", Msg::new("call.instalment_invalid"));
                break;
            }
        }
    }
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
        target_groups: Set(crate::domain::clean(&i.target_groups).chars().take(2000).collect()),
        outputs_expected: Set(crate::domain::clean(&i.outputs_expected).chars().take(4000).collect()),
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

async fn write_lists<C: ConnectionTrait>(db: &C, call_id: i32, p: &Parsed) -> AppResult<()> {
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

pub async fn create(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    places: &Places,
    i: &CallInput,
) -> AppResult<call::Model> {
    let p = parse(places, i).map_err(AppError::Invalid)?;
    let txn = db.begin().await?;
    let mut row = p.row.clone();
    row.status = Set(CallStatus::Draft);
    row.created_by = Set(Some(u.id));
    row.created_at = Set(now);
    row.updated_at = Set(now);
    let c = row.insert(&txn).await?;
    write_lists(&txn, c.id, &p).await?;
    audit::append(&txn, now, &Actor::user(u), "call.drafted", "call", c.id, serde_json::json!({"title": c.title}))
        .await?;
    txn.commit().await?;
    Ok(c)
}

/// Saves a draft again. A published call is not edited here (changes to a published call
/// come with bidding, where they may move the deadline).
pub async fn update(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    places: &Places,
    id: i32,
    i: &CallInput,
) -> AppResult<call::Model> {
    let txn = db.begin().await?;
    let c = get(&txn, id).await?;
    if c.status != CallStatus::Draft {
        return Err(AppError::Conflict(Msg::new("call.not_draft")));
    }
    let p = parse(places, i).map_err(AppError::Invalid)?;
    let mut row = p.row.clone();
    row.id = sea_orm::ActiveValue::Unchanged(id);
    row.updated_at = Set(now);
    let c = row.update(&txn).await?;
    write_lists(&txn, id, &p).await?;
    audit::append(&txn, now, &Actor::user(u), "call.draft_saved", "call", id, serde_json::json!({"title": c.title}))
        .await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<call::Model> {
    call::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

pub fn is_bureau(u: Option<&user::Model>) -> bool {
    u.is_some_and(|u| matches!(u.role, Role::Officer | Role::Admin))
}

/// A call as `viewer` may see it: drafts are the bureau's alone.
pub async fn visible(db: &DatabaseConnection, viewer: Option<&user::Model>, id: i32) -> AppResult<call::Model> {
    let c = get(db, id).await?;
    if c.status == CallStatus::Draft && !is_bureau(viewer) {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

pub async fn list(db: &DatabaseConnection, viewer: Option<&user::Model>) -> AppResult<Vec<call::Model>> {
    let mut q = call::Entity::find();
    if !is_bureau(viewer) {
        q = q.filter(call::Column::Status.ne(CallStatus::Draft));
    }
    Ok(q.order_by_desc(call::Column::PublishedAt).order_by_desc(call::Column::Id).all(db).await?)
}

pub async fn criteria<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<call_criterion::Model>> {
    Ok(call_criterion::Entity::find()
        .filter(call_criterion::Column::CallId.eq(id))
        .order_by_asc(call_criterion::Column::Position)
        .all(db)
        .await?)
}

pub async fn instalments<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<call_instalment::Model>> {
    Ok(call_instalment::Entity::find()
        .filter(call_instalment::Column::CallId.eq(id))
        .order_by_asc(call_instalment::Column::Position)
        .all(db)
        .await?)
}

/// Every rule of publication the call does not meet yet, by field.
pub fn publication_problems(
    c: &call::Model,
    criteria: &[call_criterion::Model],
    instalments: &[call_instalment::Model],
    rules: &ProcurementRules,
    now: DateTime<Utc>,
) -> FieldErrors {
    let mut e = FieldErrors::default();
    if c.budget_ceiling_fen <= 0 {
        e.add("budget", Msg::new("field.required"));
    }
    if c.area_district_ids.trim() == "[]" || c.area_district_ids.trim().is_empty() {
        e.add("districts", Msg::new("call.area_required"));
    }
    if c.target_groups.is_empty() {
        e.add("target_groups", Msg::new("field.required"));
    }
    if c.outputs_expected.is_empty() {
        e.add("outputs_expected", Msg::new("field.required"));
    }
    let max_term = if c.multi_year { rules.max_multi_year_months } else { rules.max_term_months };
    if c.term_months > max_term {
        e.add("term_months", Msg::new("call.term_too_long").arg("max", max_term));
    }
    let total: i32 = criteria.iter().map(|x| x.weight).sum();
    let prices: Vec<&call_criterion::Model> = criteria.iter().filter(|x| x.is_price).collect();
    if criteria.len() < 2 {
        e.add("criteria", Msg::new("call.criteria_too_few"));
    } else if prices.len() != 1 {
        e.add("criteria", Msg::new("call.one_price_criterion"));
    } else if total != 100 {
        e.add("criteria", Msg::new("call.weights_sum").arg("sum", total));
    } else {
        let range = rules.price_weight(c.method);
        if !range.contains(&prices[0].weight) {
            e.add(
                "criteria",
                Msg::new("call.price_weight_range")
                    .arg("weight", prices[0].weight)
                    .arg("min", range.start())
                    .arg("max", range.end()),
            );
        }
    }
    let paid: i32 = instalments.iter().map(|x| x.percent).sum();
    if instalments.is_empty() {
        e.add("instalments", Msg::new("call.instalments_required"));
    } else if paid != 100 {
        e.add("instalments", Msg::new("call.instalments_sum").arg("sum", paid));
    }
    match c.bid_deadline {
        None => e.add("bid_deadline", Msg::new("field.required")),
        Some(d) if d < now + Duration::days(rules.min_days(c.method)) => {
            e.add("bid_deadline", Msg::new("call.tender_period").arg("days", rules.min_days(c.method)))
        }
        Some(_) => {}
    }
    match (c.question_deadline, c.bid_deadline) {
        (None, _) => e.add("question_deadline", Msg::new("field.required")),
        (Some(q), _) if q <= now => e.add("question_deadline", Msg::new("call.question_deadline_past")),
        (Some(q), Some(b)) if q > b - Duration::days(rules.question_days_before_deadline) => e.add(
            "question_deadline",
            Msg::new("call.question_deadline_late").arg("days", rules.question_days_before_deadline),
        ),
        _ => {}
    }
    e
}

/// Publishes a draft that meets every rule; it gets its reference number then.
pub async fn publish(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ProcurementRules,
    id: i32,
) -> AppResult<call::Model> {
    let txn = db.begin().await?;
    let c = get(&txn, id).await?;
    let status = c.status.transition(CallStatus::Published)?;
    let problems = publication_problems(&c, &criteria(&txn, id).await?, &instalments(&txn, id).await?, rules, now);
    problems.into_result()?;
    let year = crate::i18n::to_local(now).year();
    let published_this_year =
        call::Entity::find().filter(call::Column::Reference.starts_with(format!("SYMZ-{year}-"))).count(&txn).await?;
    let reference = format!("SYMZ-{year}-{:03}", published_this_year + 1);
    let mut am: call::ActiveModel = c.into();
    am.status = Set(status);
    am.reference = Set(Some(reference.clone()));
    am.published_at = Set(Some(now));
    am.updated_at = Set(now);
    let c = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "call.published",
        "call",
        id,
        serde_json::json!({"reference": reference}),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn cancel(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    reason: &str,
) -> AppResult<call::Model> {
    let reason = crate::domain::clean(reason);
    if reason.is_empty() {
        return Err(crate::domain::hubs::field_error("reason", Msg::new("call.cancel_needs_reason")));
    }
    let txn = db.begin().await?;
    let c = get(&txn, id).await?;
    let status = c.status.transition(CallStatus::Cancelled)?;
    let mut am: call::ActiveModel = c.into();
    am.status = Set(status);
    am.cancel_reason = Set(Some(reason.chars().take(1000).collect()));
    am.updated_at = Set(now);
    let c = am.update(&txn).await?;
    audit::append(&txn, now, &Actor::user(u), "call.cancelled", "call", id, serde_json::json!({"reason": reason}))
        .await?;
    txn.commit().await?;
    Ok(c)
}

/// Where a published call stands now, by the server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Draft,
    QuestionsOpen,
    QuestionsClosed,
    BiddingClosed,
    Cancelled,
}

pub fn phase(c: &call::Model, now: DateTime<Utc>) -> Phase {
    match c.status {
        CallStatus::Draft => Phase::Draft,
        CallStatus::Cancelled => Phase::Cancelled,
        CallStatus::Published => match (c.question_deadline, c.bid_deadline) {
            (_, Some(b)) if now >= b => Phase::BiddingClosed,
            (Some(q), _) if now >= q => Phase::QuestionsClosed,
            _ => Phase::QuestionsOpen,
        },
    }
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
