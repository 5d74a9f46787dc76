//! Hub pages: the public list and hub page; the bureau's hub form and checklist; the hub
//! dashboard for its staff.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Member, Officer};
use crate::domain::audit::Actor;
use crate::domain::hubs::view::HubView;
use crate::domain::hubs::{self, ChecklistItemInput, HubInput, applications, dashboard, memberships, rounds};
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, codes, done};
use crate::routes::shared::CsrfForm;
use crate::state::App;
use entity::enums::{HubServiceKind, HubType, IncubationMode, MembershipStage, RoundStatus, SpaceUnit};
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        new_page,
        create,
        show,
        edit_page,
        update,
        add_checklist_item,
        retire_checklist_item,
        dashboard_page,
        mine
    ]
}

pub(crate) fn choices(app: &App) -> Value {
    json!({
        "hub_types": codes(HubType::ALL, HubType::code),
        "modes": codes(IncubationMode::ALL, IncubationMode::code),
        "space_units": codes(SpaceUnit::ALL, SpaceUnit::code),
        "round_statuses": codes(RoundStatus::ALL, RoundStatus::code),
        "service_kinds": codes(HubServiceKind::ALL, HubServiceKind::code),
        "stages": codes(MembershipStage::ALL, MembershipStage::code),
        "districts": app.places.districts,
        "communities": app.places.communities,
    })
}

#[get("/hubs")]
async fn list(page: Page, app: &State<App>) -> Result<Template, PageError> {
    let hubs = HubView::all(&app.db, &app.places).await?;
    let mine = match &page.user {
        Some(u) => hubs::managed_by(&app.db, u.id).await?,
        None => vec![],
    };
    Ok(page.render("hubs/list", json!({"hubs": hubs, "managed": mine})))
}

#[derive(FromForm)]
struct HubForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    hub_type: String,
    #[field(default = String::new())]
    district_id: String,
    #[field(default = String::new())]
    community_id: String,
    #[field(default = String::new())]
    address: String,
    #[field(default = String::new())]
    capacity: String,
    #[field(default = String::new())]
    mode: String,
    #[field(default = String::new())]
    space_unit: String,
    #[field(default = String::new())]
    default_term_months: String,
    #[field(default = String::new())]
    description: String,
    #[field(default = Vec::new())]
    managers: Vec<String>,
}

crate::csrf_field!(HubForm);

impl HubForm {
    fn input(&self) -> HubInput {
        HubInput {
            name: self.name.clone(),
            hub_type: self.hub_type.clone(),
            district_id: self.district_id.clone(),
            community_id: self.community_id.clone(),
            address: self.address.clone(),
            capacity: self.capacity.clone(),
            mode: self.mode.clone(),
            space_unit: self.space_unit.clone(),
            default_term_months: self.default_term_months.clone(),
            description: self.description.clone(),
            managers: self.managers.clone(),
        }
    }
}

async fn form_context(app: &App, values: &HubInput, id: Option<i32>) -> Result<Value, AppError> {
    let candidates = hubs::manager_candidates(&app.db).await?;
    let managers: Vec<Value> =
        candidates.iter().map(|u| json!({"id": u.id.to_string(), "name": u.display_name, "email": u.email})).collect();
    Ok(json!({"values": values, "id": id, "choices": choices(app), "manager_candidates": managers}))
}

#[get("/hubs/new")]
async fn new_page(page: Page, _o: Officer, app: &State<App>) -> Result<Template, PageError> {
    let values = HubInput {
        hub_type: HubType::NeighbourhoodCentre.code().into(),
        mode: IncubationMode::Physical.code().into(),
        default_term_months: "12".into(),
        ..Default::default()
    };
    Ok(page.render("hubs/form", form_context(app, &values, None).await?))
}

#[post("/hubs", data = "<form>")]
async fn create(page: Page, o: Officer, form: Posted<HubForm>, app: &State<App>) -> Result<PageResponse, PageError> {
    let input = form.input();
    match hubs::create(&app.db, &Actor::user(&o.0), app.clock.now(), &app.places, &input).await {
        Ok(h) => Ok(done(format!("/hubs/{}", h.id), "flash.hub_created")),
        Err(e) => page.refused("hubs/form", form_context(app, &input, None).await?, e),
    }
}

