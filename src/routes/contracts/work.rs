//! The work under a signed contract: milestone reports and the officer's decisions,
//! payments, amendments, evidence files; and the public check of a document's digest.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Csrf, Member, Ngo, Officer};
use crate::domain::contracts::amendments::{self, AmendmentInput};
use crate::domain::contracts::payments::{self, PaymentInput};
use crate::domain::contracts::reports::{self, AchievedInput, ReportInput};
use crate::domain::contracts::view;
use crate::domain::contracts::{access, documents};
use crate::domain::documents as drawing;
use crate::domain::money::Money;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::i18n::format_money;
use crate::routes::confirm;
use crate::routes::contracts::pages::contract_again;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::Download;
use crate::routes::uploads::{FileForm, read_upload};
use crate::state::App;
use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::{State, get, post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        submit_report,
        decide,
        record_payment,
        reverse_page,
        reverse_payment,
        amend,
        evidence,
        document,
        preview,
        verify_page,
        verify_file
    ]
}

#[derive(FromForm)]
struct ReportForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    narrative: String,
    #[field(default = String::new())]
    beneficiaries: String,
    #[field(default = Vec::new())]
    achieved: Vec<AchievedForm>,
    #[field(default = Vec::new())]
    files: Vec<TempFile<'r>>,
}

crate::csrf_field!(ReportForm<'_>);

#[derive(FromForm)]
struct AchievedForm {
    #[field(default = String::new())]
    indicator_id: String,
    #[field(default = String::new())]
    value: String,
}

#[post("/contracts/<id>/milestones/<mid>/report", data = "<form>")]
async fn submit_report(
    page: Page,
    n: Ngo,
    id: i32,
    mid: i32,
    form: Posted<ReportForm<'_>>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = ReportInput {
        narrative: form.narrative.clone(),
        beneficiaries: form.beneficiaries.clone(),
        achieved: form
            .achieved
            .iter()
            .map(|a| AchievedInput { indicator_id: a.indicator_id.clone(), value: a.value.clone() })
            .collect(),
    };
    let _slot = crate::routes::uploads::slot().await;
    let mut files = Vec::new();
    for f in &form.files {
        let (name, bytes) = read_upload(Some(f)).await?;
        if !bytes.is_empty() {
            files.push((name, bytes));
        }
    }
    match reports::submit(&app.db, &n.0, app.clock.now(), mid, &input, &files).await {
        Ok(_) => Ok(done(format!("/contracts/{id}#milestone-{mid}"), "flash.report_submitted")),
        Err(e) => {
            // What was typed per indicator, keyed "i<indicator id>" for the form.
            let achieved: serde_json::Map<String, Value> =
                input.achieved.iter().map(|a| (format!("i{}", a.indicator_id.trim()), json!(a.value))).collect();
            contract_again(&page, app, &n.0, id, e, json!({"report_for": mid, "report": input, "achieved": achieved}))
                .await
        }
    }
}

#[derive(FromForm)]
struct DecisionForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    decision: String,
    #[field(default = String::new())]
    comment: String,
}

crate::csrf_field!(DecisionForm);

#[post("/contracts/<id>/milestones/<mid>/decision", data = "<form>")]
async fn decide(
    page: Page,
    o: Officer,
    id: i32,
    mid: i32,
    form: Posted<DecisionForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let accept = form.decision == "accept";
    let r = reports::decide(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        mid,
        accept,
        &form.comment,
    )
    .await;
    match r {
        Ok(()) => Ok(done(
            format!("/contracts/{id}#milestone-{mid}"),
            if accept { "flash.report_accepted" } else { "flash.report_returned" },
        )),
        Err(e) => contract_again(&page, app, &o.0, id, e, json!({"decision_for": mid, "comment": form.comment})).await,
    }
}

#[derive(FromForm)]
struct PaymentForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    instalment_id: String,
    #[field(default = String::new())]
    amount: String,
    #[field(default = String::new())]
    paid_on: String,
    #[field(default = String::new())]
    voucher_no: String,
    #[field(default = String::new())]
    confirmed: String,
}

crate::csrf_field!(PaymentForm);

