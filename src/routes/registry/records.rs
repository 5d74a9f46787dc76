//! The organization's linked records, as an officer adds them from its page: annual
//! reports, grades, list entries (and their removal), penalties.
use crate::auth::Officer;
use crate::auth::Posted;
use crate::domain::audit::Actor;
use crate::domain::records::{self, AnnualReportInput, GradeInput, ListEntryInput, ListRemovalInput, PenaltyInput};
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::routes::registry::pages::detail_refused;
use crate::state::App;
use rocket::form::FromForm;
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
        crate::csrf_field!($name);
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

/// One handler per kind of record: the same steps, a different form and domain call.
/// `$anchor` is where the page scrolls back to; `$form_name` opens the failed form again.
macro_rules! add_record_page {
    ($fn_name:ident, $path:literal, $form:ty, $domain:path, $anchor:literal, $form_name:literal) => {
        #[post($path, data = "<form>")]
        async fn $fn_name(
            page: Page,
            o: Officer,
            id: i32,
            form: Posted<$form>,
            app: &State<App>,
        ) -> Result<PageResponse, PageError> {
            let input = form.input();
            match $domain(&app.db, &Actor::user(&o.0), app.clock.now(), app.clock.today_local(), id, &input).await {
                Ok(_) => Ok(done(format!("/organizations/{id}#{}", $anchor), "flash.saved")),
                Err(e) => detail_refused(&page, app, id, $form_name, json!(input), e).await,
            }
        }
    };
}

add_record_page!(
    add_annual_report,
    "/organizations/<id>/annual-reports",
    AnnualForm,
    records::add_annual_report,
    "annual-reports",
    "annual_report"
);
add_record_page!(add_grade, "/organizations/<id>/grades", GradeForm, records::add_grade, "grades", "grade");
add_record_page!(
    add_list_entry,
    "/organizations/<id>/list-entries",
    ListForm,
    records::add_list_entry,
    "lists",
    "list_entry"
);
add_record_page!(
    add_penalty,
    "/organizations/<id>/penalties",
    PenaltyForm,
    records::add_penalty,
    "penalties",
    "penalty"
);

#[post("/organizations/<id>/list-entries/<entry>/remove", data = "<form>")]
async fn remove_list_entry(
    page: Page,
    o: Officer,
    id: i32,
    entry: i32,
    form: Posted<RemovalForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
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
