//! Admission pages: a round (cohort) and its applications; applying; the hub's decision.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Member, Ngo};
use crate::domain::hubs::applications::{self, ApplyInput, DecisionInput};
use crate::domain::hubs::rounds::{self, RoundInput};
use crate::domain::hubs::view::HubView;
use crate::domain::hubs::{self};
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::hubs::pages::choices;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::CsrfForm;
use crate::state::App;
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new_round_page, create_round, round_page, round_status, apply, application_page, decide, withdraw]
}

#[derive(FromForm)]
struct RoundForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    opens_on: String,
    #[field(default = String::new())]
    closes_on: String,
    #[field(default = String::new())]
    starts_on: String,
    #[field(default = String::new())]
    places: String,
    #[field(default = String::new())]
    questions: String,
}

crate::csrf_field!(RoundForm);

async fn round_form_context(app: &App, hub_id: i32, values: &RoundInput) -> Result<Value, AppError> {
    let h = hubs::get(&app.db, hub_id).await?;
    Ok(json!({"hub": HubView::of(&app.places, &h), "values": values}))
}

#[get("/hubs/<id>/rounds/new")]
async fn new_round_page(page: Page, m: Member, id: i32, app: &State<App>) -> Result<Template, PageError> {
    hubs::require_staff(&app.db, &m.0, id).await?;
    let today = app.clock.today_local();
    let values = RoundInput {
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(30)).to_string(),
        starts_on: (today + chrono::Duration::days(45)).to_string(),
        ..Default::default()
    };
    Ok(page.render("hubs/round_form", round_form_context(app, id, &values).await?))
}

#[post("/hubs/<id>/rounds", data = "<form>")]
async fn create_round(
    page: Page,
    m: Member,
    id: i32,
    form: Posted<RoundForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = RoundInput {
        name: form.name.clone(),
        opens_on: form.opens_on.clone(),
        closes_on: form.closes_on.clone(),
        starts_on: form.starts_on.clone(),
        places: form.places.clone(),
        questions: form.questions.clone(),
    };
    match rounds::create(&app.db, &m.0, app.clock.now(), app.clock.today_local(), id, &input).await {
        Ok(r) => Ok(done(format!("/hubs/{id}/rounds/{}", r.id), "flash.round_opened")),
        Err(e) => page.refused("hubs/round_form", round_form_context(app, id, &input).await?, e),
    }
}

async fn round_context(app: &App, page: &Page, id: i32, rid: i32) -> Result<Value, AppError> {
    let h = hubs::get(&app.db, id).await?;
    let r = rounds::get(&app.db, id, rid).await?;
    let staff = hubs::is_staff(&app.db, page.user.as_ref(), id).await?;
    // The staff see every application; an applicant sees only their own, anyone else none.
    let apps = match &page.user {
        Some(_) if staff => applications::of_round(&app.db, rid).await?,
        Some(u) => {
            applications::mine(&app.db, u).await?.into_iter().filter(|a| a.application.round_id == rid).collect()
        }
        None => vec![],
    };
    let free_seats: Vec<_> = hubs::seats(&app.db, id).await?.into_iter().filter(|s| s.held_by.is_none()).collect();
    // An applicant whose application stands is shown it, not the form again.
    let applied = !staff && apps.iter().any(|a| a.application.status != entity::enums::ApplicationStatus::Withdrawn);
    Ok(json!({
        "applied": applied,
        "hub": HubView::of(&app.places, &h),
        "round": r,
        "questions": rounds::questions_of(&r),
        "accepting": rounds::accepts_applications(&r, app.clock.today_local()),
        "can_change_status": staff && rounds::may_move_on(&r),
        "staff": staff,
        "applications": apps,
        "free_seats": free_seats,
        "choices": choices(app),
    }))
}

#[get("/hubs/<id>/rounds/<rid>", rank = 2)]
async fn round_page(page: Page, id: i32, rid: i32, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("hubs/round", round_context(app, &page, id, rid).await?))
}

#[derive(FromForm)]
struct StatusForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    to: String,
}

crate::csrf_field!(StatusForm);

#[post("/hubs/<id>/rounds/<rid>/status", data = "<form>")]
async fn round_status(
    page: Page,
    m: Member,
    id: i32,
    rid: i32,
    form: Posted<StatusForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match rounds::change_status(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &m.0,
        app.clock.now(),
        id,
        rid,
        &form.to,
    )
    .await
    {
        Ok(_) => Ok(done(format!("/hubs/{id}/rounds/{rid}"), "flash.saved")),
        Err(e) => page.refused("hubs/round", round_context(app, &page, id, rid).await?, e),
    }
}

