//! Bureau work queues and administration: claims to decide, the audit log, the outbox,
//! accounts.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Admin, Officer};
use crate::domain::accounts::view::{ListedUser, UserFilter, UserState};
use crate::domain::audit::{self, Actor};
use crate::domain::{accounts, claims, outbox};
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::CsrfForm;
use crate::state::App;
use entity::enums::{ClaimStatus, OutboxStatus, Role};
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        claims_page,
        decide_claim,
        audit_page,
        outbox_page,
        retry_outbox,
        users_page,
        create_user,
        set_disabled
    ]
}

#[get("/claims?<status>")]
async fn claims_page(page: Page, _o: Officer, status: Option<&str>, app: &State<App>) -> Result<Template, PageError> {
    let status =
        status.and_then(ClaimStatus::from_code).or(Some(ClaimStatus::Pending)).filter(|_| status != Some("all"));
    let rows = claims::list(&app.db, status).await?;
    Ok(page.render("admin/claims", json!({"claims": rows, "status": status.map(|s| s.code()).unwrap_or("all")})))
}

#[derive(FromForm)]
struct DecideForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    decision: String,
    #[field(default = String::new())]
    note: String,
}

crate::csrf_field!(DecideForm);

#[post("/claims/<id>/decide", data = "<form>")]
async fn decide_claim(
    o: Officer,
    id: i32,
    form: Posted<DecideForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let approve = form.decision == "approve";
    claims::decide(&app.db, &app.emails, &app.config.public_origin, &o.0, app.clock.now(), id, approve, &form.note)
        .await?;
    Ok(done("/claims".into(), if approve { "flash.claim_approved" } else { "flash.claim_rejected" }))
}

#[get("/admin/audit?<before>")]
async fn audit_page(page: Page, _a: Admin, before: Option<i64>, app: &State<App>) -> Result<Template, PageError> {
    let entries = audit::page(&app.db, before, 50).await?;
    let next = if entries.len() == 50 { entries.last().map(|e| e.seq) } else { None };
    // In words: the action's name where the catalogue has one, the payload as its fields;
    // the raw code and JSON stay on request.
    let shown: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut v = json!(e);
            v["label"] = json!(page.locale.lookup(&format!("audit_action.{}", e.action)).unwrap_or(&e.action));
            let fields: Vec<(String, String)> = match serde_json::from_str::<Value>(&e.payload) {
                Ok(Value::Object(m)) => m
                    .into_iter()
                    .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                    .collect(),
                _ => vec![],
            };
            v["fields"] = json!(fields);
            v
        })
        .collect();
    Ok(page.render("admin/audit", json!({"entries": shown, "next_before": next})))
}

#[get("/admin/outbox?<status>&<page_no>")]
async fn outbox_page(
    page: Page,
    _a: Admin,
    status: Option<&str>,
    page_no: Option<u64>,
    app: &State<App>,
) -> Result<Template, PageError> {
    let status = status.and_then(OutboxStatus::from_code);
    let (rows, total) = outbox::list(&app.db, status, page_no.unwrap_or(0)).await?;
    let health = outbox::health(&app.db).await?;
    let beat =
        |name: &str| health.beats.iter().find(|b| b.0 == name).map(|(_, at, note)| json!({"at": at, "note": note}));
    Ok(page.render(
        "admin/outbox",
        json!({"messages": rows, "total": total, "status": status.map(|s| s.code()).unwrap_or(""),
               "delivery": beat("delivery"), "reminders": beat("reminders"),
               "oldest_pending": health.oldest_pending, "pending": health.pending}),
    ))
}

#[post("/admin/outbox/<id>/retry", data = "<_form>")]
async fn retry_outbox(
    a: Admin,
    id: &str,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    outbox::retry(&app.db, id, app.clock.now(), &Actor::user(&a.0)).await?;
    Ok(done("/admin/outbox".into(), "flash.retry_queued"))
}

fn roles() -> Vec<&'static str> {
    Role::ALL.iter().map(|r| r.code()).collect()
}

/// The accounts, each with its organization's name (not its number).
async fn users_with_organizations(app: &App) -> Result<Vec<ListedUser>, crate::error::AppError> {
    accounts::view::listed(&app.db, &UserFilter::default()).await
}

/// The accounts list's filters: a search of address, name and organization, the role, and
/// whether the account is active, stopped or not yet verified.
#[get("/admin/users?<q>&<role>&<state>")]
async fn users_page(
    page: Page,
    _a: Admin,
    q: Option<&str>,
    role: Option<&str>,
    state: Option<&str>,
    app: &State<App>,
) -> Result<Template, PageError> {
    let (q, role, state) = (q.unwrap_or("").trim(), role.unwrap_or("").trim(), state.unwrap_or("").trim());
    let f = UserFilter { q: q.to_string(), role: Role::from_code(role), state: UserState::from_code(state) };
    let users = accounts::view::listed(&app.db, &f).await?;
    let filter = json!({
        "q": q, "role": f.role.map(|r| r.code()), "state": f.state.map(|s| s.code()),
        "narrowed": !(q.is_empty() && f.role.is_none() && f.state.is_none()),
    });
    Ok(page.render("admin/users", json!({"users": users, "roles": roles(), "values": {}, "filter": filter})))
}

#[derive(FromForm)]
struct NewUserForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    display_name: String,
    #[field(default = String::new())]
    role: String,
}

crate::csrf_field!(NewUserForm);

#[post("/admin/users", data = "<form>")]
async fn create_user(
    page: Page,
    a: Admin,
    form: Posted<NewUserForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let result =
        accounts::create_by_admin(&app.db, &a.0, app.clock.now(), &form.email, &form.display_name, &form.role).await;
    let users = users_with_organizations(app).await?;
    let mut ctx = json!({"users": users, "roles": roles(), "values": {"email": form.email, "display_name": form.display_name, "role": form.role}});
    match result {
        Ok((u, password)) => {
            ctx["created"] = json!({"email": u.email, "password": password});
            ctx["values"] = json!({});
            Ok(PageResponse::Html((rocket::http::Status::Ok, page.render("admin/users", ctx))))
        }
        Err(e) => page.refused("admin/users", ctx, e),
    }
}

#[post("/admin/users/<id>/<action>", data = "<form>", rank = 2)]
async fn set_disabled(
    page: Page,
    a: Admin,
    id: i32,
    action: &str,
    form: Posted<crate::routes::shared::ConfirmForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let disabled = match action {
        "disable" => true,
        "enable" => false,
        _ => return Err(PageError(crate::error::AppError::NotFound)),
    };
    if disabled && !crate::routes::confirm::confirmed(&form.confirmed) {
        use sea_orm::EntityTrait;
        let u = entity::user::Entity::find_by_id(id).one(&app.db).await.map_err(crate::error::AppError::from)?;
        let u = u.ok_or(PageError(crate::error::AppError::NotFound))?;
        let ask = crate::routes::confirm::Ask {
            step: "disable",
            action: format!("/admin/users/{id}/disable"),
            back: "/admin/users".into(),
            facts: vec![(page.locale.t("confirm.facts.account").into(), format!("{} <{}>", u.display_name, u.email))],
            fields: vec![],
            acknowledge: false,
        };
        return Ok(crate::routes::confirm::ask(&page, ask, false));
    }
    accounts::set_disabled(&app.db, &a.0, app.clock.now(), id, disabled).await?;
    Ok(done("/admin/users".into(), if disabled { "flash.account_disabled" } else { "flash.account_enabled" }))
}
