//! The bureau's dashboard: figures, charts drawn on the server as SVG (the marks the annual
//! report's PDF draws), each chart with its table, the workbook and /api/v1/dashboard.
use crate::auth::{ApiOfficer, Lang, Officer, Posted};
use crate::domain::bureau_report;
use crate::domain::dashboard::{self, Dashboard};
use crate::routes::errors::{ApiError, PageError};
use crate::routes::page::Page;
use crate::routes::public_cache::memoized;
use crate::routes::shared::Download;
use crate::state::App;
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![page, export, issue_report, annual_report]
}

pub fn api() -> Vec<rocket::Route> {
    rocket::routes![api_dashboard]
}

/// A year that is not a number, or one without data, shows the current year.
fn year_of(year: Option<&str>) -> Option<i32> {
    year.and_then(|y| y.trim().parse().ok())
}

/// The figures, kept until the records change (or the day does).
async fn build(app: &App, year: Option<&str>) -> Result<std::sync::Arc<Dashboard>, crate::error::AppError> {
    let year = year_of(year);
    let key = format!("dashboard|{}", year.map(|y| y.to_string()).unwrap_or_default());
    memoized(app, &key, || dashboard::build(&app.reads, &app.places, &app.config.integrity, year, app.clock.now()))
        .await
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
    let reports = bureau_report::issued(&app.reads, d.year).await?;
    Ok(reader.render("dashboard", json!({"d": &*d, "charts": charts, "reports": reports})))
}

#[get("/dashboard/export.xlsx?<year>")]
async fn export(_o: Officer, lang: Lang, year: Option<&str>, app: &State<App>) -> Result<Download, PageError> {
    let d = build(app, year).await?;
    let bytes = crate::domain::sheets::workbook(&dashboard::sheets(&d, lang.0), lang.0)?;
    Ok(Download::xlsx(bytes, &format!("dashboard-{}.xlsx", d.year)))
}

#[get("/dashboard?<year>")]
async fn api_dashboard(_o: ApiOfficer, year: Option<&str>, app: &State<App>) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json((*build(app, year).await?).clone()))
}

#[derive(rocket::FromForm)]
struct ReportForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    year: String,
}
crate::csrf_field!(ReportForm);

/// Issues the annual report for a year: drawn now, kept with its digest (checkable at
/// /documents/verify, the issue audited), then downloaded from where it is kept.
#[post("/dashboard/annual-report", data = "<form>")]
async fn issue_report(o: Officer, form: Posted<ReportForm>, app: &State<App>) -> Result<Redirect, PageError> {
    let purchaser = &app.config.contracts.purchaser_name;
    let year = year_of(Some(&form.0.year));
    let report =
        bureau_report::build(&app.reads, &app.places, &app.config.integrity, purchaser, year, app.clock.now()).await?;
    let kept = bureau_report::issue(&app.db, &app.documents, &o.0, report).await?;
    Ok(Redirect::to(format!("/dashboard/annual-reports/{}", kept.id)))
}

/// An issued annual report, as it was issued.
#[get("/dashboard/annual-reports/<id>")]
async fn annual_report(o: Officer, id: i32, app: &State<App>) -> Result<Download, PageError> {
    let kept = bureau_report::get(&app.reads, &o.0, id).await?;
    Ok(Download::file(kept.data, "pdf", &format!("annual-report-{}.pdf", kept.year), false))
}
