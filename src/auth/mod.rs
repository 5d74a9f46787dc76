//! Request guards: who is asking (session cookie for pages, bearer token or session plus
//! a matching Origin for the API), in which language, with which CSRF token. A handler's
//! signature says who may call it; everything else is denied.
use crate::domain::accounts;
use crate::domain::secrets::random_token;
use crate::i18n::Locale;
use crate::state::App;
use chrono::Duration;
use entity::enums::Role;
use entity::user;
use rocket::http::{Cookie, CookieJar, Method, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

pub const SESSION_COOKIE: &str = "fuhua_session";
pub const CSRF_COOKIE: &str = "fuhua_csrf";
pub const LANG_COOKIE: &str = "fuhua_lang";

fn app<'r>(req: &'r Request<'_>) -> &'r App {
    req.rocket().state::<App>().expect("App state is managed by build()")
}

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value)).http_only(true).same_site(SameSite::Lax).secure(secure).path("/").build()
}

/// The account behind the session cookie, looked up once per request.
async fn session_user(req: &Request<'_>) -> Result<Option<user::Model>, ()> {
    let cached: &Result<Option<user::Model>, ()> = req
        .local_cache_async(async {
            let app = app(req);
            let Some(c) = req.cookies().get_private(SESSION_COOKIE) else { return Ok(None) };
            let idle = Duration::minutes(app.config.session_idle_minutes);
            let absolute = Duration::hours(app.config.session_absolute_hours);
            match accounts::session_user((&app.db, &app.reads), c.value(), app.clock.now(), idle, absolute).await {
                Ok(u) => {
                    if u.is_none() {
                        req.cookies().remove_private(Cookie::build(SESSION_COOKIE).path("/"));
                    }
                    Ok(u)
                }
                Err(e) => {
                    log::error!("session lookup failed: {e}");
                    Err(())
                }
            }
        })
        .await;
    cached.clone()
}

/// Anyone, logged in or not.
pub struct Visitor(pub Option<user::Model>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Visitor {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match session_user(req).await {
            Ok(u) => Outcome::Success(Visitor(u)),
            Err(()) => Outcome::Error((Status::ServiceUnavailable, ())),
        }
    }
}

fn role_outcome<T>(u: Option<user::Model>, allowed: &[Role], wrap: fn(user::Model) -> T) -> Outcome<T, ()> {
    match u {
        None => Outcome::Error((Status::Unauthorized, ())),
        Some(u) if allowed.is_empty() || allowed.contains(&u.role) => Outcome::Success(wrap(u)),
        Some(_) => Outcome::Error((Status::Forbidden, ())),
    }
}

macro_rules! page_guard {
    ($(#[$m:meta])* $name:ident, $roles:expr) => {
        $(#[$m])*
        pub struct $name(pub user::Model);
        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = ();
            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
                match session_user(req).await {
                    Ok(u) => role_outcome(u, &$roles, $name),
                    Err(()) => Outcome::Error((Status::ServiceUnavailable, ())),
                }
            }
        }
    };
}

page_guard!(
    /// Any logged-in account.
    Member, []
);
page_guard!(
    /// Bureau staff: officers and admins.
    Officer, Role::BUREAU
);
page_guard!(Admin, [Role::Admin]);
page_guard!(
    /// An NGO member account (linked to an organization or not yet).
    Ngo, [Role::NgoMember]
);

/// API caller: a bearer token, or the session cookie when the request's Origin is ours.
async fn api_user(req: &Request<'_>) -> Result<Option<user::Model>, Status> {
    let app = app(req);
    let unsafe_method = !matches!(req.method(), Method::Get | Method::Head | Method::Options);
    if unsafe_method {
        let json = req.content_type().is_some_and(|c| c.is_json());
        if !json {
            return Err(Status::UnsupportedMediaType);
        }
    }
    if let Some(h) = req.headers().get_one("Authorization") {
        let Some(token) = h.strip_prefix("Bearer ") else { return Err(Status::Unauthorized) };
        return match accounts::user_by_api_token(&app.db, token.trim()).await {
            Ok(Some(u)) => Ok(Some(u)),
            Ok(None) => Err(Status::Unauthorized),
            Err(_) => Err(Status::ServiceUnavailable),
        };
    }
    let from_session = session_user(req).await.map_err(|_| Status::ServiceUnavailable)?;
    if from_session.is_some() && unsafe_method {
        let origin_ok = req
            .headers()
            .get_one("Origin")
            .is_some_and(|o| o.trim_end_matches('/') == app.config.public_origin.trim_end_matches('/'));
        if !origin_ok {
            return Err(Status::Forbidden);
        }
    }
    Ok(from_session)
}

pub struct ApiVisitor(pub Option<user::Model>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiVisitor {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match api_user(req).await {
            Ok(u) => Outcome::Success(ApiVisitor(u)),
            Err(s) => Outcome::Error((s, ())),
        }
    }
}

macro_rules! api_guard {
    ($(#[$m:meta])* $name:ident, $roles:expr) => {
        $(#[$m])*
        pub struct $name(pub user::Model);
        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = ();
            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
                match api_user(req).await {
                    Ok(u) => role_outcome(u, &$roles, $name),
                    Err(s) => Outcome::Error((s, ())),
                }
            }
        }
    };
}

