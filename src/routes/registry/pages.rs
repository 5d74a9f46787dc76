//! The registry pages: list with filters and search, detail, create/edit, status,
//! linked records, contacts (the organization's own member), import and export.
use crate::assets::Template;
use crate::auth::Posted;
use crate::auth::{Ngo, Officer};
use crate::domain::access::Viewer;
use crate::domain::audit::Actor;
use crate::domain::organization_view;
use crate::domain::organizations::{self, ContactInput, OrgFilter, OrganizationInput, Places};
use crate::error::AppError;
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::public_cache::{Cacheable, PublicPage};
use crate::state::App;
use entity::enums::{AnnualResult, ListKind, OrgStatus, OrgType, ServiceCategory};
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, new_page, create, show, edit_page, update, change_status, update_contacts]
}

#[derive(FromForm, Default)]
pub struct FilterForm {
    #[field(default = String::new())]
    q: String,
    #[field(default = String::new())]
    org_type: String,
    #[field(default = String::new())]
    district_id: String,
    #[field(default = String::new())]
    community_id: String,
    #[field(default = String::new())]
    category: String,
    #[field(default = String::new())]
    status: String,
    #[field(default = String::new())]
    grade: String,
    #[field(default = String::new())]
    listed: String,
    #[field(default = String::new())]
    sort: String,
    #[field(default = String::new())]
    dir: String,
    #[field(default = String::new())]
    page: String,
}

impl FilterForm {
    pub fn to_filter(&self) -> OrgFilter {
        OrgFilter {
            q: self.q.clone(),
            org_type: self.org_type.clone(),
            district_id: self.district_id.clone(),
            community_id: self.community_id.clone(),
            category: self.category.clone(),
            status: self.status.clone(),
            grade: self.grade.clone(),
            listed: self.listed.clone(),
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.trim().parse().unwrap_or(1),
        }
    }
}

/// The choices the filter and form offer.
fn choices(places: &Places) -> Value {
    json!({
        "org_types": OrgType::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
        "statuses": OrgStatus::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
        "categories": ServiceCategory::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
        "annual_results": AnnualResult::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
        "list_kinds": ListKind::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
        "districts": places.districts,
        "communities": places.communities,
    })
}

fn query_string(f: &OrgFilter, page: Option<u64>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &f.q),
        ("org_type", &f.org_type),
        ("district_id", &f.district_id),
        ("community_id", &f.community_id),
        ("category", &f.category),
        ("status", &f.status),
        ("grade", &f.grade),
        ("listed", &f.listed),
        ("sort", &f.sort),
        ("dir", &f.dir),
    ] {
        if !v.trim().is_empty() {
            s.append_pair(k, v.trim());
        }
    }
    if let Some(p) = page {
        s.append_pair("page", &p.to_string());
    }
    s.finish()
}

#[get("/organizations?<f..>")]
async fn list(
    page: Page,
    f: FilterForm,
    app: &State<App>,
    templates: &State<crate::assets::Pages>,
    uri: &rocket::http::uri::Origin<'_>,
) -> Result<PublicPage, PageError> {
    let filter = f.to_filter();
    let what = format!("organizations|{}", uri.query().map(|q| q.as_str()).unwrap_or(""));
    let (cacheable, kept) = Cacheable::begin(&page, app, &what).await?;
    if let Some(kept) = kept {
        return Ok(kept);
    }
    let today = app.clock.today_local();
    let result =
        organizations::list(&app.reads, &filter, Viewer::of_anyone(page.user.as_ref()), today, &app.places).await?;
    let ctx = json!({
        "rows": result.rows, "total": result.total, "capped": result.capped, "page": result.page, "pages": result.pages,
        "filter": filter, "choices": choices(&app.places),
        "query": query_string(&filter, None),
        "prev_query": (result.page > 1).then(|| query_string(&filter, Some(result.page - 1))),
        "next_query": (result.page < result.pages).then(|| query_string(&filter, Some(result.page + 1))),
        "kept": url::form_urlencoded::parse(query_string(&filter, None).as_bytes()).into_owned().collect::<Vec<_>>(),
    });
    cacheable.finish(&page, app, templates, "organizations/list", ctx, None)
}

#[derive(FromForm)]
struct OrgForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    uscc: String,
    #[field(default = String::new())]
    uscc_override_reason: String,
    #[field(default = String::new())]
    org_type: String,
    #[field(default = String::new())]
    registration_date: String,
    #[field(default = String::new())]
    registration_authority: String,
    #[field(default = String::new())]
    legal_representative: String,
    #[field(default = String::new())]
    address: String,
    #[field(default = String::new())]
    district_id: String,
    #[field(default = String::new())]
    community_id: String,
    #[field(default = String::new())]
    business_scope: String,
    #[field(default = String::new())]
    registered_funds: String,
    #[field(default = String::new())]
    supervising_unit: String,
    #[field(default = String::new())]
    certificate_valid_until: String,
    #[field(default = Vec::new())]
    categories: Vec<String>,
    #[field(default = String::new())]
    contact_name: String,
    #[field(default = String::new())]
    contact_phone: String,
    #[field(default = String::new())]
    contact_email: String,
}

crate::csrf_field!(OrgForm);

