//! The working lists of calls, contracts and evaluations with their filters (status, year,
//! district, service category) and search, and each list as an Excel download of exactly
//! the rows the page shows.
use crate::assets::Template;
use crate::auth::{Lang, Member, Visitor};
use crate::domain::contracts::listing as contract_listing;
use crate::domain::evaluations::listing as evaluation_listing;
use crate::domain::lists::{self, ListFilter};
use crate::domain::procurement::calls::{self, Phase};
use crate::domain::sheets;
use crate::routes::errors::PageError;
use crate::routes::page::Page;
use crate::routes::shared::Download;
use crate::state::App;
use entity::enums::{ContractStatus, EvaluationStatus, ServiceCategory};
use entity::{call, user};
use rocket::form::FromForm;
use rocket::{State, get};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![calls_page, calls_xlsx, contracts_page, contracts_xlsx, evaluations_page, evaluations_xlsx]
}

#[derive(FromForm, Default, Debug)]
pub struct ListForm {
    #[field(default = String::new())]
    q: String,
    #[field(default = String::new())]
    status: String,
    #[field(default = String::new())]
    year: String,
    #[field(default = String::new())]
    district: String,
    #[field(default = String::new())]
    category: String,
}

impl ListForm {
    fn filter(&self) -> ListFilter {
        let cut = |s: &str| s.trim().chars().take(100).collect::<String>();
        ListFilter {
            q: cut(&self.q),
            status: cut(&self.status),
            year: cut(&self.year),
            district: cut(&self.district),
            category: cut(&self.category),
        }
    }
}

fn query(f: &ListFilter) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in
        [("q", &f.q), ("status", &f.status), ("year", &f.year), ("district", &f.district), ("category", &f.category)]
    {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    q.finish()
}

/// What the filter form offers: the list's statuses (with their label prefix), the years
/// its rows span, the districts and the categories; and what is chosen now.
fn filter_context(app: &App, f: &ListFilter, statuses: Vec<&'static str>, prefix: &str, mut years: Vec<i32>) -> Value {
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    json!({
        "filter": f,
        "narrowed": f.is_narrowed(),
        "query": query(f),
        "statuses": statuses,
        "status_prefix": prefix,
        "years": years,
        "districts": app.places.districts,
        "categories": ServiceCategory::ALL.iter().map(|c| c.code()).collect::<Vec<_>>(),
    })
}

async fn calls_of(app: &App, viewer: Option<&user::Model>) -> Result<Vec<(call::Model, Phase)>, PageError> {
    let now = app.clock.now();
    Ok(calls::list(&app.db, viewer)
        .await?
        .into_iter()
        .map(|c| (calls::phase(&c, now), c))
        .map(|(p, c)| (c, p))
        .collect())
}

#[get("/calls?<f..>")]
async fn calls_page(page: Page, f: ListForm, app: &State<App>) -> Result<Template, PageError> {
    let f = f.filter();
    let all = calls_of(app, page.user.as_ref()).await?;
    let years = all.iter().map(|(c, _)| lists::call_year(c)).collect();
    let bureau = page.user.as_ref().is_some_and(|u| u.role.is_bureau());
    let phases = Phase::ALL.iter().filter(|p| bureau || **p != Phase::Draft).map(|p| p.code()).collect();
    let rows: Vec<Value> = lists::filter_calls(&f, all)
        .into_iter()
        .map(|(c, p)| {
            let mut v = json!(c);
            v["phase"] = json!(p);
            v
        })
        .collect();
    let mut ctx = filter_context(app, &f, phases, "phase", years);
    ctx["calls"] = json!(rows);
    Ok(page.render("calls/list", ctx))
}

#[get("/calls/export.xlsx?<f..>")]
async fn calls_xlsx(viewer: Visitor, lang: Lang, f: ListForm, app: &State<App>) -> Result<Download, PageError> {
    let rows = lists::filter_calls(&f.filter(), calls_of(app, viewer.0.as_ref()).await?);
    let body = sheets::workbook(&[lists::calls_sheet(&rows, &app.places, lang.0)], lang.0)?;
    Ok(Download::xlsx(body, "calls.xlsx"))
}

#[get("/contracts?<waiting>&<f..>")]
async fn contracts_page(
    page: Page,
    m: Member,
    waiting: Option<bool>,
    f: ListForm,
    app: &State<App>,
) -> Result<Template, PageError> {
    let f = f.filter();
    let waiting = waiting.unwrap_or(false);
    let all = contract_listing::list(&app.reads, &m.0, app.clock.today_local(), waiting).await?;
    let years = all.iter().map(|k| k.year).collect();
    let statuses = ContractStatus::ALL.iter().map(|s| s.code()).collect();
    let mut ctx = filter_context(app, &f, statuses, "contract_status", years);
    ctx["contracts"] = json!(lists::filter_contracts(&f, all));
    ctx["waiting"] = json!(waiting);
    ctx["bureau"] = json!(m.0.role.is_bureau());
    Ok(page.render("contracts/list", ctx))
}

#[get("/contracts/export.xlsx?<f..>")]
async fn contracts_xlsx(m: Member, lang: Lang, f: ListForm, app: &State<App>) -> Result<Download, PageError> {
    let all = contract_listing::list(&app.reads, &m.0, app.clock.today_local(), false).await?;
    let rows = lists::filter_contracts(&f.filter(), all);
    let body = sheets::workbook(&lists::contracts_sheets(&app.reads, &rows, &app.places, lang.0).await?, lang.0)?;
    Ok(Download::xlsx(body, "contracts.xlsx"))
}

#[get("/evaluations?<f..>")]
async fn evaluations_page(page: Page, m: Member, f: ListForm, app: &State<App>) -> Result<Template, PageError> {
    let f = f.filter();
    let all = evaluation_listing::for_user(&app.db, &m.0).await?;
    let years = all.iter().map(|e| e.year).collect();
    let statuses = EvaluationStatus::ALL.iter().map(|s| s.code()).collect();
    let mut ctx = filter_context(app, &f, statuses, "evaluation_status", years);
    ctx["evaluations"] = json!(lists::filter_evaluations(&f, all));
    ctx["bureau"] = json!(m.0.role.is_bureau());
    Ok(page.render("evaluations/list", ctx))
}

#[get("/evaluations/export.xlsx?<f..>")]
async fn evaluations_xlsx(m: Member, lang: Lang, f: ListForm, app: &State<App>) -> Result<Download, PageError> {
    let rows = lists::filter_evaluations(&f.filter(), evaluation_listing::for_user(&app.db, &m.0).await?);
    let body = sheets::workbook(&[lists::evaluations_sheet(&rows, &app.places, lang.0)], lang.0)?;
    Ok(Download::xlsx(body, "evaluations.xlsx"))
}
