//! One error type. Users see a clear message in their language; logs get the cause.
use crate::i18n::{Locale, Msg};
use entity::enums::IllegalTransition;
use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use sea_orm::DbErr;
use std::io::Cursor;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub msg: Msg,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, msg: Msg) {
        self.0.push(FieldError { field, msg });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
    /// `Err(Invalid)` when any field failed, so callers can `?` after collecting.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self)) }
    }
    /// field name → localized message, for templates and the API.
    pub fn localized(&self, locale: Locale) -> Vec<(String, String)> {
        self.0.iter().map(|e| (e.field.to_string(), locale.msg(&e.msg))).collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("login required")]
    Unauthorized,
    #[error("conflict: {0:?}")]
    Conflict(Msg),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("bad request: {0:?}")]
    BadRequest(Msg),
    #[error("unsupported media type")]
    Unsupported(Msg),
    #[error("too large")]
    TooLarge(Msg),
    #[error("too many requests")]
    TooManyRequests(Msg),
    #[error("internal: {0}")]
    Internal(String),
    /// No database connection could be had: the request changed nothing and may be tried
    /// again shortly (503 with Retry-After).
    #[error("service unavailable: {0}")]
    Unavailable(String),
}

/// Seconds a client is asked to wait (Retry-After) while the database is away.
pub const RETRY_AFTER_SECS: u32 = 5;

/// Whether the error means the database could not be reached (no connection from the pool,
/// or the connection broke), rather than a statement it refused.
pub fn is_unreachable(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as SqlxError;
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => matches!(
            s.as_ref(),
            SqlxError::Io(_) | SqlxError::PoolTimedOut | SqlxError::PoolClosed | SqlxError::WorkerCrashed
        ),
        _ => false,
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        // Two requests raced for the same unique value: the second is told to look again.
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) = e.sql_err() {
            log::warn!("unique constraint: {detail}");
            return AppError::Conflict(Msg::new("error.concurrent_change"));
        }
        if is_unreachable(&e) {
            return AppError::Unavailable(format!("database: {e}"));
        }
        AppError::Internal(format!("database: {e}"))
    }
}

impl From<IllegalTransition> for AppError {
    fn from(t: IllegalTransition) -> Self {
        AppError::Conflict(Msg::new("error.illegal_transition").arg("from", t.from).arg("to", t.to))
    }
}

impl AppError {
    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound => Status::NotFound,
            AppError::Forbidden => Status::Forbidden,
            AppError::Unauthorized => Status::Unauthorized,
            AppError::Conflict(_) => Status::Conflict,
            AppError::Invalid(_) => Status::UnprocessableEntity,
            AppError::BadRequest(_) => Status::BadRequest,
            AppError::TooManyRequests(_) => Status::TooManyRequests,
            AppError::Unsupported(_) => Status::UnsupportedMediaType,
            AppError::TooLarge(_) => Status::PayloadTooLarge,
            AppError::Internal(_) => Status::InternalServerError,
            AppError::Unavailable(_) => Status::ServiceUnavailable,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthorized => "unauthorized",
            AppError::Conflict(_) => "conflict",
            AppError::Invalid(_) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Unsupported(_) => "unsupported_media_type",
            AppError::TooLarge(_) => "too_large",
            AppError::Internal(_) => "internal",
            AppError::Unavailable(_) => "unavailable",
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Conflict(m)
            | AppError::BadRequest(m)
            | AppError::TooManyRequests(m)
            | AppError::Unsupported(m)
            | AppError::TooLarge(m) => locale.msg(m),
            AppError::Invalid(_) => locale.t("error.invalid").to_string(),
            AppError::NotFound => locale.t("error.not_found").to_string(),
            AppError::Forbidden => locale.t("error.forbidden").to_string(),
            AppError::Unauthorized => locale.t("error.unauthorized").to_string(),
            AppError::Internal(_) => locale.t("error.internal").to_string(),
            AppError::Unavailable(_) => locale.tf("error.unavailable", &[("secs", RETRY_AFTER_SECS.to_string())]),
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(cause) => log::error!("internal error: {cause}"),
            AppError::Unavailable(cause) => log::warn!("unavailable: {cause}"),
            _ => {}
        }
    }

    /// For a 503: tell the server's database gate (it answers the next requests at once
    /// until the database is back) and ask the client to come back.
    fn unavailable(&self, req: &Request<'_>, resp: &mut Response<'_>) {
        if let AppError::Unavailable(_) = self {
            if let Some(app) = req.rocket().state::<crate::state::App>() {
                app.db_gate.trip(&app.db, &app.config);
            }
            resp.set_raw_header("Retry-After", RETRY_AFTER_SECS.to_string());
        }
    }
}

/// The JSON API's rendering of an error: `{error, message, fields: [{field, message}]}`.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}
impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        ApiError(e.into())
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        self.0.log();
        let locale = crate::routes::locale_of(req);
        let fields: Vec<serde_json::Value> = match &self.0 {
            AppError::Invalid(f) => f
                .localized(locale)
                .into_iter()
                .map(|(field, message)| serde_json::json!({"field": field, "message": message}))
                .collect(),
            _ => vec![],
        };
        let body = serde_json::json!({
            "error": self.0.code(),
            "message": self.0.message(locale),
            "fields": fields,
        })
        .to_string();
        let mut resp = Response::build()
            .status(self.0.status())
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body))
            .finalize();
        self.0.unavailable(req, &mut resp);
        Ok(resp)
    }
}

/// The HTML pages' rendering of an error: the error page, or the login page for 401.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}
impl From<DbErr> for PageError {
    fn from(e: DbErr) -> Self {
        PageError(e.into())
    }
}

impl<'r> Responder<'r, 'static> for PageError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        self.0.log();
        if let AppError::Unauthorized = self.0 {
            let next = req.uri().path().to_string();
            let to =
                format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return rocket::response::Redirect::to(to).respond_to(req);
        }
        let locale = crate::routes::locale_of(req);
        let status = self.0.status();
        let fields = match &self.0 {
            AppError::Invalid(f) => f.localized(locale),
            _ => vec![],
        };
        let page = crate::routes::pages::render_error(req, locale, status, self.0.message(locale), fields);
        let mut resp = page.respond_to(req)?;
        resp.set_status(status);
        self.0.unavailable(req, &mut resp);
        Ok(resp)
    }
}
