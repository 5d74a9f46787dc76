//! Pages after the panel's report: the award (or a failed call) and challenges to it.
use crate::auth::Posted;
use crate::auth::{Ngo, Officer};
use crate::domain::procurement::{award, calls};
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::procurement::panel::{after, panel_context};
use crate::routes::shared::TextForm;
use crate::state::App;
use rocket::form::FromForm;
use rocket::{State, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![award_call, fail_call, challenge, answer_challenge]
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
    #[field(default = String::new())]
    confirmed: String,
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
        Ok(bid) if !crate::routes::confirm::confirmed(&form.confirmed) => {
            return ask_award(&page, app, id, bid, &form).await;
        }
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

/// The award's confirmation: the call, the organization chosen (its bid is one of this
/// call's opened bids) and the reason given for not following the panel, if any.
async fn ask_award(page: &Page, app: &App, id: i32, bid: i32, form: &AwardForm) -> Result<PageResponse, PageError> {
    use sea_orm::EntityTrait;
    let c = calls::get(&app.db, id).await?;
    let b = entity::bid::Entity::find_by_id(bid).one(&app.db).await.map_err(crate::error::AppError::from)?;
    let provider = match b {
        Some(b) => crate::domain::organizations::get(&app.db, b.organization_id).await?.name,
        None => form.bid.clone(),
    };
    let l = page.locale;
    let mut facts = vec![(l.t("confirm.facts.call").into(), c.title), (l.t("award.provider").into(), provider)];
    if !form.deviation_reason.trim().is_empty() {
        facts.push((l.t("award.deviation_reason").into(), form.deviation_reason.clone()));
    }
    let ask = crate::routes::confirm::Ask {
        step: "award",
        action: format!("/calls/{id}/award"),
        back: format!("/calls/{id}/panel"),
        facts,
        fields: vec![("bid", form.bid.clone()), ("deviation_reason", form.deviation_reason.clone())],
        acknowledge: false,
    };
    Ok(crate::routes::confirm::ask(page, ask, false))
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
            let mut ctx = crate::routes::procurement::calls::call_context(app, &page, id).await?;
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
        Err(e) => page.refused("calls/show", crate::routes::procurement::calls::call_context(app, &page, id).await?, e),
    }
}