api_guard!(ApiMember, []);
api_guard!(ApiOfficer, Role::BUREAU);

/// The reader's language: the language cookie, else Accept-Language, else Chinese.
pub fn locale_of(req: &Request<'_>) -> Locale {
    req.cookies()
        .get(LANG_COOKIE)
        .and_then(|c| Locale::from_tag(c.value()))
        .unwrap_or_else(|| Locale::negotiate(req.headers().get_one("Accept-Language")))
}

pub struct Lang(pub Locale);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Lang {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(Lang(locale_of(req)))
    }
}

/// The CSRF token: random per browser, kept in a private (encrypted) cookie and repeated
/// in every form. A forged cross-site form cannot know it.
pub struct Csrf(pub String);

pub fn csrf_token(cookies: &CookieJar<'_>, secure: bool) -> String {
    if let Some(c) = cookies.get_private(CSRF_COOKIE) {
        return c.value().to_string();
    }
    let token = random_token();
    cookies.add_private(
        Cookie::build((CSRF_COOKIE, token.clone())).http_only(true).same_site(SameSite::Lax).secure(secure).path("/"),
    );
    token
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let secure = app(req).config.secure_cookies;
        Outcome::Success(Csrf(csrf_token(req.cookies(), secure)))
    }
}

/// A form whose CSRF token matched this browser's, checked before the handler runs: a
/// handler takes `Posted<MyForm>` instead of `Form<MyForm>` and never compares tokens itself.
/// A refused token answers 400 with `csrf.invalid` (see `routes::page_catcher`).
pub struct Posted<T>(pub T);

/// A form that carries the CSRF token; `csrf_field!(MyForm)` beside the struct says so.
pub trait CsrfField {
    fn csrf(&self) -> &str;
}

/// Implements [`CsrfField`] for forms whose token is in their `csrf` field.
#[macro_export]
macro_rules! csrf_field {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::auth::CsrfField for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}

/// Set on a request whose form's CSRF token did not match, for the error page.
pub struct CsrfRefused(pub bool);

impl<T> Posted<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Posted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Posted<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Constant-time comparison of two tokens.
fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[rocket::async_trait]
impl<'r, T: rocket::form::FromForm<'r> + CsrfField> rocket::data::FromData<'r> for Posted<T> {
    type Error = rocket::form::Errors<'r>;

    async fn from_data(req: &'r Request<'_>, data: rocket::Data<'r>) -> rocket::data::Outcome<'r, Self> {
        use rocket::data::Outcome as O;
        let form = match rocket::form::Form::<T>::from_data(req, data).await {
            O::Success(form) => form.into_inner(),
            O::Error(e) => return O::Error(e),
            O::Forward(f) => return O::Forward(f),
        };
        let expected = csrf_token(req.cookies(), app(req).config.secure_cookies);
        if same_token(&expected, form.csrf()) {
            O::Success(Posted(form))
        } else {
            req.local_cache(|| CsrfRefused(true));
            O::Error((rocket::http::Status::BadRequest, rocket::form::Errors::new()))
        }
    }
}

/// The client's address for throttling: the connection's, unless it comes from a trusted
/// proxy (FUHUA_TRUSTED_PROXIES), whose forwarding headers then name the client. Anyone
/// else's X-Forwarded-For or X-Real-IP is ignored, so it can neither escape the limit nor
/// lock another address out.
pub struct ClientIp(pub String);

/// The client behind `remote`: the right-most X-Forwarded-For address that is not a trusted
/// proxy (the one the nearest trusted proxy saw), else X-Real-IP, else `remote` itself.
pub fn client_address(
    remote: Option<std::net::IpAddr>,
    trusted: &[std::net::IpAddr],
    forwarded_for: Option<&str>,
    real_ip: Option<&str>,
) -> Option<std::net::IpAddr> {
    // An IPv4 proxy reached over IPv6 shows as ::ffff:a.b.c.d: compare plain addresses.
    let remote = remote?.to_canonical();
    let trusted: Vec<std::net::IpAddr> = trusted.iter().map(|t| t.to_canonical()).collect();
    let trusted = trusted.as_slice();
    if !trusted.contains(&remote) {
        return Some(remote);
    }
    let hops: Vec<std::net::IpAddr> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .filter_map(|h| h.trim().parse::<std::net::IpAddr>().ok().map(|a| a.to_canonical()))
        .collect();
    if let Some(client) = hops.iter().rev().find(|h| !trusted.contains(h)) {
        return Some(*client);
    }
    real_ip.and_then(|r| r.trim().parse().ok()).or(Some(remote))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientIp {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let trusted = req.rocket().state::<crate::state::App>().map(|a| a.proxies.clone()).unwrap_or_default();
        let trusted: &[std::net::IpAddr] = &trusted;
        let ip = client_address(
            req.remote().map(|a| a.ip()),
            trusted,
            req.headers().get_one("X-Forwarded-For"),
            req.headers().get_one("X-Real-IP"),
        );
        Outcome::Success(ClientIp(ip.map(|i| i.to_string()).unwrap_or_else(|| "unknown".into())))
    }
}
