//! Call pages: the public list and call page (with its answered questions and, for an NGO
//! member, the eligibility of its organization); the bureau's draft form, publication and
//! cancellation; asking and answering questions.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Ngo, Officer};
use crate::domain::access::Viewer;
use crate::domain::procurement::call_view::CallView;
use crate::domain::procurement::calls::{
    self, CallInput, CriterionInput, InstalmentInput, MAX_CRITERIA, MAX_INSTALMENTS,
};
use crate::domain::procurement::questions;
use crate::error::AppError;
use crate::routes::confirm;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, codes, done};
use crate::routes::shared::TextForm;
use crate::state::App;
use entity::enums::{HubRule, OrgType, PaymentCondition, ProcurementMethod, PurchaseType, ServiceCategory};
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new_page, create, show, edit_page, update, publish, cancel, ask, answer]
}

fn choices(app: &App) -> Value {
    json!({
        "categories": codes(ServiceCategory::ALL, ServiceCategory::code),
        "purchase_types": codes(PurchaseType::ALL, PurchaseType::code),
        "methods": codes(ProcurementMethod::ALL, ProcurementMethod::code),
        "hub_rules": codes(HubRule::ALL, HubRule::code),
        "org_types": codes(OrgType::ALL, OrgType::code),
        "conditions": codes(PaymentCondition::ALL, PaymentCondition::code),
        "districts": app.places.districts,
        "communities": app.places.communities,
        "rules": app.config.procurement,
    })
}

#[derive(FromForm, Default)]
struct CriterionForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    weight: String,
    #[field(default = String::new())]
    description: String,
    #[field(default = String::new())]
    is_price: String,
}

#[derive(FromForm, Default)]
struct InstalmentForm {
    #[field(default = String::new())]
    percent: String,
    #[field(default = String::new())]
    condition: String,
    #[field(default = String::new())]
    description: String,
}

#[derive(FromForm)]
struct CallForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    category: String,
    #[field(default = String::new())]
    purchase_type: String,
    #[field(default = String::new())]
    method: String,
    #[field(default = String::new())]
    budget: String,
    #[field(default = Vec::new())]
    districts: Vec<String>,
    #[field(default = Vec::new())]
    communities: Vec<String>,
    #[field(default = String::new())]
    target_groups: String,
    #[field(default = String::new())]
    outputs_expected: String,
    #[field(default = String::new())]
    term_months: String,
    #[field(default = String::new())]
    multi_year: String,
    #[field(default = String::new())]
    min_years_registered: String,
    #[field(default = String::new())]
    min_grade: String,
    #[field(default = String::new())]
    require_annual_report: String,
    #[field(default = String::new())]
    hub_rule: String,
    #[field(default = Vec::new())]
    org_types: Vec<String>,
    #[field(default = String::new())]
    question_deadline: String,
    #[field(default = String::new())]
    bid_deadline: String,
    #[field(default = Vec::new())]
    criteria: Vec<CriterionForm>,
    #[field(default = Vec::new())]
    instalments: Vec<InstalmentForm>,
}

crate::csrf_field!(CallForm);

impl CallForm {
    fn input(&self) -> CallInput {
        CallInput {
            title: self.title.clone(),
            category: self.category.clone(),
            purchase_type: self.purchase_type.clone(),
            method: self.method.clone(),
            budget: self.budget.clone(),
            districts: self.districts.clone(),
            communities: self.communities.clone(),
            target_groups: self.target_groups.clone(),
            outputs_expected: self.outputs_expected.clone(),
            term_months: self.term_months.clone(),
            multi_year: self.multi_year.clone(),
            min_years_registered: self.min_years_registered.clone(),
            min_grade: self.min_grade.clone(),
            require_annual_report: self.require_annual_report.clone(),
            hub_rule: self.hub_rule.clone(),
            org_types: self.org_types.clone(),
            question_deadline: self.question_deadline.clone(),
            bid_deadline: self.bid_deadline.clone(),
            criteria: self
                .criteria
                .iter()
                .map(|c| CriterionInput {
                    name: c.name.clone(),
                    weight: c.weight.clone(),
                    description: c.description.clone(),
                    is_price: c.is_price.clone(),
                })
                .collect(),
            instalments: self
                .instalments
                .iter()
                .map(|p| InstalmentInput {
                    percent: p.percent.clone(),
                    condition: p.condition.clone(),
                    description: p.description.clone(),
                })
                .collect(),
        }
    }
}

