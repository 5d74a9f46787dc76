//! What the JSON API under /api/v1 shares: its result type and the body parser. Handlers
//! live with their area (routes/<area>/api.rs) and make the same domain calls as the pages.
//! Writes need a bearer token, or the session cookie with our Origin; bodies must be JSON.
use crate::error::AppError;
use crate::routes::errors::ApiError;
use rocket::serde::json::Json;
use serde_json::Value;

pub(crate) type ApiResult = Result<Json<Value>, ApiError>;

/// A body that is not valid JSON for the type is a 422 with the reason, not a 500.
pub(crate) fn body<T>(b: Result<Json<T>, rocket::serde::json::Error<'_>>) -> Result<T, ApiError> {
    b.map(|j| j.into_inner()).map_err(|e| {
        let mut fe = crate::error::FieldErrors::default();
        fe.add("body", crate::i18n::Msg::new("error.bad_json").arg("detail", e.to_string()));
        ApiError(AppError::Invalid(fe))
    })
}
