//! The evaluation pages of an opened call: the panel page (formation, declarations, score
//! sheets, corrections, low-price rulings, the report) and the bidder's explanation of an
//! abnormally low price.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Member, Ngo, Officer};
use crate::domain::procurement::panel::{self, Declared};
use crate::domain::procurement::panel_view::{PanelCan, ReportSeen};
use crate::domain::procurement::score_sheets::ScoreInput;
use crate::domain::procurement::{bids, calls};
use crate::domain::procurement::{panel_report, score_sheets};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::CsrfForm;
use crate::routes::shared::TextForm;
use crate::state::App;
use entity::enums::{CallStatus, ConflictKind, PanelMemberStatus, Role};
use entity::user;
use rocket::form::FromForm;
use rocket::{State, get, post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![panel_page, form_panel, replace, declare, submit_sheet, correct, explain, rule]
}

/// Who the viewer is on this call's evaluation: bureau staff, a panel member, or neither
/// (who gets 404: the panel's work is not public before the award).
pub(crate) async fn panel_context(app: &App, u: &user::Model, id: i32) -> Result<Value, AppError> {
    let c = calls::visible(&app.db, Some(u), id).await?;
    // Nothing of the evaluation exists while bids are sealed: not even who bid.
    if calls::sealed(&c) {
        return Err(AppError::NotFound);
    }
    let bureau = u.role.is_bureau();
    let seat = panel::seat_of(&app.db, u, id).await?;
    if !bureau && seat.is_none() {
        return Err(AppError::NotFound);
    }
    let rules = &app.config.procurement;
    let report = panel_report::report(&app.db, rules, &c).await?;
    let may_read = panel_report::may_read_scores(&app.db, u, &c, &report).await?;
    let criteria: Vec<_> = calls::criteria(&app.db, id).await?.into_iter().filter(|x| !x.is_price).collect();
    let seated = seat.as_ref().is_some_and(|m| m.status == PanelMemberStatus::Seated);
    // The bids themselves, for seated members scoring them (and bureau staff after opening).
    let contents = if seated || bureau { bids::latest_contents(&app.db, &c).await? } else { vec![] };
    let staff: Vec<Value> = if bureau {
        user::Entity::find()
            .filter(user::Column::Role.is_in(Role::BUREAU))
            .filter(user::Column::Disabled.eq(false))
            .all(&app.db)
            .await?
            .into_iter()
            .map(|s| json!({"id": s.id, "name": s.display_name}))
            .collect()
    } else {
        vec![]
    };
    let report = ReportSeen::of(report, may_read, bureau || seated);
    Ok(json!({
        "call": c,
        "phase": calls::phase_of(&app.db, &c, app.clock.now()).await?,
        "bureau": bureau,
        "panel": panel::get_panel(&app.db, id).await?,
        "min_panel": rules.min_panel(c.method),
        "seat": seat,
        "may_read": may_read,
        "report": report,
        "can": PanelCan::of(bureau, seat.as_ref(), &c),
        "criteria": criteria,
        "bidders": panel::bidders(&app.db, &c).await?,
        "contents": contents,
        "staff": staff,
        "conflicts": crate::routes::page::codes(ConflictKind::ALL, ConflictKind::code),
        "awarded": c.status == CallStatus::Awarded,
        "no_scores": {},
    }))
}

#[get("/calls/<id>/panel")]
async fn panel_page(page: Page, me: Member, id: i32, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("calls/panel", panel_context(app, &me.0, id).await?))
}

/// Redirects to the panel page on success; shows it again with the refusal otherwise.
pub(crate) async fn after(
    page: &Page,
    app: &App,
    u: &user::Model,
    id: i32,
    r: Result<(), AppError>,
    flash: &str,
    values: Value,
) -> Result<PageResponse, PageError> {
    match r {
        Ok(()) => Ok(done(format!("/calls/{id}/panel"), flash)),
        Err(e) => {
            let mut ctx = panel_context(app, u, id).await?;
            ctx["values"] = values;
            page.refused("calls/panel", ctx, e)
        }
    }
}

#[derive(FromForm)]
struct PanelForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    size: String,
    #[field(default = Vec::new())]
    reps: Vec<i32>,
}

crate::csrf_field!(PanelForm);

#[post("/calls/<id>/panel", data = "<form>")]
async fn form_panel(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<PanelForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let size = form.size.trim().parse::<i32>().unwrap_or(0);
    let r = panel::form(
        &app.db,
        (&app.emails, &app.config.public_origin),
        &o.0,
        app.clock.now(),
        &app.config.procurement,
        id,
        size,
        &form.reps,
    )
    .await
    .map(|_| ());
    after(&page, app, &o.0, id, r, "flash.panel_formed", json!({"size": form.size, "reps": form.reps})).await
}

#[post("/calls/<id>/panel/replace", data = "<_form>")]
async fn replace(
    page: Page,
    o: Officer,
    id: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let r = panel::replace_recused(&app.db, (&app.emails, &app.config.public_origin), &o.0, app.clock.now(), id)
        .await
        .map(|_| ());
    after(&page, app, &o.0, id, r, "flash.panel_replaced", json!({})).await
}

#[derive(FromForm, serde::Serialize)]
struct DeclareLine {
    organization_id: i32,
    #[field(default = String::new())]
    conflict: String,
    #[field(default = String::new())]
    note: String,
}

