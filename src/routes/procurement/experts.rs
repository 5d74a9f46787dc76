//! The expert pool the bureau keeps, and an expert's own panels.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Member, Officer};
use crate::domain::procurement::panel;
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::state::App;
use entity::enums::ServiceCategory;
use rocket::form::FromForm;
use rocket::{State, get, post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![experts, set_expert, my_panels]
}

#[get("/experts")]
async fn experts(page: Page, _o: Officer, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render(
        "calls/experts",
        json!({"experts": panel::pool(&app.db).await?, "categories": crate::routes::page::codes(ServiceCategory::ALL, ServiceCategory::code)}),
    ))
}

#[derive(FromForm)]
struct ExpertForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = Vec::new())]
    specialties: Vec<String>,
    #[field(default = String::new())]
    affiliation: String,
    #[field(default = String::new())]
    available: String,
}

crate::csrf_field!(ExpertForm);

#[post("/experts/<uid>", data = "<form>")]
async fn set_expert(
    o: Officer,
    uid: i32,
    form: Posted<ExpertForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let specialties: Vec<ServiceCategory> =
        form.specialties.iter().filter_map(|s| ServiceCategory::from_code(s)).collect();
    let available = crate::domain::fields::truthy(&form.available);
    panel::set_profile(&app.db, &o.0, app.clock.now(), uid, &specialties, &form.affiliation, available).await?;
    Ok(done("/experts".into(), "flash.expert_saved"))
}

/// The panels the viewer sits on, newest first.
#[get("/panels")]
async fn my_panels(page: Page, me: Member, app: &State<App>) -> Result<Template, PageError> {
    let seats = entity::panel_member::Entity::find()
        .filter(entity::panel_member::Column::UserId.eq(me.0.id))
        .all(&app.db)
        .await
        .map_err(AppError::from)?;
    let calls = entity::call::Entity::find()
        .filter(entity::call::Column::Id.is_in(seats.iter().map(|s| s.call_id).collect::<Vec<_>>()))
        .all(&app.db)
        .await
        .map_err(AppError::from)?;
    let rows: Vec<Value> = seats
        .iter()
        .rev()
        .filter_map(|s| {
            let c = calls.iter().find(|c| c.id == s.call_id)?;
            Some(json!({"call": c, "seat": s}))
        })
        .collect();
    Ok(page.render("calls/panels", json!({"rows": rows})))
}
