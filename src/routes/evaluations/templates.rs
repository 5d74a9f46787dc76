//! Indicator templates: the bureau's reusable indicator systems, one form with rows for the
//! dimensions and the indicators (blank rows are ignored; a few are always offered, so no
//! script is needed to add one).
use crate::assets::Template;
use crate::auth::Officer;
use crate::auth::Posted;
use crate::domain::evaluations::templates::{self, DimensionInput, IndicatorInput, TemplateInput};
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::state::App;
use entity::enums::{IndicatorLink, ServiceCategory};
use rocket::form::FromForm;
use rocket::{State, get, post};
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, new, create, edit, save]
}

const BLANK_DIMENSIONS: usize = 2;
const BLANK_INDICATORS: usize = 4;

#[derive(FromForm)]
struct DimensionForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    weight: String,
}

#[derive(FromForm)]
struct IndicatorForm {
    #[field(default = String::new())]
    dimension: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    weight: String,
    #[field(default = String::new())]
    guide: String,
    #[field(default = String::new())]
    link: String,
}

#[derive(FromForm)]
struct TemplateForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    category: String,
    #[field(default = String::new())]
    description: String,
    #[field(default = Vec::new())]
    dimensions: Vec<DimensionForm>,
    #[field(default = Vec::new())]
    indicators: Vec<IndicatorForm>,
}

crate::csrf_field!(TemplateForm);

impl TemplateForm {
    fn input(&self) -> TemplateInput {
        TemplateInput {
            name: self.name.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            dimensions: self
                .dimensions
                .iter()
                .map(|d| DimensionInput { name: d.name.clone(), weight: d.weight.clone() })
                .collect(),
            indicators: self
                .indicators
                .iter()
                .map(|i| IndicatorInput {
                    dimension: i.dimension.clone(),
                    name: i.name.clone(),
                    weight: i.weight.clone(),
                    guide: i.guide.clone(),
                    link: i.link.clone(),
                })
                .collect(),
        }
    }
}

/// The form's context: the values (with blank rows added) and the choices.
fn form_context(id: Option<i32>, mut values: TemplateInput) -> Value {
    values.dimensions.extend((0..BLANK_DIMENSIONS).map(|_| DimensionInput::default()));
    values.indicators.extend((0..BLANK_INDICATORS).map(|_| IndicatorInput::default()));
    json!({
        "id": id,
        "values": values,
        "categories": crate::routes::page::codes(ServiceCategory::ALL, ServiceCategory::code),
        "links": crate::routes::page::codes(IndicatorLink::ALL, IndicatorLink::code),
    })
}

#[get("/indicator-templates")]
async fn list(page: Page, _o: Officer, app: &State<App>) -> Result<Template, PageError> {
    let rows = templates::list(&app.db).await?;
    Ok(page.render("evaluations/templates", json!({"templates": rows})))
}

#[get("/indicator-templates/new")]
async fn new(page: Page, _o: Officer) -> Template {
    let starter = TemplateInput {
        dimensions: ["field.dim_budget", "field.dim_outputs", "field.dim_outcomes", "field.dim_satisfaction"]
            .iter()
            .zip(["10", "50", "30", "10"])
            .map(|(k, w)| DimensionInput { name: page.locale.t(k).to_string(), weight: w.to_string() })
            .collect(),
        ..Default::default()
    };
    page.render("evaluations/template_form", form_context(None, starter))
}

#[post("/indicator-templates", data = "<form>")]
async fn create(
    page: Page,
    o: Officer,
    form: Posted<TemplateForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match templates::save(&app.db, &o.0, app.clock.now(), None, &input).await {
        Ok(t) => Ok(done(format!("/indicator-templates/{}", t.id), "flash.template_saved")),
        Err(e) => page.refused("evaluations/template_form", form_context(None, input), e),
    }
}

#[get("/indicator-templates/<id>")]
async fn edit(page: Page, _o: Officer, id: i32, app: &State<App>) -> Result<Template, PageError> {
    let t = templates::get(&app.db, id).await?;
    Ok(page.render("evaluations/template_form", form_context(Some(id), t.input())))
}

#[post("/indicator-templates/<id>", data = "<form>")]
async fn save(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<TemplateForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = form.input();
    match templates::save(&app.db, &o.0, app.clock.now(), Some(id), &input).await {
        Ok(_) => Ok(done(format!("/indicator-templates/{id}"), "flash.template_saved")),
        Err(e) => page.refused("evaluations/template_form", form_context(Some(id), input), e),
    }
}