#[derive(FromForm)]
struct DeclareForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = Vec::new())]
    lines: Vec<DeclareLine>,
}

crate::csrf_field!(DeclareForm);

#[post("/calls/<id>/panel/declaration", data = "<form>")]
async fn declare(
    page: Page,
    me: Member,
    id: i32,
    form: Posted<DeclareForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    // Each bidder must be answered: the choice starts empty, so a quick click never declares
    // "no tie" for a bidder the expert did not look at.
    let unanswered: Vec<i32> =
        form.lines.iter().filter(|l| l.conflict.trim().is_empty()).map(|l| l.organization_id).collect();
    if !unanswered.is_empty() {
        let e =
            crate::domain::fields::field_error("conflict", Msg::new("panel.tie_unanswered").arg("n", unanswered.len()));
        let values = json!({"lines": form.lines, "unanswered": unanswered});
        return after(&page, app, &me.0, id, Err(e), "", values).await;
    }
    let lines: Vec<Declared> = form
        .lines
        .iter()
        .map(|l| Declared {
            organization_id: l.organization_id,
            // A choice not offered counts as a tie, so a tampered form never seats anyone.
            conflict: ConflictKind::from_code(&l.conflict).unwrap_or(ConflictKind::Other),
            note: l.note.clone(),
        })
        .collect();
    let r = panel::declare(&app.db, &me.0, app.clock.now(), id, &lines).await.map(|_| ());
    after(&page, app, &me.0, id, r, "flash.declared", json!({"lines": form.lines})).await
}

#[derive(FromForm)]
struct SheetForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = Vec::new())]
    scores: Vec<ScoreLine>,
}

crate::csrf_field!(SheetForm);

#[derive(FromForm, serde::Serialize)]
struct ScoreLine {
    /// The bid's public reference.
    #[field(default = String::new())]
    bid: String,
    criterion_id: i32,
    #[field(default = String::new())]
    score: String,
    #[field(default = String::new())]
    comment: String,
}

fn score_input(l: &ScoreLine) -> ScoreInput {
    ScoreInput { bid: l.bid.clone(), criterion_id: l.criterion_id, score: l.score.clone(), comment: l.comment.clone() }
}

#[post("/calls/<id>/panel/scores", data = "<form>")]
async fn submit_sheet(
    page: Page,
    me: Member,
    id: i32,
    form: Posted<SheetForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let entries: Vec<ScoreInput> = form.scores.iter().map(score_input).collect();
    let r = score_sheets::submit_sheet(&app.db, &me.0, app.clock.now(), id, &entries).await;
    // The typed scores come back by "bid-criterion", so nothing typed is lost on a refusal.
    let typed: serde_json::Map<String, Value> = form
        .scores
        .iter()
        .map(|l| (format!("{}-{}", l.bid, l.criterion_id), json!({"score": l.score, "comment": l.comment})))
        .collect();
    after(&page, app, &me.0, id, r, "flash.scores_submitted", json!({"scores": typed})).await
}

#[derive(FromForm)]
struct CorrectForm {
    #[field(default = String::new())]
    csrf: String,
    line: ScoreLine,
    #[field(default = String::new())]
    reason: String,
}

crate::csrf_field!(CorrectForm);

#[post("/calls/<id>/panel/corrections", data = "<form>")]
async fn correct(
    page: Page,
    me: Member,
    id: i32,
    form: Posted<CorrectForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let r = score_sheets::correct(&app.db, &me.0, app.clock.now(), id, &score_input(&form.line), &form.reason).await;
    after(&page, app, &me.0, id, r, "flash.score_corrected", json!({"correction": form.line, "reason": form.reason}))
        .await
}

/// The bidder explains an abnormally low price, from the call page.
#[post("/calls/<id>/low-price", data = "<form>")]
async fn explain(
    page: Page,
    me: Ngo,
    id: i32,
    form: Posted<TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match score_sheets::explain_low_price(&app.db, &me.0, &app.config.procurement, app.clock.now(), id, &form.text)
        .await
    {
        Ok(()) => Ok(done(format!("/calls/{id}#award"), "flash.low_price_explained")),
        Err(e) => {
            let mut ctx = crate::routes::procurement::calls::call_context(app, &page, id).await?;
            ctx["values"] = json!({"explanation": form.text});
            page.refused("calls/show", ctx, e)
        }
    }
}

#[derive(FromForm)]
struct RuleForm {
    #[field(default = String::new())]
    csrf: String,
    /// The bid's public reference.
    #[field(default = String::new())]
    bid: String,
    #[field(default = String::new())]
    stands: String,
    #[field(default = String::new())]
    note: String,
}

crate::csrf_field!(RuleForm);

#[post("/calls/<id>/panel/rulings", data = "<form>")]
async fn rule(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<RuleForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let stands = form.stands == "yes";
    let r = match crate::domain::procurement::opening::bid_id_of(&app.db, id, &form.bid).await {
        Ok(bid) => {
            let rules = &app.config.procurement;
            score_sheets::rule_low_price(&app.db, &o.0, rules, app.clock.now(), id, bid, stands, &form.note).await
        }
        Err(e) => Err(e),
    };
    after(&page, app, &o.0, id, r, "flash.low_price_ruled", json!({"ruling_note": form.note})).await
}
