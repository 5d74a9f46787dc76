//! Contracts: drafting, signing, amendments, milestones, reports and payments.
pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod work;

/// The HTML pages of the area.
pub fn pages() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(pages::routes());
    r.extend(work::routes());
    r
}

/// The area in the JSON API (/api/v1).
pub fn api() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(api::routes());
    r
}
