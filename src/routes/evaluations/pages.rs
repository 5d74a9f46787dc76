//! Performance evaluations of contracts: scheduling (officer), the provider's self-evaluation,
//! evaluators' declarations and scores, the survey and findings, the release, and the report.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Member, Ngo, Officer};
use crate::domain::contracts::access as contract_access;
use crate::domain::documents as drawing;
use crate::domain::evaluations::access::{self, Viewer};
use crate::domain::evaluations::conduct::{self, AchievedLine, ScoreLine, SelfInput};
use crate::domain::evaluations::schedule::{self, ScheduleInput};
use crate::domain::evaluations::{release, self_draft, templates, view};
use crate::error::AppError;
use crate::i18n::{Locale, Msg};
use crate::routes::confirm;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::CsrfForm;
use crate::routes::shared::Download;
use crate::state::App;
use entity::enums::{ConflictKind, EvaluationKind};
use entity::user;
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new, create, show, submit_self, open_scoring, declare, scores, release_result, report]
}

fn localize(l: Locale, msgs: &[Msg]) -> Vec<String> {
    msgs.iter().map(|m| l.msg(m)).collect()
}

/// Everything the evaluation page shows this account.
async fn context(app: &App, l: Locale, u: &user::Model, id: i32) -> Result<Value, AppError> {
    let (ev, k, viewer) = access::load(&app.db, u, id).await?;
    let v = view::build_for(&app.db, &ev, &k, viewer, Some(u.id), &app.config.evaluations).await?;
    // An officer may be an evaluator too: the seat, not the role, decides.
    let me = access::seat(&app.db, id, u.id).await?;
    let own = match &me {
        Some(_) => conduct::scores_of(&app.db, id, u.id).await?,
        None => Default::default(),
    };
    let candidates = if viewer == Viewer::Bureau {
        access::candidates(&app.db)
            .await?
            .into_iter()
            .filter(|c| !v.evaluators.iter().any(|e| e.user_id == c.id))
            .map(|c| json!({"id": c.id, "name": c.display_name, "role": c.role}))
            .collect()
    } else {
        vec![]
    };
    let rules = &app.config.evaluations;
    // What each score field starts with: the viewer's own score (an evaluator's, or the
    // provider's self-score), else the suggestion from outputs or the survey.
    let mut sheet = serde_json::Map::new();
    for i in v.dimensions.iter().flat_map(|d| d.indicators.iter()) {
        let (score, comment) = match own.get(&i.id) {
            Some((s, c)) => (Some(crate::domain::evaluations::grading::points(*s)), c.clone()),
            None if viewer == Viewer::Member => (i.self_score.clone(), i.self_comment.clone()),
            None => (None, String::new()),
        };
        let score = score.or_else(|| i.suggestion.clone()).unwrap_or_default();
        sheet.insert(format!("i{}", i.id), json!({"score": score, "comment": comment}));
    }
    let achieved: serde_json::Map<String, Value> =
        v.outputs.iter().map(|o| (format!("o{}", o.output_id), json!(o.achieved.to_string()))).collect();
    let mut values = json!({
        "summary": v.self_summary.clone().unwrap_or_default(), "sheet": sheet, "achieved": achieved,
        // The declaration starts unanswered: nothing is declared for the evaluator.
        "note": "", "conflict": "",
        "survey": {"surveyed": v.surveyed.map(|n| n.to_string()).unwrap_or_default(),
            "satisfied_percent": v.satisfied.clone().unwrap_or_default(), "survey_method": v.survey_method},
        "findings": {"method": v.method, "findings": v.findings, "recommendations": v.recommendations},
    });
    // The provider's saved draft, where there is one, is what its form shows.
    let draft = if viewer == Viewer::Member { self_draft::of(&ev) } else { None };
    if let Some(d) = &draft {
        // Merged over what the form would show, so an indicator the draft left out still
        // has its field.
        let typed = typed_of(d);
        values["summary"] = typed["summary"].clone();
        for k in ["sheet", "achieved"] {
            if let (Some(base), Some(t)) = (values[k].as_object_mut(), typed[k].as_object()) {
                base.extend(t.clone());
            }
        }
    }
    Ok(json!({
        "values": values,
        "self_draft_saved": draft.is_some(),
        "ev": v,
        "can": access::EvaluationCan::of(viewer, &ev, me.as_ref(), app.clock.today_local()),
        "me": me,
        "blockers": localize(l, &v.blockers),
        "candidates": candidates,
        "conflicts": crate::routes::page::codes(ConflictKind::ALL, ConflictKind::code),
        "bands": {"excellent": rules.excellent_from, "good": rules.good_from, "pass": rules.pass_from},
    }))
}

