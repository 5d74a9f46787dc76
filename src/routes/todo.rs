//! 待办: each account's page of what waits for it, and the same list in the JSON API.
use crate::assets::Template;
use crate::auth::{ApiMember, Member};
use crate::domain::todo;
use crate::routes::errors::{ApiError, PageError};
use crate::routes::page::Page;
use crate::state::App;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde_json::json;

pub fn pages() -> Vec<rocket::Route> {
    rocket::routes![todo_page]
}

pub fn api() -> Vec<rocket::Route> {
    rocket::routes![todo_api]
}

#[get("/todo")]
async fn todo_page(page: Page, me: Member, app: &State<App>) -> Result<Template, PageError> {
    let list = todo::for_user(&app.reads, &me.0, app.clock.now()).await?;
    Ok(page.with_waiting(list.waiting).render("todo", json!({"todo": list})))
}

#[get("/todo")]
async fn todo_api(me: ApiMember, app: &State<App>) -> Result<Json<todo::Todo>, ApiError> {
    Ok(Json(todo::for_user(&app.reads, &me.0, app.clock.now()).await?))
}
