//! Public pages kept in the page cache: the registry list, the portal's front page, each
//! district's page. A visitor without an account sees the same page as every other, so it
//! is rendered once and kept until something changes (see `page_cache`), or until the
//! deadline it shows passes.
use crate::assets::{Pages, Template};
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::page::Page;
use crate::state::App;
use chrono::{DateTime, Utc};
use rocket::response::content::RawHtml;
use serde_json::Value;

/// Reads the audit log's newest entry when it is time to, so changes made by another
/// server or the command line mark the kept pages and values stale.
async fn recheck(app: &App) -> Result<(), AppError> {
    if app.pages.needs_recheck() {
        app.pages.observe_audit_seq(crate::domain::audit::latest_seq(&app.reads).await?);
    }
    Ok(())
}

#[derive(rocket::Responder)]
pub enum PublicPage {
    Rendered(Box<Template>),
    Cached(RawHtml<String>),
    /// A kept page, served from the cache's copy without copying it.
    Kept(RawHtml<KeptHtml>),
}

/// A kept page's text as a response body.
pub struct KeptHtml(std::sync::Arc<str>);

impl AsRef<[u8]> for KeptHtml {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for KeptHtml {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        let len = self.0.len();
        rocket::Response::build().sized_body(len, std::io::Cursor::new(self)).ok()
    }
}

/// A page that may be served from the cache: its key (none for a reader with an account
/// or a flash message) and the cache's generation before anything was read.
pub struct Cacheable {
    key: Option<String>,
    generation: u64,
}

impl Cacheable {
    /// The kept page for `what` (the page's name and its query), if it is still good.
    pub async fn begin(page: &Page, app: &App, what: &str) -> Result<(Cacheable, Option<PublicPage>), PageError> {
        let key = (app.pages.enabled() && page.is_public_view()).then(|| format!("{}|{what}", page.locale.tag()));
        if key.is_some() {
            recheck(app).await?;
        }
        // Taken before reading, so a write racing this render leaves the page marked stale.
        let generation = app.pages.generation();
        let kept = key
            .as_deref()
            .and_then(|k| app.pages.get(k, app.clock.today_local(), app.clock.now()))
            .map(|html| PublicPage::Kept(RawHtml(KeptHtml(html))));
        Ok((Cacheable { key, generation }, kept))
    }

    /// Renders the page, keeping it when it may be kept.
    pub fn finish(
        self,
        page: &Page,
        app: &App,
        templates: &Pages,
        name: &'static str,
        ctx: Value,
        until: Option<DateTime<Utc>>,
    ) -> Result<PublicPage, PageError> {
        let Some(key) = self.key else { return Ok(PublicPage::Rendered(Box::new(page.render(name, ctx)))) };
        let html = templates.render(name, &page.context(ctx)).map_err(AppError::Internal)?;
        app.pages.put(key, self.generation, app.clock.today_local(), until, std::sync::Arc::from(html.as_str()));
        Ok(PublicPage::Cached(RawHtml(html)))
    }
}

/// A value computed from the data (the red flags, the dashboard), kept until the data
/// changes or the day does; computed again otherwise.
pub async fn memoized<T, F, Fut>(app: &App, key: &str, compute: F) -> Result<std::sync::Arc<T>, AppError>
where
    T: std::any::Any + Send + Sync,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    if app.pages.enabled() {
        recheck(app).await?;
    }
    let day = app.clock.today_local();
    let generation = app.pages.generation();
    if let Some(v) = app.pages.memo::<T>(key, day) {
        return Ok(v);
    }
    let v = std::sync::Arc::new(compute().await?);
    app.pages.keep(key.to_string(), generation, day, v.clone());
    Ok(v)
}