/// The evaluation's page again after a refused form, with what was typed.
pub(crate) async fn evaluation_again(
    page: &Page,
    app: &App,
    u: &user::Model,
    id: i32,
    err: AppError,
    values: Value,
) -> Result<PageResponse, PageError> {
    let ctx = context(app, page.locale, u, id).await?;
    page.refused_keeping("evaluations/show", ctx, values, err)
}

#[get("/evaluations/<id>")]
async fn show(page: Page, m: Member, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let ctx = context(app, page.locale, &m.0, id).await?;
    Ok(page.render("evaluations/show", ctx))
}

#[derive(FromForm)]
struct ScheduleForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    kind: String,
    #[field(default = String::new())]
    template_id: String,
    #[field(default = String::new())]
    visit_on: String,
    #[field(default = String::new())]
    self_due_on: String,
    #[field(default = String::new())]
    method: String,
    #[field(default = Vec::new())]
    evaluators: Vec<i32>,
}

crate::csrf_field!(ScheduleForm);

async fn new_context(app: &App, u: &user::Model, contract_id: i32) -> Result<Value, AppError> {
    let k = contract_access::for_bureau(&app.db, u, contract_id).await?;
    let project = schedule::project_title(&app.db, &k).await?;
    let candidates: Vec<Value> = access::candidates(&app.db)
        .await?
        .into_iter()
        .map(|c| json!({"id": c.id, "name": c.display_name, "role": c.role}))
        .collect();
    Ok(json!({
        "contract": {"id": k.id, "number": k.number, "project": project},
        "templates": templates::list(&app.db).await?,
        "candidates": candidates,
        "kinds": crate::routes::page::codes(EvaluationKind::ALL, EvaluationKind::code),
    }))
}

#[get("/contracts/<id>/evaluations/new")]
async fn new(page: Page, o: Officer, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let mut ctx = new_context(app, &o.0, id).await?;
    ctx["values"] =
        json!({"kind": "", "template_id": "", "visit_on": "", "self_due_on": "", "method": "", "evaluators": []});
    Ok(page.render("evaluations/new", ctx))
}

#[post("/contracts/<id>/evaluations", data = "<form>")]
async fn create(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<ScheduleForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = ScheduleInput {
        kind: form.kind.clone(),
        template_id: form.template_id.clone(),
        visit_on: form.visit_on.clone(),
        self_due_on: form.self_due_on.clone(),
        method: form.method.clone(),
        evaluators: form.evaluators.clone(),
    };
    let origin = &app.config.public_origin;
    let today = app.clock.today_local();
    match schedule::schedule(&app.db, &app.emails, origin, &o.0, app.clock.now(), today, id, &input).await {
        Ok(ev) => Ok(done(format!("/evaluations/{}", ev.id), "flash.evaluation_scheduled")),
        Err(e) => {
            let mut ctx = new_context(app, &o.0, id).await?;
            ctx["values"] = json!(input);
            page.refused("evaluations/new", ctx, e)
        }
    }
}

#[derive(FromForm)]
struct ScoreForm {
    #[field(default = 0)]
    indicator_id: i32,
    #[field(default = String::new())]
    score: String,
    #[field(default = String::new())]
    comment: String,
}

#[derive(FromForm)]
struct AchievedForm {
    #[field(default = 0)]
    output_id: i32,
    #[field(default = String::new())]
    achieved: String,
}

