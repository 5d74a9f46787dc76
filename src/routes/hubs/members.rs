//! A hub member's page: seat, services given, graduation assessments. The hub's staff
//! keep it; the member reads it.
use crate::assets::Template;
use crate::auth::Member;
use crate::auth::Posted;
use crate::domain::hubs::memberships::{self, AssessmentInput, ServiceInput};
use crate::domain::hubs::view::HubView;
use crate::domain::hubs::{self};
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::hubs::pages::choices;
use crate::routes::page::{Page, PageResponse, done};
use crate::state::App;
use entity::user;
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![member_page, add_service, assign_seat, assess]
}

async fn member_context(app: &App, u: &user::Model, id: i32, mid: i32) -> Result<Value, AppError> {
    let (row, staff) = memberships::visible(&app.db, u, id, mid).await?;
    let h = hubs::get(&app.db, id).await?;
    let assessments = memberships::assessments(&app.db, mid).await?;
    let free_seats: Vec<_> = if staff {
        hubs::seats(&app.db, id).await?.into_iter().filter(|s| s.held_by.is_none()).collect()
    } else {
        vec![]
    };
    let services = memberships::services(&app.db, mid).await?;
    let total_minutes: i64 = services.iter().map(|s| s.minutes as i64).sum();
    Ok(json!({
        "hub": HubView::of(&app.places, &h),
        "m": row,
        "staff": staff,
        "services": services.iter().map(|s| {
            let mut v = json!(s);
            v["hours"] = json!(hubs::hours(s.minutes as i64));
            v
        }).collect::<Vec<_>>(),
        "total_hours": hubs::hours(total_minutes),
        "assessments": assessments,
        "checklist": hubs::checklist(&app.db, id).await?,
        "free_seats": free_seats,
        "choices": choices(app),
        "today": app.clock.today_local(),
        // What was typed into the service form (sv) or the assessment form (av) when it failed.
        "sv": {},
        "av": {},
    }))
}

#[get("/hubs/<id>/members/<mid>")]
async fn member_page(page: Page, m: Member, id: i32, mid: i32, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("hubs/member", member_context(app, &m.0, id, mid).await?))
}

/// A form on the member page failed: the page again, with the failed form open.
async fn member_refused(
    page: &Page,
    app: &App,
    u: &user::Model,
    (id, mid): (i32, i32),
    form_name: &str,
    values: Value,
    e: AppError,
) -> Result<PageResponse, PageError> {
    let mut ctx = member_context(app, u, id, mid).await?;
    ctx["failed_form"] = json!(form_name);
    match form_name {
        "service" => ctx["sv"] = values,
        "assessment" => ctx["av"] = values,
        _ => ctx["values"] = values,
    }
    page.refused("hubs/member", ctx, e)
}

#[derive(FromForm)]
struct ServiceForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    kind: String,
    #[field(default = String::new())]
    delivered_on: String,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    hours: String,
    #[field(default = String::new())]
    attendees: String,
    /// Named apart from the assessment's note: both forms are on one page.
    #[field(default = String::new())]
    service_note: String,
}

crate::csrf_field!(ServiceForm);

#[post("/hubs/<id>/members/<mid>/services", data = "<form>")]
async fn add_service(
    page: Page,
    m: Member,
    id: i32,
    mid: i32,
    form: Posted<ServiceForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = ServiceInput {
        kind: form.kind.clone(),
        delivered_on: form.delivered_on.clone(),
        title: form.title.clone(),
        hours: form.hours.clone(),
        attendees: form.attendees.clone(),
        note: form.service_note.clone(),
    };
    match memberships::add_service(&app.db, &m.0, app.clock.now(), app.clock.today_local(), id, mid, &input).await {
        Ok(_) => Ok(done(format!("/hubs/{id}/members/{mid}#services"), "flash.saved")),
        Err(e) => member_refused(&page, app, &m.0, (id, mid), "service", json!(input), e).await,
    }
}

#[derive(FromForm)]
struct SeatForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    seat_id: String,
}

crate::csrf_field!(SeatForm);

#[post("/hubs/<id>/members/<mid>/seat", data = "<form>")]
async fn assign_seat(
    page: Page,
    m: Member,
    id: i32,
    mid: i32,
    form: Posted<SeatForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match memberships::assign_seat(&app.db, &m.0, app.clock.now(), id, mid, &form.seat_id).await {
        Ok(()) => Ok(done(format!("/hubs/{id}/members/{mid}"), "flash.saved")),
        Err(e) => member_refused(&page, app, &m.0, (id, mid), "seat", json!({}), e).await,
    }
}

#[derive(FromForm)]
struct AssessmentForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    outcome: String,
    #[field(default = String::new())]
    note: String,
    #[field(default = String::new())]
    new_end_on: String,
    #[field(default = Vec::new())]
    met: Vec<String>,
    #[field(default = BTreeMap::new())]
    evidence: BTreeMap<String, String>,
}

crate::csrf_field!(AssessmentForm);

#[post("/hubs/<id>/members/<mid>/assessment", data = "<form>")]
async fn assess(
    page: Page,
    m: Member,
    id: i32,
    mid: i32,
    form: Posted<AssessmentForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = AssessmentInput {
        outcome: form.outcome.clone(),
        note: form.note.clone(),
        new_end_on: form.new_end_on.clone(),
        met: form.met.clone(),
        evidence: form.evidence.clone(),
    };
    match memberships::assess(&app.db, &m.0, app.clock.now(), app.clock.today_local(), id, mid, &input).await {
        Ok(_) => Ok(done(format!("/hubs/{id}/members/{mid}#assessments"), "flash.assessment_recorded")),
        Err(e) => member_refused(&page, app, &m.0, (id, mid), "assessment", json!(input), e).await,
    }
}
