//! Bid pages: an NGO member's bid on a call (form, receipt, revision, withdrawal) and the
//! officer's opening at the deadline.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Csrf, Ngo, Officer};
use crate::domain::procurement::bids::{self, BidInput, BudgetLineInput, MAX_BUDGET_LINES, MAX_OUTPUTS, OutputInput};
use crate::domain::procurement::opening::{self, WithTwo};
use crate::domain::procurement::{attachments, calls, eligibility};
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::shared::Download;
use crate::state::App;
use entity::user;
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        bid_page,
        submit,
        withdraw,
        open,
        upload,
        remove_attachment,
        download,
        receipt_bytes,
        verify_page,
        verify
    ]
}

async fn bid_context(
    app: &App,
    page: &Page,
    u: &user::Model,
    id: i32,
    values: Option<BidInput>,
) -> Result<Value, AppError> {
    let c = calls::visible(&app.db, Some(u), id).await?;
    let own = bids::own(&app.db, &app.sealer, u, id).await?;
    let mut v = values.unwrap_or_else(|| match &own {
        Some((_, Some((_, content)))) => bids::to_input(content),
        _ => BidInput::default(),
    });
    v.outputs.resize_with(MAX_OUTPUTS.max(v.outputs.len()), OutputInput::default);
    v.budget.resize_with(MAX_BUDGET_LINES.max(v.budget.len()), BudgetLineInput::default);
    let eligibility = match u.organization_id {
        Some(org) => Some(eligibility::summary(&app.db, &c, org, app.clock.now(), page.locale).await?),
        None => None,
    };
    let (bid, latest, can_withdraw, stands) = match own {
        Some((b, latest)) => (
            json!(b),
            latest.map(|(v, _)| v),
            bids::may_withdraw(&b, &c, app.clock.now()),
            b.status == entity::enums::BidStatus::Submitted,
        ),
        None => (Value::Null, None, false, false),
    };
    let files: Vec<Value> = match u.organization_id {
        Some(org) => attachments::refs(&app.db, app.sealer.call_key(&c)?.as_ref(), id, org)
            .await?
            .into_iter()
            .map(|(fid, a)| json!({"id": fid, "name": a.name, "kind": a.kind, "kib": (a.size_bytes + 1023) / 1024, "sha256": a.sha256}))
            .collect(),
        None => vec![],
    };
    Ok(json!({
        "files": files,
        "max_files": attachments::MAX_FILES,
        "call": c,
        "phase": calls::phase(&c, app.clock.now()),
        "values": v,
        "bid": bid,
        "receipt": latest,
        "can_withdraw": can_withdraw,
        // The bid stands (else it was withdrawn): its receipt is shown as the current one.
        "bid_stands": stands,
        "eligibility": eligibility,
    }))
}

#[get("/calls/<id>/bid")]
async fn bid_page(page: Page, me: Ngo, id: i32, app: &State<App>) -> Result<Template, PageError> {
    Ok(page.render("calls/bid", bid_context(app, &page, &me.0, id, None).await?))
}

#[derive(FromForm, Default, Clone)]
struct OutputForm {
    #[field(default = String::new())]
    indicator: String,
    #[field(default = String::new())]
    quantity: String,
    #[field(default = String::new())]
    unit: String,
}

#[derive(FromForm, Default, Clone)]
struct BudgetForm {
    #[field(default = String::new())]
    category: String,
    #[field(default = String::new())]
    description: String,
    #[field(default = String::new())]
    amount: String,
}

#[derive(FromForm)]
struct BidForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    service_plan: String,
    #[field(default = String::new())]
    team: String,
    #[field(default = Vec::new())]
    outputs: Vec<OutputForm>,
    #[field(default = Vec::new())]
    budget: Vec<BudgetForm>,
}

crate::csrf_field!(BidForm);

impl BidForm {
    fn input(&self) -> BidInput {
        BidInput {
            service_plan: self.service_plan.clone(),
            team: self.team.clone(),
            outputs: self
                .outputs
                .iter()
                .map(|o| OutputInput {
                    indicator: o.indicator.clone(),
                    quantity: o.quantity.clone(),
                    unit: o.unit.clone(),
                })
                .collect(),
            budget: self
                .budget
                .iter()
                .map(|b| BudgetLineInput {
                    category: b.category.clone(),
                    description: b.description.clone(),
                    amount: b.amount.clone(),
                })
                .collect(),
        }
    }
}