/// A self-evaluation as the form shows it: keyed "i<indicator id>" / "o<output id>".
fn typed_of(input: &SelfInput) -> Value {
    let sheet: serde_json::Map<String, Value> = input
        .scores
        .iter()
        .map(|s| (format!("i{}", s.indicator_id), json!({"score": s.score, "comment": s.comment})))
        .collect();
    let achieved: serde_json::Map<String, Value> =
        input.achieved.iter().map(|a| (format!("o{}", a.output_id), json!(a.achieved))).collect();
    json!({"summary": input.summary, "sheet": sheet, "achieved": achieved})
}

#[derive(FromForm)]
struct SheetForm {
    #[field(default = String::new())]
    csrf: String,
    /// "draft" saves what was typed; anything else submits (after confirmation).
    #[field(default = String::new())]
    action: String,
    #[field(default = String::new())]
    confirmed: String,
    #[field(default = String::new())]
    summary: String,
    #[field(default = Vec::new())]
    scores: Vec<ScoreForm>,
    #[field(default = Vec::new())]
    achieved: Vec<AchievedForm>,
}

crate::csrf_field!(SheetForm);

impl SheetForm {
    fn lines(&self) -> Vec<ScoreLine> {
        self.scores
            .iter()
            .map(|s| ScoreLine { indicator_id: s.indicator_id, score: s.score.clone(), comment: s.comment.clone() })
            .collect()
    }
    fn input(&self) -> SelfInput {
        SelfInput {
            summary: self.summary.clone(),
            scores: self.lines(),
            achieved: self
                .achieved
                .iter()
                .map(|a| AchievedLine { output_id: a.output_id, achieved: a.achieved.clone() })
                .collect(),
        }
    }
    /// Whether anything was posted besides the buttons (a confirmation posts nothing else).
    fn is_blank(&self) -> bool {
        self.summary.trim().is_empty() && self.scores.is_empty() && self.achieved.is_empty()
    }
}

/// The self-evaluation: "save as draft" keeps what was typed; "submit" keeps it too, checks
/// it (every problem at once) and asks for confirmation; the confirmed post submits what was
/// posted, or the saved draft when the confirmation carries nothing else.
#[post("/evaluations/<id>/self", data = "<form>")]
async fn submit_self(
    page: Page,
    n: Ngo,
    id: i32,
    form: Posted<SheetForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let now = app.clock.now();
    let typed = form.input();
    if form.action == "draft" {
        return match self_draft::save(&app.db, &n.0, now, id, &typed).await {
            Ok(()) => Ok(done(format!("/evaluations/{id}#self"), "flash.self_draft_saved")),
            Err(e) => evaluation_again(&page, app, &n.0, id, e, typed_of(&typed)).await,
        };
    }
    if !confirm::confirmed(&form.confirmed) {
        let checked = match self_draft::save(&app.db, &n.0, now, id, &typed).await {
            Ok(()) => self_draft::check(&app.db, &n.0, id, &typed).await,
            Err(e) => Err(e),
        };
        if let Err(e) = checked {
            return evaluation_again(&page, app, &n.0, id, e, typed_of(&typed)).await;
        }
        let facts = vec![(page.locale.t("evaluation.self_indicators").to_string(), typed.scores.len().to_string())];
        let ask = confirm::Ask {
            step: "self_submit",
            action: format!("/evaluations/{id}/self"),
            back: format!("/evaluations/{id}#self"),
            facts,
            fields: vec![("action", "submit".into())],
            acknowledge: false,
        };
        return Ok(confirm::ask(&page, ask, false));
    }
    let input = if form.is_blank() { self_draft::saved(&app.db, &n.0, id).await?.unwrap_or(typed) } else { typed };
    match conduct::submit_self(&app.db, &app.emails, &app.config.public_origin, &n.0, now, id, &input).await {
        Ok(()) => Ok(done(format!("/evaluations/{id}"), "flash.self_submitted")),
        Err(e) => evaluation_again(&page, app, &n.0, id, e, typed_of(&input)).await,
    }
}

