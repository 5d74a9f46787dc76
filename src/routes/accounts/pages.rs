//! Login, logout, registration, email verification, password reset, the account page
//! (profile, claim of an organization, API tokens).
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{ClientIp, Csrf, Member, SESSION_COOKIE, session_cookie};
use crate::domain::{accounts, claims};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::CsrfForm;
use crate::state::App;
use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar};
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        login_page,
        login,
        logout,
        logout_everywhere,
        register_page,
        register,
        verify,
        reset_request_page,
        reset_request,
        reset_page,
        reset,
        account_page,
        update_profile,
        submit_claim,
        create_token,
        revoke_token
    ]
}

fn safe_next(next: &str) -> String {
    // A path on this site only: no other host, and nothing a header cannot carry.
    let plain =
        !next.chars().any(|c| c.is_control() || c.is_whitespace()) && rocket::http::uri::Origin::parse(next).is_ok();
    if plain && next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_string()
    } else {
        "/todo".to_string()
    }
}

#[get("/login?<next>")]
fn login_page(page: Page, csrf: Csrf, next: Option<&str>) -> Template {
    page.with_csrf(csrf).render("account/login", json!({"next": next.unwrap_or("/todo"), "values": {}}))
}

#[derive(FromForm)]
struct LoginForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    next: String,
}

crate::csrf_field!(LoginForm);

#[post("/login", data = "<form>")]
async fn login(
    page: Page,
    ip: ClientIp,
    form: Posted<LoginForm>,
    app: &State<App>,
    cookies: &CookieJar<'_>,
) -> Result<PageResponse, PageError> {
    let old = cookies.get_private(SESSION_COOKIE).map(|c| c.value().to_string());
    let ctx = json!({"next": form.next, "values": {"email": form.email}});
    match accounts::login((&app.db, &app.reads), app.clock.now(), &form.email, &form.password, &ip.0, old.as_deref())
        .await
    {
        Ok((sid, _)) => {
            cookies.add_private(session_cookie(sid, app.config.secure_cookies));
            Ok(done(safe_next(&form.next), "flash.logged_in"))
        }
        Err(e) => page.refused("account/login", ctx, e),
    }
}

#[post("/logout", data = "<_form>")]
async fn logout(
    _form: Posted<CsrfForm>,
    app: &State<App>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    if let Some(c) = cookies.get_private(SESSION_COOKIE) {
        accounts::logout(&app.db, c.value(), app.clock.now()).await?;
    }
    cookies.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(Flash::success(Redirect::to("/"), "flash.logged_out"))
}

#[post("/logout-everywhere", data = "<_form>")]
async fn logout_everywhere(
    me: Member,
    _form: Posted<CsrfForm>,
    app: &State<App>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    accounts::logout_everywhere(&app.db, &me.0, app.clock.now()).await?;
    cookies.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(Flash::success(Redirect::to("/login"), "flash.logged_out_everywhere"))
}

#[get("/register")]
fn register_page(page: Page, csrf: Csrf) -> Template {
    page.with_csrf(csrf).render("account/register", json!({"values": {}}))
}

#[derive(FromForm)]
struct RegisterForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    display_name: String,
}

crate::csrf_field!(RegisterForm);

#[post("/register", data = "<form>")]
async fn register(page: Page, form: Posted<RegisterForm>, app: &State<App>) -> Result<PageResponse, PageError> {
    let ctx = json!({"values": {"email": form.email, "display_name": form.display_name}});
    let r = accounts::Registration {
        email: form.email.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        locale: page.locale,
    };
    match accounts::register(&app.db, &app.emails, &app.config.public_origin, app.clock.now(), r).await {
        Ok(()) => Ok(PageResponse::Html((
            rocket::http::Status::Ok,
            page.render("account/check_email", json!({"email": form.email.trim().to_lowercase()})),
        ))),
        Err(e) => page.refused("account/register", ctx, e),
    }
}

#[get("/verify/<token>")]
async fn verify(page: Page, token: &str, app: &State<App>) -> Result<PageResponse, PageError> {
    match accounts::verify_email(&app.db, token, app.clock.now()).await {
        Ok(_) => Ok(done("/login".into(), "flash.verified")),
        Err(e) => page.refused("account/token_problem", json!({}), e),
    }
}

#[get("/password-reset")]
fn reset_request_page(page: Page, csrf: Csrf) -> Template {
    page.with_csrf(csrf).render("account/reset_request", json!({"values": {}}))
}

