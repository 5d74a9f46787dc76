//! Procurement: calls, sealed bids, the expert panel, the award and amendments.
pub(crate) mod amendments;
pub(crate) mod award;
pub(crate) mod bids;
pub(crate) mod calls;
pub(crate) mod calls_api;
pub(crate) mod experts;
pub(crate) mod panel;
pub(crate) mod panel_api;

/// The HTML pages of the area.
pub fn pages() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(calls::routes());
    r.extend(bids::routes());
    r.extend(panel::routes());
    r.extend(award::routes());
    r.extend(amendments::routes());
    r.extend(experts::routes());
    r
}

/// The area in the JSON API (/api/v1).
pub fn api() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(calls_api::routes());
    r.extend(panel_api::routes());
    r
}
