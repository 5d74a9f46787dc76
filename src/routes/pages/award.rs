//! Pages after the panel's report: the award (or a failed call), challenges to it,
//! amendments to a published call, the expert pool, and an expert's own panels.
use super::evaluation::{after, panel_context};
use super::shared::TextForm;
use super::{Page, PageResponse, done};
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Member, Ngo, Officer};
use crate::domain::procurement::amendments::{self, AmendInput};
use crate::domain::procurement::{award, calls, panel};
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::state::App;
use entity::enums::ServiceCategory;
use rocket::form::FromForm;
use rocket::{State, get, post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![award_call, fail_call, challenge, answer_challenge, amend, experts, set_expert, my_panels]
}

#[derive(FromForm)]
struct AwardForm {
    #[field(default = String::new())]
    csrf: String,
    /// The bid's public reference.
    #[field(default = String::new())]
    bid: String,
    #[field(default = String::new())]
    deviation_reason: String,
}

crate::csrf_field!(AwardForm);

#[post("/calls/<id>/award", data = "<form>")]
async fn award_call(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<AwardForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let r = match crate::domain::procurement::opening::bid_id_of(&app.db, id, &form.bid).await {
        Ok(bid) => {
            award::award(
                &app.db,
                &app.emails,
                &app.config.public_origin,
                &o.0,
                app.clock.now(),
                &app.config.procurement,
                id,
                bid,
                &form.deviation_reason,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => {
            app.checkpoint().await;
            Ok(done(format!("/calls/{id}#award"), "flash.awarded"))
        }
        Err(e) => {
            let mut ctx = panel_context(app, &o.0, id).await?;
            ctx["values"] = json!({"bid": form.bid, "deviation_reason": form.deviation_reason});
            page.refused("calls/panel", ctx, e)
        }
    }
}

#[post("/calls/<id>/fail", data = "<form>")]
async fn fail_call(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let r = award::fail(&app.db, &o.0, app.clock.now(), id, &form.text).await;
    match r {
        Ok(()) => Ok(done(format!("/calls/{id}"), "flash.call_failed")),
        Err(e) => after(&page, app, &o.0, id, Err(e), "", json!({"fail_note": form.text})).await,
    }
}

#[post("/calls/<id>/challenges", data = "<form>")]
async fn challenge(
    page: Page,
    me: Ngo,
    id: i32,
    form: Posted<TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    calls::visible(&app.db, Some(&me.0), id).await?;
    match award::file_challenge(&app.db, &me.0, app.clock.now(), id, &form.text).await {
        Ok(_) => Ok(done(format!("/calls/{id}#challenges"), "flash.challenge_filed")),
        Err(e) => {
            let mut ctx = super::calls::call_context(app, &page, id).await?;
            ctx["values"] = json!({"challenge": form.text});
            page.refused("calls/show", ctx, e)
        }
    }
}

#[post("/calls/<id>/challenges/<cid>/answer", data = "<form>")]
async fn answer_challenge(
    page: Page,
    o: Officer,
    id: i32,
    cid: i32,
    form: Posted<TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let r = award::answer_challenge(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        id,
        cid,
        &form.text,
    )
    .await;
    match r {
        Ok(()) => Ok(done(format!("/calls/{id}#challenges"), "flash.challenge_answered")),
        Err(e) => page.refused("calls/show", super::calls::call_context(app, &page, id).await?, e),
    }
}

#[derive(FromForm)]
struct AmendForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    target_groups: String,
    #[field(default = String::new())]
    outputs_expected: String,
    #[field(default = String::new())]
    budget: String,
    #[field(default = String::new())]
    bid_deadline: String,
    #[field(default = String::new())]
    note: String,
}

crate::csrf_field!(AmendForm);

#[post("/calls/<id>/amend", data = "<form>")]
async fn amend(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<AmendForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = AmendInput {
        target_groups: form.target_groups.clone(),
        outputs_expected: form.outputs_expected.clone(),
        budget: form.budget.clone(),
        bid_deadline: form.bid_deadline.clone(),
        note: form.note.clone(),
    };
    let r = amendments::amend(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        &app.config.procurement,
        id,
        &input,
    )
    .await;
    match r {
        Ok(a) => Ok(done(
            format!("/calls/{id}#amendments"),
            if a.extended { "flash.call_amended_extended" } else { "flash.call_amended" },
        )),
        Err(e) => {
            let mut ctx = super::calls::call_context(app, &page, id).await?;
            ctx["values"] = json!({"amend": input});
            page.refused("calls/show", ctx, e)
        }
    }
}

#[get("/experts")]
async fn experts(page: Page, _o: Officer, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render(
        "calls/experts",
        json!({"experts": panel::pool(&app.db).await?, "categories": super::codes(ServiceCategory::ALL, ServiceCategory::code)}),
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
