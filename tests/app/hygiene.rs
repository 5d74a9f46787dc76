//! Web hygiene around sealed procurement and accounts: forwarding headers trusted only from
//! configured proxies, `next` addresses and page numbers that cannot make a 500, caching
//! and HSTS headers, staff ids out of public JSON, failed logins audited, reset links that
//! replace one another and end API tokens, a cap on account mail to one address, a file one
//! byte over the limit refused by name, and formulas in the CSV export kept as text.
use crate::support::bids::published_call;
use crate::support::*;
use entity::enums::Role;
use fuhua::auth::client_address;
use rocket::http::Status;
use sea_orm::EntityTrait;

#[test]
fn forwarding_headers_name_the_client_only_behind_a_trusted_proxy() {
    let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
    let proxy = [ip("10.0.0.2")];
    // A stranger's headers are ignored.
    assert_eq!(client_address(Some(ip("203.0.113.9")), &[], Some("1.2.3.4"), Some("5.6.7.8")), Some(ip("203.0.113.9")));
    assert_eq!(client_address(Some(ip("203.0.113.9")), &proxy, Some("1.2.3.4"), None), Some(ip("203.0.113.9")));
    // Behind the proxy: the right-most address it did not add itself, whatever the client put first.
    assert_eq!(
        client_address(Some(ip("10.0.0.2")), &proxy, Some("6.6.6.6, 198.51.100.7"), None),
        Some(ip("198.51.100.7"))
    );
    assert_eq!(client_address(Some(ip("10.0.0.2")), &proxy, None, Some("198.51.100.8")), Some(ip("198.51.100.8")));
    assert_eq!(client_address(Some(ip("10.0.0.2")), &proxy, Some("junk"), None), Some(ip("10.0.0.2")));
}

#[rocket::async_test]
async fn a_forged_client_address_neither_escapes_the_login_limit_nor_locks_out_another() {
    let app = TestApp::new().await;
    app.user("real@test.cn", Role::Officer, None).await;
    for i in 0..10 {
        let mut a = app.agent().with_header("X-Real-IP", &format!("198.51.100.{i}"));
        let mut a2 = a.clone().with_header("X-Forwarded-For", &format!("192.0.2.{i}"));
        a2.login(&app, &format!("guess{i}@test.cn"), "whatever123").await;
        drop(a.get(&app, "/").await);
    }
    let mut fresh = app.agent().with_header("X-Real-IP", "192.0.2.200");
    assert_eq!(fresh.login(&app, "real@test.cn", PASSWORD).await, Status::TooManyRequests);
    // Each failure is audited, with the address and whether the account exists.
    let entries = entity::audit_log::Entity::find().all(app.db()).await.expect("q");
    let failed: Vec<_> = entries.iter().filter(|e| e.action == "account.login_failed").collect();
    assert_eq!(failed.len(), 10);
    assert!(failed[0].payload.contains("guess0@test.cn") && failed[0].payload.contains("\"known_account\":false"));
    // Throttled attempts are counted, not audited one by one: they cost an attacker nothing.
    assert_eq!(entries.iter().filter(|e| e.action.starts_with("account.login")).count(), 10);
}

