//! Performance evaluations in the JSON API: indicator templates, scheduling, the steps of an
//! evaluation and its view, through the same domain calls as the pages.
use crate::auth::{ApiMember, ApiOfficer};
use crate::domain::evaluations::assessment::{self, FindingsInput, SurveyInput};
use crate::domain::evaluations::conduct::{self, ScoreLine, SelfInput};
use crate::domain::evaluations::schedule::{self, ScheduleInput};
use crate::domain::evaluations::templates::{self, TemplateInput};
use crate::domain::evaluations::{access, listing, release, view};
use crate::routes::api::body;
use crate::routes::errors::ApiError;
use crate::state::App;
use entity::enums::ConflictKind;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        templates_list,
        template_show,
        template_create,
        template_update,
        schedule_evaluation,
        list,
        show,
        submit_self,
        declare,
        scores,
        survey,
        findings,
        link_output,
        release_result
    ]
}

type ApiResult = Result<Json<Value>, ApiError>;
type JsonIn<'a, T> = Result<Json<T>, rocket::serde::json::Error<'a>>;

#[get("/indicator-templates")]
async fn templates_list(_o: ApiOfficer, app: &State<App>) -> ApiResult {
    Ok(Json(json!({"templates": templates::list(&app.db).await?})))
}

#[get("/indicator-templates/<id>")]
async fn template_show(_o: ApiOfficer, id: i32, app: &State<App>) -> ApiResult {
    Ok(Json(json!(templates::get(&app.db, id).await?)))
}

#[post("/indicator-templates", data = "<input>")]
async fn template_create(
    o: ApiOfficer,
    input: JsonIn<'_, TemplateInput>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let t = templates::save(&app.db, &o.0, app.clock.now(), None, &i).await?;
    Ok((Status::Created, Json(json!({"id": t.id}))))
}

#[put("/indicator-templates/<id>", data = "<input>")]
async fn template_update(o: ApiOfficer, id: i32, input: JsonIn<'_, TemplateInput>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    templates::save(&app.db, &o.0, app.clock.now(), Some(id), &i).await?;
    Ok(Json(json!({"ok": true})))
}

#[post("/contracts/<id>/evaluations", data = "<input>")]
async fn schedule_evaluation(
    o: ApiOfficer,
    id: i32,
    input: JsonIn<'_, ScheduleInput>,
    app: &State<App>,
) -> Result<(Status, Json<Value>), ApiError> {
    let i = body(input)?;
    let (origin, today) = (&app.config.public_origin, app.clock.today_local());
    let ev = schedule::schedule(&app.db, &app.emails, origin, &o.0, app.clock.now(), today, id, &i).await?;
    Ok((Status::Created, Json(json!({"id": ev.id}))))
}

#[get("/evaluations")]
async fn list(m: ApiMember, app: &State<App>) -> ApiResult {
    Ok(Json(json!({"evaluations": listing::for_user(&app.db, &m.0).await?})))
}

#[get("/evaluations/<id>")]
async fn show(m: ApiMember, id: i32, app: &State<App>) -> ApiResult {
    let (ev, k, viewer) = access::load(&app.db, &m.0, id).await?;
    let v = view::build_for(&app.db, &ev, &k, viewer, Some(m.0.id), &app.config.evaluations).await?;
    let blockers: Vec<String> = v.blockers.iter().map(|b| crate::i18n::Locale::ZhCn.msg(b)).collect();
    let mut out = json!(v);
    out["blockers"] = json!(blockers);
    Ok(Json(out))
}

#[post("/evaluations/<id>/self", data = "<input>")]
async fn submit_self(m: ApiMember, id: i32, input: JsonIn<'_, SelfInput>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    conduct::submit_self(&app.db, &app.emails, &app.config.public_origin, &m.0, app.clock.now(), id, &i).await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct DeclareBody {
    conflict: ConflictKind,
    #[serde(default)]
    note: String,
}

#[post("/evaluations/<id>/declare", data = "<input>")]
async fn declare(m: ApiMember, id: i32, input: JsonIn<'_, DeclareBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    let status = conduct::declare(&app.db, &m.0, app.clock.now(), id, i.conflict, &i.note).await?;
    Ok(Json(json!({"status": status})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScoresBody {
    scores: Vec<ScoreLine>,
}

#[post("/evaluations/<id>/scores", data = "<input>")]
async fn scores(m: ApiMember, id: i32, input: JsonIn<'_, ScoresBody>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    conduct::score(&app.db, &m.0, app.clock.now(), id, &i.scores).await?;
    Ok(Json(json!({"ok": true})))
}

#[post("/evaluations/<id>/survey", data = "<input>")]
async fn survey(o: ApiOfficer, id: i32, input: JsonIn<'_, SurveyInput>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    assessment::survey(&app.db, &o.0, app.clock.now(), id, &i).await?;
    Ok(Json(json!({"ok": true})))
}

#[post("/evaluations/<id>/findings", data = "<input>")]
async fn findings(o: ApiOfficer, id: i32, input: JsonIn<'_, FindingsInput>, app: &State<App>) -> ApiResult {
    let i = body(input)?;
    assessment::findings(&app.db, &o.0, app.clock.now(), id, &i).await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OutputLinkBody {
    output_id: Option<i32>,
}

#[post("/evaluations/<id>/indicators/<iid>/output", data = "<input>")]
async fn link_output(
    o: ApiOfficer,
    id: i32,
    iid: i32,
    input: JsonIn<'_, OutputLinkBody>,
    app: &State<App>,
) -> ApiResult {
    let i = body(input)?;
    assessment::link_output(&app.db, &o.0, app.clock.now(), id, iid, i.output_id).await?;
    Ok(Json(json!({"ok": true})))
}

#[post("/evaluations/<id>/release")]
async fn release_result(o: ApiOfficer, id: i32, app: &State<App>) -> ApiResult {
    let (origin, rules) = (&app.config.public_origin, &app.config.evaluations);
    let v = release::release(&app.db, &app.emails, &app.documents, origin, &o.0, app.clock.now(), rules, id).await?;
    Ok(Json(json!({"total": v.total, "grade": v.grade, "report_document_id": v.report_document_id})))
}
