//! The registry of social organizations: the list, profiles, records, transfers.
pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod records;
pub(crate) mod transfer;

/// The HTML pages of the area.
pub fn pages() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(pages::routes());
    r.extend(records::routes());
    r.extend(transfer::routes());
    r
}

/// The area in the JSON API (/api/v1).
pub fn api() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(api::routes());
    r
}
