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
use crate::routes::public_cache::{Cacheable, PublicPage};
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
    #[field(default = String::new())]
    page: String,
}

/// Rows on one page of a working list (the Excel download has them all).
const PER_PAGE: usize = 50;

/// One page of `rows`, and what the pager shows: where we are, the neighbours' addresses and
/// the filters a page jump keeps. A page past the end shows the last.
fn paged<T>(rows: Vec<T>, page: &str, f: &ListFilter) -> (Vec<T>, Value) {
    let pages = rows.len().div_ceil(PER_PAGE).max(1);
    let page = page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let base = query(f);
    let at = |p: usize| if base.is_empty() { format!("page={p}") } else { format!("{base}&page={p}") };
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(base.as_bytes()).into_owned().collect();
    let paging = json!({
        "page": page, "pages": pages, "kept": kept, "total": rows.len(),
        "prev": (page > 1).then(|| at(page - 1)), "next": (page < pages).then(|| at(page + 1)),
    });
    let shown = rows.into_iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).collect();
    (shown, paging)
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
    Ok(calls::list(&app.reads, viewer)
        .await?
        .into_iter()
        .map(|c| (calls::phase(&c, now), c))
        .map(|(p, c)| (c, p))
        .collect())
}

/// The calls list; a visitor's copy is kept (as the registry's is) until the data changes or
/// the next question or bid deadline turns a call's phase.
#[get("/calls?<form..>")]
async fn calls_page(
    page: Page,
    form: ListForm,
    app: &State<App>,
    templates: &State<crate::assets::Pages>,
    uri: &rocket::http::uri::Origin<'_>,
) -> Result<PublicPage, PageError> {
    let what = format!("calls|{}", uri.query().map(|q| q.as_str()).unwrap_or(""));
    let (cacheable, kept) = Cacheable::begin(&page, app, &what).await?;
    if let Some(kept) = kept {
        return Ok(kept);
    }
    let f = form.filter();
    let all = calls_of(app, page.user.as_ref()).await?;
    let now = app.clock.now();
    let until =
        all.iter().flat_map(|(c, _)| [c.question_deadline, c.bid_deadline]).flatten().filter(|t| *t > now).min();
    let years = all.iter().map(|(c, _)| lists::call_year(c)).collect();
    let bureau = page.user.as_ref().is_some_and(|u| u.role.is_bureau());
    let phases = Phase::ALL.iter().filter(|p| bureau || **p != Phase::Draft).map(|p| p.code()).collect();
    let (rows, paging) = paged(lists::filter_calls(&f, all), &form.page, &f);
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(c, p)| {
            let mut v = json!(c);
            v["phase"] = json!(p);
            v
        })
        .collect();
    let mut ctx = filter_context(app, &f, phases, "phase", years);
    ctx["calls"] = json!(rows);
    ctx["paging"] = paging;
    cacheable.finish(&page, app, templates, "calls/list", ctx, until)
}

#[get("/calls/export.xlsx?<f..>")]
async fn calls_xlsx(viewer: Visitor, lang: Lang, f: ListForm, app: &State<App>) -> Result<Download, PageError> {
    let rows = lists::filter_calls(&f.filter(), calls_of(app, viewer.0.as_ref()).await?);
    let body = sheets::workbook(&[lists::calls_sheet(&rows, &app.places, lang.0)], lang.0)?;
    Ok(Download::xlsx(body, "calls.xlsx"))
}

#[get("/contracts?<waiting>&<form..>")]
async fn contracts_page(
    page: Page,
    m: Member,
    waiting: Option<bool>,
    form: ListForm,
    app: &State<App>,
) -> Result<Template, PageError> {
    let f = form.filter();
    let waiting = waiting.unwrap_or(false);
    let all = contract_listing::list(&app.reads, &m.0, app.clock.today_local(), waiting).await?;
    let years = all.iter().map(|k| k.year).collect();
    let statuses = ContractStatus::ALL.iter().map(|s| s.code()).collect();
    let mut ctx = filter_context(app, &f, statuses, "contract_status", years);
    let (rows, paging) = paged(lists::filter_contracts(&f, all), &form.page, &f);
    ctx["contracts"] = json!(rows);
    ctx["paging"] = paging;
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

#[get("/evaluations?<form..>")]
async fn evaluations_page(page: Page, m: Member, form: ListForm, app: &State<App>) -> Result<Template, PageError> {
    let f = form.filter();
    let all = evaluation_listing::for_user(&app.db, &m.0).await?;
    let years = all.iter().map(|e| e.year).collect();
    let statuses = EvaluationStatus::ALL.iter().map(|s| s.code()).collect();
    let mut ctx = filter_context(app, &f, statuses, "evaluation_status", years);
    let (rows, paging) = paged(lists::filter_evaluations(&f, all), &form.page, &f);
    ctx["evaluations"] = json!(rows);
    ctx["paging"] = paging;
    ctx["bureau"] = json!(m.0.role.is_bureau());
    Ok(page.render("evaluations/list", ctx))
}

#[get("/evaluations/export.xlsx?<f..>")]
async fn evaluations_xlsx(m: Member, lang: Lang, f: ListForm, app: &State<App>) -> Result<Download, PageError> {
    let rows = lists::filter_evaluations(&f.filter(), evaluation_listing::for_user(&app.db, &m.0).await?);
    let body = sheets::workbook(&[lists::evaluations_sheet(&rows, &app.places, lang.0)], lang.0)?;
    Ok(Download::xlsx(body, "evaluations.xlsx"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_paged_with_its_filters_kept_and_a_page_past_the_end_shows_the_last() {
        let f = ListFilter { status: "active".into(), ..ListFilter::default() };
        let rows: Vec<usize> = (0..120).collect();
        let (shown, paging) = paged(rows.clone(), "3", &f);
        assert_eq!(shown, (100..120).collect::<Vec<_>>());
        assert_eq!(paging["pages"], 3);
        assert_eq!(paging["total"], 120);
        assert_eq!(paging["prev"], "status=active&page=2");
        assert!(paging["next"].is_null());
        assert_eq!(paging["kept"], json!([["status", "active"]]));
        let (shown, paging) = paged(rows.clone(), "999", &f);
        assert_eq!((shown.len(), paging["page"].as_u64()), (20, Some(3)));
        let (shown, paging) = paged(rows, "x", &ListFilter::default());
        assert_eq!((shown.len(), paging["next"].as_str()), (50, Some("page=2")));
        let (shown, paging) = paged(Vec::<usize>::new(), "1", &f);
        assert!(shown.is_empty() && paging["pages"] == 1);
    }
}
