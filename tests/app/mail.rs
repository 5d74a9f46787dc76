//! Email through the outbox over a real SMTP conversation on 127.0.0.1: delivery,
//! retry with backoff while the server refuses or is down, dead letters, admin retry.
use crate::support::smtp::{Freeze, SmtpServer, bodies, subject};
use crate::support::*;
use entity::enums::{OutboxStatus, Role};
use fuhua::worker::deliver_due;
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

#[rocket::async_test]
async fn a_mail_server_that_accepts_and_says_nothing_is_given_up_on_and_the_message_sent_later_once() {
    for freeze in [Freeze::Silent, Freeze::AfterGreeting] {
        let smtp = SmtpServer::start().await;
        smtp.set_frozen(freeze);
        let app =
            TestApp::with(Options { smtp_url: Some(smtp.url()), smtp_timeout_secs: 1, ..Options::default() }).await;
        approve_a_claim(&app).await;
        // The attempt ends (it would wait forever otherwise), counted as a failure with why.
        assert_eq!(deliver_due(app.state()).await.expect("run"), (0, 1), "{freeze:?}");
        let row = app.outbox().await.remove(0);
        assert_eq!((row.status, row.attempts), (OutboxStatus::Pending, 1), "{freeze:?}");
        let why = row.last_error.clone().unwrap_or_default();
        assert!(why.contains("did not answer within 1 s") || why.contains("timed out"), "{freeze:?}: {why}");
        // The server answers again: the message goes out once at its next attempt.
        smtp.set_frozen(Freeze::No);
        app.clock.advance(chrono::Duration::seconds(31));
        assert_eq!(deliver_due(app.state()).await.expect("run"), (1, 0), "{freeze:?}");
        assert_eq!(deliver_due(app.state()).await.expect("run"), (0, 0));
        assert_eq!(smtp.messages().len(), 1, "{freeze:?}");
    }
}

#[rocket::async_test]
async fn a_message_another_worker_sent_is_never_put_back_in_the_queue() {
    let app = TestApp::new().await;
    approve_a_claim(&app).await;
    let db = app.db();
    let now = app.clock.now();
    let msg = app.outbox().await.remove(0);
    // This worker takes it; its lease lapses; another worker takes it and sends it.
    let lease = now + fuhua::worker::lease(&app.state().config);
    assert!(fuhua::domain::outbox::claim(db, &msg, lease).await.expect("claim"));
    let taken = app.outbox().await.remove(0);
    let later = lease + chrono::Duration::seconds(1);
    assert!(fuhua::domain::outbox::claim(db, &taken, later + chrono::Duration::minutes(5)).await.expect("claim"));
    fuhua::domain::outbox::mark_sent(db, &taken, later).await.expect("sent");
    // The first worker's failure comes late: it changes nothing.
    let r = fuhua::domain::outbox::mark_failed(db, &msg, lease, later, "timed out", 3).await.expect("failed");
    assert_eq!(r, None);
    let row = app.outbox().await.remove(0);
    assert_eq!((row.status, row.attempts, row.sent_at), (OutboxStatus::Sent, 1, Some(later)));
    // And a second "sent" is no change either.
    fuhua::domain::outbox::mark_sent(db, &msg, later + chrono::Duration::hours(1)).await.expect("sent");
    assert_eq!(app.outbox().await.remove(0).sent_at, Some(later));
}

#[rocket::async_test]
async fn reminders_run_while_the_mail_server_hangs_and_the_admin_sees_both_loops_and_the_oldest_message() {
    let smtp = SmtpServer::start().await;
    smtp.set_frozen(Freeze::Silent);
    let app = TestApp::with(Options { smtp_url: Some(smtp.url()), smtp_timeout_secs: 60, ..Options::default() }).await;
    approve_a_claim(&app).await;
    let mut admin = app.admin().await;
    let page = admin.get(&app, "/admin/outbox").await;
    assert!(page.body.contains("尚未运行"), "no loop has run yet");
    fuhua::worker::spawn_worker(app.state().clone(), 1);
    // Delivery is stuck on the silent server for a minute; the reminders loop goes on.
    let mut beat = None;
    for _ in 0..200 {
        use sea_orm::EntityTrait;
        beat = entity::worker_beat::Entity::find_by_id("reminders".to_string()).one(app.db()).await.expect("q");
        if beat.is_some() {
            break;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let beat = beat.expect("the reminders loop ran while delivery hung");
    assert_eq!(beat.note.as_deref(), Some("ok"));
    let page = admin.get(&app, "/admin/outbox").await;
    assert!(page.body.contains("最近一次提醒轮次") && page.body.contains("最早的待发邮件"), "{}", page.body);
    assert!(page.body.contains("共 1 封待发"), "{}", page.body);
    assert!(smtp.messages().is_empty());
}