#[post("/calls/<id>/bid", data = "<form>")]
async fn submit(
    page: Page,
    me: Ngo,
    id: i32,
    form: Posted<BidForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match bids::submit(
        &app.db,
        ((&app.emails, &app.config.public_origin), &app.sealer),
        &me.0,
        app.clock.now(),
        id,
        &input,
    )
    .await
    {
        Ok(r) => Ok(done(format!("/calls/{id}/bid#receipt"), &format!("flash.bid_submitted|{}", r.version_no))),
        Err(e) => page.refused("calls/bid", bid_context(app, &page, &me.0, id, Some(input)).await?, e),
    }
}

#[derive(FromForm)]
struct NoteForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    with_two: String,
    #[field(default = String::new())]
    note: String,
    #[field(default = String::new())]
    confirmed: String,
}

crate::csrf_field!(NoteForm);

#[post("/calls/<id>/bid/withdraw", data = "<_form>")]
async fn withdraw(
    page: Page,
    me: Ngo,
    id: i32,
    _form: Posted<NoteForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    match bids::withdraw(&app.db, (&app.emails, &app.config.public_origin), &me.0, app.clock.now(), id).await {
        Ok(()) => Ok(done(format!("/calls/{id}/bid"), "flash.bid_withdrawn")),
        Err(e) => page.refused("calls/bid", bid_context(app, &page, &me.0, id, None).await?, e),
    }
}

#[post("/calls/<id>/open", data = "<form>")]
async fn open(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<NoteForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    if !crate::routes::confirm::confirmed(&form.confirmed) {
        let c = calls::get(&app.db, id).await?;
        let l = page.locale;
        let deadline = c.bid_deadline.map(crate::i18n::format_datetime).unwrap_or_default();
        let ask = crate::routes::confirm::Ask {
            step: "open",
            action: format!("/calls/{id}/open"),
            back: format!("/calls/{id}#bids"),
            facts: vec![(l.t("confirm.facts.call").into(), c.title), (l.t("field.bid_deadline").into(), deadline)],
            fields: vec![("with_two", form.with_two.clone()), ("note", form.note.clone())],
            acknowledge: false,
        };
        return Ok(crate::routes::confirm::ask(&page, ask, false));
    }
    let with_two = match form.with_two.as_str() {
        "continue" => Some(WithTwo::Continue),
        "fail" => Some(WithTwo::Fail),
        _ => None,
    };
    match opening::open(&app.db, &app.sealer, &o.0, app.clock.now(), id, with_two, &form.note).await {
        Ok(_) => {
            app.checkpoint().await;
            Ok(done(format!("/calls/{id}#bids"), "flash.call_opened"))
        }
        Err(e) => {
            let mut ctx = crate::routes::procurement::calls::call_context(app, &page, id).await?;
            ctx["values"] = json!({"note": form.note});
            page.refused("calls/show", ctx, e)
        }
    }
}

/// An attachment, posted with the bid as typed so far (the upload button belongs to the bid's
/// form), so nothing typed is lost: the page comes back with the file listed and the text as
/// it was. The text is not stored until the bid is submitted, sealed.
#[derive(FromForm)]
struct UploadForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    file: crate::routes::uploads::UploadField<'r>,
    #[field(default = String::new())]
    service_plan: String,
    #[field(default = String::new())]
    team: String,
    #[field(default = Vec::new())]
    outputs: Vec<OutputForm>,
    #[field(default = Vec::new())]
    budget: Vec<BudgetForm>,
}

impl UploadForm<'_> {
    /// The bid as typed, when the upload came from the bid's form.
    fn typed(&self) -> Option<BidInput> {
        let b = BidForm {
            csrf: String::new(),
            service_plan: self.service_plan.clone(),
            team: self.team.clone(),
            outputs: self.outputs.clone(),
            budget: self.budget.clone(),
        };
        let typed = b.input();
        let any = !typed.service_plan.trim().is_empty()
            || !typed.team.trim().is_empty()
            || typed.outputs.iter().any(|o| !o.indicator.trim().is_empty() || !o.quantity.trim().is_empty())
            || typed.budget.iter().any(|l| !l.category.trim().is_empty() || !l.amount.trim().is_empty());
        any.then_some(typed)
    }
}

