//! The front page and the language switch.
use crate::assets::Template;
use crate::auth::LANG_COOKIE;
use crate::i18n::Locale;
use crate::routes::errors::PageError;
use crate::routes::page::Page;
use crate::state::App;
use entity::enums::OrgStatus;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{State, get};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![index, set_lang, health]
}

#[get("/")]
async fn index(page: Page, app: &State<App>) -> Result<Template, PageError> {
    let active = entity::organization::Entity::find()
        .filter(entity::organization::Column::Status.eq(OrgStatus::Active))
        .count(&app.db)
        .await?;
    Ok(page.render("index", serde_json::json!({"active_organizations": active})))
}

/// Switch language and go back where the reader was (only to a local path).
#[get("/lang/<tag>?<back>")]
fn set_lang(tag: &str, back: Option<&str>, cookies: &CookieJar<'_>) -> Redirect {
    let locale = Locale::from_tag(tag).unwrap_or(Locale::ZhCn);
    cookies.add(Cookie::build((LANG_COOKIE, locale.tag())).same_site(SameSite::Lax).path("/").permanent());
    let to = back.filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or("/");
    Redirect::to(to.to_string())
}

/// A trivial route: liveness for operators, and the benchmark's baseline.
#[get("/health")]
fn health() -> &'static str {
    "ok"
}
