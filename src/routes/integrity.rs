//! The integrity red flags: a page anyone may read (the public flags; the bureau sees every
//! flag, the internal ones marked), its Excel download and /api/v1/integrity.
use crate::auth::{ApiVisitor, Lang, Officer, Posted, Visitor};
use crate::domain::integrity::reviews;
use crate::domain::integrity::{self, FlagRow, RedFlag, Rule};
use crate::error::AppError;
use crate::routes::errors::{ApiError, PageError};
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::public_cache::memoized;
use crate::routes::shared::Download;
use crate::state::App;
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub const PER_PAGE: usize = 100;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![page, export, review]
}

pub fn api() -> Vec<rocket::Route> {
    rocket::routes![api_list]
}

/// Whether the reader sees every flag (the bureau) or the public ones.
fn is_bureau(u: &Option<entity::user::Model>) -> bool {
    crate::domain::access::Viewer::of_anyone(u.as_ref()).is_bureau()
}

/// The flags the reader may see, kept until the records change (or the day does).
async fn flags(app: &App, bureau: bool) -> Result<std::sync::Arc<Vec<RedFlag>>, crate::error::AppError> {
    let key = if bureau { "integrity|bureau" } else { "integrity|public" };
    memoized(app, key, || integrity::flags(&app.reads, &app.config.integrity, &app.places, app.clock.now(), bureau))
        .await
}

/// The flags of one rule (an unknown code narrows nothing), and a page of them.
fn narrowed(all: &[RedFlag], rule: Option<&str>) -> (Option<Rule>, Vec<RedFlag>) {
    let rule = rule.and_then(Rule::from_code);
    (rule, all.iter().filter(|f| rule.is_none_or(|r| f.rule == r)).cloned().collect())
}

fn paged(rows: Vec<FlagRow>, page: Option<&str>) -> (Vec<FlagRow>, usize, usize) {
    let pages = rows.len().div_ceil(PER_PAGE).max(1);
    let n = page.and_then(|p| p.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    (rows.into_iter().skip((n - 1) * PER_PAGE).take(PER_PAGE).collect(), n, pages)
}

/// The page's context: the rules with their counts, a page of the flags (of one rule).
async fn context(
    reader: &Page,
    app: &App,
    rule: Option<&str>,
    page: Option<&str>,
) -> Result<Value, crate::error::AppError> {
    let bureau = is_bureau(&reader.user);
    let all = flags(app, bureau).await?;
    let summaries = integrity::summaries(&all, &app.config.integrity, reader.locale, bureau);
    let (chosen, shown) = narrowed(&all, rule);
    let total = shown.len();
    let (rows, n, pages) = paged(integrity::rows(&shown, reader.locale), page);
    let query = |p: usize| match chosen {
        Some(r) => format!("rule={}&page={p}", r.code()),
        None => format!("page={p}"),
    };
    Ok(json!({
        "bureau": bureau, "rules": summaries, "rows": rows, "total": total,
        "chosen": chosen.map(Rule::code),
        "paging": {
            "page": n, "pages": pages,
            "prev": (n > 1).then(|| query(n - 1)), "next": (n < pages).then(|| query(n + 1)),
            "kept": chosen.map(|r| vec![("rule", r.code())]).unwrap_or_default(),
        },
    }))
}

#[get("/integrity?<rule>&<page>")]
async fn page(
    reader: Page,
    rule: Option<&str>,
    page: Option<&str>,
    app: &State<App>,
) -> Result<crate::assets::Template, PageError> {
    let ctx = context(&reader, app, rule, page).await?;
    Ok(reader.render("integrity", ctx))
}

#[derive(rocket::FromForm)]
struct ReviewForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    rule: String,
    #[field(default = String::new())]
    subject: String,
    #[field(default = String::new())]
    subject_id: String,
    #[field(default = String::new())]
    note: String,
    /// Where the officer was: the rule shown and the page.
    #[field(default = String::new())]
    shown_rule: String,
    #[field(default = String::new())]
    shown_page: String,
}
crate::csrf_field!(ReviewForm);

/// The bureau's note on a flag; refused, the page comes back with the note kept.
#[post("/integrity/review", data = "<form>")]
async fn review(
    o: Officer,
    reader: Page,
    form: Posted<ReviewForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let f = form.0;
    let id = f.subject_id.trim().parse::<i32>().map_err(|_| AppError::NotFound)?;
    let key = format!("{}-{}-{}", f.rule, f.subject, id);
    match reviews::record(&app.db, &o.0, app.clock.now(), (&f.rule, &f.subject, id), &f.note).await {
        Ok(()) => {
            let rule = Rule::from_code(&f.shown_rule).map(|r| format!("rule={}&", r.code())).unwrap_or_default();
            let page = f.shown_page.trim().parse::<usize>().unwrap_or(1);
            Ok(done(format!("/integrity?{rule}page={page}#flag-{key}"), "flag.reviewed"))
        }
        Err(e) => {
            let mut ctx = context(&reader, app, Some(&f.shown_rule), Some(&f.shown_page)).await?;
            ctx["values"] = json!({"note": f.note, "key": key});
            reader.refused("integrity", ctx, e)
        }
    }
}

#[get("/integrity/export.xlsx?<rule>")]
async fn export(v: Visitor, rule: Option<&str>, lang: Lang, app: &State<App>) -> Result<Download, PageError> {
    let locale = lang.0;
    let all = flags(app, is_bureau(&v.0)).await?;
    let (_, shown) = narrowed(&all, rule);
    let sheet = integrity::sheet(&integrity::rows(&shown, locale), locale);
    let bytes = crate::domain::sheets::workbook(&[sheet], locale)?;
    Ok(Download::xlsx(bytes, "integrity-flags.xlsx"))
}

#[get("/integrity?<rule>&<page>")]
async fn api_list(
    v: ApiVisitor,
    rule: Option<&str>,
    page: Option<&str>,
    lang: Lang,
    app: &State<App>,
) -> Result<Json<Value>, ApiError> {
    let locale = lang.0;
    let bureau = is_bureau(&v.0);
    let all = flags(app, bureau).await?;
    let rules = integrity::summaries(&all, &app.config.integrity, locale, bureau);
    let (_, shown) = narrowed(&all, rule);
    let total = shown.len();
    let (items, n, pages) = paged(integrity::rows(&shown, locale), page);
    Ok(Json(json!({"rules": rules, "items": items, "total": total, "page": n, "pages": pages, "per_page": PER_PAGE})))
}