/// The form, with blank rows up to the limits so criteria and instalments can be added
/// without JavaScript.
fn form_context(app: &App, values: &CallInput, id: Option<i32>) -> Value {
    let mut v = values.clone();
    v.criteria.resize_with(MAX_CRITERIA.max(v.criteria.len()), Default::default);
    v.instalments.resize_with(MAX_INSTALMENTS.max(v.instalments.len()), Default::default);
    json!({"values": v, "id": id, "choices": choices(app)})
}

#[get("/calls/new")]
fn new_page(page: Page, _o: Officer, app: &State<App>) -> Template {
    let values = CallInput {
        category: ServiceCategory::Elderly.code().into(),
        purchase_type: PurchaseType::SpecificProject.code().into(),
        method: ProcurementMethod::CompetitiveConsultation.code().into(),
        term_months: "12".into(),
        require_annual_report: "on".into(),
        criteria: vec![
            CriterionInput { name: "服务方案".into(), weight: "40".into(), ..Default::default() },
            CriterionInput { name: "团队与管理".into(), weight: "20".into(), ..Default::default() },
            CriterionInput { name: "既往业绩".into(), weight: "20".into(), ..Default::default() },
            CriterionInput { name: "报价".into(), weight: "20".into(), is_price: "on".into(), ..Default::default() },
        ],
        instalments: vec![
            InstalmentInput { percent: "30".into(), condition: "signing".into(), ..Default::default() },
            InstalmentInput { percent: "40".into(), condition: "midterm_passed".into(), ..Default::default() },
            InstalmentInput { percent: "30".into(), condition: "final_passed".into(), ..Default::default() },
        ],
        ..Default::default()
    };
    page.render("calls/form", form_context(app, &values, None))
}

#[post("/calls", data = "<form>")]
async fn create(page: Page, o: Officer, form: Posted<CallForm>, app: &State<App>) -> Result<PageResponse, PageError> {
    let input = form.input();
    match calls::create(&app.db, &o.0, app.clock.now(), &app.places, &input).await {
        Ok(c) => Ok(done(format!("/calls/{}", c.id), "flash.call_saved")),
        Err(e) => page.refused("calls/form", form_context(app, &input, None), e),
    }
}

#[get("/calls/<id>/edit")]
async fn edit_page(page: Page, _o: Officer, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let c = calls::get(&app.db, id).await?;
    let input = calls::to_input(&c, &calls::criteria(&app.db, id).await?, &calls::instalments(&app.db, id).await?);
    Ok(page.render("calls/form", form_context(app, &input, Some(id))))
}

#[post("/calls/<id>", data = "<form>")]
async fn update(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<CallForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match calls::update(&app.db, &o.0, app.clock.now(), &app.places, id, &input).await {
        Ok(_) => Ok(done(format!("/calls/{id}"), "flash.call_saved")),
        Err(e) => page.refused("calls/form", form_context(app, &input, Some(id)), e),
    }
}

