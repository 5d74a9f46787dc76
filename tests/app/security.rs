//! Headers, hostile input, and the promise that no input makes the server answer 500.
use crate::support::*;
use rocket::http::{Method, Status};

#[rocket::async_test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::new().await;
    let mut a = app.agent();
    for path in ["/", "/organizations", "/no/such/page", "/api/v1/organizations", "/static/fuhua.css"] {
        let r = a.get(&app, path).await;
        let csp = r.header("Content-Security-Policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"), "{path}");
        assert_eq!(r.header("Referrer-Policy"), Some("same-origin"), "{path}");
    }
}

#[rocket::async_test]
async fn session_cookie_is_private_httponly_and_lax() {
    let app = TestApp::new().await;
    app.user("c@test.cn", entity::enums::Role::Officer, None).await;
    let mut a = app.agent();
    let r = a.post(&app, "/login", &[("email", "c@test.cn"), ("password", PASSWORD)]).await;
    let set = r
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("Set-Cookie") && v.starts_with("fuhua_session="))
        .map(|(_, v)| v.clone())
        .expect("session cookie");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let value = set.split(';').next().unwrap_or_default().trim_start_matches("fuhua_session=");
    assert!(value.len() > 64, "the id is encrypted, not the raw token");
}

#[rocket::async_test]
async fn hostile_input_never_makes_a_500() {
    let app = TestApp::new().await;
    let id = app.org("三亚市健壮性测试中心", &code(1), "吉阳区").await;
    let mut officer = app.officer().await;
    let nasty = [
        "",
        " ",
        "'",
        "\"",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "<script>alert(1)</script>",
        "\u{0}",
        "🙂",
        "𠀀𠀁",
        &"长".repeat(5000),
        "-1",
        "99999999999999999999",
        "1e309",
        "NaN",
        "2026-02-30",
        "0000-00-00",
        "-5000-01-01",
    ];
    for v in nasty {
        let paths = [
            "/organizations".to_string(),
            format!("/organizations/{id}"),
            format!("/organizations/{id}/status"),
            format!("/organizations/{id}/annual-reports"),
            format!("/organizations/{id}/grades"),
            format!("/organizations/{id}/list-entries"),
            format!("/organizations/{id}/penalties"),
            "/login".to_string(),
            "/register".to_string(),
            "/account/claim".to_string(),
        ];
        for p in paths {
            let fields = [
                ("name", v),
                ("uscc", v),
                ("org_type", v),
                ("registration_date", v),
                ("district_id", v),
                ("categories", v),
                ("registered_funds", v),
                ("year", v),
                ("result", v),
                ("grade", v),
                ("valid_from", v),
                ("kind", v),
                ("entered_on", v),
                ("reason", v),
                ("fine", v),
                ("decided_on", v),
                ("email", v),
                ("password", v),
                ("to", v),
                ("display_name", v),
            ];
            let r = officer.post(&app, &p, &fields).await;
            assert!(r.status.code < 500, "{p} with {v:?} answered {}", r.status);
        }
        let q = url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        for p in [
            format!("/organizations?q={q}&district_id={q}&grade={q}&page={q}"),
            format!("/api/v1/organizations?q={q}&page={q}"),
        ] {
            let r = officer.get(&app, &p).await;
            assert!(r.status.code < 500, "{p} answered {}", r.status);
        }
    }
    let mut api = officer.clone().with_header("Origin", ORIGIN);
    for body in ["", "null", "[]", "{", "{\"name\": 5}", "\"x\""] {
        let req =
            app.client.req(Method::Post, "/api/v1/organizations").header(rocket::http::ContentType::JSON).body(body);
        let r = req.dispatch().await;
        assert!(r.status().code < 500, "body {body:?}");
        let r = api
            .send_json(
                &app,
                Method::Put,
                &format!("/api/v1/organizations/{id}"),
                &serde_json::json!({"registered_funds": body}),
            )
            .await;
        assert!(r.status.code < 500);
    }
    assert_eq!(officer.get(&app, "/organizations/abc").await.status, Status::NotFound);
    assert_eq!(officer.get(&app, "/organizations/99999999999").await.status, Status::NotFound);
}

#[rocket::async_test]
async fn user_text_is_escaped_in_pages_and_emails() {
    let app = TestApp::new().await;
    let mut a = app.agent();
    a.post(&app, "/register", &[("email", "x@test.cn"), ("password", PASSWORD), ("display_name", "<b>坏</b>")]).await;
    let mail = app.outbox().await.pop().expect("mail");
    assert!(
        mail.body_html.contains("&lt;b&gt;坏&lt;&#x2F;b&gt;") || mail.body_html.contains("&lt;b&gt;坏"),
        "{}",
        mail.body_html
    );
    let id = app.org("三亚市<i>转义</i>中心", &code(2), "吉阳区").await;
    let page = a.get(&app, &format!("/organizations/{id}")).await;
    assert!(!page.body.contains("<i>转义</i>") && page.body.contains("&lt;i&gt;转义"));
}

#[rocket::async_test]
async fn public_pages_set_no_cookie_and_forms_get_their_token() {
    let app = TestApp::new().await;
    let mut visitor = app.agent();
    for path in ["/", "/organizations", "/organizations?q=sysy"] {
        let r = visitor.get(&app, path).await;
        assert!(r.header("Set-Cookie").is_none(), "{path} sets no cookie for a visitor");
    }
    let login = visitor.get(&app, "/login").await;
    assert!(login.header("Set-Cookie").unwrap_or_default().starts_with("fuhua_csrf="));
    assert!(visitor.csrf.as_deref().is_some_and(|t| t.len() == 64), "the form carries the token");
}
