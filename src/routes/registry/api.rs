//! The registry in the JSON API: organizations and their records.
use crate::auth::{ApiOfficer, ApiVisitor};
use crate::domain::access::Viewer;
use crate::domain::audit::Actor;
use crate::domain::organization_view;
use crate::domain::organizations::{self, OrganizationInput};
use crate::domain::records;
use crate::error::AppError;
use crate::routes::errors::ApiError;
use crate::routes::registry::pages::FilterForm;
use crate::state::App;
use entity::enums::OrgStatus;
use rocket::serde::json::Json;
use rocket::{State, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::routes::api::{ApiResult, body};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        show,
        create,
        update,
        change_status,
        add_annual_report,
        add_grade,
        add_list_entry,
        add_penalty
    ]
}

#[get("/organizations?<f..>")]
async fn list(v: ApiVisitor, f: FilterForm, app: &State<App>) -> ApiResult {
    let filter = f.to_filter();
    let page =
        organizations::list(&app.reads, &filter, Viewer::of_anyone(v.0.as_ref()), app.clock.today_local(), &app.places)
            .await?;
    Ok(Json(
        json!({"items": page.rows, "total": page.total, "total_capped": page.capped, "page": page.page, "pages": page.pages, "per_page": organizations::PER_PAGE}),
    ))
}

#[get("/organizations/<id>")]
async fn show(v: ApiVisitor, id: i32, app: &State<App>) -> ApiResult {
    let view = organization_view::organization(&app.db, &app.places, v.0.as_ref(), id, app.clock.today_local()).await?;
    Ok(Json(json!(view)))
}

#[post("/organizations", data = "<input>")]
async fn create(
    o: ApiOfficer,
    input: Result<Json<OrganizationInput>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
) -> Result<(rocket::http::Status, Json<Value>), ApiError> {
    let input = body(input)?;
    let org =
        organizations::create(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), &input).await?;
    let view =
        organization_view::organization(&app.db, &app.places, Some(&o.0), org.id, app.clock.today_local()).await?;
    Ok((rocket::http::Status::Created, Json(json!(view))))
}

#[put("/organizations/<id>", data = "<input>")]
async fn update(
    o: ApiOfficer,
    id: i32,
    input: Result<Json<OrganizationInput>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
) -> ApiResult {
    let input = body(input)?;
    organizations::update(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input).await?;
    let view = organization_view::organization(&app.db, &app.places, Some(&o.0), id, app.clock.today_local()).await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
struct StatusBody {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

#[post("/organizations/<id>/status", data = "<input>")]
async fn change_status(
    o: ApiOfficer,
    id: i32,
    input: Result<Json<StatusBody>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
) -> ApiResult {
    let input = body(input)?;
    let Some(to) = OrgStatus::from_code(&input.to) else {
        let mut fe = crate::error::FieldErrors::default();
        fe.add("to", crate::i18n::Msg::new("field.choose"));
        return Err(ApiError(AppError::Invalid(fe)));
    };
    let org = organizations::change_status(&app.db, &Actor::user(&o.0), app.clock.now(), id, to, &input.reason).await?;
    Ok(Json(json!({"id": org.id, "status": org.status})))
}

macro_rules! record_route {
    ($fn_name:ident, $path:literal, $input:ty, $domain:path) => {
        #[post($path, data = "<input>")]
        async fn $fn_name(
            o: ApiOfficer,
            id: i32,
            input: Result<Json<$input>, rocket::serde::json::Error<'_>>,
            app: &State<App>,
        ) -> Result<(rocket::http::Status, Json<Value>), ApiError> {
            let input = body(input)?;
            let row =
                $domain(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input).await?;
            Ok((rocket::http::Status::Created, Json(json!(row))))
        }
    };
}

record_route!(
    add_annual_report,
    "/organizations/<id>/annual-reports",
    records::AnnualReportInput,
    records::add_annual_report
);
record_route!(add_grade, "/organizations/<id>/grades", records::GradeInput, records::add_grade);
record_route!(add_list_entry, "/organizations/<id>/list-entries", records::ListEntryInput, records::add_list_entry);
record_route!(add_penalty, "/organizations/<id>/penalties", records::PenaltyInput, records::add_penalty);
