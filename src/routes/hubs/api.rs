//! Incubation hubs in the JSON API: the public hub list and page; applying; the hub's
//! decisions, services and assessments; the dashboard. Same domain calls as the pages.
use crate::auth::{ApiMember, ApiVisitor};
use crate::domain::hubs::applications::{self, ApplyInput, DecisionInput};
use crate::domain::hubs::memberships::{self, AssessmentInput, ServiceInput};
use crate::domain::hubs::view::HubView;
use crate::domain::hubs::{self, dashboard, rounds};
use crate::routes::api::body;
use crate::routes::errors::ApiError;
use crate::state::App;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, apply, application, decide, member, add_service, assess, dashboard_json]
}

type ApiResult = Result<Json<Value>, ApiError>;
type Created = Result<(Status, Json<Value>), ApiError>;
type JsonIn<'a, T> = Result<Json<T>, rocket::serde::json::Error<'a>>;

#[get("/hubs")]
async fn list(app: &State<App>) -> ApiResult {
    let items = HubView::all(&app.db, &app.places).await?;
    Ok(Json(json!({ "items": items })))
}

/// The hub with its rounds and checklist; its staff also get the members.
#[get("/hubs/<id>")]
async fn show(v: ApiVisitor, id: i32, app: &State<App>) -> ApiResult {
    let h = hubs::get(&app.db, id).await?;
    let staff = hubs::is_staff(&app.db, v.0.as_ref(), id).await?;
    let mut out = json!(HubView::of(&app.places, &h));
    out["rounds"] = json!(rounds::of_hub(&app.db, id).await?);
    out["checklist"] = json!(hubs::checklist(&app.db, id).await?);
    if staff {
        let (members, past_total) = memberships::of_hub(&app.reads, id, None).await?;
        out["members"] = json!(members);
        out["past_members_total"] = json!(past_total);
    }
    Ok(Json(out))
}

#[post("/hubs/<id>/rounds/<rid>/applications", data = "<input>")]
async fn apply(m: ApiMember, id: i32, rid: i32, input: JsonIn<'_, ApplyInput>, app: &State<App>) -> Created {
    let input = body(input)?;
    let a = applications::apply(&app.db, &m.0, app.clock.now(), app.clock.today_local(), id, rid, &input).await?;
    Ok((Status::Created, Json(json!(a))))
}

#[get("/hubs/<id>/applications/<aid>")]
async fn application(m: ApiMember, id: i32, aid: i32, app: &State<App>) -> ApiResult {
    let (row, _) = applications::visible(&app.db, &m.0, id, aid).await?;
    let answers = applications::answers_of(&row.application);
    let mut v = json!(row);
    v["answers"] = json!(answers);
    Ok(Json(v))
}

#[post("/hubs/<id>/applications/<aid>/decision", data = "<input>")]
async fn decide(m: ApiMember, id: i32, aid: i32, input: JsonIn<'_, DecisionInput>, app: &State<App>) -> ApiResult {
    let input = body(input)?;
    let a =
        applications::decide(&app.db, &app.emails, &app.config.public_origin, &m.0, app.clock.now(), id, aid, &input)
            .await?;
    Ok(Json(json!(a)))
}

#[get("/hubs/<id>/members/<mid>")]
async fn member(m: ApiMember, id: i32, mid: i32, app: &State<App>) -> ApiResult {
    let (row, _) = memberships::visible(&app.db, &m.0, id, mid).await?;
    let assessments = memberships::assessments(&app.db, mid).await?;
    let mut v = json!(row);
    v["services"] = json!(memberships::services(&app.db, mid).await?);
    v["assessments"] = json!(assessments);
    Ok(Json(v))
}

#[post("/hubs/<id>/members/<mid>/services", data = "<input>")]
async fn add_service(m: ApiMember, id: i32, mid: i32, input: JsonIn<'_, ServiceInput>, app: &State<App>) -> Created {
    let input = body(input)?;
    let s = memberships::add_service(&app.db, &m.0, app.clock.now(), app.clock.today_local(), id, mid, &input).await?;
    Ok((Status::Created, Json(json!(s))))
}

#[post("/hubs/<id>/members/<mid>/assessment", data = "<input>")]
async fn assess(m: ApiMember, id: i32, mid: i32, input: JsonIn<'_, AssessmentInput>, app: &State<App>) -> Created {
    let input = body(input)?;
    let mut a =
        json!(memberships::assess(&app.db, &m.0, app.clock.now(), app.clock.today_local(), id, mid, &input).await?);
    a["items"] = a["items"].as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(Value::Null);
    Ok((Status::Created, Json(a)))
}

#[get("/hubs/<id>/dashboard")]
async fn dashboard_json(m: ApiMember, id: i32, app: &State<App>) -> ApiResult {
    hubs::require_staff(&app.db, &m.0, id).await?;
    let h = hubs::get(&app.db, id).await?;
    Ok(Json(json!(dashboard::build(&app.reads, &h, app.clock.today_local()).await?)))
}
