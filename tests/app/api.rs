//! The JSON API: same rules as the pages, JSON in and out, 422 with a field list.
use crate::support::*;
use entity::enums::Role;
use rocket::http::{Method, Status};
use serde_json::json;

async fn bearer(app: &TestApp, email: &str, role: Role, org: Option<i32>) -> Agent {
    let u = app.user(email, role, org).await;
    let token = fuhua::domain::accounts::create_api_token(app.db(), &u, "test", app.clock.now()).await.expect("token");
    app.agent().with_header("Authorization", &format!("Bearer {token}"))
}

fn body(name: &str, uscc: &str, district: i32) -> serde_json::Value {
    json!(org_input(name, uscc, &district.to_string()))
}

#[rocket::async_test]
async fn officer_creates_updates_and_reads_through_the_api() {
    let app = TestApp::new().await;
    let mut api = bearer(&app, "o@api.cn", Role::Officer, None).await;
    let d = app.district_id("吉阳区").await;
    let r = api.send_json(&app, Method::Post, "/api/v1/organizations", &body("三亚市接口测试中心", &code(1), d)).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    assert_eq!(r.json()["credit"]["level"], "good");

    let mut changed = body("三亚市接口测试中心", &code(1), d);
    changed["address"] = json!("三亚市吉阳区新风街2号");
    let r = api.send_json(&app, Method::Put, &format!("/api/v1/organizations/{id}"), &changed).await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(r.json()["address"], "三亚市吉阳区新风街2号");

    let r = api
        .send_json(
            &app,
            Method::Post,
            &format!("/api/v1/organizations/{id}/annual-reports"),
            &json!({"year": "2025", "result": "passed"}),
        )
        .await;
    assert_eq!(r.status, Status::Created);
    let r = api
        .send_json(
            &app,
            Method::Post,
            &format!("/api/v1/organizations/{id}/status"),
            &json!({"to": "suspended", "reason": "核查"}),
        )
        .await;
    assert_eq!(r.json()["status"], "suspended");
    let r = api
        .send_json(
            &app,
            Method::Post,
            &format!("/api/v1/organizations/{id}/status"),
            &json!({"to": "suspended", "reason": "again"}),
        )
        .await;
    assert_eq!(r.status, Status::Conflict);
    assert_eq!(r.json()["error"], "conflict");

    let list = api.get(&app, &format!("/api/v1/organizations?district_id={d}&status=suspended")).await;
    assert_eq!(list.json()["total"], 1);
    assert_eq!(list.json()["items"][0]["name"], "三亚市接口测试中心");
    let mut public = app.agent();
    assert_eq!(public.get(&app, "/api/v1/organizations").await.json()["total"], 0, "suspended is not public");
}

#[rocket::async_test]
async fn invalid_input_is_422_with_fields_and_writes_nothing() {
    let app = TestApp::new().await;
    let mut api = bearer(&app, "o@api.cn", Role::Officer, None).await;
    let mut bad = body("X", "123", 999);
    bad["registration_date"] = json!("yesterday");
    let r = api.send_json(&app, Method::Post, "/api/v1/organizations", &bad).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    let fields: Vec<String> = r.json()["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_string())
        .collect();
    for f in ["name", "uscc", "registration_date", "district_id"] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
    assert_eq!(r.json()["message"], "请修改标出的字段后再提交。");
    let r = api.send_json(&app, Method::Post, "/api/v1/organizations", &json!({"categories": "not a list"})).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(r.json()["fields"][0]["field"], "body");
    assert_eq!(app.count("organizations").await, 0);
}

#[rocket::async_test]
async fn writes_need_json_and_a_token_or_our_origin() {
    let app = TestApp::new().await;
    let d = app.district_id("吉阳区").await;
    let mut cookie_only = app.officer().await;
    let r =
        cookie_only.send_json(&app, Method::Post, "/api/v1/organizations", &body("三亚市跨站中心", &code(2), d)).await;
    assert_eq!(r.status, Status::Forbidden, "a session cookie alone does not write");
    let mut evil = cookie_only.clone().with_header("Origin", "https://evil.example");
    assert_eq!(
        evil.send_json(&app, Method::Post, "/api/v1/organizations", &body("三亚市跨站中心", &code(2), d)).await.status,
        Status::Forbidden
    );
    let mut same = cookie_only.clone().with_header("Origin", ORIGIN);
    assert_eq!(
        same.send_json(&app, Method::Post, "/api/v1/organizations", &body("三亚市同源中心", &code(3), d)).await.status,
        Status::Created
    );

    let mut api = bearer(&app, "o2@api.cn", Role::Officer, None).await;
    let form = app
        .client
        .post("/api/v1/organizations")
        .header(rocket::http::ContentType::Form)
        .header(rocket::http::Header::new("Authorization", api.headers[0].1.clone()))
        .body("name=x");
    let r = form.dispatch().await;
    assert_eq!(r.status(), Status::UnsupportedMediaType);
    let mut wrong = app.agent().with_header("Authorization", "Bearer fh_nope");
    assert_eq!(wrong.get(&app, "/api/v1/me").await.status, Status::Unauthorized);
    let me = api.get(&app, "/api/v1/me").await;
    assert_eq!(me.json()["role"], "officer");
    let r = api.send_json(&app, Method::Put, "/api/v1/me", &json!({"display_name": "张科长", "locale": "en"})).await;
    assert_eq!(r.json()["display_name"], "张科长");
    assert_eq!(app.count("organizations").await, 1);
}

#[rocket::async_test]
async fn ngo_tokens_read_but_do_not_write_the_registry() {
    let app = TestApp::new().await;
    let mine = app.org("三亚市令牌中心", &code(4), "天涯区").await;
    let mut api = bearer(&app, "ngo@api.cn", Role::NgoMember, Some(mine)).await;
    let r = api
        .send_json(&app, Method::Put, &format!("/api/v1/organizations/{mine}"), &body("三亚市令牌中心", &code(4), 1))
        .await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(r.json()["error"], "forbidden");
    let r = api.get(&app, &format!("/api/v1/organizations/{mine}")).await;
    assert_eq!(r.json()["private"]["contact_phone"], "0898-88123456");
    let r = api.get(&app, "/api/v1/organizations?q=syslp").await;
    assert_eq!(r.json()["total"], 1, "pinyin initials through the API too");
}