#[derive(FromForm)]
struct ResetRequestForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    email: String,
}

crate::csrf_field!(ResetRequestForm);

#[post("/password-reset", data = "<form>")]
async fn reset_request(page: Page, form: Posted<ResetRequestForm>, app: &State<App>) -> Result<Template, PageError> {
    accounts::request_password_reset(&app.db, &app.emails, &app.config.public_origin, app.clock.now(), &form.email)
        .await?;
    Ok(page.render("account/check_email", json!({"email": form.email.trim(), "reset": true})))
}

#[get("/password-reset/<token>")]
fn reset_page(page: Page, csrf: Csrf, token: &str) -> Template {
    page.with_csrf(csrf).render("account/reset", json!({"token": token}))
}

#[derive(FromForm)]
struct ResetForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    password: String,
}

crate::csrf_field!(ResetForm);

#[post("/password-reset/<token>", data = "<form>")]
async fn reset(page: Page, token: &str, form: Posted<ResetForm>, app: &State<App>) -> Result<PageResponse, PageError> {
    match accounts::reset_password(&app.db, token, &form.password, app.clock.now()).await {
        Ok(()) => Ok(done("/login".into(), "flash.password_changed")),
        Err(e) => page.refused("account/reset", json!({"token": token}), e),
    }
}

async fn account_context(app: &App, me: &entity::user::Model) -> Result<serde_json::Value, AppError> {
    let my_claims = claims::mine(&app.db, me).await?;
    let org = match me.organization_id {
        Some(id) => Some(crate::domain::organizations::get(&app.db, id).await?),
        None => None,
    };
    let tokens = accounts::api_tokens(&app.db, me).await?;
    Ok(json!({
        "claims": my_claims, "organization": org, "tokens": tokens,
        "values": {"display_name": me.display_name, "locale": me.locale},
    }))
}

#[get("/account")]
async fn account_page(page: Page, me: Member, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("account/account", account_context(app, &me.0).await?))
}

#[derive(FromForm)]
struct ProfileForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    display_name: String,
    #[field(default = String::new())]
    locale: String,
}

crate::csrf_field!(ProfileForm);

#[post("/account/profile", data = "<form>")]
async fn update_profile(
    page: Page,
    me: Member,
    form: Posted<ProfileForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let locale = Locale::from_tag(&form.locale).unwrap_or(page.locale);
    match accounts::update_profile(&app.db, &me.0, &form.display_name, locale, app.clock.now()).await {
        Ok(_) => Ok(done("/account".into(), "flash.saved")),
        Err(e) => {
            let mut ctx = account_context(app, &me.0).await?;
            ctx["values"] = json!({"display_name": form.display_name, "locale": form.locale});
            page.refused("account/account", ctx, e)
        }
    }
}

#[derive(FromForm)]
struct ClaimForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    uscc: String,
    #[field(default = String::new())]
    note: String,
}

crate::csrf_field!(ClaimForm);

#[post("/account/claim", data = "<form>")]
async fn submit_claim(
    page: Page,
    me: Member,
    form: Posted<ClaimForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match claims::submit(&app.db, &me.0, app.clock.now(), &form.uscc, &form.note).await {
        Ok(_) => Ok(done("/account".into(), "flash.claim_submitted")),
        Err(e) => {
            let mut ctx = account_context(app, &me.0).await?;
            ctx["claim_values"] = json!({"uscc": form.uscc, "note": form.note});
            page.refused("account/account", ctx, e)
        }
    }
}

#[derive(FromForm)]
struct TokenForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    name: String,
}

crate::csrf_field!(TokenForm);

#[post("/account/tokens", data = "<form>")]
async fn create_token(
    page: Page,
    me: Member,
    form: Posted<TokenForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let result = accounts::create_api_token(&app.db, &me.0, &form.name, app.clock.now()).await;
    let mut ctx = account_context(app, &me.0).await?;
    match result {
        Ok(raw) => {
            ctx["new_token"] = json!(raw);
            Ok(PageResponse::Html((rocket::http::Status::Ok, page.render("account/account", ctx))))
        }
        Err(e) => page.refused("account/account", ctx, e),
    }
}

#[post("/account/tokens/<id>/revoke", data = "<_form>")]
async fn revoke_token(
    me: Member,
    id: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    accounts::revoke_api_token(&app.db, &me.0, id, app.clock.now()).await?;
    Ok(done("/account".into(), "flash.token_revoked"))
}
