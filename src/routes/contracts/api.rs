//! Contracts in the JSON API: the list, a contract with its milestones, payments and
//! documents (digests, not bytes), and the steps of its life, through the same domain calls
//! as the pages.
use crate::auth::{ApiMember, ApiOfficer};
use crate::domain::contracts::amendments::{self, AmendmentInput};
use crate::domain::contracts::milestones::{self, MilestoneInput};
use crate::domain::contracts::payments::{self, PaymentInput};
use crate::domain::contracts::reports::{self, ReportInput};
use crate::domain::contracts::terms::{self, TermsInput};
use crate::domain::contracts::{access, documents, listing, signing, view};
use crate::i18n::Locale;
use crate::routes::api::body;
use crate::routes::errors::ApiError;
use crate::state::App;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, save_terms, add_milestone, approve, send, accept, report, decide, pay, amend, verify]
}

type ApiResult = Result<Json<Value>, ApiError>;
type JsonIn<'a, T> = Result<Json<T>, rocket::serde::json::Error<'a>>;

#[get("/contracts?<waiting>")]
async fn list(m: ApiMember, waiting: Option<bool>, app: &State<App>) -> ApiResult {
    let rows = listing::list(&app.reads, &m.0, app.clock.today_local(), waiting.unwrap_or(false)).await?;
    Ok(Json(json!({"contracts": rows})))
}

#[get("/contracts/<id>")]
async fn show(m: ApiMember, id: i32, app: &State<App>) -> ApiResult {
    let (k, viewer) = access::load(&app.db, &m.0, id).await?;
    let v = view::build(&app.db, &k, viewer, &app.config.contracts, app.clock.today_local()).await?;
    Ok(Json(json!(v)))
}

#[put("/contracts/<id>/terms", data = "<input>")]
async fn save_terms(o: ApiOfficer, id: i32, input: JsonIn<'_, TermsInput>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    let c = &app.config;
    terms::save(&app.db, &o.0, app.clock.now(), &c.procurement, c.contracts.max_bond_percent, id, &i).await?;
    Ok(Json(json!({"ok": true})))
}

#[post("/contracts/<id>/milestones", data = "<input>")]
async fn add_milestone(
    o: ApiOfficer,
    id: i32,
    input: JsonIn<'_, MilestoneInput>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let m = milestones::add(&app.db, &o.0, app.clock.now(), id, &i).await?;
    Ok((Status::Created, Json(json!({"id": m.id}))))
}

#[post("/contracts/<id>/approve")]
async fn approve(o: ApiOfficer, id: i32, app: &State<App>) -> ApiResult {
    let c = &app.config;
    let number =
        signing::approve(&app.db, &app.documents, &o.0, app.clock.now(), &c.contracts, &c.procurement, id).await?;
    Ok(Json(json!({"number": number})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LanguageBody {
    language: String,
}

#[post("/contracts/<id>/send", data = "<input>")]
async fn send(o: ApiOfficer, id: i32, input: JsonIn<'_, LanguageBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    let language = Locale::from_tag(&i.language).unwrap_or(Locale::ZhCn);
    let origin = &app.config.public_origin;
    let doc = signing::send(
        &app.db,
        &app.documents,
        &app.emails,
        origin,
        &o.0,
        app.clock.now(),
        &app.config.contracts,
        id,
        language,
    )
    .await?;
    let d = documents::fetch(&app.db, &o.0, id, doc).await?;
    Ok(Json(json!({"document": d.id, "sha256": d.sha256, "size_bytes": d.size_bytes})))
}

#[post("/contracts/<id>/accept")]
async fn accept(m: ApiMember, id: i32, app: &State<App>) -> ApiResult {
    signing::accept(&app.db, &m.0, app.clock.now(), id).await?;
    Ok(Json(json!({"ok": true})))
}

/// A report without evidence files (files go through the page's upload form).
#[post("/contracts/<_id>/milestones/<mid>/report", data = "<input>")]
async fn report(
    m: ApiMember,
    _id: i32,
    mid: i32,
    input: JsonIn<'_, ReportInput>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let r = reports::submit(&app.db, &m.0, app.clock.now(), mid, &i, &[]).await?;
    Ok((Status::Created, Json(json!({"id": r.id, "version": r.version}))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecisionBody {
    accept: bool,
    comment: String,
}

#[post("/contracts/<_id>/milestones/<mid>/decision", data = "<input>")]
async fn decide(o: ApiOfficer, _id: i32, mid: i32, input: JsonIn<'_, DecisionBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    let origin = &app.config.public_origin;
    reports::decide(&app.db, &app.emails, origin, &o.0, app.clock.now(), mid, i.accept, &i.comment).await?;
    Ok(Json(json!({"ok": true})))
}

#[post("/contracts/<id>/payments", data = "<input>")]
async fn pay(
    o: ApiOfficer,
    id: i32,
    input: JsonIn<'_, PaymentInput>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let origin = &app.config.public_origin;
    let p = payments::record(&app.db, &app.emails, origin, &o.0, app.clock.now(), id, &i).await?;
    Ok((Status::Created, Json(json!({"id": p.id, "amount_fen": p.amount_fen}))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AmendBody {
    #[serde(flatten)]
    amendment: AmendmentInput,
    language: String,
}

#[post("/contracts/<id>/amendments", data = "<input>")]
async fn amend(
    o: ApiOfficer,
    id: i32,
    input: JsonIn<'_, AmendBody>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let language = Locale::from_tag(&i.language).unwrap_or(Locale::ZhCn);
    let c = &app.config;
    let seq = amendments::amend(
        &app.db,
        &app.documents,
        &app.emails,
        &c.public_origin,
        &o.0,
        app.clock.now(),
        &c.contracts,
        &c.procurement,
        id,
        &i.amendment,
        language,
    )
    .await?;
    Ok((Status::Created, Json(json!({"seq": seq}))))
}

/// Anyone may check a digest.
#[get("/documents/<sha256>")]
async fn verify(sha256: &str, app: &State<App>) -> ApiResult {
    match documents::verify(&app.reads, sha256).await? {
        Some(v) => Ok(Json(json!(v))),
        None => Err(crate::error::AppError::NotFound.into()),
    }
}