#[rocket::async_test]
async fn odd_next_addresses_and_huge_page_numbers_answer_without_a_500() {
    let app = TestApp::new().await;
    app.user("n@test.cn", Role::Admin, None).await;
    for next in
        ["/calls\t", "/calls\nSet-Cookie: x=1", "/calls\r", "/a b", "//evil.example", "https://evil.example", "/中文"]
    {
        let mut a = app.agent();
        let r = a.post(&app, "/login", &[("email", "n@test.cn"), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(r.status, Status::SeeOther, "next {next:?}");
        let to = r.header("Location").unwrap_or_default().to_string();
        assert!(to == "/todo" || to == "/%E4%B8%AD%E6%96%87" || to == "/中文", "next {next:?} went to {to:?}");
        let page = a
            .get(
                &app,
                &format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()),
            )
            .await;
        assert!(page.status.code < 500, "{next:?}");
    }
    let mut admin = app.agent();
    admin.login(&app, "n@test.cn", PASSWORD).await;
    for n in ["18446744073709551615", "18446744073709551614", "4294967296", "0"] {
        let r = admin.get(&app, &format!("/admin/outbox?page_no={n}")).await;
        assert_eq!(r.status, Status::Ok, "page {n}");
    }
}

#[rocket::async_test]
async fn signed_in_pages_and_downloads_are_not_cached_and_https_is_kept() {
    let app = TestApp::new().await;
    app.user("o@test.cn", Role::Officer, None).await;
    let mut public = app.agent();
    let home = public.get(&app, "/").await;
    assert_ne!(home.header("Cache-Control"), Some("no-store"), "a public page may be cached");
    assert!(home.header("Strict-Transport-Security").is_none(), "no HSTS over plain HTTP");
    assert_eq!(public.get(&app, "/organizations/export.csv").await.header("Cache-Control"), Some("no-store"));
    let mut officer = app.agent();
    officer.login(&app, "o@test.cn", PASSWORD).await;
    for path in ["/account", "/organizations", "/organizations/export.csv"] {
        assert_eq!(officer.get(&app, path).await.header("Cache-Control"), Some("no-store"), "{path}");
    }
    let https = TestApp::with(Options { secure_cookies: true, ..Options::default() }).await;
    let r = https.agent().get(&https, "/").await;
    assert!(r.header("Strict-Transport-Security").is_some_and(|v| v.contains("max-age=")), "HSTS behind HTTPS");
}

#[rocket::async_test]
async fn public_json_carries_no_staff_account_ids() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let mut public = app.agent();
    let body = public.get(&app, &format!("/api/v1/calls/{id}")).await.body;
    assert!(body.contains("\"title\""), "{body}");
    for field in ["created_by", "decided_by", "recorded_by", "asked_by", "submitted_by"] {
        assert!(!body.contains(field), "{field} in {body}");
    }
    let list = public.get(&app, "/api/v1/calls").await.body;
    assert!(!list.contains("created_by"), "{list}");
    // The award names organizations, not bid rows (whose ids count bids on other calls).
    let award: serde_json::Value = serde_json::to_value(entity::award::Model {
        id: 1,
        call_id: id,
        bid_id: 7,
        organization_id: 3,
        amount_fen: 1,
        recommended_bid_id: 7,
        deviation_reason: None,
        decided_by: 2,
        decided_at: app.clock.now(),
        challenge_until: app.clock.now(),
    })
    .expect("json");
    assert!(
        award.get("bid_id").is_none() && award.get("recommended_bid_id").is_none() && award.get("decided_by").is_none()
    );
}

#[rocket::async_test]
async fn a_new_reset_link_replaces_the_old_and_a_reset_ends_api_tokens() {
    let app = TestApp::new().await;
    let u = app.user("forgot@test.cn", Role::NgoMember, None).await;
    let token = fuhua::domain::accounts::create_api_token(app.db(), &u, "script", app.clock.now()).await.expect("t");
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    assert_eq!(api.get(&app, "/api/v1/me").await.status, Status::Ok);
    let mut a = app.agent();
    a.post(&app, "/password-reset", &[("email", "forgot@test.cn")]).await;
    let first = last_link(&app).await;
    a.post(&app, "/password-reset", &[("email", "forgot@test.cn")]).await;
    let second = last_link(&app).await;
    assert_ne!(first, second);
    let r = a.post(&app, &first, &[("password", "a brand new passphrase")]).await;
    assert_eq!(r.status, Status::BadRequest, "the older link no longer works");
    assert_eq!(a.post(&app, &second, &[("password", "a brand new passphrase")]).await.status, Status::SeeOther);
    assert_eq!(api.get(&app, "/api/v1/me").await.status, Status::Unauthorized, "API tokens end with the reset");
}

async fn last_link(app: &TestApp) -> String {
    let mail = app.outbox().await;
    let body = &mail.last().expect("mail").body_text;
    let start = body.find("/password-reset/").expect("link");
    body[start..].split_whitespace().next().unwrap_or_default().to_string()
}

#[rocket::async_test]
async fn a_mailbox_cannot_be_flooded_through_the_forms() {
    let app = TestApp::new().await;
    app.user("victim@test.cn", Role::NgoMember, None).await;
    let mut a = app.agent();
    for _ in 0..10 {
        let r = a.post(&app, "/password-reset", &[("email", "victim@test.cn")]).await;
        assert_eq!(r.status, Status::Ok, "the page says the same either way");
    }
    for _ in 0..10 {
        a.post(
            &app,
            "/register",
            &[("email", "victim@test.cn"), ("password", "long enough passphrase"), ("display_name", "x")],
        )
        .await;
    }
    let to_victim = app.outbox().await.into_iter().filter(|m| m.to_address == "victim@test.cn").count();
    assert_eq!(to_victim as u64, fuhua::domain::accounts::MAIL_PER_ADDRESS_PER_HOUR);
    // An hour later, one more may go.
    app.clock.advance(chrono::Duration::minutes(61));
    a.post(&app, "/password-reset", &[("email", "victim@test.cn")]).await;
    let to_victim = app.outbox().await.into_iter().filter(|m| m.to_address == "victim@test.cn").count();
    assert_eq!(to_victim as u64, fuhua::domain::accounts::MAIL_PER_ADDRESS_PER_HOUR + 1);
}

