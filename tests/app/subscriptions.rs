//! Subscriptions to new calls by email: confirmed by the link mailed to the address, each
//! new call announced once to the active subscribers of its category, ended in one click.
use crate::support::bids::published_call;
use crate::support::*;
use rocket::http::Status;

/// The token in the newest message of `kind` to `to`.
async fn token_in(app: &TestApp, kind: &str, to: &str) -> String {
    let m = app.outbox().await.into_iter().rev().find(|m| m.kind == kind && m.to_address == to).expect("a message");
    let at = m.body_text.find("token=").expect("a link with a token") + "token=".len();
    m.body_text[at..].chars().take_while(char::is_ascii_hexdigit).collect()
}

async fn announced_to(app: &TestApp, to: &str) -> usize {
    app.outbox().await.iter().filter(|m| m.kind == "call_announced" && m.to_address == to).count()
}

async fn announce(app: &TestApp) -> usize {
    fuhua::domain::subscriptions::announce(app.db(), &app.state().emails, ORIGIN, app.clock.now())
        .await
        .expect("announce")
}

async fn subscribe(app: &TestApp, email: &str, category: &str) -> rocket::http::Status {
    let mut visitor = app.agent();
    assert_eq!(visitor.get(app, "/subscribe").await.status, Status::Ok);
    let r = visitor.post(app, "/subscribe", &[("email", email), ("category", category)]).await;
    if r.status == Status::Ok {
        assert!(r.body.contains("请查收邮件"), "{}", r.body);
    }
    r.status
}

#[rocket::async_test]
async fn a_visitor_subscribes_confirms_hears_of_each_new_call_once_and_unsubscribes_in_one_click() {
    let app = TestApp::new().await;
    // Bad input is refused on its field, the typed address kept.
    let mut visitor = app.agent();
    visitor.get(&app, "/subscribe").await;
    let bad = visitor.post(&app, "/subscribe", &[("email", "not-an-address"), ("category", "")]).await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert!(bad.body.contains("not-an-address"));
    let odd = visitor.post(&app, "/subscribe", &[("email", "a@b.cn"), ("category", "nonsense")]).await;
    assert_eq!(odd.status, Status::UnprocessableEntity);

    assert_eq!(subscribe(&app, "Citizen@Example.org", "").await, Status::Ok);
    assert_eq!(subscribe(&app, "children@example.org", "children").await, Status::Ok);
    assert_eq!(subscribe(&app, "never@example.org", "").await, Status::Ok);
    let citizen = "citizen@example.org";
    let token = token_in(&app, "subscription_confirm", citizen).await;
    assert_eq!(token.len(), 64);
    // The link opens a page with a button: opening it confirms nothing.
    let page = app.agent().get(&app, &format!("/subscribe/confirm?token={token}")).await;
    assert!(page.body.contains("确认订阅"));
    let first = published_call(&app, "competitive_consultation").await;
    assert_eq!(announce(&app).await, 0, "nobody has confirmed yet");
    // Confirmed: the next call is announced to the address, once.
    let mut confirmer = app.agent();
    confirmer.get(&app, &format!("/subscribe/confirm?token={token}")).await;
    let done = confirmer.post(&app, "/subscribe/confirm", &[("token", &token)]).await;
    assert!(done.body.contains("订阅已生效"), "{}", done.body);
    let children = token_in(&app, "subscription_confirm", "children@example.org").await;
    let mut other = app.agent();
    other.get(&app, &format!("/subscribe/confirm?token={children}")).await;
    other.post(&app, "/subscribe/confirm", &[("token", &children)]).await;
    assert_eq!(announce(&app).await, 0, "the first call was announced already (to nobody)");
    let second = published_call(&app, "competitive_consultation").await;
    assert_eq!(announce(&app).await, 1, "one elderly-care call, one subscriber to every category");
    assert_eq!(announce(&app).await, 0, "announced once");
    assert_eq!(announced_to(&app, citizen).await, 1);
    assert_eq!(announced_to(&app, "children@example.org").await, 0, "another category");
    assert_eq!(announced_to(&app, "never@example.org").await, 0, "never confirmed");
    let mail = app.outbox().await.into_iter().rev().find(|m| m.kind == "call_announced").expect("announcement");
    assert!(
        mail.body_text.contains(&format!("{ORIGIN}/calls/{second}"))
            && !mail.body_text.contains(&format!("/calls/{first}\n"))
    );
    assert!(mail.body_text.contains(&format!("{ORIGIN}/unsubscribe?token={token}")));
    // Subscribing again while subscribed: the same answer, no second confirmation.
    let before = app.outbox().await.len();
    assert_eq!(subscribe(&app, citizen, "").await, Status::Ok);
    assert_eq!(app.outbox().await.len(), before);
    // One click from the mail client: a POST to the link, no form token.
    let gone =
        app.agent().post_raw(&app, &format!("/unsubscribe?token={token}"), &[("List-Unsubscribe", "One-Click")]).await;
    assert_eq!(gone.status, Status::Ok, "{}", gone.body);
    assert!(gone.body.contains("已退订"));
    published_call(&app, "competitive_consultation").await;
    announce(&app).await;
    assert_eq!(announced_to(&app, citizen).await, 1, "nothing after unsubscribing");
    assert_eq!(app.agent().get(&app, "/unsubscribe?token=ffff").await.status, Status::NotFound);
    assert_eq!(app.agent().post_raw(&app, "/unsubscribe?token=ffff", &[]).await.status, Status::NotFound);
    let audit = entity::audit_log::Entity::find().all(app.db()).await.expect("audit");
    assert!(
        audit.iter().any(|e| e.action == "subscription.confirmed")
            && audit.iter().any(|e| e.action == "subscription.ended")
    );
}

use sea_orm::EntityTrait;
