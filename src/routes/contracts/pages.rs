//! Contract pages: the list, a contract with everything that happens under it, the
//! officer's draft form, the signing steps and the PDFs.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Member, Ngo, Officer};
use crate::domain::contracts::milestones::{self, MilestoneInput};
use crate::domain::contracts::terms::{self, OutputInput, TermsInput};
use crate::domain::contracts::{access, signing, view};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::CsrfForm;
use crate::routes::uploads::{FileForm, chosen, read_upload};
use crate::state::App;
use entity::user;
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        show,
        edit,
        save_terms,
        add_milestone,
        save_milestone,
        remove_milestone,
        approve,
        reopen,
        send,
        accept,
        countersign
    ]
}

/// What the contract's page shows: the contract as the reader may see it, what still keeps a
/// draft from approval (in the reader's language), the limits the draft form checks, and the
/// contract's evaluations.
#[derive(serde::Serialize)]
pub(crate) struct ContractPage {
    contract: view::ContractView,
    blockers: Vec<String>,
    max_term: i32,
    max_bond: i32,
    evaluations: Vec<crate::domain::evaluations::listing::EvaluationRow>,
    today: String,
}

impl ContractPage {
    pub(crate) async fn load(app: &App, locale: Locale, u: &user::Model, id: i32) -> Result<ContractPage, AppError> {
        let (k, viewer) = access::load(&app.db, u, id).await?;
        let today = app.clock.today_local();
        let v = view::build(&app.db, &k, viewer, &app.config.contracts, today).await?;
        let c = crate::domain::procurement::calls::get(&app.db, k.call_id).await?;
        let max_term = terms::max_term_months(&c, &app.config.procurement);
        let max_bond = app.config.contracts.max_bond_percent;
        let blockers = if v.can.prepare {
            signing::blockers(&v, max_term, max_bond).iter().map(|m| locale.msg(m)).collect()
        } else {
            Vec::new()
        };
        Ok(ContractPage {
            evaluations: crate::domain::evaluations::listing::for_contract(&app.db, k.id).await?,
            contract: v,
            blockers,
            max_term,
            max_bond,
            today: today.to_string(),
        })
    }

    fn context(&self) -> Value {
        json!(self)
    }
}

/// The page again with the refusal shown (field errors or a banner).
pub(crate) async fn contract_again(
    page: &Page,
    app: &App,
    u: &user::Model,
    id: i32,
    err: AppError,
    values: Value,
) -> Result<PageResponse, PageError> {
    let ctx = ContractPage::load(app, page.locale, u, id).await?.context();
    page.refused_keeping("contracts/show", ctx, values, err)
}

#[get("/contracts/<id>", rank = 2)]
async fn show(page: Page, m: Member, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let ctx = ContractPage::load(app, page.locale, &m.0, id).await?;
    Ok(page.render("contracts/show", ctx.context()))
}

fn terms_values(v: &view::ContractView) -> TermsInput {
    let mut outputs: Vec<OutputInput> = v
        .outputs
        .iter()
        .map(|o| OutputInput {
            name: o.name.clone(),
            standard: o.standard.clone(),
            unit: o.unit.clone(),
            quantity: o.quantity.to_string(),
            unit_price: o.unit_price_input.clone(),
        })
        .collect();
    outputs.extend((0..3).map(|_| OutputInput::default()));
    TermsInput {
        purchaser_name: v.purchaser_name.clone(),
        purchaser_address: v.purchaser_address.clone(),
        purchaser_representative: v.purchaser_representative.clone(),
        provider_address: v.provider_address.clone(),
        provider_representative: v.provider_representative.clone(),
        legal_basis: v.legal_basis.clone(),
        service_content: v.service_content.clone(),
        performance_targets: v.performance_targets.clone(),
        acceptance_terms: v.acceptance_terms.clone(),
        breach_terms: v.breach_terms.clone(),
        dispute_terms: v.dispute_terms.clone(),
        starts_on: v.starts_on.clone().unwrap_or_default(),
        ends_on: v.ends_on.clone().unwrap_or_default(),
        bond_percent: v.bond_percent.to_string(),
        outputs,
    }
}

async fn edit_context(
    page: &Page,
    app: &App,
    u: &user::Model,
    id: i32,
    values: Option<&TermsInput>,
) -> Result<Value, AppError> {
    let page = ContractPage::load(app, page.locale, u, id).await?;
    // The draft form is the bureau's; the provider, who may see the contract, may not edit it.
    if !page.contract.bureau {
        return Err(AppError::Forbidden);
    }
    let mut values = values.cloned().unwrap_or_else(|| terms_values(&page.contract));
    let mut ctx = page.context();
    while values.outputs.len() < 3 {
        values.outputs.push(OutputInput::default());
    }
    ctx["values"] = json!(values);
    ctx["blank_indicators"] = json!([{}, {}, {}]);
    Ok(ctx)
}

