//! Confirmation before an irreversible step (publish, open, award, sign, record a payment,
//! release an evaluation, submit a self-evaluation, stop an account): the form's first post
//! answers with a page that says what will happen, with the facts of the step, and a form
//! that posts the same fields again with `confirmed=1`. A plain page: no JavaScript needed.
//! Steps that ask for more than a click (signing) add a box to tick.
use crate::routes::page::{Page, PageResponse};
use rocket::http::Status;
use serde::Serialize;
use serde_json::json;

/// One confirmation: `step` names its texts in the catalogue (`confirm.<step>.title`,
/// `.what`, `.button`, and `.acknowledge` when a box must be ticked).
pub struct Ask {
    pub step: &'static str,
    /// Where the confirmed form posts (the step's own address).
    pub action: String,
    /// Where "go back" leads: the page the step was started from.
    pub back: String,
    /// What the step will do it to, as (label, value), in the reader's language.
    pub facts: Vec<(String, String)>,
    /// The fields to post again, as typed.
    pub fields: Vec<(&'static str, String)>,
    pub acknowledge: bool,
}

#[derive(Serialize)]
struct Fact {
    label: String,
    value: String,
}

#[derive(Serialize)]
struct Field {
    name: &'static str,
    value: String,
}

/// Whether a posted form confirms its step (and ticked the box, where one is asked).
pub fn confirmed(confirmed: &str) -> bool {
    confirmed == "1"
}

/// The confirmation page for `ask`; `missed` when the box to tick was left empty.
pub fn ask(page: &Page, ask: Ask, missed: bool) -> PageResponse {
    let facts: Vec<Fact> = ask.facts.into_iter().map(|(label, value)| Fact { label, value }).collect();
    let fields: Vec<Field> = ask.fields.into_iter().map(|(name, value)| Field { name, value }).collect();
    let status = if missed { Status::UnprocessableEntity } else { Status::Ok };
    PageResponse::Html((
        status,
        page.render(
            "confirm",
            json!({
                "step": ask.step, "action": ask.action, "back": ask.back, "facts": facts, "fields": fields,
                "acknowledge": ask.acknowledge, "missed": missed,
            }),
        ),
    ))
}
