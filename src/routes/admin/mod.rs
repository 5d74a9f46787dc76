//! Administration: users, claims, the outbox, the audit log and its checkpoints.
pub(crate) mod checkpoints;
pub(crate) mod pages;

/// The HTML pages of the area.
pub fn pages() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(pages::routes());
    r.extend(checkpoints::routes());
    r
}
