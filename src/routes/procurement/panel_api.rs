//! The evaluation of a call in the JSON API: panel, declarations, scores, rulings, award,
//! challenges and amendments, through the same domain calls as the pages.
use crate::auth::{ApiMember, ApiOfficer, ApiVisitor};
use crate::domain::procurement::amendments::{self, AmendInput};
use crate::domain::procurement::panel::{self, Declared};
use crate::domain::procurement::score_sheets::{self, ScoreInput};
use crate::domain::procurement::{award, calls};
use crate::routes::api::body;
use crate::routes::errors::ApiError;
use crate::state::App;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        panel_view,
        form_panel,
        replace,
        declare,
        scores,
        correct,
        explain,
        rule,
        award_call,
        award_view,
        fail_call,
        challenge,
        answer_challenge,
        amend
    ]
}

type ApiResult = Result<Json<Value>, ApiError>;
type JsonIn<'a, T> = Result<Json<T>, rocket::serde::json::Error<'a>>;

fn ok() -> ApiResult {
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TextBody {
    text: String,
}

/// The panel as the caller may see it: scores only once the caller may read them.
#[get("/calls/<id>/panel")]
async fn panel_view(m: ApiMember, id: i32, app: &State<App>) -> ApiResult {
    Ok(Json(crate::routes::procurement::panel::panel_context(app, &m.0, id).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PanelBody {
    size: i32,
    purchaser_reps: Vec<i32>,
}

#[post("/calls/<id>/panel", data = "<input>")]
async fn form_panel(
    o: ApiOfficer,
    id: i32,
    input: JsonIn<'_, PanelBody>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let members = panel::form(
        &app.db,
        (&app.emails, &app.config.public_origin),
        &o.0,
        app.clock.now(),
        &app.config.procurement,
        id,
        i.size,
        &i.purchaser_reps,
    )
    .await?;
    Ok((Status::Created, Json(json!({"members": members}))))
}

#[post("/calls/<id>/panel/replace")]
async fn replace(o: ApiOfficer, id: i32, app: &State<App>) -> ApiResult {
    let drawn =
        panel::replace_recused(&app.db, (&app.emails, &app.config.public_origin), &o.0, app.clock.now(), id).await?;
    Ok(Json(json!({"drawn": drawn})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeclareBody {
    lines: Vec<Declared>,
}

#[post("/calls/<id>/panel/declaration", data = "<input>")]
async fn declare(m: ApiMember, id: i32, input: JsonIn<'_, DeclareBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    let status = panel::declare(&app.db, &m.0, app.clock.now(), id, &i.lines).await?;
    Ok(Json(json!({"status": status})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SheetBody {
    scores: Vec<ScoreInput>,
}

#[post("/calls/<id>/panel/scores", data = "<input>")]
async fn scores(m: ApiMember, id: i32, input: JsonIn<'_, SheetBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    score_sheets::submit_sheet(&app.db, &m.0, app.clock.now(), id, &i.scores).await?;
    ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CorrectBody {
    #[serde(flatten)]
    entry: ScoreInput,
    reason: String,
}

#[post("/calls/<id>/panel/corrections", data = "<input>")]
async fn correct(m: ApiMember, id: i32, input: JsonIn<'_, CorrectBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    score_sheets::correct(&app.db, &m.0, app.clock.now(), id, &i.entry, &i.reason).await?;
    ok()
}

#[post("/calls/<id>/low-price", data = "<input>")]
async fn explain(m: ApiMember, id: i32, input: JsonIn<'_, TextBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    score_sheets::explain_low_price(&app.db, &m.0, &app.config.procurement, app.clock.now(), id, &i.text).await?;
    ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleBody {
    /// The bid's public reference.
    bid: String,
    stands: bool,
    note: String,
}

#[post("/calls/<id>/panel/rulings", data = "<input>")]
async fn rule(o: ApiOfficer, id: i32, input: JsonIn<'_, RuleBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    let bid = crate::domain::procurement::opening::bid_id_of(&app.db, id, &i.bid).await?;
    score_sheets::rule_low_price(&app.db, &o.0, &app.config.procurement, app.clock.now(), id, bid, i.stands, &i.note)
        .await?;
    ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AwardBody {
    /// The bid's public reference.
    bid: String,
    deviation_reason: String,
}

#[post("/calls/<id>/award", data = "<input>")]
async fn award_call(
    o: ApiOfficer,
    id: i32,
    input: JsonIn<'_, AwardBody>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let bid = crate::domain::procurement::opening::bid_id_of(&app.db, id, &i.bid).await?;
    let a = award::award(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        &app.config.procurement,
        id,
        bid,
        &i.deviation_reason,
    )
    .await?;
    app.checkpoint().await;
    Ok((Status::Created, Json(json!(a))))
}

/// The published award: winner, amount, ranking totals, the panel list. Public.
#[get("/calls/<id>/award")]
async fn award_view(v: ApiVisitor, id: i32, app: &State<App>) -> ApiResult {
    let c = calls::visible(&app.db, v.0.as_ref(), id).await?;
    match award::published(&app.db, &app.config.procurement, &c).await? {
        Some(p) => Ok(Json(json!(p))),
        None => Err(ApiError(crate::error::AppError::NotFound)),
    }
}

#[post("/calls/<id>/fail", data = "<input>")]
async fn fail_call(o: ApiOfficer, id: i32, input: JsonIn<'_, TextBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    award::fail(&app.db, &o.0, app.clock.now(), id, &i.text).await?;
    ok()
}

#[post("/calls/<id>/challenges", data = "<input>")]
async fn challenge(
    m: ApiMember,
    id: i32,
    input: JsonIn<'_, TextBody>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    calls::visible(&app.db, Some(&m.0), id).await?;
    let ch = award::file_challenge(&app.db, &m.0, app.clock.now(), id, &i.text).await?;
    Ok((Status::Created, Json(json!({"id": ch.id, "filed_at": ch.filed_at}))))
}

#[post("/calls/<id>/challenges/<cid>/answer", data = "<input>")]
async fn answer_challenge(
    o: ApiOfficer,
    id: i32,
    cid: i32,
    input: JsonIn<'_, TextBody>,
    app: &State<App>,
) -> ApiResult {
    let i = body(input)?;
    award::answer_challenge(&app.db, &app.emails, &app.config.public_origin, &o.0, app.clock.now(), id, cid, &i.text)
        .await?;
    ok()
}

#[post("/calls/<id>/amend", data = "<input>")]
async fn amend(o: ApiOfficer, id: i32, input: JsonIn<'_, AmendInput>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    let a = amendments::amend(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        &app.config.procurement,
        id,
        &i,
    )
    .await?;
    Ok(Json(json!({"bid_deadline": a.call.bid_deadline, "extended": a.extended})))
}