/// What the officer confirms before a payment is recorded: the instalment, the amount, the
/// day and the voucher, as they will be kept.
async fn confirm_payment(page: &Page, app: &App, id: i32, input: PaymentInput) -> Result<PageResponse, PageError> {
    let l = page.locale;
    let instalment = match input.instalment_id.trim().parse::<i32>() {
        Ok(iid) => entity::contract_instalment::Entity::find_by_id(iid)
            .filter(entity::contract_instalment::Column::ContractId.eq(id))
            .one(&app.db)
            .await
            .map_err(AppError::from)?
            .map(|i| l.tf("pdf.contract.instalment_n", &[("n", i.position.to_string())]))
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let amount = Money::parse_yuan(&input.amount).map(|m| format_money(m.fen())).unwrap_or_default();
    Ok(confirm::ask(
        page,
        confirm::Ask {
            step: "payment",
            action: format!("/contracts/{id}/payments"),
            back: format!("/contracts/{id}#payments"),
            facts: vec![
                (l.t("contract.instalment").into(), instalment),
                (l.t("field.amount").into(), amount),
                (l.t("field.paid_on").into(), input.paid_on.clone()),
                (l.t("field.voucher_no").into(), input.voucher_no.clone()),
            ],
            fields: vec![
                ("instalment_id", input.instalment_id),
                ("amount", input.amount),
                ("paid_on", input.paid_on),
                ("voucher_no", input.voucher_no),
            ],
            acknowledge: false,
        },
        false,
    ))
}

#[post("/contracts/<id>/payments", data = "<form>")]
async fn record_payment(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<PaymentForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = PaymentInput {
        instalment_id: form.instalment_id.clone(),
        amount: form.amount.clone(),
        paid_on: form.paid_on.clone(),
        voucher_no: form.voucher_no.clone(),
    };
    if !confirm::confirmed(&form.confirmed) {
        return match payments::check(&app.db, id, &input, app.clock.today_local()).await {
            Ok(()) => confirm_payment(&page, app, id, input).await,
            Err(e) => contract_again(&page, app, &o.0, id, e, json!({"payment": input})).await,
        };
    }
    let r = payments::record(&app.db, &app.emails, &app.config.public_origin, &o.0, app.clock.now(), id, &input).await;
    match r {
        Ok(_) => Ok(done(format!("/contracts/{id}#payments"), "flash.payment_recorded")),
        Err(e) => contract_again(&page, app, &o.0, id, e, json!({"payment": input})).await,
    }
}

/// The payment to reverse, the contract's and not itself a reversal or reversed.
async fn reversible(app: &App, o: &Officer, id: i32, pid: i32) -> Result<view::PaymentView, PageError> {
    let (k, viewer) = crate::domain::contracts::access::load(&app.db, &o.0, id).await?;
    let v = view::build(&app.db, &k, viewer, &app.config.contracts, app.clock.today_local()).await?;
    v.payments
        .into_iter()
        .find(|p| p.id == pid && p.reverses.is_none() && !p.reversed)
        .ok_or(PageError(AppError::NotFound))
}

fn reverse_context(id: i32, p: &view::PaymentView, reason: &str) -> Value {
    json!({"contract_id": id, "payment": p, "values": {"reason": reason}})
}

/// The page that reverses a payment: what it was, and the reason to give.
#[get("/contracts/<id>/payments/<pid>/reverse")]
async fn reverse_page(page: Page, o: Officer, id: i32, pid: i32, app: &State<App>) -> Result<Template, PageError> {
    let p = reversible(app, &o, id, pid).await?;
    Ok(page.render("contracts/reverse", reverse_context(id, &p, "")))
}

#[post("/contracts/<id>/payments/<pid>/reverse", data = "<form>")]
async fn reverse_payment(
    page: Page,
    o: Officer,
    id: i32,
    pid: i32,
    form: Posted<crate::routes::shared::TextForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let origin = &app.config.public_origin;
    match payments::reverse(&app.db, &app.emails, origin, &o.0, app.clock.now(), id, pid, &form.text).await {
        Ok(_) => Ok(done(format!("/contracts/{id}#payments"), "flash.payment_reversed")),
        Err(e) => {
            let p = reversible(app, &o, id, pid).await?;
            page.refused("contracts/reverse", reverse_context(id, &p, &form.text), e)
        }
    }
}

#[derive(FromForm)]
struct AmendForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    reason: String,
    #[field(default = String::new())]
    ends_on: String,
    #[field(default = String::new())]
    service_content: String,
    #[field(default = String::new())]
    performance_targets: String,
    #[field(default = String::new())]
    language: String,
}

