//! HTTP: server-rendered pages and the JSON API under /api/v1, both thin over the domain
//! crate. One folder per area of the domain (routes/<area>/) holds its pages, its API and
//! their forms; `page`, `api`, `shared`, `uploads` and `errors` are what the areas share.
pub mod accounts;
pub mod admin;
pub mod api;
pub mod confirm;
pub mod contracts;
pub mod dashboard;
pub mod errors;
pub mod evaluations;
pub mod feeds;
pub mod home;
pub mod hubs;
pub mod integrity;
pub mod lists;
pub mod open_data;
pub mod page;
pub mod portal;
pub mod procurement;
pub mod public_cache;
pub mod registry;
pub mod shared;
pub mod subscriptions;
pub mod todo;
pub mod uploads;

/// Where the database gate sends requests while the database is away (`db::Gate`).
#[rocket::get("/_unavailable")]
fn page_unavailable() -> crate::routes::errors::PageError {
    crate::routes::errors::PageError(crate::error::AppError::Unavailable("database gate closed".into()))
}

/// Where the database gate sends API requests while the database is away (`db::Gate`).
#[rocket::get("/_unavailable")]
fn api_unavailable() -> crate::routes::errors::ApiError {
    crate::routes::errors::ApiError(crate::error::AppError::Unavailable("database gate closed".into()))
}

/// The addresses forms post to (`/contracts/<id>/payments`, ...), as path patterns. A browser
/// shows such an address after a refused form; reloading it, or coming back to it later,
/// should lead to the form's page rather than to "not found".
pub struct PostPaths(Vec<Vec<String>>);

impl PostPaths {
    pub fn of(routes: &[rocket::Route]) -> PostPaths {
        let paths = routes
            .iter()
            .filter(|r| r.method == rocket::http::Method::Post)
            .map(|r| r.uri.path().split('/').filter(|s| !s.is_empty()).map(str::to_string).collect())
            .collect();
        PostPaths(paths)
    }

    /// Whether a form posts to `segs`: an address whose last step is a word (`payments`,
    /// `declaration`), not an id, so `/organizations/abc` stays not found.
    fn matches(&self, segs: &[&str]) -> bool {
        let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        self.0.iter().any(|p| {
            p.len() == segs.len()
                && p.last().is_some_and(|last| !last.starts_with('<'))
                && p.iter().zip(segs).all(|(pat, seg)| if pat.starts_with('<') { plain(seg) } else { pat == seg })
        })
    }
}

/// A GET of an address only a form posts to: the page the form is on (the address without
/// its last step, with that step as the place on the page). Anything else stays not found.
#[rocket::get("/<path..>", rank = 100)]
pub fn form_page(path: std::path::PathBuf, posts: &rocket::State<PostPaths>) -> Option<rocket::response::Redirect> {
    let segs: Vec<&str> = path.iter().filter_map(|s| s.to_str()).collect();
    let (last, parent) = segs.split_last()?;
    if parent.is_empty() || !posts.matches(&segs) {
        return None;
    }
    Some(rocket::response::Redirect::to(format!("/{}#{last}", parent.join("/"))))
}

/// Every HTML page, mounted at /.
pub fn pages() -> Vec<rocket::Route> {
    let mut r = rocket::routes![page_unavailable, form_page];
    r.extend(home::routes());
    r.extend(portal::routes());
    r.extend(subscriptions::routes());
    r.extend(integrity::routes());
    r.extend(dashboard::routes());
    r.extend(lists::routes());
    r.extend(feeds::routes());
    r.extend(accounts::pages());
    r.extend(registry::pages());
    r.extend(hubs::pages());
    r.extend(procurement::pages());
    r.extend(contracts::pages());
    r.extend(evaluations::pages());
    r.extend(admin::pages());
    r.extend(todo::pages());
    r
}

/// The JSON API, mounted at /api/v1.
pub fn api() -> Vec<rocket::Route> {
    let mut r = rocket::routes![api_unavailable];
    r.extend(accounts::api());
    r.extend(registry::api());
    r.extend(hubs::api());
    r.extend(procurement::api());
    r.extend(contracts::api());
    r.extend(evaluations::api());
    r.extend(todo::api());
    r.extend(open_data::api());
    r.extend(portal::api());
    r.extend(integrity::api());
    r.extend(dashboard::api());
    r
}

pub use crate::auth::locale_of;
use rocket::Request;
use rocket::http::Status;

/// Error pages for what Rocket itself refuses (unknown route, malformed form, …).
#[rocket::catch(default)]
fn page_catcher(status: Status, req: &Request<'_>) -> crate::routes::errors::PageError {
    // A path that does not parse (an id that is not a number) names nothing: 404.
    if status.code == 422 && req.method() == rocket::http::Method::Get {
        return crate::routes::errors::PageError(crate::error::AppError::NotFound);
    }
    if req.local_cache(|| crate::auth::CsrfRefused(false)).0 {
        let refused = crate::error::AppError::BadRequest(crate::i18n::Msg::new("csrf.invalid"));
        return crate::routes::errors::PageError(refused);
    }
    crate::routes::errors::PageError(status_error(status))
}

#[rocket::catch(default)]
fn api_catcher(status: Status, req: &Request<'_>) -> crate::routes::errors::ApiError {
    if status.code == 422 && req.method() == rocket::http::Method::Get {
        return crate::routes::errors::ApiError(crate::error::AppError::NotFound);
    }
    crate::routes::errors::ApiError(status_error(status))
}

fn status_error(status: Status) -> crate::error::AppError {
    use crate::error::AppError;
    use crate::i18n::Msg;
    match status.code {
        401 => AppError::Unauthorized,
        403 => AppError::Forbidden,
        404 => AppError::NotFound,
        413 => AppError::TooLarge(Msg::new("error.too_large")),
        415 => AppError::Unsupported(Msg::new("error.json_only")),
        422 | 400 => AppError::BadRequest(Msg::new("error.bad_request")),
        503 => AppError::Unavailable("a request guard found no database connection".into()),
        _ => AppError::Internal(format!("status {status}")),
    }
}

pub fn catchers() -> Vec<rocket::Catcher> {
    rocket::catchers![page_catcher]
}

pub fn api_catchers() -> Vec<rocket::Catcher> {
    rocket::catchers![api_catcher]
}