#[post("/evaluations/<id>/open", data = "<_form>")]
async fn open_scoring(
    page: Page,
    o: Officer,
    id: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match conduct::open_scoring(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        app.clock.today_local(),
        id,
    )
    .await
    {
        Ok(()) => Ok(done(format!("/evaluations/{id}"), "flash.scoring_opened")),
        Err(e) => evaluation_again(&page, app, &o.0, id, e, json!({})).await,
    }
}

#[derive(FromForm)]
struct DeclareForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    conflict: String,
    #[field(default = String::new())]
    note: String,
}

crate::csrf_field!(DeclareForm);

#[post("/evaluations/<id>/declare", data = "<form>")]
async fn declare(
    page: Page,
    m: Member,
    id: i32,
    form: Posted<DeclareForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let Some(conflict) = ConflictKind::from_code(form.conflict.trim()) else {
        let e = crate::domain::fields::field_error("conflict", Msg::new("field.choose"));
        return evaluation_again(&page, app, &m.0, id, e, json!({"note": form.note})).await;
    };
    match conduct::declare(&app.db, &m.0, app.clock.now(), id, conflict, &form.note).await {
        Ok(_) => Ok(done(format!("/evaluations/{id}"), "flash.declared")),
        Err(e) => {
            evaluation_again(&page, app, &m.0, id, e, json!({"note": form.note, "conflict": form.conflict})).await
        }
    }
}

#[post("/evaluations/<id>/scores", data = "<form>")]
async fn scores(
    page: Page,
    m: Member,
    id: i32,
    form: Posted<SheetForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match conduct::score(&app.db, &m.0, app.clock.now(), id, &form.lines()).await {
        Ok(()) => Ok(done(format!("/evaluations/{id}"), "flash.scores_saved")),
        Err(e) => evaluation_again(&page, app, &m.0, id, e, typed_of(&form.input())).await,
    }
}

#[post("/evaluations/<id>/release", data = "<form>")]
async fn release_result(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<crate::routes::shared::ConfirmForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    if !crate::routes::confirm::confirmed(&form.confirmed) {
        use sea_orm::EntityTrait;
        let e = entity::evaluation::Entity::find_by_id(id).one(&app.db).await.map_err(AppError::from)?;
        let e = e.ok_or(PageError(AppError::NotFound))?;
        let k = entity::contract::Entity::find_by_id(e.contract_id).one(&app.db).await.map_err(AppError::from)?;
        let l = page.locale;
        let kind = l.t(&format!("evaluation_kind.{}", e.kind.code())).to_string();
        let ask = crate::routes::confirm::Ask {
            step: "release",
            action: format!("/evaluations/{id}/release"),
            back: format!("/evaluations/{id}#h-release"),
            facts: vec![
                (l.t("confirm.facts.contract").into(), k.and_then(|k| k.number).unwrap_or_default()),
                (l.t("confirm.facts.project").into(), kind),
            ],
            fields: vec![],
            acknowledge: false,
        };
        return Ok(crate::routes::confirm::ask(&page, ask, false));
    }
    let origin = &app.config.public_origin;
    let rules = &app.config.evaluations;
    match release::release(&app.db, &app.emails, &app.documents, origin, &o.0, app.clock.now(), rules, id).await {
        Ok(_) => Ok(done(format!("/evaluations/{id}"), "flash.evaluation_released")),
        Err(e) => evaluation_again(&page, app, &o.0, id, e, json!({})).await,
    }
}

/// The stored report once released (bureau, evaluators, provider); before that a preview
/// marked 未发布 for the bureau only.
#[get("/evaluations/<id>/report.pdf")]
async fn report(m: Member, id: i32, app: &State<App>) -> Result<Download, PageError> {
    let rules = &app.config.evaluations;
    match release::report(&app.db, &m.0, id, rules).await? {
        release::Report::Stored(d) => Ok(Download::file(d.data, "pdf", &d.file_name, false)),
        release::Report::Preview(v) => {
            let request = crate::domain::evaluations::ReportDocument { view: v, rules: rules.clone() };
            let pdf = drawing::render(&app.documents, request).await?;
            Ok(Download::file(pdf.bytes, "pdf", &format!("evaluation-{id}-preview.pdf"), true))
        }
    }
}
