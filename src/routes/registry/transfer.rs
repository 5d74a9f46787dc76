//! Import of organizations from CSV or XLSX, and export of the filtered list.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Lang, Officer, Visitor};
use crate::domain::access::Viewer;
use crate::domain::audit::Actor;
use crate::domain::import_export::{self, ImportOutcome};
use crate::domain::import_jobs;
use crate::domain::organizations;
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse};
use crate::routes::registry::pages::FilterForm;
use crate::routes::shared::Download;
use crate::state::App;
use rocket::form::FromForm;
use rocket::http::ContentType;
use rocket::{State, get, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![import_page, import, import_job_page, import_template, export_csv, export_xlsx]
}

#[get("/organizations/import")]
fn import_page(page: Page, _o: Officer) -> Template {
    page.render("organizations/import", json!({"columns": import_export::COLUMNS}))
}

#[derive(FromForm)]
struct ImportForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    file: crate::routes::uploads::UploadField<'r>,
}

crate::csrf_field!(ImportForm<'_>);

#[post("/organizations/import", data = "<form>")]
async fn import(
    page: Page,
    o: Officer,
    form: Posted<ImportForm<'_>>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let base = json!({"columns": import_export::COLUMNS});
    let file = match crate::routes::uploads::chosen(&form.file) {
        Ok(f) => f,
        Err(e) => return page.refused("organizations/import", base, e),
    };
    let Some(file) = file.filter(|f| f.len() > 0) else {
        return page.refused(
            "organizations/import",
            base,
            AppError::BadRequest(crate::i18n::Msg::new("import.no_file")),
        );
    };
    let name = file.raw_name().map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string()).unwrap_or_default();
    let slot = crate::routes::uploads::slot().await;
    let bytes = crate::routes::shared::bytes_of(file).await?;
    let prepared = match import_export::prepare(&name, &bytes) {
        Ok(p) => p,
        Err(e) => return page.refused("organizations/import", base, e),
    };
    drop(bytes);
    drop(slot);
    if prepared.len() > import_export::INLINE_MAX {
        // Too large to run while the officer waits: checked and applied in the background,
        // its progress on its own page.
        let n = prepared.len();
        let job = import_jobs::create(&app.db, &o.0, app.clock.now(), page.locale, &name, n).await?;
        let to = format!("/organizations/import/jobs/{}", job.public_ref);
        rocket::tokio::spawn(import_jobs::run(app.db.clone(), app.clock.clone(), Actor::user(&o.0), job, prepared));
        return Ok(PageResponse::Redirect(rocket::response::Flash::success(
            rocket::response::Redirect::to(to),
            format!("flash.import_started|{n}"),
        )));
    }
    match import_export::import_prepared(
        &app.db,
        &Actor::user(&o.0),
        app.clock.now(),
        app.clock.today_local(),
        page.locale,
        prepared,
    )
    .await
    {
        Ok(ImportOutcome::Imported(n)) => Ok(PageResponse::Redirect(rocket::response::Flash::success(
            rocket::response::Redirect::to("/organizations?sort=updated&dir=desc"),
            format!("flash.imported|{n}"),
        ))),
        Ok(ImportOutcome::Refused(errors)) => {
            let mut ctx = base;
            ctx["row_errors"] = json!(errors);
            Ok(PageResponse::Html((
                rocket::http::Status::UnprocessableEntity,
                page.render("organizations/import", ctx),
            )))
        }
        Err(e) => page.refused("organizations/import", base, e),
    }
}

/// How far a background import has come, and its result at the end.
#[get("/organizations/import/jobs/<public_ref>")]
async fn import_job_page(page: Page, _o: Officer, public_ref: &str, app: &State<App>) -> Result<Template, PageError> {
    let job = import_jobs::get(&app.db, public_ref).await?;
    Ok(page.render("organizations/import_job", json!({"job": import_jobs::view(&job)})))
}

#[get("/organizations/export.csv?<f..>")]
async fn export_csv(viewer: Visitor, lang: Lang, f: FilterForm, app: &State<App>) -> Result<Download, PageError> {
    let audience = Viewer::of_anyone(viewer.0.as_ref());
    let orgs = organizations::list_all(&app.reads, &f.to_filter(), audience, app.clock.today_local()).await?;
    let body = import_export::export_csv(&app.reads, &app.places, &orgs, lang.0, audience.is_bureau()).await?;
    Ok(Download::new(
        body,
        ContentType::new("text", "csv").with_params(("charset", "utf-8")),
        "organizations.csv",
        false,
    ))
}

#[get("/organizations/export.xlsx?<f..>")]
async fn export_xlsx(viewer: Visitor, lang: Lang, f: FilterForm, app: &State<App>) -> Result<Download, PageError> {
    let audience = Viewer::of_anyone(viewer.0.as_ref());
    let orgs = organizations::list_all(&app.reads, &f.to_filter(), audience, app.clock.today_local()).await?;
    let today = app.clock.today_local();
    let body = import_export::export_xlsx(&app.reads, &app.places, &orgs, lang.0, audience.is_bureau(), today).await?;
    Ok(Download::xlsx(body, "organizations.xlsx"))
}

/// An empty workbook to fill in, with the allowed values as drop-down lists and a sheet
/// explaining each column.
#[get("/organizations/import/template.xlsx")]
fn import_template(_o: Officer, lang: Lang, app: &State<App>) -> Result<Download, PageError> {
    let name = if lang.0 == crate::i18n::Locale::En {
        "organizations-import-template.xlsx"
    } else {
        "社会组织导入模板.xlsx"
    };
    Ok(Download::xlsx(import_export::template_xlsx(&app.places, lang.0)?, name))
}
