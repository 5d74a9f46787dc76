//! The audit log's signed checkpoints, in public: the page, the file of JSON lines anyone
//! may keep, and the key that signs them. `fuhua audit-verify --checkpoints FILE` checks a
//! kept copy against the log.
use crate::assets::Template;
use crate::domain::checkpoints;
use crate::routes::errors::PageError;
use crate::routes::page::Page;
use crate::routes::shared::Download;
use crate::state::App;
use rocket::{State, get};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![page, file]
}

#[get("/audit/checkpoints")]
async fn page(page: Page, app: &State<App>) -> Result<Template, PageError> {
    let list = checkpoints::list(&app.reads).await?;
    Ok(page.render("admin/checkpoints", json!({"checkpoints": list, "public_key": app.notary.public_key()})))
}

/// Every checkpoint as one JSON line, oldest first: the same lines as the server's own file.
#[get("/audit/checkpoints.jsonl")]
async fn file(app: &State<App>) -> Result<Download, PageError> {
    let mut list = checkpoints::list(&app.reads).await?;
    list.reverse();
    let mut out = String::new();
    for cp in list {
        out.push_str(&serde_json::to_string(&cp).map_err(|e| crate::error::AppError::Internal(e.to_string()))?);
        out.push('\n');
    }
    Ok(Download::file(out.into_bytes(), "json", "fuhua-audit-checkpoints.jsonl", false))
}