#[get("/contracts/<id>/edit")]
async fn edit(page: Page, o: Officer, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let k = access::for_bureau(&app.db, &o.0, id).await?;
    terms::require_draft(&k)?;
    Ok(page.render("contracts/edit", edit_context(&page, app, &o.0, id, None).await?))
}

#[derive(FromForm)]
struct TermsForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    purchaser_name: String,
    #[field(default = String::new())]
    purchaser_address: String,
    #[field(default = String::new())]
    purchaser_representative: String,
    #[field(default = String::new())]
    provider_address: String,
    #[field(default = String::new())]
    provider_representative: String,
    #[field(default = String::new())]
    legal_basis: String,
    #[field(default = String::new())]
    service_content: String,
    #[field(default = String::new())]
    performance_targets: String,
    #[field(default = String::new())]
    acceptance_terms: String,
    #[field(default = String::new())]
    breach_terms: String,
    #[field(default = String::new())]
    dispute_terms: String,
    #[field(default = String::new())]
    starts_on: String,
    #[field(default = String::new())]
    ends_on: String,
    #[field(default = String::new())]
    bond_percent: String,
    #[field(default = Vec::new())]
    outputs: Vec<OutputForm>,
}

crate::csrf_field!(TermsForm);

#[derive(FromForm)]
struct OutputForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    standard: String,
    #[field(default = String::new())]
    unit: String,
    #[field(default = String::new())]
    quantity: String,
    #[field(default = String::new())]
    unit_price: String,
}

impl TermsForm {
    fn input(&self) -> TermsInput {
        TermsInput {
            purchaser_name: self.purchaser_name.clone(),
            purchaser_address: self.purchaser_address.clone(),
            purchaser_representative: self.purchaser_representative.clone(),
            provider_address: self.provider_address.clone(),
            provider_representative: self.provider_representative.clone(),
            legal_basis: self.legal_basis.clone(),
            service_content: self.service_content.clone(),
            performance_targets: self.performance_targets.clone(),
            acceptance_terms: self.acceptance_terms.clone(),
            breach_terms: self.breach_terms.clone(),
            dispute_terms: self.dispute_terms.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            bond_percent: self.bond_percent.clone(),
            outputs: self
                .outputs
                .iter()
                .map(|o| OutputInput {
                    name: o.name.clone(),
                    standard: o.standard.clone(),
                    unit: o.unit.clone(),
                    quantity: o.quantity.clone(),
                    unit_price: o.unit_price.clone(),
                })
                .collect(),
        }
    }
}

#[post("/contracts/<id>/terms", data = "<form>")]
async fn save_terms(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<TermsForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    let r = terms::save(
        &app.db,
        &o.0,
        app.clock.now(),
        &app.config.procurement,
        app.config.contracts.max_bond_percent,
        id,
        &input,
    )
    .await;
    match r {
        Ok(()) => Ok(done(format!("/contracts/{id}"), "flash.contract_saved")),
        Err(e) => page.refused("contracts/edit", edit_context(&page, app, &o.0, id, Some(&input)).await?, e),
    }
}

#[derive(FromForm)]
struct MilestoneForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    due_on: String,
    #[field(default = String::new())]
    deliverables: String,
    #[field(default = Vec::new())]
    indicators: Vec<IndicatorForm>,
}

crate::csrf_field!(MilestoneForm);

#[derive(FromForm)]
struct IndicatorForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    unit: String,
    #[field(default = String::new())]
    target: String,
}

impl MilestoneForm {
    fn input(&self) -> MilestoneInput {
        MilestoneInput {
            title: self.title.clone(),
            due_on: self.due_on.clone(),
            deliverables: self.deliverables.clone(),
            indicators: self
                .indicators
                .iter()
                .map(|i| milestones::IndicatorInput {
                    name: i.name.clone(),
                    unit: i.unit.clone(),
                    target: i.target.clone(),
                })
                .collect(),
        }
    }
}

#[post("/contracts/<id>/milestones", data = "<form>")]
async fn add_milestone(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<MilestoneForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match milestones::add(&app.db, &o.0, app.clock.now(), id, &input).await {
        Ok(m) => Ok(done(format!("/contracts/{id}/edit#milestone-{}", m.id), "flash.milestone_saved")),
        Err(e) => {
            let mut ctx = edit_context(&page, app, &o.0, id, None).await?;
            ctx["new_milestone"] = json!(input);
            page.refused("contracts/edit", ctx, e)
        }
    }
}

