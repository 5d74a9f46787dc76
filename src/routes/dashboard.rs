//! The bureau's dashboard: figures, charts drawn on the server as SVG (the marks the annual
//! report's PDF draws), each chart with its table, the workbook and /api/v1/dashboard.
use crate::auth::{ApiOfficer, Lang, Officer};
use crate::domain::bureau_report;
use crate::domain::dashboard::{self, Dashboard};
use crate::routes::errors::{ApiError, PageError};
use crate::routes::page::Page;
use crate::routes::shared::Download;
use crate::state::App;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![page, export, annual_report]
}

pub fn api() -> Vec<rocket::Route> {
    rocket::routes![api_dashboard]
}

/// A year that is not a number, or one without data, shows the current year.
fn year_of(year: Option<&str>) -> Option<i32> {
    year.and_then(|y| y.trim().parse().ok())
}

async fn build(app: &App, year: Option<&str>) -> Result<Dashboard, crate::error::AppError> {
    dashboard::build(&app.reads, &app.places, &app.config.integrity, year_of(year), app.clock.now()).await
}

#[get("/dashboard?<year>")]
async fn page(
    _o: Officer,
    reader: Page,
    year: Option<&str>,
    app: &State<App>,
) -> Result<crate::assets::Template, PageError> {
    let d = build(app, year).await?;
    let charts: Vec<serde_json::Value> = crate::pdf::figures::dashboard_charts(&d, reader.locale)
        .into_iter()
        .map(|(id, c)| {
            let rows: Vec<_> = c.bars.iter().map(|b| json!({"label": b.label, "text": b.text})).collect();
            json!({"id": id, "caption": c.caption, "svg": app.documents.svg(&c), "rows": rows})
        })
        .collect();
    Ok(reader.render("dashboard", json!({"d": d, "charts": charts})))
}

#[get("/dashboard/export.xlsx?<year>")]
async fn export(_o: Officer, lang: Lang, year: Option<&str>, app: &State<App>) -> Result<Download, PageError> {
    let d = build(app, year).await?;
    let bytes = crate::domain::sheets::workbook(&dashboard::sheets(&d, lang.0), lang.0)?;
    Ok(Download::xlsx(bytes, &format!("dashboard-{}.xlsx", d.year)))
}

#[get("/dashboard?<year>")]
async fn api_dashboard(_o: ApiOfficer, year: Option<&str>, app: &State<App>) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(build(app, year).await?))
}

/// The annual report for a year: drawn now, kept with its digest (checkable at
/// /documents/verify), and downloaded.
#[get("/dashboard/annual-report.pdf?<year>")]
async fn annual_report(o: Officer, year: Option<&str>, app: &State<App>) -> Result<Download, PageError> {
    let purchaser = &app.config.contracts.purchaser_name;
    let report =
        bureau_report::build(&app.reads, &app.places, &app.config.integrity, purchaser, year_of(year), app.clock.now())
            .await?;
    let kept = bureau_report::issue(&app.db, &app.documents, &o.0, report).await?;
    Ok(Download::file(kept.data, "pdf", &format!("annual-report-{}.pdf", kept.year), false))
}
