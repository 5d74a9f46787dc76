//! How a rule's error becomes a response: its HTTP status, the JSON API's error body, and
//! the HTML error page (or the login page for 401).
use crate::error::{AppError, RETRY_AFTER_SECS};
use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use sea_orm::DbErr;
use std::io::Cursor;

/// The HTTP status that answers an error.
pub fn status_of(e: &AppError) -> Status {
    match e {
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

/// For a 503: tell the server's database gate (it answers the next requests at once
/// until the database is back) and ask the client to come back.
fn unavailable(e: &AppError, req: &Request<'_>, resp: &mut Response<'_>) {
    if let AppError::Unavailable(_) = e {
        if let Some(app) = req.rocket().state::<crate::state::App>() {
            app.db_gate.trip(&app.db, &app.config);
        }
        resp.set_raw_header("Retry-After", RETRY_AFTER_SECS.to_string());
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
            .status(status_of(&self.0))
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body))
            .finalize();
        unavailable(&self.0, req, &mut resp);
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
        let status = status_of(&self.0);
        let fields = match &self.0 {
            AppError::Invalid(f) => f.localized(locale),
            _ => vec![],
        };
        let page = crate::routes::page::render_error(req, locale, status, self.0.message(locale), fields);
        let mut resp = page.respond_to(req)?;
        resp.set_status(status);
        unavailable(&self.0, req, &mut resp);
        Ok(resp)
    }
}
