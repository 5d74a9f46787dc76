//! What every HTML page shares: the `Page` guard (language, account, CSRF token, flash),
//! its responses, and the error page. Handlers live with their area (routes/<area>/).

use crate::assets::Template;
use crate::auth::{self, csrf_token};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Locale;
use crate::routes::errors::PageError;
use crate::state::App;
use entity::enums::Role;
use entity::user;
use rocket::http::Status;
use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket::response::{Flash, Redirect};
use serde_json::{Value, json};

/// What every page needs: language, account, CSRF token, flash message.
pub struct Page {
    pub locale: Locale,
    pub user: Option<user::Model>,
    pub csrf: String,
    flash: Option<(String, String)>,
    path: String,
    /// Steps waiting for the account (the navigation's 待办 number).
    waiting: Option<u64>,
}

fn user_json(u: &Option<user::Model>) -> Value {
    match u {
        None => Value::Null,
        Some(u) => json!({
            "id": u.id, "email": u.email, "display_name": u.display_name, "role": u.role.code(),
            "organization_id": u.organization_id,
            // What the navigation and pages offer this account: flags, not role names.
            "is_bureau": u.role.is_bureau(),
            "is_admin": u.role == Role::Admin,
            "is_ngo": u.role == Role::NgoMember,
            "is_expert": u.role == Role::Expert,
            "sees_contracts": u.role.sees_contracts(),
            "sees_evaluations": u.role.sees_evaluations(),
        }),
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Page {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let viewer = match req.guard::<auth::Visitor>().await {
            Outcome::Success(v) => v.0,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(s) => return Outcome::Forward(s),
        };
        let secure = req.rocket().state::<App>().is_some_and(|a| a.config.secure_cookies);
        let flash = match req.guard::<Option<FlashMessage<'_>>>().await {
            Outcome::Success(Some(f)) => Some((f.kind().to_string(), f.message().to_string())),
            _ => None,
        };
        // Accounts always carry a token (the logout form needs it). A visitor gets one only
        // from the pages with forms (login, register, reset), so public pages set no cookie.
        let csrf = if viewer.is_some() {
            csrf_token(req.cookies(), secure)
        } else {
            req.cookies().get_private(auth::CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default()
        };
        // The number beside 待办: read live, so a step taken is gone from it at once. A
        // failure to count costs the number, not the page.
        // The to-do page counts its own (`with_waiting`), rather than twice.
        let waiting = match (&viewer, req.rocket().state::<App>()) {
            (Some(u), Some(app)) if req.uri().path() != "/todo" => {
                crate::domain::todo::count(&app.reads, u, app.clock.now()).await.ok()
            }
            _ => None,
        };
        Outcome::Success(Page {
            locale: auth::locale_of(req),
            user: viewer,
            csrf,
            flash,
            path: req.uri().path().to_string(),
            waiting,
        })
    }
}

fn base_context(locale: Locale, user: &Option<user::Model>, csrf: &str, path: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("lang".into(), json!(locale.tag()));
    m.insert("other_lang".into(), json!(if locale == Locale::ZhCn { "en" } else { "zh-CN" }));
    m.insert("user".into(), user_json(user));
    m.insert("csrf".into(), json!(csrf));
    m.insert("path".into(), json!(path));
    // Forms read these; a page without a failed form has none.
    m.insert("errors".into(), json!({}));
    m.insert("values".into(), json!({}));
    // An empty map, for `default(value=no_values)` where a part of the page has no values.
    m.insert("no_values".into(), json!({}));
    m
}

impl Page {
    /// The number of steps waiting, when the page has counted them itself (the to-do page).
    pub fn with_waiting(mut self, n: u64) -> Page {
        self.waiting = Some(n);
        self
    }

    /// For a visitor's page with a form: the token from the `Csrf` guard (which sets it).
    pub fn with_csrf(mut self, csrf: auth::Csrf) -> Page {
        self.csrf = csrf.0;
        self
    }

    pub fn render(&self, name: &'static str, extra: Value) -> Template {
        Template::render(name, self.context(extra))
    }

    /// Whether this page is the same for every visitor without an account.
    pub fn is_public_view(&self) -> bool {
        self.user.is_none() && self.flash.is_none()
    }

    pub fn context(&self, extra: Value) -> Value {
        let mut m = base_context(self.locale, &self.user, &self.csrf, &self.path);
        m.insert("waiting".into(), json!(self.waiting));
        if let Some((kind, key)) = &self.flash {
            // Flash messages carry a catalogue key and optional "key|arg" text.
            let (key, arg) = key.split_once('|').unwrap_or((key.as_str(), ""));
            m.insert(
                "flash".into(),
                json!({"kind": kind, "message": self.locale.tf(key, &[("arg", arg.to_string())])}),
            );
        }
        if let Value::Object(extra) = extra {
            m.extend(extra);
        }
        Value::Object(m)
    }

    /// The same form again, with each bad field marked and the user's values kept.
    pub fn form_again(&self, name: &'static str, mut extra: Value, errors: &FieldErrors) -> PageResponse {
        let map: serde_json::Map<String, Value> =
            errors.localized(self.locale).into_iter().map(|(f, m)| (f, Value::String(m))).collect();
        if let Value::Object(o) = &mut extra {
            o.insert("errors".into(), Value::Object(map));
        }
        PageResponse::Html((Status::UnprocessableEntity, self.render(name, extra)))
    }

    /// Renders `name` again for Invalid, or with a general error banner for a refusal
    /// (409/400/429); anything else becomes the error page.
    pub fn refused(&self, name: &'static str, mut extra: Value, err: AppError) -> Result<PageResponse, PageError> {
        match err {
            AppError::Invalid(fe) => Ok(self.form_again(name, extra, &fe)),
            e @ (AppError::Conflict(_) | AppError::BadRequest(_) | AppError::TooManyRequests(_)) => {
                if let Value::Object(o) = &mut extra {
                    o.insert("error".into(), json!(e.message(self.locale)));
                }
                Ok(PageResponse::Html((crate::routes::errors::status_of(&e), self.render(name, extra))))
            }
            e => Err(PageError(e)),
        }
    }

    /// The page again after a refused form, keeping what was typed: `typed` (an object)
    /// replaces what the page would start with (its `values`, merged one level deep), and
    /// the error shows as in [`Page::refused`].
    pub fn refused_keeping(
        &self,
        name: &'static str,
        mut ctx: Value,
        typed: Value,
        err: AppError,
    ) -> Result<PageResponse, PageError> {
        match (ctx["values"].as_object_mut(), typed) {
            (Some(base), Value::Object(typed)) => {
                for (k, v) in typed {
                    match (base.get_mut(&k), v) {
                        (Some(Value::Object(b)), Value::Object(t)) => b.extend(t),
                        (_, v) => {
                            base.insert(k, v);
                        }
                    }
                }
            }
            (_, typed) => ctx["values"] = typed,
        }
        self.refused(name, ctx, err)
    }
}

#[derive(rocket::Responder)]
pub enum PageResponse {
    Html((Status, Template)),
    Redirect(Flash<Redirect>),
    Plain(Redirect),
}

/// The codes of an enum's values, for a form's choices.
pub fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|t| code(*t)).collect()
}

pub fn done(to: String, key: &str) -> PageResponse {
    PageResponse::Redirect(Flash::success(Redirect::to(to), key))
}

/// The error page, in the reader's language.
pub fn render_error(
    req: &Request<'_>,
    locale: Locale,
    status: Status,
    message: String,
    fields: Vec<(String, String)>,
) -> Template {
    let cached: &Result<Option<user::Model>, ()> = req.local_cache(|| Ok(None));
    let user = cached.clone().unwrap_or(None);
    let csrf = req.cookies().get_private(auth::CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    let mut m = base_context(locale, &user, &csrf, req.uri().path().as_str());
    m.insert("status".into(), json!(status.code));
    m.insert("message".into(), json!(message));
    m.insert("fields".into(), json!(fields));
    Template::render("error", Value::Object(m))
}