#[post("/contracts/<id>/milestones/<mid>", data = "<form>")]
async fn save_milestone(
    page: Page,
    o: Officer,
    id: i32,
    mid: i32,
    form: Posted<MilestoneForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match milestones::save(&app.db, &o.0, app.clock.now(), mid, &input).await {
        Ok(()) => Ok(done(format!("/contracts/{id}/edit#milestone-{mid}"), "flash.milestone_saved")),
        Err(e) => {
            let mut ctx = edit_context(&page, app, &o.0, id, None).await?;
            ctx["failed_milestone"] = json!(mid);
            ctx["milestone_values"] = json!(input);
            page.refused("contracts/edit", ctx, e)
        }
    }
}

#[post("/contracts/<id>/milestones/<mid>/remove", data = "<_form>")]
async fn remove_milestone(
    page: Page,
    o: Officer,
    id: i32,
    mid: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match milestones::remove(&app.db, &o.0, app.clock.now(), mid).await {
        Ok(()) => Ok(done(format!("/contracts/{id}/edit"), "flash.milestone_removed")),
        Err(e) => page.refused("contracts/edit", edit_context(&page, app, &o.0, id, None).await?, e),
    }
}

#[post("/contracts/<id>/approve", data = "<_form>")]
async fn approve(
    page: Page,
    o: Officer,
    id: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let r = signing::approve(
        &app.db,
        &app.documents,
        &o.0,
        app.clock.now(),
        &app.config.contracts,
        &app.config.procurement,
        id,
    )
    .await;
    match r {
        Ok(_) => Ok(done(format!("/contracts/{id}"), "flash.contract_approved")),
        Err(e) => contract_again(&page, app, &o.0, id, e, json!({})).await,
    }
}

#[post("/contracts/<id>/reopen", data = "<_form>")]
async fn reopen(
    page: Page,
    o: Officer,
    id: i32,
    _form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match signing::reopen(&app.db, &o.0, app.clock.now(), id).await {
        Ok(()) => Ok(done(format!("/contracts/{id}/edit"), "flash.contract_reopened")),
        Err(e) => contract_again(&page, app, &o.0, id, e, json!({})).await,
    }
}

#[post("/contracts/<id>/send", data = "<form>")]
async fn send(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<CsrfForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let language = Locale::from_tag(&form.language).unwrap_or(Locale::ZhCn);
    let r = signing::send(
        &app.db,
        &app.documents,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        &app.config.contracts,
        id,
        language,
    )
    .await;
    match r {
        Ok(_) => Ok(done(format!("/contracts/{id}#documents"), "flash.contract_sent")),
        Err(e) => contract_again(&page, app, &o.0, id, e, json!({})).await,
    }
}

#[post("/contracts/<id>/accept", data = "<form>")]
async fn accept(
    page: Page,
    n: Ngo,
    id: i32,
    form: Posted<crate::routes::shared::ConfirmForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let ticked = form.acknowledged == "1";
    if !crate::routes::confirm::confirmed(&form.confirmed) || !ticked {
        let (k, _) = access::load(&app.db, &n.0, id).await?;
        let l = page.locale;
        let ask = crate::routes::confirm::Ask {
            step: "accept",
            action: format!("/contracts/{id}/accept"),
            back: format!("/contracts/{id}#h-sign"),
            facts: vec![
                (l.t("confirm.facts.contract").into(), k.number.unwrap_or_default()),
                (l.t("field.amount").into(), crate::i18n::format_money(k.amount_fen)),
            ],
            fields: vec![],
            acknowledge: true,
        };
        let missed = crate::routes::confirm::confirmed(&form.confirmed) && !ticked;
        return Ok(crate::routes::confirm::ask(&page, ask, missed));
    }
    match signing::accept(&app.db, &n.0, app.clock.now(), id).await {
        Ok(()) => Ok(done(format!("/contracts/{id}"), "flash.contract_signed")),
        Err(e) => contract_again(&page, app, &n.0, id, e, json!({})).await,
    }
}

#[post("/contracts/<id>/countersign", data = "<form>")]
async fn countersign(
    page: Page,
    n: Ngo,
    id: i32,
    form: Posted<FileForm<'_>>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let _slot = crate::routes::uploads::slot().await;
    let (name, bytes) = read_upload(chosen(&form.file)?).await?;
    match signing::countersign(&app.db, &n.0, app.clock.now(), id, &name, bytes).await {
        Ok(()) => Ok(done(format!("/contracts/{id}"), "flash.contract_signed")),
        Err(e) => contract_again(&page, app, &n.0, id, e, json!({})).await,
    }
}
