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

#[derive(rocket::Responder)]
pub enum PublicPage {
    Rendered(Box<Template>),
    Cached(RawHtml<String>),
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
        if key.is_some() && app.pages.needs_recheck() {
            app.pages.observe_audit_seq(crate::domain::audit::latest_seq(&app.reads).await?);
        }
        // Taken before reading, so a write racing this render leaves the page marked stale.
        let generation = app.pages.generation();
        let kept = key
            .as_deref()
            .and_then(|k| app.pages.get(k, app.clock.today_local(), app.clock.now()))
            .map(|html| PublicPage::Cached(RawHtml(html.to_string())));
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
