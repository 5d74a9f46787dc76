//! The bureau's part of an evaluation under way: the satisfaction survey, the findings, the
//! evaluators seated, and which contract output each indicator measures.
use super::pages::evaluation_again;
use crate::auth::{Officer, Posted};
use crate::domain::evaluations::assessment::{self, FindingsInput, SurveyInput};
use crate::domain::evaluations::schedule;
use crate::i18n::Msg;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::CsrfForm;
use crate::state::App;
use rocket::form::FromForm;
use rocket::{State, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![survey, findings, add_evaluator, remove_evaluator, link_output]
}

#[derive(FromForm)]
struct SurveyForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    surveyed: String,
    #[field(default = String::new())]
    satisfied_percent: String,
    #[field(default = String::new())]
    survey_method: String,
}

crate::csrf_field!(SurveyForm);

#[post("/evaluations/<id>/survey", data = "<form>")]
async fn survey(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<SurveyForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = SurveyInput {
        surveyed: form.surveyed.clone(),
        satisfied_percent: form.satisfied_percent.clone(),
        survey_method: form.survey_method.clone(),
    };
    match assessment::survey(&app.db, &o.0, app.clock.now(), id, &input).await {
        Ok(()) => Ok(done(format!("/evaluations/{id}#survey"), "flash.survey_saved")),
        Err(e) => evaluation_again(&page, app, &o.0, id, e, json!({"survey": input})).await,
    }
}

#[derive(FromForm)]
struct FindingsForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    method: String,
    #[field(default = String::new())]
    findings: String,
    #[field(default = String::new())]
    recommendations: String,
}

crate::csrf_field!(FindingsForm);

#[post("/evaluations/<id>/findings", data = "<form>")]
async fn findings(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<FindingsForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = FindingsInput {
        method: form.method.clone(),
        findings: form.findings.clone(),
        recommendations: form.recommendations.clone(),
    };
    match assessment::findings(&app.db, &o.0, app.clock.now(), id, &input).await {
        Ok(()) => Ok(done(format!("/evaluations/{id}#findings"), "flash.findings_saved")),
        Err(e) => evaluation_again(&page, app, &o.0, id, e, json!({"findings": input})).await,
    }
}

#[derive(FromForm)]
struct EvaluatorForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = 0)]
    user_id: i32,
}

crate::csrf_field!(EvaluatorForm);

#[post("/evaluations/<id>/evaluators", data = "<form>")]
async fn add_evaluator(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<EvaluatorForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let origin = &app.config.public_origin;
    match schedule::add_evaluator(&app.db, &app.emails, origin, &o.0, app.clock.now(), id, form.user_id).await {
        Ok(()) => Ok(done(format!("/evaluations/{id}#evaluators"), "flash.evaluator_added")),
        Err(e) => evaluation_again(&page, app, &o.0, id, e, json!({})).await,
    }
}

#[post("/evaluations/<id>/evaluators/<uid>/remove", data = "<_form>")]
async fn remove_evaluator(
    page: Page,
    o: Officer,
    id: i32,
    uid: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match schedule::remove_evaluator(&app.db, &o.0, app.clock.now(), id, uid).await {
        Ok(()) => Ok(done(format!("/evaluations/{id}#evaluators"), "flash.evaluator_removed")),
        Err(e) => evaluation_again(&page, app, &o.0, id, e, json!({})).await,
    }
}

#[derive(FromForm)]
struct OutputLinkForm {
    #[field(default = String::new())]
    csrf: String,
    /// A contract output's id, or empty to unlink.
    #[field(default = String::new())]
    output_id: String,
}

crate::csrf_field!(OutputLinkForm);

#[post("/evaluations/<id>/indicators/<iid>/output", data = "<form>")]
async fn link_output(
    page: Page,
    o: Officer,
    id: i32,
    iid: i32,
    form: Posted<OutputLinkForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let output = match form.output_id.trim() {
        "" => Ok(None),
        s => s
            .parse::<i32>()
            .map(Some)
            .map_err(|_| crate::domain::fields::field_error("output_id", Msg::new("field.choose"))),
    };
    let r = match output {
        Ok(output) => assessment::link_output(&app.db, &o.0, app.clock.now(), id, iid, output).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(done(format!("/evaluations/{id}#indicators"), "flash.output_linked")),
        Err(e) => evaluation_again(&page, app, &o.0, id, e, json!({})).await,
    }
}
