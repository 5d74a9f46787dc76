//! Incubation hubs: hubs and rounds, applications and admissions, members.
pub(crate) mod admissions;
pub(crate) mod api;
pub(crate) mod members;
pub(crate) mod pages;

/// The HTML pages of the area.
pub fn pages() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(pages::routes());
    r.extend(admissions::routes());
    r.extend(members::routes());
    r
}

/// The area in the JSON API (/api/v1).
pub fn api() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(api::routes());
    r
}