crate::csrf_field!(AmendForm);

#[post("/contracts/<id>/amendments", data = "<form>")]
async fn amend(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<AmendForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = AmendmentInput {
        reason: form.reason.clone(),
        ends_on: form.ends_on.clone(),
        service_content: form.service_content.clone(),
        performance_targets: form.performance_targets.clone(),
    };
    let language = Locale::from_tag(&form.language).unwrap_or(Locale::ZhCn);
    let r = amendments::amend(
        &app.db,
        &app.documents,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        &app.config.contracts,
        &app.config.procurement,
        id,
        &input,
        language,
    )
    .await;
    match r {
        Ok(_) => Ok(done(format!("/contracts/{id}#amendments"), "flash.contract_amended")),
        Err(e) => contract_again(&page, app, &o.0, id, e, json!({"amendment": input})).await,
    }
}

#[get("/contracts/<_id>/evidence/<fid>")]
async fn evidence(m: Member, _id: i32, fid: i32, app: &State<App>) -> Result<Download, PageError> {
    let f = reports::file(&app.db, &m.0, fid).await?;
    Ok(Download::file(f.data, &f.kind, &f.file_name, false))
}

/// Anyone can check a contract document: by its SHA-256, or by uploading the file.
#[get("/documents/verify?<sha256>")]
async fn verify_page(
    page: Page,
    csrf: Csrf,
    sha256: Option<&str>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let page = page.with_csrf(csrf);
    let Some(digest) = sha256.filter(|s| !s.trim().is_empty()) else {
        return Ok(PageResponse::Html((rocket::http::Status::Ok, page.render("contracts/verify", json!({})))));
    };
    match documents::verify(&app.reads, digest).await {
        Ok(found) => Ok(PageResponse::Html((
            rocket::http::Status::Ok,
            page.render("contracts/verify", json!({"asked": digest.trim(), "found": found, "checked": true})),
        ))),
        Err(e) => page.refused("contracts/verify", json!({"values": {"sha256": digest}}), e),
    }
}

#[post("/documents/verify", data = "<form>")]
async fn verify_file(
    page: Page,
    csrf: Csrf,
    form: Posted<FileForm<'_>>,
    app: &State<App>,
) -> Result<Template, PageError> {
    let _slot = crate::routes::uploads::slot().await;
    let (_, bytes) = read_upload(crate::routes::uploads::chosen(&form.file)?).await?;
    let digest = documents::sha256_hex(&bytes);
    let found = if bytes.is_empty() { None } else { documents::verify(&app.reads, &digest).await? };
    Ok(page
        .with_csrf(csrf)
        .render("contracts/verify", json!({"asked": digest, "found": found, "checked": !bytes.is_empty()})))
}

#[get("/contracts/<id>/documents/<doc_id>")]
async fn document(m: Member, id: i32, doc_id: i32, app: &State<App>) -> Result<Download, PageError> {
    let d = documents::fetch(&app.db, &m.0, id, doc_id).await?;
    // A countersigned scan may be a photo; issued documents are PDFs.
    let kind = crate::domain::procurement::attachments::sniff(&d.data).unwrap_or("pdf");
    Ok(Download::file(d.data, kind, &d.file_name, false))
}

/// The contract as it stands, drawn now and marked as a draft; not stored. The issued
/// PDFs are under documents.
#[get("/contracts/<id>/preview.pdf?<lang>")]
async fn preview(o: Officer, id: i32, lang: Option<&str>, app: &State<App>) -> Result<Download, PageError> {
    let k = access::for_bureau(&app.db, &o.0, id).await?;
    let v = view::build(&app.db, &k, access::Viewer::Bureau, &app.config.contracts, app.clock.today_local()).await?;
    let l = lang.and_then(Locale::from_tag).unwrap_or(Locale::ZhCn);
    let request = documents::ContractDocument::Contract { view: Box::new(v), language: l, draft: true };
    let pdf = drawing::render(&app.documents, request).await?;
    Ok(Download::file(pdf.bytes, "pdf", &format!("contract-{id}-draft.pdf"), true))
}