#[rocket::async_test]
async fn a_file_one_byte_over_the_limit_is_refused_by_name() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (mut a, _) = crate::support::hubs::ngo(&app, 1).await;
    let over = [b"%PDF-1.7".to_vec(), vec![b'x'; 10 * 1024 * 1024 - 8 + 1]].concat();
    let r = a.post_multipart(&app, &format!("/calls/{id}/bid/attachments"), "方案.pdf", &over).await;
    assert_eq!(r.status, Status::PayloadTooLarge);
    assert!(r.body.contains("10 MiB"), "{}", r.body);
    assert_eq!(app.count("bid_attachments").await, 0);
    let exact = [b"%PDF-1.7".to_vec(), vec![b'x'; 10 * 1024 * 1024 - 8]].concat();
    let r = a.post_multipart(&app, &format!("/calls/{id}/bid/attachments"), "方案.pdf", &exact).await;
    assert_eq!(r.status, Status::SeeOther, "exactly at the limit is taken");
}

#[rocket::async_test]
async fn the_csv_export_keeps_formulas_as_text() {
    let app = TestApp::new().await;
    let district = app.district_id("吉阳区").await.to_string();
    let mut input = org_input("三亚市公式测试服务中心", &code(7), &district);
    input.legal_representative = "=HYPERLINK(\"http://evil.example\",\"x\")".into();
    input.contact_name = "@SUM(A1)".into();
    input.contact_phone = "+86 898 1234".into();
    let now = app.clock.now();
    let actor = fuhua::domain::audit::Actor::system("test");
    fuhua::domain::organizations::create(app.db(), &actor, now, app.clock.today_local(), &input)
        .await
        .expect("create organization");
    let mut officer = app.officer().await;
    let csv = officer.get(&app, "/organizations/export.csv?q=%E5%85%AC%E5%BC%8F").await;
    assert_eq!(csv.status, Status::Ok);
    let text = String::from_utf8_lossy(&csv.bytes).to_string() + &csv.body;
    let row = text.lines().find(|l| l.contains("三亚市公式测试服务中心")).unwrap_or_else(|| panic!("no row in {text}"));
    let cells: Vec<&str> = row.split(',').map(|c| c.trim_matches('"')).collect();
    assert!(cells.iter().any(|c| c.starts_with("'=HYPERLINK")), "{row}");
    assert!(cells.contains(&"'@SUM(A1)") && cells.contains(&"'+86 898 1234"), "{row}");
    assert!(!cells.iter().any(|c| c.starts_with(['=', '+', '@', '-'])), "{row}");
}

#[rocket::async_test]
async fn names_keep_to_one_line_lose_invisible_characters_and_addresses_are_those_the_mailer_takes() {
    let app = TestApp::new().await;
    let mut a = app.agent();
    // A line break in a display name would start a line of its own in the plain-text email.
    let r = a
        .post(
            &app,
            "/register",
            &[
                ("email", "eve@test.cn"),
                ("password", PASSWORD),
                ("display_name", "Eve\r\nBcc: all@evil.example\u{202E}"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let user = entity::user::Entity::find().one(app.db()).await.expect("q").expect("user");
    assert_eq!(user.display_name, "Eve Bcc: all@evil.example");
    let mail = app.outbox().await.pop().expect("verification mail");
    assert!(!mail.body_text.lines().any(|l| l.starts_with("Bcc:")), "{}", mail.body_text);

    // An address the mailer would refuse is refused at the form, and nothing is queued.
    let queued = app.count("outbox").await;
    for bad in ["grp:victim@evil.example;", "Victim <victim@evil.example>", "a@b@evil.example"] {
        let mut b = app.agent();
        let r = b.post(&app, "/register", &[("email", bad), ("password", PASSWORD), ("display_name", "X")]).await;
        assert_eq!(r.status, Status::UnprocessableEntity, "{bad}");
        assert!(r.body.contains("邮箱"), "{bad}: {}", r.body);
    }
    assert_eq!((app.count("users").await, app.count("outbox").await), (1, queued));

    // An organization's name loses right-to-left overrides and zero-width characters.
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await.to_string();
    let i = org_input("三亚市\u{200B}阳光\u{202E}社工\u{FEFF}服务中心\n", &code(5), &d);
    let fields = [
        ("name", i.name.as_str()),
        ("uscc", &i.uscc),
        ("org_type", &i.org_type),
        ("registration_date", &i.registration_date),
        ("registration_authority", &i.registration_authority),
        ("legal_representative", "王\u{2066}五"),
        ("address", "三亚市吉阳区\r\n迎宾路 1 号"),
        ("district_id", &i.district_id),
        ("business_scope", &i.business_scope),
        ("registered_funds", "30000"),
        ("categories", "elderly"),
    ];
    let r = officer.post(&app, "/organizations", &fields).await;
    assert!(r.status == Status::SeeOther, "{}", r.body);
    let org = entity::organization::Entity::find().one(app.db()).await.expect("q").expect("org");
    assert_eq!(
        (org.name.as_str(), org.legal_representative.as_str(), org.address.as_str()),
        ("三亚市阳光社工服务中心", "王五", "三亚市吉阳区 迎宾路 1 号")
    );
}
