//! The organization's linked records, as an officer adds them from its page: annual
//! reports, grades, list entries (and their removal), penalties.
use super::organizations::detail_refused;
use super::{Page, PageResponse, done};
use crate::auth::{Csrf, Officer};
use crate::domain::audit::Actor;
use crate::domain::records::{self, AnnualReportInput, GradeInput, ListEntryInput, ListRemovalInput, PenaltyInput};
use crate::error::PageError;
use crate::state::App;
use rocket::form::{Form, FromForm};
use rocket::{State, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![add_annual_report, add_grade, add_list_entry, remove_list_entry, add_penalty]
}

macro_rules! record_form {
    ($name:ident, $input:ident { $($field:ident),+ }) => {
        #[derive(FromForm)]
        struct $name {
            #[field(default = String::new())]
            csrf: String,
            $(#[field(default = String::new())] $field: String,)+
        }
        impl $name {
            fn input(&self) -> $input {
                $input { $($field: self.$field.clone()),+ }
            }
        }
    };
}

record_form!(AnnualForm, AnnualReportInput { year, result, note });
record_form!(GradeForm, GradeInput { grade, valid_from, valid_to });
record_form!(ListForm, ListEntryInput { kind, entered_on, reason });
record_form!(RemovalForm, ListRemovalInput { removed_on, removal_reason });
record_form!(PenaltyForm, PenaltyInput { decided_on, authority, decision_number, description, fine });

#[post("/organizations/<id>/annual-reports", data = "<form>")]
async fn add_annual_report(
    page: Page,
    o: Officer,
    csrf: Csrf,
    id: i32,
    form: Form<AnnualForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    csrf.check(&form.csrf)?;
    let input = form.input();
    match records::add_annual_report(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input)
        .await
    {
        Ok(_) => Ok(done(format!("/organizations/{id}#annual-reports"), "flash.saved")),
        Err(e) => detail_refused(&page, app, id, "annual_report", json!(input), e).await,
    }
}

#[post("/organizations/<id>/grades", data = "<form>")]
async fn add_grade(
    page: Page,
    o: Officer,
    csrf: Csrf,
    id: i32,
    form: Form<GradeForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    csrf.check(&form.csrf)?;
    let input = form.input();
    match records::add_grade(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input).await {
        Ok(_) => Ok(done(format!("/organizations/{id}#grades"), "flash.saved")),
        Err(e) => detail_refused(&page, app, id, "grade", json!(input), e).await,
    }
}

#[post("/organizations/<id>/list-entries", data = "<form>")]
async fn add_list_entry(
    page: Page,
    o: Officer,
    csrf: Csrf,
    id: i32,
    form: Form<ListForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    csrf.check(&form.csrf)?;
    let input = form.input();
    match records::add_list_entry(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input)
        .await
    {
        Ok(_) => Ok(done(format!("/organizations/{id}#lists"), "flash.saved")),
        Err(e) => detail_refused(&page, app, id, "list_entry", json!(input), e).await,
    }
}

#[post("/organizations/<id>/list-entries/<entry>/remove", data = "<form>")]
async fn remove_list_entry(
    page: Page,
    o: Officer,
    csrf: Csrf,
    id: i32,
    entry: i32,
    form: Form<RemovalForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    csrf.check(&form.csrf)?;
    let input = form.input();
    match records::remove_list_entry(
        &app.db,
        &Actor::user(&o.0),
        app.clock.now(),
        app.clock.today_local(),
        id,
        entry,
        &input,
    )
    .await
    {
        Ok(_) => Ok(done(format!("/organizations/{id}#lists"), "flash.saved")),
        Err(e) => detail_refused(&page, app, id, &format!("removal_{entry}"), json!(input), e).await,
    }
}

#[post("/organizations/<id>/penalties", data = "<form>")]
async fn add_penalty(
    page: Page,
    o: Officer,
    csrf: Csrf,
    id: i32,
    form: Form<PenaltyForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    csrf.check(&form.csrf)?;
    let input = form.input();
    match records::add_penalty(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input).await
    {
        Ok(_) => Ok(done(format!("/organizations/{id}#penalties"), "flash.saved")),
        Err(e) => detail_refused(&page, app, id, "penalty", json!(input), e).await,
    }
}
