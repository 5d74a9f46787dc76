//! Amendments to a published call (clarifications, a moved deadline).
use crate::auth::Officer;
use crate::auth::Posted;
use crate::domain::procurement::amendments::{self, AmendInput};
use crate::routes::errors::PageError;
use crate::routes::page::{Page, PageResponse, done};
use crate::state::App;
use rocket::form::FromForm;
use rocket::{State, post};
use serde_json::json;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![amend]
}

#[derive(FromForm)]
struct AmendForm {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    target_groups: String,
    #[field(default = String::new())]
    outputs_expected: String,
    #[field(default = String::new())]
    budget: String,
    #[field(default = String::new())]
    bid_deadline: String,
    #[field(default = String::new())]
    note: String,
}

crate::csrf_field!(AmendForm);

#[post("/calls/<id>/amend", data = "<form>")]
async fn amend(
    page: Page,
    o: Officer,
    id: i32,
    form: Posted<AmendForm>,
    app: &State<App>,
) -> Result<PageResponse, PageError> {
    let input = AmendInput {
        target_groups: form.target_groups.clone(),
        outputs_expected: form.outputs_expected.clone(),
        budget: form.budget.clone(),
        bid_deadline: form.bid_deadline.clone(),
        note: form.note.clone(),
    };
    let r = amendments::amend(
        &app.db,
        &app.emails,
        &app.config.public_origin,
        &o.0,
        app.clock.now(),
        &app.config.procurement,
        id,
        &input,
    )
    .await;
    match r {
        Ok(a) => Ok(done(
            format!("/calls/{id}#amendments"),
            if a.extended { "flash.call_amended_extended" } else { "flash.call_amended" },
        )),
        Err(e) => {
            let mut ctx = crate::routes::procurement::calls::call_context(app, &page, id).await?;
            ctx["values"] = json!({"amend": input});
            page.refused("calls/show", ctx, e)
        }
    }
}
