//! Bureau work queues and administration: claims to decide, the audit log, the outbox,
//! accounts.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Admin, Officer};
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
    Ok(page.render("admin/audit", json!({"entries": entries, "next_before": next})))
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
async fn users_with_organizations(app: &App) -> Result<Vec<Value>, crate::error::AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let users = accounts::list_users(&app.db).await?;
    let orgs: std::collections::HashMap<i32, String> = entity::organization::Entity::find()
        .filter(entity::organization::Column::Id.is_in(users.iter().filter_map(|u| u.organization_id)))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(users
        .iter()
        .map(|u| {
            let mut v = json!(crate::domain::accounts::UserView::from(u));
            v["organization_name"] = json!(u.organization_id.and_then(|id| orgs.get(&id)));
            v
        })
        .collect())
}

#[get("/admin/users")]
async fn users_page(page: Page, _a: Admin, app: &State<App>) -> Result<Template, PageError> {
    let users = users_with_organizations(app).await?;
    Ok(page.render("admin/users", json!({"users": users, "roles": roles(), "values": {}})))
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