#[get("/hubs/<id>/edit")]
async fn edit_page(page: Page, _o: Officer, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let h = hubs::get(&app.db, id).await?;
    let managers = hubs::managers(&app.db, id).await?;
    let values = HubInput {
        name: h.name,
        hub_type: h.hub_type.code().into(),
        district_id: h.district_id.to_string(),
        community_id: h.community_id.map(|c| c.to_string()).unwrap_or_default(),
        address: h.address,
        capacity: h.capacity.to_string(),
        mode: h.mode.code().into(),
        space_unit: h.space_unit.code().into(),
        default_term_months: h.default_term_months.to_string(),
        description: h.description,
        managers: managers.iter().map(|m| m.id.to_string()).collect(),
    };
    Ok(page.render("hubs/form", form_context(app, &values, Some(id)).await?))
}

#[post("/hubs/<id>", data = "<form>")]
async fn update(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<HubForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match hubs::update(&app.db, &Actor::user(&o.0), app.clock.now(), &app.places, id, &input).await {
        Ok(_) => Ok(done(format!("/hubs/{id}"), "flash.saved")),
        Err(e) => page.refused("hubs/form", form_context(app, &input, Some(id)).await?, e),
    }
}

/// The hub page: what anyone may see, and for its staff the members and the checklist's upkeep.
/// Members who have left, shown on the hub page unless all are asked for.
const PAST_SHOWN: u64 = 20;

pub(crate) async fn hub_context(app: &App, page: &Page, id: i32, all_past: bool) -> Result<Value, AppError> {
    let h = hubs::get(&app.db, id).await?;
    let staff = hubs::is_staff(&app.db, page.user.as_ref(), id).await?;
    let today = app.clock.today_local();
    let rounds: Vec<Value> = rounds::of_hub(&app.db, id)
        .await?
        .iter()
        .map(|r| {
            let mut v = json!(r);
            v["accepting"] = json!(rounds::accepts_applications(r, today));
            v
        })
        .collect();
    let (members, past_total) =
        if staff { memberships::of_hub(&app.reads, id, (!all_past).then_some(PAST_SHOWN)).await? } else { (vec![], 0) };
    let past_shown = members.iter().filter(|m| !m.membership.stage.is_current()).count() as u64;
    let managers: Vec<Value> =
        hubs::managers(&app.db, id).await?.iter().map(|u| json!({"name": u.display_name})).collect();
    Ok(json!({
        "hub": HubView::of(&app.places, &h),
        "staff": staff,
        "rounds": rounds,
        "checklist": hubs::checklist(&app.db, id).await?,
        "managers": managers,
        "members": members,
        "past_hidden": past_total - past_shown,
        "choices": choices(app),
    }))
}

#[get("/hubs/<id>?<past>")]
async fn show(page: Page, id: i32, past: Option<&str>, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("hubs/show", hub_context(app, &page, id, past == Some("all")).await?))
}

#[derive(FromForm)]
struct ChecklistForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    required: String,
}

crate::csrf_field!(ChecklistForm);

#[post("/hubs/<id>/checklist", data = "<form>")]
async fn add_checklist_item(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<ChecklistForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = ChecklistItemInput { title: form.title.clone(), required: form.required.clone() };
    match hubs::add_checklist_item(&app.db, &Actor::user(&o.0), app.clock.now(), id, &input).await {
        Ok(_) => Ok(done(format!("/hubs/{id}#checklist"), "flash.saved")),
        Err(e) => {
            let mut ctx = hub_context(app, &page, id, false).await?;
            ctx["values"] = json!(input);
            page.refused("hubs/show", ctx, e)
        }
    }
}

#[post("/hubs/<id>/checklist/<item>/retire", data = "<_form>")]
async fn retire_checklist_item(
    o: Officer,
    id: i32,
    item: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    hubs::retire_checklist_item(&app.db, &Actor::user(&o.0), app.clock.now(), id, item).await?;
    Ok(done(format!("/hubs/{id}#checklist"), "flash.saved"))
}

#[get("/hubs/<id>/dashboard")]
async fn dashboard_page(page: Page, m: Member, id: i32, app: &State<App>) -> Result<Template, PageError> {
    hubs::require_staff(&app.db, &m.0, id).await?;
    let h = hubs::get(&app.db, id).await?;
    let d = dashboard::build(&app.reads, &h, app.clock.today_local()).await?;
    Ok(page.render("hubs/dashboard", json!({"hub": HubView::of(&app.places, &h), "d": d})))
}

/// An NGO member's incubation: applications made and memberships held.
#[get("/incubation")]
async fn mine(page: Page, m: Member, app: &State<App>) -> Result<Template, PageError> {
    let apps = applications::mine(&app.db, &m.0).await?;
    let members = memberships::mine(&app.db, &m.0).await?;
    let hubs = HubView::all(&app.db, &app.places).await?;
    Ok(page.render("hubs/mine", json!({"applications": apps, "memberships": members, "hubs": hubs})))
}