#[derive(FromForm)]
struct ApplyForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    team_name: String,
    #[field(default = String::new())]
    core_members: String,
    #[field(default = String::new())]
    plan: String,
    #[field(default = Vec::new())]
    answers: Vec<String>,
}

crate::csrf_field!(ApplyForm);

#[post("/hubs/<id>/rounds/<rid>/apply", data = "<form>")]
async fn apply(
    page: Page,
    me: Ngo,
    id: i32,
    rid: i32,
    form: Posted<ApplyForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = ApplyInput {
        team_name: form.team_name.clone(),
        core_members: form.core_members.clone(),
        plan: form.plan.clone(),
        answers: form.answers.clone(),
    };
    match applications::apply(&app.db, &me.0, app.clock.now(), app.clock.today_local(), id, rid, &input).await {
        Ok(a) => Ok(done(format!("/hubs/{id}/applications/{}", a.id), "flash.application_submitted")),
        Err(e) => {
            let mut ctx = round_context(app, &page, id, rid).await?;
            ctx["values"] = json!(input);
            page.refused("hubs/round", ctx, e)
        }
    }
}

async fn application_context(app: &App, u: &entity::user::Model, id: i32, aid: i32) -> Result<Value, AppError> {
    let (row, staff) = applications::visible(&app.db, u, id, aid).await?;
    let h = hubs::get(&app.db, id).await?;
    let r = rounds::get(&app.db, id, row.application.round_id).await?;
    let questions = rounds::questions_of(&r);
    let answers = applications::answers_of(&row.application);
    let qa: Vec<Value> = questions
        .iter()
        .enumerate()
        .map(|(n, q)| json!({"q": q, "a": answers.get(n).cloned().unwrap_or_default()}))
        .collect();
    let free_seats: Vec<_> = if staff {
        hubs::seats(&app.db, id).await?.into_iter().filter(|s| s.held_by.is_none()).collect()
    } else {
        vec![]
    };
    Ok(json!({
        "can": applications::ApplicationCan::of(staff, applications::is_applicant(u, &row.application), &row, &r),
        "hub": HubView::of(&app.places, &h),
        "round": r,
        "a": row,
        "qa": qa,
        "free_seats": free_seats,
        "default_start": r.starts_on,
        "default_term": h.default_term_months,
    }))
}

#[get("/hubs/<id>/applications/<aid>")]
async fn application_page(page: Page, m: Member, id: i32, aid: i32, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("hubs/application", application_context(app, &m.0, id, aid).await?))
}

#[derive(FromForm)]
struct DecisionForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    decision: String,
    #[field(default = String::new())]
    note: String,
    #[field(default = String::new())]
    started_on: String,
    #[field(default = String::new())]
    term_months: String,
    #[field(default = String::new())]
    seat_id: String,
}

crate::csrf_field!(DecisionForm);

#[post("/hubs/<id>/applications/<aid>/decision", data = "<form>")]
async fn decide(
    page: Page,
    m: Member,
    id: i32,
    aid: i32,
    form: Posted<DecisionForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = DecisionInput {
        decision: form.decision.clone(),
        note: form.note.clone(),
        started_on: form.started_on.clone(),
        term_months: form.term_months.clone(),
        seat_id: form.seat_id.clone(),
    };
    match applications::decide(&app.db, &app.emails, &app.config.public_origin, &m.0, app.clock.now(), id, aid, &input)
        .await
    {
        Ok(_) => Ok(done(format!("/hubs/{id}/applications/{aid}"), "flash.decision_recorded")),
        Err(e) => {
            let mut ctx = application_context(app, &m.0, id, aid).await?;
            ctx["values"] = json!(input);
            page.refused("hubs/application", ctx, e)
        }
    }
}

#[post("/hubs/<id>/applications/<aid>/withdraw", data = "<_form>")]
async fn withdraw(
    page: Page,
    me: Ngo,
    id: i32,
    aid: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match applications::withdraw(&app.db, &me.0, app.clock.now(), id, aid).await {
        Ok(()) => Ok(done(format!("/hubs/{id}/applications/{aid}"), "flash.application_withdrawn")),
        Err(e) => page.refused("hubs/application", application_context(app, &me.0, id, aid).await?, e),
    }
}