crate::csrf_field!(UploadForm<'_>);

#[post("/calls/<id>/bid/attachments", data = "<form>")]
async fn upload(
    page: Page,
    me: Ngo,
    id: i32,
    form: Posted<UploadForm<'_>>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let typed = form.typed();
    let file = match crate::routes::uploads::chosen(&form.file) {
        Ok(f) => f,
        Err(e) => return page.refused("calls/bid", bid_context(app, &page, &me.0, id, typed).await?, e),
    };
    let _slot = crate::routes::uploads::slot().await;
    let (name, bytes) = crate::routes::uploads::read_upload(file).await?;
    match attachments::add(&app.db, (&app.sealer, &app.config.procurement), &me.0, app.clock.now(), id, &name, &bytes)
        .await
    {
        // From the bid's form: the page again with the text as typed (never stored unsealed).
        Ok(_) if typed.is_some() => {
            let mut ctx = bid_context(app, &page, &me.0, id, typed).await?;
            ctx["flash"] = json!({"kind": "success", "message": page.locale.t("flash.attachment_added_kept")});
            Ok(PageResponse::Html((rocket::http::Status::Ok, page.render("calls/bid", ctx))))
        }
        Ok(_) => Ok(done(format!("/calls/{id}/bid#files"), "flash.attachment_added")),
        Err(e) => page.refused("calls/bid", bid_context(app, &page, &me.0, id, typed).await?, e),
    }
}

#[post("/calls/<id>/bid/attachments/<aid>/remove", data = "<_form>")]
async fn remove_attachment(
    me: Ngo,
    id: i32,
    aid: &str,
    _form: Posted<NoteForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    attachments::remove(&app.db, &me.0, app.clock.now(), id, aid).await?;
    Ok(done(format!("/calls/{id}/bid#files"), "flash.attachment_removed"))
}

#[get("/calls/<id>/bid/attachments/<aid>")]
async fn download(m: crate::auth::Member, id: i32, aid: &str, app: &State<App>) -> Result<Download, PageError> {
    let a = attachments::fetch(&app.db, &app.sealer, &m.0, id, aid).await?;
    Ok(Download::file(a.data, &a.kind, &a.file_name, false))
}

/// The exact bytes a version's digest covers, for the bidder to keep and check with any
/// SHA-256 tool (`sha256sum receipt.json`).
#[get("/calls/<id>/bid/versions/<n>/receipt.json")]
async fn receipt_bytes(me: Ngo, id: i32, n: i32, app: &State<App>) -> Result<Download, PageError> {
    let (c, v) = crate::domain::procurement::receipts::own_version(&app.db, &app.sealer, &me.0, id, n).await?;
    let name = format!("receipt-{}-v{n}.json", c.reference.clone().unwrap_or_else(|| format!("call-{id}")));
    Ok(Download::file(v.content.into_bytes(), "json", &name, false))
}

#[get("/receipts/verify")]
fn verify_page(page: Page, csrf: Csrf) -> Template {
    page.with_csrf(csrf).render("calls/receipt_verify", json!({"result": null}))
}

#[derive(FromForm)]
struct VerifyForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    text: String,
    file: crate::routes::uploads::UploadField<'r>,
}

crate::csrf_field!(VerifyForm<'_>);

/// Anyone may compute the digest of a receipt's bytes; a member of an organization is also
/// told which of its own bid versions they match.
#[post("/receipts/verify", data = "<form>")]
async fn verify(
    page: Page,
    csrf: Csrf,
    form: Posted<VerifyForm<'_>>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let page = page.with_csrf(csrf);
    let file = match crate::routes::uploads::chosen(&form.file) {
        Ok(f) => f,
        Err(e) => return page.refused("calls/receipt_verify", json!({"result": null}), e),
    };
    let _slot = crate::routes::uploads::slot().await;
    let (_, uploaded) = crate::routes::uploads::read_upload(file).await?;
    // Pasted text is taken as typed, without the line break a text box may add at the end.
    let bytes =
        if uploaded.is_empty() { form.text.trim_end_matches(['\r', '\n']).as_bytes().to_vec() } else { uploaded };
    if bytes.is_empty() {
        let e = crate::domain::fields::field_error("text", crate::i18n::Msg::new("receipt.empty"));
        return page.refused("calls/receipt_verify", json!({"result": null}), e);
    }
    let digest = crate::domain::contracts::documents::sha256_hex(&bytes);
    let matches = match &page.user {
        Some(u) => crate::domain::procurement::receipts::own_versions_with_digest(&app.db, u, &digest).await?,
        None => vec![],
    };
    let matches: Vec<Value> = matches
        .into_iter()
        .map(|(call, name, version)| json!({"call": call, "name": name, "version": version}))
        .collect();
    let signed_in = page.user.as_ref().is_some_and(|u| u.organization_id.is_some());
    Ok(PageResponse::Html((
        rocket::http::Status::Ok,
        page.render(
            "calls/receipt_verify",
            json!({"result": {"digest": digest, "bytes": bytes.len(), "matches": matches, "member": signed_in}}),
        ),
    )))
}
