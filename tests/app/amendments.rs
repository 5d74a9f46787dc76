//! Amendments to a published call (更正公告): refused without a note, for a lower ceiling
//! or an earlier deadline; a change that affects bids moves a close deadline out and tells
//! each bidder by email, without the bureau learning who the bidders are.
use crate::support::bids::{bid, deadline, member, published_call};
use crate::support::calls::call_row;
use crate::support::*;
use entity::enums::Role;
use fuhua::domain::procurement::{amendments, bids};
use fuhua::error::AppError;
use rocket::http::Status;

#[rocket::async_test]
async fn an_amendment_that_affects_bids_moves_a_close_deadline_and_tells_bidders_without_unsealing() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let bidder = member(&app, 1).await;
    bids::submit(
        app.db(),
        ((&app.state().emails, ORIGIN), &app.state().sealer),
        &bidder,
        app.clock.now(),
        id,
        &bid("100000"),
    )
    .await
    .expect("bid");
    let officer = app.user("amender@bureau.cn", Role::Officer, None).await;
    let rules = &app.state().config.procurement;
    let emails = &app.state().emails;
    // Two days before the deadline (consultation needs 5 after a change that affects bids).
    let now = deadline() - chrono::Duration::days(2);
    let input = |note: &str, budget: &str, outputs: &str, dl: &str| amendments::AmendInput {
        note: note.into(),
        budget: budget.into(),
        outputs_expected: outputs.into(),
        bid_deadline: dl.into(),
        ..Default::default()
    };
    // Refusals: no note, a lower ceiling, an earlier deadline, nothing changed.
    for (i, field) in [
        (input("", "130000", "", ""), "note"),
        // Too long is refused, never cut short.
        (input(&"长".repeat(5001), "130000", "", ""), "note"),
        (input("降低预算", "100000", "", ""), "budget"),
        (input("提前", "", "", "2026-12-19T09:30"), "bid_deadline"),
    ] {
        let r = amendments::amend(app.db(), emails, "o", &officer, now, rules, id, &i).await;
        assert!(matches!(&r, Err(AppError::Invalid(e)) if e.has(field)), "{field}: {r:?}");
    }
    assert!(matches!(
        amendments::amend(app.db(), emails, "o", &officer, now, rules, id, &input("无", "", "", "")).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(call_row(&app, id).await.bid_deadline, Some(deadline()));

    let a = amendments::amend(
        app.db(),
        emails,
        "o",
        &officer,
        now,
        rules,
        id,
        &input("增加助浴服务", "130000", "上门探访 2,000 人次；助浴 300 人次", ""),
    )
    .await
    .expect("amend");
    assert!(a.extended);
    assert_eq!(a.call.bid_deadline, Some(now + chrono::Duration::days(5)));
    assert_eq!(a.call.budget_ceiling_fen, 13_000_000);
    // The bidder is told by email; the admin's outbox page does not list the notice.
    let notice = app.outbox().await.into_iter().find(|m| m.kind == "sealed_call_changed").expect("notice");
    assert_eq!(notice.to_address, bidder.email);
    assert!(notice.body_text.contains("增加助浴服务"));
    app.clock.set(now);
    let mut admin = app.admin().await;
    let page = admin.get(&app, "/admin/outbox").await.body;
    assert!(!page.contains(&bidder.email) && !page.contains("采购公告更正"), "{page}");
    assert_eq!(
        admin.post(&app, &format!("/admin/outbox/{}/retry", notice.public_ref), &[]).await.status,
        Status::NotFound
    );
    // The public call page shows the amendment and the new deadline; a later deadline alone is not extended further.
    let body = app.agent().get(&app, &format!("/calls/{id}")).await.body;
    assert!(body.contains("增加助浴服务") && body.contains("更正公告"), "{body}");
    let later = amendments::amend(
        app.db(),
        emails,
        "o",
        &officer,
        now,
        rules,
        id,
        &input("再延期", "", "", "2026-12-30T09:30"),
    )
    .await
    .expect("a");
    assert!(!later.extended);
    // After the deadline nothing is amended.
    let closed = chrono::DateTime::parse_from_rfc3339("2026-12-30T02:00:00Z").expect("t").with_timezone(&chrono::Utc);
    assert!(matches!(
        amendments::amend(app.db(), emails, "o", &officer, closed, rules, id, &input("x", "", "y", "")).await,
        Err(AppError::Conflict(_))
    ));
}
