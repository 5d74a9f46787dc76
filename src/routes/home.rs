//! The language switch and the liveness route (the portal's front page is in `portal`).
use crate::auth::LANG_COOKIE;
use crate::i18n::Locale;
use rocket::get;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![set_lang, health]
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
