//! Registration with email verification, login, logout, log out everywhere, password
//! reset, session timeouts, throttling, CSRF.
use crate::support::*;
use entity::enums::Role;
use rocket::http::Status;

/// The link in the newest queued message, e.g. "/verify/abc…".
async fn link_in_last_mail(app: &TestApp, prefix: &str) -> String {
    let mails = app.outbox().await;
    let last = mails.last().expect("a queued message");
    let start = last.body_text.find(&format!("{ORIGIN}{prefix}")).expect("link in body") + ORIGIN.len();
    last.body_text[start..].split_whitespace().next().expect("link").to_string()
}

#[rocket::async_test]
async fn register_verify_and_log_in() {
    let app = TestApp::new().await;
    let mut a = app.agent();
    let r = a
        .post(&app, "/register", &[("email", "Staff@Sunshine.org"), ("password", PASSWORD), ("display_name", "李干事")])
        .await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("staff@sunshine.org"), "tells where the mail went");

    // Not usable before the link is followed.
    assert_eq!(a.login(&app, "staff@sunshine.org", PASSWORD).await, Status::BadRequest);
    assert!(!a.has_session());

    let mails = app.outbox().await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to_address, "staff@sunshine.org");
    assert_eq!(mails[0].subject, "请验证您的邮箱");
    assert!(mails[0].body_text.contains("李干事"));

    let link = link_in_last_mail(&app, "/verify/").await;
    let r = a.get(&app, &link).await;
    assert_eq!(r.status, Status::SeeOther);
    // A link works once.
    assert_eq!(a.get(&app, &link).await.status, Status::BadRequest);

    assert_eq!(a.login(&app, "staff@sunshine.org", PASSWORD).await, Status::SeeOther);
    assert!(a.has_session());
    let me = a.get(&app, "/account").await;
    assert_eq!(me.status, Status::Ok);
    assert!(me.body.contains("李干事"));
}

#[rocket::async_test]
async fn registration_does_not_reveal_existing_accounts() {
    let app = TestApp::new().await;
    app.user("taken@test.cn", Role::NgoMember, None).await;
    let users_before = app.count("users").await;
    let mut a = app.agent();
    let r =
        a.post(&app, "/register", &[("email", "taken@test.cn"), ("password", PASSWORD), ("display_name", "X")]).await;
    assert_eq!(r.status, Status::Ok, "same answer as a new address");
    assert_eq!(app.count("users").await, users_before);
    let mails = app.outbox().await;
    assert_eq!(mails.last().map(|m| m.kind.as_str()), Some("account_exists"));
}

#[rocket::async_test]
async fn registration_errors_keep_values_and_write_nothing() {
    let app = TestApp::new().await;
    let mut a = app.agent();
    let r =
        a.post(&app, "/register", &[("email", "not-an-email"), ("password", "short"), ("display_name", "王五")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("请输入有效的电子邮箱地址"));
    assert!(r.body.contains("密码至少 8 位"));
    assert!(r.body.contains("value=\"王五\""), "the user's other values are kept");
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("outbox").await, 0);
}

#[rocket::async_test]
async fn wrong_password_and_unknown_account_look_the_same() {
    let app = TestApp::new().await;
    app.user("a@test.cn", Role::Officer, None).await;
    let mut a = app.agent();
    let wrong = a.post(&app, "/login", &[("email", "a@test.cn"), ("password", "nope nope nope")]).await;
    let unknown = a.post(&app, "/login", &[("email", "b@test.cn"), ("password", "nope nope nope")]).await;
    assert_eq!(wrong.status, Status::BadRequest);
    assert_eq!(unknown.status, Status::BadRequest);
    assert!(wrong.body.contains("邮箱或密码不正确"));
    assert!(unknown.body.contains("邮箱或密码不正确"));
    assert!(wrong.body.contains("value=\"a@test.cn\""), "email kept in the form");
}

