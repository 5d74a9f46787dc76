//! Subscribing to new calls by email: the form, the confirmation link (a page with a button,
//! so a mail scanner that opens links confirms nothing) and the one-click unsubscribe (a POST
//! to the link itself, as mail clients send for List-Unsubscribe-Post, or the button).
use crate::auth::{Csrf, Posted};
use crate::domain::subscriptions;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse};
use crate::state::App;
use entity::enums::ServiceCategory;
use rocket::http::Status;
use rocket::{State, get, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, subscribe, confirm_page, confirm, unsubscribe_page, unsubscribe]
}

fn page(reader: &Page, state: &str, token: &str) -> PageResponse {
    let categories: Vec<&str> = ServiceCategory::ALL.iter().map(|c| c.code()).collect();
    let ctx = json!({"state": state, "token": token, "categories": categories});
    PageResponse::Html((Status::Ok, reader.render("portal/subscribe", ctx)))
}

#[get("/subscribe")]
fn form(reader: Page, csrf: Csrf) -> PageResponse {
    page(&reader.with_csrf(csrf), "form", "")
}

#[derive(rocket::FromForm)]
struct SubscribeForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    category: String,
}
crate::csrf_field!(SubscribeForm);

/// The same answer for a new, pending or subscribed address.
#[post("/subscribe", data = "<form>")]
async fn subscribe(reader: Page, form: Posted<SubscribeForm>, app: &State<App>) -> Result<PageResponse, PageError> {
    let f = form.0;
    let origin = app.config.public_origin.as_str();
    match subscriptions::subscribe(
        &app.db,
        (&app.emails, origin),
        app.clock.now(),
        reader.locale,
        &f.email,
        &f.category,
    )
    .await
    {
        Ok(()) => Ok(page(&reader, "sent", "")),
        Err(e) => {
            let categories: Vec<&str> = ServiceCategory::ALL.iter().map(|c| c.code()).collect();
            let ctx = json!({"state": "form", "categories": categories, "values": {"email": f.email, "category": f.category}});
            reader.refused("portal/subscribe", ctx, e)
        }
    }
}

#[get("/subscribe/confirm?<token>")]
async fn confirm_page(reader: Page, csrf: Csrf, token: &str, app: &State<App>) -> Result<PageResponse, PageError> {
    let s = subscriptions::by_token(&app.db, token).await?;
    let state = match (s.confirmed_at, s.unsubscribed_at) {
        (_, Some(_)) => return Err(PageError(crate::error::AppError::NotFound)),
        (Some(_), None) => "confirmed",
        (None, None) => "confirm",
    };
    Ok(page(&reader.with_csrf(csrf), state, token))
}

#[derive(rocket::FromForm)]
struct TokenForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    token: String,
}
crate::csrf_field!(TokenForm);

#[post("/subscribe/confirm", data = "<form>")]
async fn confirm(reader: Page, form: Posted<TokenForm>, app: &State<App>) -> Result<PageResponse, PageError> {
    subscriptions::confirm(&app.db, &form.0.token, app.clock.now()).await?;
    Ok(page(&reader, "confirmed", ""))
}

#[get("/unsubscribe?<token>")]
async fn unsubscribe_page(reader: Page, token: &str, app: &State<App>) -> Result<PageResponse, PageError> {
    let s = subscriptions::by_token(&app.db, token).await?;
    Ok(page(&reader, if s.unsubscribed_at.is_some() { "unsubscribed" } else { "unsubscribe" }, token))
}

/// One click: the token in the address is the authority (no form token, so a mail client's
/// List-Unsubscribe-Post works too).
#[post("/unsubscribe?<token>")]
async fn unsubscribe(reader: Page, token: &str, app: &State<App>) -> Result<PageResponse, PageError> {
    subscriptions::unsubscribe(&app.db, token, app.clock.now()).await?;
    Ok(page(&reader, "unsubscribed", ""))
}
