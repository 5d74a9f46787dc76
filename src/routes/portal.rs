//! The public portal: the front page (calls open now, recent awards, projects under way in
//! each district, the hubs, the year's figures), each district's page and each project's
//! page, for anyone without an account, and the same as JSON under /api/v1.
use crate::domain::portal::{district, home, project};
use crate::routes::errors::{ApiError, PageError};
use crate::routes::page::Page;
use crate::routes::public_cache::{Cacheable, PublicPage};
use crate::routes::shared::Download;
use crate::state::App;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![index, district_page, project_page, project_document]
}

pub fn api() -> Vec<rocket::Route> {
    rocket::routes![home_api, district_api, project_api]
}

#[get("/")]
async fn index(page: Page, app: &State<App>, templates: &State<crate::assets::Pages>) -> Result<PublicPage, PageError> {
    let (cacheable, kept) = Cacheable::begin(&page, app, "home").await?;
    if let Some(kept) = kept {
        return Ok(kept);
    }
    let view = home::build(&app.reads, &app.places, app.clock.now()).await?;
    let until = view.good_until;
    cacheable.finish(&page, app, templates, "index", json!({"home": view}), until)
}

#[get("/districts/<id>?<page>")]
async fn district_page(
    id: i32,
    page: Option<&str>,
    reader: Page,
    app: &State<App>,
    templates: &State<crate::assets::Pages>,
) -> Result<PublicPage, PageError> {
    let n = page_number(page);
    let (cacheable, kept) = Cacheable::begin(&reader, app, &format!("district|{id}|{n}")).await?;
    if let Some(kept) = kept {
        return Ok(kept);
    }
    let view = district::build(&app.reads, &app.places, id, n, app.clock.now()).await?;
    let until = view.open_calls.first().map(|c| c.bid_deadline);
    let paging = json!({
        "page": view.page, "pages": view.pages, "kept": [],
        "prev": (view.page > 1).then(|| format!("page={}", view.page - 1)),
        "next": (view.page < view.pages).then(|| format!("page={}", view.page + 1)),
    });
    cacheable.finish(&reader, app, templates, "portal/district", json!({"district": view, "paging": paging}), until)
}

#[get("/projects/<id>")]
async fn project_page(id: i32, page: Page, app: &State<App>) -> Result<crate::assets::Template, PageError> {
    let view = project::build(&app.reads, &app.places, id).await?;
    Ok(page.render("portal/project", json!({"project": view})))
}

/// An issued contract, amendment or released evaluation report of a signed contract.
#[get("/projects/<id>/documents/<doc_id>")]
async fn project_document(id: i32, doc_id: i32, app: &State<App>) -> Result<Download, PageError> {
    let d = project::document(&app.reads, id, doc_id).await?;
    Ok(Download::file(d.data, "pdf", &d.file_name, false))
}

#[get("/portal")]
async fn home_api(app: &State<App>) -> Result<Json<home::PortalHome>, ApiError> {
    Ok(Json(home::build(&app.reads, &app.places, app.clock.now()).await?))
}

#[get("/districts/<id>?<page>")]
async fn district_api(id: i32, page: Option<&str>, app: &State<App>) -> Result<Json<district::DistrictView>, ApiError> {
    Ok(Json(district::build(&app.reads, &app.places, id, page_number(page), app.clock.now()).await?))
}

/// A page number that is not one shows the first page rather than an error.
fn page_number(page: Option<&str>) -> usize {
    page.and_then(|p| p.trim().parse::<usize>().ok()).unwrap_or(1)
}

#[get("/projects/<id>")]
async fn project_api(id: i32, app: &State<App>) -> Result<Json<project::ProjectView>, ApiError> {
    Ok(Json(project::build(&app.reads, &app.places, id).await?))
}