#[rocket::async_test]
async fn eleventh_failure_in_fifteen_minutes_is_refused_even_with_the_right_password() {
    let app = TestApp::new().await;
    app.user("target@test.cn", Role::Officer, None).await;
    let mut a = app.agent();
    for _ in 0..10 {
        assert_eq!(a.login(&app, "target@test.cn", "wrong password").await, Status::BadRequest);
    }
    let r = a.post(&app, "/login", &[("email", "target@test.cn"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert!(r.body.contains("15 分钟"));
    assert!(!a.has_session());
    // After the window the account works again.
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(a.login(&app, "target@test.cn", PASSWORD).await, Status::SeeOther);
}

#[rocket::async_test]
async fn failures_from_one_address_are_throttled_across_accounts() {
    let app = TestApp::new().await;
    app.user("real@test.cn", Role::Officer, None).await;
    let mut a = app.agent();
    for i in 0..10 {
        a.login(&app, &format!("guess{i}@test.cn"), "whatever123").await;
    }
    assert_eq!(a.login(&app, "real@test.cn", PASSWORD).await, Status::TooManyRequests);
}

#[rocket::async_test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let mut a = app.officer().await;
    let stolen = a.clone();
    assert_eq!(a.post(&app, "/logout", &[]).await.status, Status::SeeOther);
    let mut thief = stolen;
    let r = thief.get(&app, "/account").await;
    assert_eq!(r.status, Status::SeeOther, "the old cookie no longer works");
    assert!(r.location.unwrap_or_default().starts_with("/login"));
}

#[rocket::async_test]
async fn log_out_everywhere_ends_every_session() {
    let app = TestApp::new().await;
    app.user("many@test.cn", Role::Officer, None).await;
    let mut phone = app.agent();
    let mut laptop = app.agent();
    phone.login(&app, "many@test.cn", PASSWORD).await;
    laptop.login(&app, "many@test.cn", PASSWORD).await;
    assert_eq!(phone.get(&app, "/account").await.status, Status::Ok);
    assert_eq!(laptop.post(&app, "/logout-everywhere", &[]).await.status, Status::SeeOther);
    assert_eq!(phone.get(&app, "/account").await.status, Status::SeeOther);
    assert_eq!(laptop.get(&app, "/account").await.status, Status::SeeOther);
    assert_eq!(app.count("sessions").await, 0);
}

#[rocket::async_test]
async fn login_replaces_the_session_id() {
    let app = TestApp::new().await;
    app.user("fix@test.cn", Role::Officer, None).await;
    let mut a = app.agent();
    a.login(&app, "fix@test.cn", PASSWORD).await;
    let first = a.clone();
    a.login(&app, "fix@test.cn", PASSWORD).await;
    let mut old = first;
    assert_eq!(old.get(&app, "/account").await.status, Status::SeeOther, "a session id is not reused after login");
    assert_eq!(a.get(&app, "/account").await.status, Status::Ok);
    assert_eq!(app.count("sessions").await, 1);
}

#[rocket::async_test]
async fn idle_and_absolute_timeouts() {
    let app = TestApp::new().await;
    let mut a = app.officer().await;
    app.clock.advance(chrono::Duration::minutes(119));
    assert_eq!(a.get(&app, "/account").await.status, Status::Ok, "still within the idle limit");
    app.clock.advance(chrono::Duration::minutes(121));
    assert_eq!(a.get(&app, "/account").await.status, Status::SeeOther, "idle too long");

    let mut b = app.login_as("busy@test.cn", Role::Officer, None).await;
    for _ in 0..13 {
        app.clock.advance(chrono::Duration::minutes(60));
        b.get(&app, "/account").await;
    }
    assert_eq!(b.get(&app, "/account").await.status, Status::SeeOther, "absolute limit of 12 hours");
}

#[rocket::async_test]
async fn password_reset_by_email() {
    let app = TestApp::new().await;
    app.user("forgot@test.cn", Role::NgoMember, None).await;
    let mut other_device = app.agent();
    other_device.login(&app, "forgot@test.cn", PASSWORD).await;

    let mut a = app.agent();
    let r = a.post(&app, "/password-reset", &[("email", "forgot@test.cn")]).await;
    assert_eq!(r.status, Status::Ok);
    // Unknown addresses get the same page and no mail.
    let r2 = a.post(&app, "/password-reset", &[("email", "nobody@test.cn")]).await;
    assert_eq!(r2.status, Status::Ok);
    assert_eq!(app.outbox().await.len(), 1);

    let link = link_in_last_mail(&app, "/password-reset/").await;
    let short = a.post(&app, &link, &[("password", "short")]).await;
    assert_eq!(short.status, Status::UnprocessableEntity);
    assert_eq!(a.post(&app, &link, &[("password", "a brand new passphrase")]).await.status, Status::SeeOther);
    assert_eq!(a.login(&app, "forgot@test.cn", PASSWORD).await, Status::BadRequest);
    assert_eq!(a.login(&app, "forgot@test.cn", "a brand new passphrase").await, Status::SeeOther);
    assert_eq!(other_device.get(&app, "/account").await.status, Status::SeeOther, "old sessions end on reset");
    assert_eq!(
        a.post(&app, &link, &[("password", "another passphrase")]).await.status,
        Status::BadRequest,
        "used once"
    );
}

#[rocket::async_test]
async fn reset_link_expires_after_an_hour() {
    let app = TestApp::new().await;
    app.user("late@test.cn", Role::NgoMember, None).await;
    let mut a = app.agent();
    a.post(&app, "/password-reset", &[("email", "late@test.cn")]).await;
    let link = link_in_last_mail(&app, "/password-reset/").await;
    app.clock.advance(chrono::Duration::minutes(61));
    let r = a.post(&app, &link, &[("password", "a brand new passphrase")]).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("链接无效或已过期"));
}

#[rocket::async_test]
async fn forms_without_the_csrf_token_change_nothing() {
    let app = TestApp::new().await;
    let mut a = app.officer().await;
    let before = app.count("organizations").await;
    let district = app.district_id("吉阳区").await.to_string();
    let r = a.post_raw(&app, "/organizations", &[("name", "三亚市伪造表单中心"), ("district_id", &district)]).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("表单已过期"));
    let r = a.post_raw(&app, "/logout-everywhere", &[("csrf", "forged")]).await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(app.count("organizations").await, before);
    assert_eq!(a.get(&app, "/account").await.status, Status::Ok, "still logged in");
}

