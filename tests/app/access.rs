//! Deny by default: every route that touches an organization refuses another
//! organization's member, and every bureau route refuses NGOs and visitors.
use crate::support::files::read_xlsx;
use crate::support::*;
use entity::enums::Role;
use rocket::http::{Method, Status};

struct World {
    app: TestApp,
    mine: i32,
    theirs: i32,
    ngo: Agent,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let mine = app.org("三亚市甲组织", &code(1), "吉阳区").await;
    let theirs = app.org("三亚市乙组织", &code(2), "天涯区").await;
    let ngo = app.login_as("member@a.cn", Role::NgoMember, Some(mine)).await;
    World { app, mine, theirs, ngo }
}

/// Every form route that changes an organization, with plausible fields.
fn write_routes(id: i32) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    vec![
        (format!("/organizations/{id}"), vec![("name", "改名"), ("org_type", "foundation")]),
        (format!("/organizations/{id}/status"), vec![("to", "suspended"), ("reason", "x")]),
        (format!("/organizations/{id}/annual-reports"), vec![("year", "2025"), ("result", "passed")]),
        (format!("/organizations/{id}/grades"), vec![("grade", "5"), ("valid_from", "2025-01-01")]),
        (
            format!("/organizations/{id}/list-entries"),
            vec![("kind", "abnormal_list"), ("entered_on", "2025-01-01"), ("reason", "x")],
        ),
        (
            format!("/organizations/{id}/list-entries/1/remove"),
            vec![("removed_on", "2025-02-01"), ("removal_reason", "x")],
        ),
        (
            format!("/organizations/{id}/penalties"),
            vec![("decided_on", "2025-01-01"), ("authority", "a"), ("decision_number", "b"), ("description", "c")],
        ),
        (
            format!("/organizations/{id}/contacts"),
            vec![("contact_name", "冒名"), ("contact_phone", "110"), ("contact_email", "x@evil.cn")],
        ),
    ]
}

#[rocket::async_test]
async fn an_ngo_member_never_changes_another_organization() {
    let mut w = world().await;
    let before = (w.app.count("audit_log").await, w.app.count("annual_reports").await, w.app.count("penalties").await);
    for (path, fields) in write_routes(w.theirs) {
        let r = w.ngo.post(&w.app, &path, &fields).await;
        assert!(matches!(r.status, Status::Forbidden | Status::NotFound), "{path} answered {}", r.status);
    }
    assert_eq!(
        (w.app.count("audit_log").await, w.app.count("annual_reports").await, w.app.count("penalties").await),
        before
    );
    let json_routes = [
        (Method::Put, format!("/api/v1/organizations/{}", w.theirs)),
        (Method::Post, format!("/api/v1/organizations/{}/status", w.theirs)),
        (Method::Post, format!("/api/v1/organizations/{}/annual-reports", w.theirs)),
        (Method::Post, format!("/api/v1/organizations/{}/grades", w.theirs)),
        (Method::Post, format!("/api/v1/organizations/{}/list-entries", w.theirs)),
        (Method::Post, format!("/api/v1/organizations/{}/penalties", w.theirs)),
        (Method::Post, "/api/v1/organizations".to_string()),
    ];
    let mut api = w.ngo.clone().with_header("Origin", ORIGIN);
    for (method, path) in json_routes {
        let r = api
            .send_json(&w.app, method, &path, &serde_json::json!({"name": "x", "to": "suspended", "reason": "x"}))
            .await;
        assert_eq!(r.status, Status::Forbidden, "{method} {path}");
    }
    assert_eq!(w.app.count("audit_log").await, before.0);
}

#[rocket::async_test]
async fn an_ngo_member_never_reads_another_organizations_private_data() {
    let mut w = world().await;
    let theirs_email = format!("{}@example.org", code(2).to_lowercase());
    let mine_email = format!("{}@example.org", code(1).to_lowercase());
    let reads = [
        format!("/organizations/{}", w.theirs),
        format!("/organizations/{}/edit", w.theirs),
        "/organizations".to_string(),
        "/organizations?q=%E4%B9%99".to_string(),
        "/organizations/export.csv".to_string(),
        format!("/api/v1/organizations/{}", w.theirs),
        "/api/v1/organizations".to_string(),
        "/claims".to_string(),
        "/admin/audit".to_string(),
        "/admin/outbox".to_string(),
        "/admin/users".to_string(),
    ];
    for path in reads {
        let r = w.ngo.get(&w.app, &path).await;
        assert!(!r.body.contains(&theirs_email), "{path} leaked another organization's contact");
        assert!(!String::from_utf8_lossy(&r.bytes).contains("0898-88123456"), "{path} leaked a phone number");
    }
    let xlsx = w.ngo.get(&w.app, "/organizations/export.xlsx").await;
    let sheet = read_xlsx(&xlsx.bytes);
    assert!(!sheet.contains(&theirs_email) && !sheet.contains(&mine_email), "exports carry no contacts for NGOs");
    // Its own organization, in full.
    let own = w.ngo.get(&w.app, &format!("/api/v1/organizations/{}", w.mine)).await;
    assert_eq!(own.json()["private"]["contact_email"], mine_email.as_str());
    let other = w.ngo.get(&w.app, &format!("/api/v1/organizations/{}", w.theirs)).await;
    assert!(other.json()["private"].is_null());
}

#[rocket::async_test]
async fn bureau_pages_refuse_ngos_and_send_visitors_to_login() {
    let mut w = world().await;
    let bureau_pages =
        ["/organizations/new", "/organizations/import", "/claims", "/admin/audit", "/admin/outbox", "/admin/users"];
    let mut visitor = w.app.agent();
    for p in bureau_pages {
        assert_eq!(w.ngo.get(&w.app, p).await.status, Status::Forbidden, "{p}");
        let r = visitor.get(&w.app, p).await;
        assert_eq!(r.status, Status::SeeOther, "{p}");
        assert!(r.location.unwrap_or_default().starts_with("/login?next="), "{p}");
    }
    let mut officer = w.app.officer().await;
    for p in ["/admin/audit", "/admin/outbox", "/admin/users"] {
        assert_eq!(officer.get(&w.app, p).await.status, Status::Forbidden, "admin only: {p}");
    }
    let mut expert = w.app.login_as("expert@x.cn", Role::Expert, None).await;
    assert_eq!(expert.post(&w.app, "/organizations", &[("name", "x")]).await.status, Status::Forbidden);
    assert_eq!(
        visitor.post(&w.app, &format!("/organizations/{}/contacts", w.mine), &[("contact_name", "x")]).await.status,
        Status::SeeOther
    );
}

#[rocket::async_test]
async fn api_answers_json_errors_for_refusals() {
    let mut w = world().await;
    let mut visitor = w.app.agent();
    let r = visitor.get(&w.app, "/api/v1/me").await;
    assert_eq!(r.status, Status::Unauthorized);
    assert_eq!(r.json()["error"], "unauthorized");
    let r = w.ngo.get(&w.app, "/api/v1/organizations/999999").await;
    assert_eq!(r.status, Status::NotFound);
    assert_eq!(r.json()["error"], "not_found");
}
