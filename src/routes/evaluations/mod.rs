//! Evaluations: scheduling, self-evaluation, scoring, release; indicator templates.
pub(crate) mod api;
pub(crate) mod assessment;
pub(crate) mod pages;
pub(crate) mod templates;

/// The HTML pages of the area.
pub fn pages() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(pages::routes());
    r.extend(assessment::routes());
    r.extend(templates::routes());
    r
}

/// The area in the JSON API (/api/v1).
pub fn api() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(api::routes());
    r
}