#[rocket::async_test]
async fn profile_language_and_api_tokens() {
    let app = TestApp::new().await;
    let mut a = app.login_as("me@test.cn", Role::NgoMember, None).await;
    let r = a.post(&app, "/account/profile", &[("display_name", "  "), ("locale", "en")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        a.post(&app, "/account/profile", &[("display_name", "Mei"), ("locale", "en")]).await.status,
        Status::SeeOther
    );

    let r = a.post(&app, "/account/tokens", &[("name", "报表脚本")]).await;
    assert_eq!(r.status, Status::Ok);
    let start = r.body.find("fh_").expect("token shown once");
    let token = r.body[start..start + 67].to_string();
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let me = api.get(&app, "/api/v1/me").await;
    assert_eq!(me.status, Status::Ok);
    assert_eq!(me.json()["display_name"], "Mei");
    assert_eq!(me.json()["locale"], "en");

    let page = a.get(&app, "/account").await;
    assert!(!page.body.contains(&token), "a token is shown only once");
    let id = {
        use sea_orm::EntityTrait;
        entity::api_token::Entity::find().one(app.db()).await.ok().flatten().map(|t| t.id).unwrap_or_default()
    };
    assert_eq!(a.post(&app, &format!("/account/tokens/{id}/revoke"), &[]).await.status, Status::SeeOther);
    assert_eq!(api.get(&app, "/api/v1/me").await.status, Status::Unauthorized);
}
