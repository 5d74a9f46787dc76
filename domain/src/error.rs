//! One error type for the rules. Users see a clear message in their language; logs get the
//! cause. How an error becomes a response (a status, a page, JSON) is the web layer's:
//! `routes::errors`.
use crate::i18n::{Locale, Msg};
use entity::enums::IllegalTransition;
use sea_orm::DbErr;

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

    /// Logs what a user is not shown: the cause of an internal error, why the database
    /// was unavailable.
    pub fn log(&self) {
        match self {
            AppError::Internal(cause) => log::error!("internal error: {cause}"),
            AppError::Unavailable(cause) => log::warn!("unavailable: {cause}"),
            _ => {}
        }
    }
}