pub(crate) async fn call_context(app: &App, page: &Page, id: i32) -> Result<Value, AppError> {
    let viewer = page.user.as_ref();
    let now = app.clock.now();
    let c = calls::visible(&app.db, viewer, id).await?;
    let phase = calls::phase_of(&app.db, &c, now).await?;
    let v = CallView::build(&app.db, viewer, c, now, page.locale).await?;
    let c = &v.call;
    let bureau = Viewer::of_anyone(viewer).is_bureau();
    let ids = |s: &str| serde_json::from_str::<Vec<i32>>(s).unwrap_or_default();
    let districts: Vec<&str> = ids(&c.area_district_ids).iter().map(|d| app.places.district_name(*d)).collect();
    let communities: Vec<&str> =
        ids(&c.area_community_ids).iter().map(|d| app.places.community_name(Some(*d))).collect();
    let rules = &app.config.procurement;
    let published_award = crate::domain::procurement::award::published(&app.db, rules, c).await?;
    let challenge_open = v.is_bidder && published_award.as_ref().is_some_and(|p| now < p.award.challenge_until);
    // The viewer's own bid, when its price is abnormally low and the panel awaits a word.
    let low_price = match viewer.and_then(|u| u.organization_id) {
        Some(org) if c.status == entity::enums::CallStatus::Opened && v.is_bidder => {
            let r = crate::domain::procurement::panel_report::report(&app.db, rules, c).await?;
            r.bids.into_iter().find(|b| b.organization_id == org && b.low_price).map(|b| json!(b))
        }
        _ => None,
    };
    let on_panel = match viewer {
        Some(u) => crate::domain::procurement::panel::seat_of(&app.db, u, id).await?.is_some(),
        None => false,
    };
    // What became of the award's contract: a draft still, or signed, in force, completed.
    let contract_status = match published_award.as_ref().and_then(|p| p.contract_id) {
        Some(k) => {
            <entity::contract::Entity as sea_orm::EntityTrait>::find_by_id(k).one(&app.db).await?.map(|k| k.status)
        }
        None => None,
    };
    Ok(json!({
        "contract_status": contract_status,
        "award": published_award,
        "evaluations": crate::domain::evaluations::listing::public_for_call(&app.db, id).await?,
        "challenge_open": challenge_open,
        "challenges": crate::domain::procurement::award::challenges(&app.db, viewer, id).await?,
        "amendments": crate::domain::procurement::amendments::list(&app.db, id).await?,
        "low_price": low_price,
        "panel_link": (bureau || on_panel) && matches!(c.status, entity::enums::CallStatus::Opened | entity::enums::CallStatus::Awarded),
        "phase": phase,
        "districts": districts,
        "communities": communities,
        "org_types": c.org_types.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        "bureau": bureau,
        "problems": v.problems(rules, now, page.locale),
        // After opening, the bids (price and digest) for the bureau and the bidders.
        "opened": v.bids.clone().unwrap_or_default(),
        "call": v.call,
        "criteria": v.criteria,
        "instalments": v.instalments,
        "questions": v.questions,
        "eligibility": v.eligibility,
        "can": v.can,
    }))
}

#[get("/calls/<id>")]
async fn show(page: Page, id: i32, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("calls/show", call_context(app, &page, id).await?))
}

#[post("/calls/<id>/publish", data = "<form>")]
async fn publish(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<crate::routes::shared::ConfirmForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    if !confirm::confirmed(&form.confirmed) {
        let c = crate::domain::procurement::calls::get(&app.db, id).await?;
        let l = page.locale;
        let deadline = c.bid_deadline.map(crate::i18n::format_datetime).unwrap_or_default();
        let facts = vec![
            (l.t("confirm.facts.call").into(), c.title),
            (l.t("field.reference").into(), c.reference.unwrap_or_default()),
            (l.t("field.bid_deadline").into(), deadline),
        ];
        let ask = confirm::Ask {
            step: "publish",
            action: format!("/calls/{id}/publish"),
            back: format!("/calls/{id}"),
            facts,
            fields: vec![],
            acknowledge: false,
        };
        return Ok(confirm::ask(&page, ask, false));
    }
    match calls::publish(&app.db, &o.0, app.clock.now(), &app.config.procurement, id).await {
        Ok(_) => Ok(done(format!("/calls/{id}"), "flash.call_published")),
        Err(e) => page.refused("calls/show", call_context(app, &page, id).await?, e),
    }
}

#[post("/calls/<id>/cancel", data = "<form>")]
async fn cancel(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match calls::cancel(&app.db, &o.0, app.clock.now(), id, &form.text).await {
        Ok(_) => Ok(done(format!("/calls/{id}"), "flash.call_cancelled")),
        Err(e) => page.refused("calls/show", call_context(app, &page, id).await?, e),
    }
}

#[post("/calls/<id>/questions", data = "<form>")]
async fn ask(
    page: Page,
    me: Ngo,
    id: i32,
    form: Posted<TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    calls::visible(&app.db, Some(&me.0), id).await?;
    match questions::ask(&app.db, &me.0, app.clock.now(), id, &form.text).await {
        Ok(_) => Ok(done(format!("/calls/{id}#questions"), "flash.question_asked")),
        Err(e) => {
            let mut ctx = call_context(app, &page, id).await?;
            ctx["values"] = json!({"question": form.text});
            page.refused("calls/show", ctx, e)
        }
    }
}

#[post("/calls/<id>/questions/<qid>/answer", data = "<form>")]
async fn answer(
    page: Page,
    o: Officer,
    id: i32,
    qid: i32,
    form: Posted<TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match questions::answer(&app.db, &o.0, app.clock.now(), id, qid, &form.text).await {
        Ok(_) => Ok(done(format!("/calls/{id}#questions"), "flash.question_answered")),
        Err(e) => page.refused("calls/show", call_context(app, &page, id).await?, e),
    }
}
