//! Open contracting data, for anyone: a published call's releases as an OCDS release
//! package, its record with the compiled release, and every release of a date range or a
//! year as one package, streamed.
use crate::domain::open_data::{self, Publisher};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::routes::errors::ApiError;
use crate::state::App;
use rocket::http::ContentType;
use rocket::response::stream::ByteStream;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde_json::Value;

pub fn api() -> Vec<rocket::Route> {
    rocket::routes![releases, record, bulk, yearly]
}

fn publisher(app: &App) -> Publisher<'_> {
    Publisher {
        rules: &app.config.open_data,
        origin: &app.config.public_origin,
        buyer_name: &app.config.contracts.purchaser_name,
    }
}

#[get("/open-data/calls/<id>/releases.json")]
async fn releases(id: i32, app: &State<App>) -> Result<Json<Value>, ApiError> {
    Ok(Json(open_data::release_package(&app.reads, &publisher(app), id, app.clock.now()).await?))
}

#[get("/open-data/calls/<id>/record.json")]
async fn record(id: i32, app: &State<App>) -> Result<Json<Value>, ApiError> {
    Ok(Json(open_data::record_package(&app.reads, &publisher(app), id, app.clock.now()).await?))
}

/// The first moment (UTC) of a Beijing day.
fn day_start(d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::FixedOffset::east_opt(8 * 3600)
        .and_then(|tz| tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN)).single())
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// The range a bulk download asks for, checked: both dates, the first before the second,
/// no longer than the publisher allows.
fn range(app: &App, from: &str, to: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate), AppError> {
    let parse = |field: &'static str, s: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| crate::domain::fields::field_error(field, Msg::new("open_data.bad_date")))
    };
    let (from, to) = (parse("from", from)?, parse("to", to)?);
    let max = app.config.open_data.max_span_days;
    if to <= from {
        return Err(crate::domain::fields::field_error("to", Msg::new("open_data.range_backwards")));
    }
    if (to - from).num_days() > max {
        return Err(crate::domain::fields::field_error("to", Msg::new("open_data.range_too_long").arg("days", max)));
    }
    Ok((from, to))
}

type Releases<'a> =
    (ContentType, ByteStream<std::pin::Pin<Box<dyn rocket::futures::Stream<Item = Vec<u8>> + Send + 'a>>>);

/// Every release dated in [from, to) as one release package, written as it is read: a page
/// of calls at a time, so memory stays flat however long the range.
fn stream(app: &App, path: String, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Releases<'_> {
    let (start, end) = (day_start(from), day_start(to));
    let head = open_data::package_head(&publisher(app), &path, app.clock.now());
    let body = ByteStream::from(Box::pin(rocket::async_stream::stream! {
        yield head.into_bytes();
        let mut first = true;
        let mut after = 0;
        loop {
            let page = match open_data::calls_page(&app.reads, end, after, 100).await {
                Ok(page) => page,
                // Left unclosed: a reader sees broken JSON, never a package that looks whole.
                Err(e) => { log::error!("open data bulk: {e}"); return; }
            };
            if page.is_empty() { break; }
            for c in &page {
                after = c.id;
                let releases = match open_data::releases_in(&app.reads, &publisher(app), c, (start, end)).await {
                    Ok(r) => r,
                    Err(e) => { log::error!("open data bulk, call {}: {e}", c.id); return; }
                };
                for r in releases {
                    let mut chunk = if first { Vec::new() } else { b",".to_vec() };
                    first = false;
                    chunk.extend(r.to_string().into_bytes());
                    yield chunk;
                }
            }
        }
        yield b"]}".to_vec();
    }) as std::pin::Pin<Box<dyn rocket::futures::Stream<Item = Vec<u8>> + Send + '_>>);
    (ContentType::JSON, body)
}

#[get("/open-data/releases.json?<from>&<to>")]
fn bulk<'a>(from: &str, to: &str, app: &'a State<App>) -> Result<Releases<'a>, ApiError> {
    let (f, t) = range(app, from, to)?;
    Ok(stream(app, format!("/api/v1/open-data/releases.json?from={f}&to={t}"), f, t))
}

/// A year's releases, to download whole.
#[get("/open-data/<year>/releases.json")]
fn yearly(year: i32, app: &State<App>) -> Result<Releases<'_>, ApiError> {
    let first = |y: i32| chrono::NaiveDate::from_ymd_opt(y, 1, 1);
    let (Some(f), Some(t)) = (first(year), first(year + 1)) else { return Err(AppError::NotFound.into()) };
    if !(2000..=2200).contains(&year) {
        return Err(AppError::NotFound.into());
    }
    Ok(stream(app, format!("/api/v1/open-data/{year}/releases.json"), f, t))
}
