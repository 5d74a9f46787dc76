//! Email through the outbox over a real SMTP conversation on 127.0.0.1: delivery,
//! retry with backoff while the server refuses or is down, dead letters, admin retry.
use crate::support::smtp::{SmtpServer, bodies, subject};
use crate::support::*;
use entity::enums::{OutboxStatus, Role};
use fuhua::mail::deliver_due;
use rocket::http::Status;

async fn approve_a_claim(app: &TestApp) {
    let id = app.org("三亚市邮件测试服务中心", &code(1), "吉阳区").await;
    let member = app.user("member@ngo.cn", Role::NgoMember, None).await;
    fuhua::domain::claims::submit(app.db(), &member, app.clock.now(), &code(1), "").await.expect("claim");
    let officer = app.user("officer@bureau.cn", Role::Officer, None).await;
    let claim = {
        use sea_orm::EntityTrait;
        entity::claim::Entity::find().one(app.db()).await.ok().flatten().expect("claim").id
    };
    let s = app.state();
    fuhua::domain::claims::decide(app.db(), &s.emails, ORIGIN, &officer, app.clock.now(), claim, true, "")
        .await
        .expect("decide");
    let _ = id;
}

#[rocket::async_test]
async fn a_message_is_delivered_over_smtp_in_chinese() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with(Options { smtp_url: Some(smtp.url()), ..Options::default() }).await;
    approve_a_claim(&app).await;
    let (sent, failed) = deliver_due(app.state()).await.expect("deliver");
    assert_eq!((sent, failed), (1, 0));
    let got = smtp.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["member@ngo.cn"]);
    assert_eq!(subject(&got[0].data), "组织认领已通过");
    let text = bodies(&got[0].data);
    assert!(text.contains("三亚市邮件测试服务中心"), "{text}");
    assert!(text.contains("<html"), "an HTML part too");
    let rows = app.outbox().await;
    assert_eq!(rows[0].status, OutboxStatus::Sent);
    assert_eq!(rows[0].sent_at, Some(app.clock.now()));
    // Sent messages are not sent again.
    assert_eq!(deliver_due(app.state()).await.expect("deliver"), (0, 0));
    assert_eq!(smtp.messages().len(), 1);
}

#[rocket::async_test]
async fn refusals_are_retried_with_backoff_then_dead_and_visible_to_admins() {
    let smtp = SmtpServer::start().await;
    smtp.set_refusing(true);
    let app = TestApp::with(Options { smtp_url: Some(smtp.url()), max_attempts: 3, ..Options::default() }).await;
    approve_a_claim(&app).await;

    assert_eq!(deliver_due(app.state()).await.expect("run"), (0, 1));
    let row = app.outbox().await.remove(0);
    assert_eq!((row.status, row.attempts), (OutboxStatus::Pending, 1));
    assert_eq!(row.next_attempt_at, app.clock.now() + chrono::Duration::seconds(30));
    assert!(row.last_error.as_deref().unwrap_or_default().contains("try again later"));

    // Not due yet: nothing is tried.
    assert_eq!(deliver_due(app.state()).await.expect("run"), (0, 0));
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(deliver_due(app.state()).await.expect("run"), (0, 1));
    let row = app.outbox().await.remove(0);
    assert_eq!(row.next_attempt_at, app.clock.now() + chrono::Duration::seconds(60), "backoff doubles");
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(deliver_due(app.state()).await.expect("run"), (0, 1));
    let row = app.outbox().await.remove(0);
    assert_eq!((row.status, row.attempts), (OutboxStatus::Dead, 3));

    let mut admin = app.admin().await;
    let page = admin.get(&app, "/admin/outbox?status=dead").await;
    assert!(page.body.contains("member@ngo.cn") && page.body.contains("发送失败"));
    smtp.set_refusing(false);
    assert_eq!(
        admin.post(&app, &format!("/admin/outbox/{}/retry", row.public_ref), &[]).await.status,
        Status::SeeOther
    );
    assert_eq!(deliver_due(app.state()).await.expect("run"), (1, 0));
    assert_eq!(smtp.messages().len(), 1);
}

#[rocket::async_test]
async fn a_server_that_is_down_is_retried() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let app = TestApp::with(Options {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        max_attempts: 5,
        ..Options::default()
    })
    .await;
    approve_a_claim(&app).await;
    assert_eq!(deliver_due(app.state()).await.expect("run"), (0, 1));
    let row = app.outbox().await.remove(0);
    assert_eq!((row.status, row.attempts), (OutboxStatus::Pending, 1));
}

#[rocket::async_test]
async fn without_smtp_messages_go_to_a_folder() {
    let app = TestApp::new().await;
    approve_a_claim(&app).await;
    assert_eq!(deliver_due(app.state()).await.expect("run"), (1, 0));
    let dir = app.state().config.mail_dir.clone();
    let files: Vec<_> = std::fs::read_dir(&dir).expect("mail dir").filter_map(Result::ok).collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(files[0].path()).expect("eml");
    assert_eq!(subject(&raw), "组织认领已通过");
}

#[rocket::async_test]
async fn the_message_is_written_with_the_change_or_not_at_all() {
    let app = TestApp::new().await;
    approve_a_claim(&app).await;
    let officer = app.user("o2@bureau.cn", Role::Officer, None).await;
    let claim = {
        use sea_orm::EntityTrait;
        entity::claim::Entity::find().one(app.db()).await.ok().flatten().expect("claim").id
    };
    let before = app.count("outbox").await;
    let again = fuhua::domain::claims::decide(
        app.db(),
        &app.state().emails,
        ORIGIN,
        &officer,
        app.clock.now(),
        claim,
        false,
        "",
    )
    .await;
    assert!(again.is_err());
    assert_eq!(app.count("outbox").await, before, "a refused change sends nothing");
}

#[rocket::async_test]
async fn emails_follow_the_recipients_language() {
    let app = TestApp::new().await;
    let mut a = app.agent().with_header("Accept-Language", "en");
    a.post(&app, "/register", &[("email", "en@test.cn"), ("password", PASSWORD), ("display_name", "Amy")]).await;
    let mail = app.outbox().await.pop().expect("mail");
    assert_eq!(mail.subject, "Please verify your email");
    assert!(mail.body_text.starts_with("Dear Amy,"));
}