impl OrgForm {
    fn input(&self) -> OrganizationInput {
        OrganizationInput {
            name: self.name.clone(),
            uscc: self.uscc.clone(),
            uscc_override_reason: self.uscc_override_reason.clone(),
            org_type: self.org_type.clone(),
            registration_date: self.registration_date.clone(),
            registration_authority: self.registration_authority.clone(),
            legal_representative: self.legal_representative.clone(),
            address: self.address.clone(),
            district_id: self.district_id.clone(),
            community_id: self.community_id.clone(),
            business_scope: self.business_scope.clone(),
            registered_funds: self.registered_funds.clone(),
            supervising_unit: self.supervising_unit.clone(),
            certificate_valid_until: self.certificate_valid_until.clone(),
            categories: self.categories.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            contact_email: self.contact_email.clone(),
        }
    }
}

async fn form_context(app: &App, values: &OrganizationInput, id: Option<i32>) -> Result<Value, AppError> {
    Ok(json!({"values": values, "id": id, "choices": choices(&app.places), "errors": {}}))
}

#[get("/organizations/new")]
async fn new_page(page: Page, _o: Officer, app: &State<App>) -> Result<Template, PageError> {
    let values = OrganizationInput { registration_authority: "三亚市民政局".into(), ..Default::default() };
    Ok(page.render("organizations/form", form_context(app, &values, None).await?))
}

#[post("/organizations", data = "<form>")]
async fn create(page: Page, o: Officer, form: Posted<OrgForm>, app: &State<App>) -> Result<PageResponse, PageError> {
    let input = form.input();
    match organizations::create(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), &input).await {
        Ok(org) => Ok(done(format!("/organizations/{}", org.id), "flash.organization_created")),
        Err(e) => page.refused("organizations/form", form_context(app, &input, None).await?, e),
    }
}

async fn detail_context(app: &App, page: &Page, id: i32) -> Result<Value, AppError> {
    let view =
        organization_view::organization(&app.db, &app.places, page.user.as_ref(), id, app.clock.today_local()).await?;
    Ok(json!({"org": view, "choices": choices(&app.places), "errors": {}, "values": {}}))
}

#[get("/organizations/<id>")]
async fn show(page: Page, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let ctx = detail_context(app, &page, id).await?;
    Ok(page.render("organizations/show", ctx))
}

#[get("/organizations/<id>/edit")]
async fn edit_page(page: Page, _o: Officer, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let org = organizations::get(&app.db, id).await?;
    let cats = organizations::categories(&app.db, id).await?;
    Ok(page.render("organizations/form", form_context(app, &organizations::to_input(&org, &cats), Some(id)).await?))
}

#[post("/organizations/<id>", data = "<form>")]
async fn update(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<OrgForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match organizations::update(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input).await
    {
        Ok(_) => Ok(done(format!("/organizations/{id}"), "flash.saved")),
        Err(e) => page.refused("organizations/form", form_context(app, &input, Some(id)).await?, e),
    }
}

/// A record form on the detail page failed: show the page again with the error by the form.
pub(crate) async fn detail_refused(
    page: &Page,
    app: &App,
    id: i32,
    form_name: &str,
    values: Value,
    e: AppError,
) -> Result<PageResponse, PageError> {
    let mut ctx = detail_context(app, page, id).await?;
    ctx["failed_form"] = json!(form_name);
    ctx["values"] = values;
    page.refused("organizations/show", ctx, e)
}

#[derive(FromForm)]
struct StatusForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    to: String,
    #[field(default = String::new())]
    reason: String,
}

crate::csrf_field!(StatusForm);

#[post("/organizations/<id>/status", data = "<form>")]
async fn change_status(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<StatusForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let result = match OrgStatus::from_code(&form.to) {
        Some(to) => {
            organizations::change_status(&app.db, &Actor::user(&o.0), app.clock.now(), id, to, &form.reason).await
        }
        None => {
            let mut e = crate::error::FieldErrors::default();
            e.add("to", crate::i18n::Msg::new("field.choose"));
            Err(AppError::Invalid(e))
        }
    };
    match result {
        Ok(_) => Ok(done(format!("/organizations/{id}"), "flash.status_changed")),
        Err(e) => detail_refused(&page, app, id, "status", json!({"reason": form.reason}), e).await,
    }
}

#[derive(FromForm)]
struct ContactForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    contact_name: String,
    #[field(default = String::new())]
    contact_phone: String,
    #[field(default = String::new())]
    contact_email: String,
}

crate::csrf_field!(ContactForm);

/// The organization's own member keeps its contact details current; nobody else's.
#[post("/organizations/<id>/contacts", data = "<form>")]
async fn update_contacts(
    page: Page,
    me: Ngo,
    id: i32,
    form: Posted<ContactForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    if Viewer::of_organization(Some(&me.0), id) != Viewer::Member {
        return Err(PageError(AppError::NotFound));
    }
    let input = ContactInput {
        contact_name: form.contact_name.clone(),
        contact_phone: form.contact_phone.clone(),
        contact_email: form.contact_email.clone(),
    };
    match organizations::update_contacts(&app.db, &Actor::user(&me.0), app.clock.now(), id, &input).await {
        Ok(_) => Ok(done(format!("/organizations/{id}"), "flash.saved")),
        Err(e) => detail_refused(&page, app, id, "contacts", json!({"contact_name": form.contact_name, "contact_phone": form.contact_phone, "contact_email": form.contact_email}), e).await,
    }
}
