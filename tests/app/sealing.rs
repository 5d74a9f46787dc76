//! The integrity of a sealed procurement: only opening unseals a bid (a call cancelled
//! before its deadline keeps its bids sealed for good, on every page, API route, file and
//! audit entry); a drawn expert sees only the bidders' names before declaring; eligibility
//! is checked again at opening and at the award, naming the list with its date and reason;
//! a failed evaluation bars only calls published after the moment of its release.
use crate::support::bids::{bid, deadline, member, published_call};
use crate::support::calls::call_row;
use crate::support::hubs::ngo;
use crate::support::panel::{after, clean_declaration, experts, opened_call, seated_members, sheet};
use crate::support::*;
use entity::enums::{CallStatus, PanelMemberStatus, Role, ServiceCategory};
use fuhua::domain::procurement::{award, bids, calls, opening, panel, panel_report, score_sheets};
use fuhua::error::AppError;
use fuhua::i18n::Locale;
use rocket::http::Status;
use sea_orm::EntityTrait;

/// Puts the organization on a list through the officer's form.
async fn list(app: &TestApp, org: i32, kind: &str, on: &str, reason: &str) {
    let mut officer = app.officer_again().await;
    let r = officer
        .post(
            app,
            &format!("/organizations/{org}/list-entries"),
            &[("kind", kind), ("entered_on", on), ("reason", reason)],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
}

#[rocket::async_test]
async fn a_call_cancelled_before_its_deadline_keeps_its_bids_sealed_for_good() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    // Two bidders, one with a file.
    let (mut first, _) = ngo(&app, 1).await;
    let up = format!("/calls/{id}/bid/attachments");
    assert_eq!(first.post_multipart(&app, &up, "方案.pdf", b"%PDF-1.7 secret plan").await.status, Status::SeeOther);
    let u1 = entity::user::Entity::find().all(app.db()).await.expect("q");
    let u1 = u1.iter().find(|u| u.email == "ngo1@ngo.cn").expect("ngo1").clone();
    bids::submit(
        app.db(),
        ((&app.state().emails, ORIGIN), &app.state().sealer),
        &u1,
        app.clock.now(),
        id,
        &bid("90001"),
    )
    .await
    .expect("bid");
    let u2 = member(&app, 2).await;
    bids::submit(
        app.db(),
        ((&app.state().emails, ORIGIN), &app.state().sealer),
        &u2,
        app.clock.now(),
        id,
        &bid("90002"),
    )
    .await
    .expect("bid");
    let file = entity::bid_attachment::Entity::find().one(app.db()).await.expect("q").expect("file");

    // Cancelled just before the deadline.
    let officer = app.user("canceller@bureau.cn", Role::Officer, None).await;
    calls::cancel(app.db(), &officer, deadline() - chrono::Duration::minutes(1), id, "预算调整").await.expect("cancel");
    assert_eq!(call_row(&app, id).await.status, CallStatus::Cancelled);
    // Opening a cancelled call is refused, and nothing is opened.
    let r = opening::open(app.db(), &app.state().sealer, &officer, deadline(), id, None, "").await;
    assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");

    app.clock.set(deadline() + chrono::Duration::days(1));
    let prices = ["¥90,001.00", "¥90,002.00", "90001", "90002", "9000100", "9000200"];
    let mut viewers = vec![
        ("officer", app.officer_again().await),
        ("admin", app.admin().await),
        ("public", app.agent()),
        ("bidder 1", app.relogin("ngo1@ngo.cn").await),
    ];
    let mut bidder2 = app.agent();
    assert_eq!(bidder2.login(&app, "bidder2@ngo.cn", PASSWORD).await, Status::SeeOther);
    viewers.push(("bidder 2", bidder2));
    let digests: Vec<String> =
        entity::bid_version::Entity::find().all(app.db()).await.expect("q").into_iter().map(|v| v.digest).collect();
    for (who, agent) in viewers.iter_mut() {
        for path in [format!("/calls/{id}"), format!("/api/v1/calls/{id}"), "/admin/audit".to_string()] {
            let page = agent.get(&app, &path).await;
            let body = String::from_utf8_lossy(&page.bytes).to_string() + &page.body;
            // Random tokens are long hex runs and may hold "90001" by chance: not prices.
            let plain = crate::support::bids::without_hex_runs(&body);
            for p in prices {
                // A bidder sees its own price on its own bid page, not on these.
                assert!(!plain.contains(p), "{who} sees {p} at {path}");
            }
            for d in &digests {
                assert!(!body.contains(d.as_str()), "{who} sees a digest at {path}");
            }
            assert!(!body.contains("sealed_event"), "{who} sees a sealed audit entry at {path}");
        }
        let api = agent.get(&app, &format!("/api/v1/calls/{id}")).await;
        if api.status == Status::Ok {
            let bids = &api.json()["bids"];
            assert!(bids.is_null() || bids.as_array().is_some_and(Vec::is_empty), "{who}: {bids}");
        }
    }
    // The file stays with its owner.
    let path = format!("/calls/{id}/bid/attachments/{}", file.public_ref);
    assert_eq!(app.officer_again().await.get(&app, &path).await.status, Status::NotFound);
    assert_eq!(app.relogin("ngo1@ngo.cn").await.get(&app, &path).await.status, Status::Ok);
    let page = app.officer_again().await.get(&app, &format!("/calls/{id}")).await;
    assert!(page.body.contains("未开启") || page.body.contains("never opened"), "the page says the bids stay sealed");
    // No bid carries an opening stamp.
    let rows = entity::bid::Entity::find().all(app.db()).await.expect("q");
    assert!(rows.iter().all(|b| b.opened_at.is_none()));
    assert!(call_row(&app, id).await.opened_at.is_none());
}

#[rocket::async_test]
async fn a_drawn_expert_sees_only_the_bidders_names_before_declaring() {
    let app = TestApp::new().await;
    let (id, bidders, officer) = opened_call(&app, &["100000", "95000", "110000"]).await;
    experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    let rules = &app.state().config.procurement;
    panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[]).await.expect("form");
    let members = seated_members(&app, id).await;
    app.clock.set(after());
    let token = fuhua::domain::accounts::create_api_token(app.db(), &members[0], "t", after()).await.expect("t");
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let seen = api.get(&app, &format!("/api/v1/calls/{id}/panel")).await;
    assert_eq!(seen.status, Status::Ok, "{}", seen.body);
    for secret in ["price_fen", "10000000", "9500000", "11000000", "total_fen", "digest", "contents\":[{"] {
        assert!(!seen.body.contains(secret), "an undeclared expert sees {secret}: {}", seen.body);
    }
    let names: Vec<String> = seen.json()["bidders"]
        .as_array()
        .expect("bidders")
        .iter()
        .map(|b| b[1].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names.len(), 3, "the names to declare against: {names:?}");
    // The page too.
    let mut page_agent = app.agent();
    let email = members[0].email.clone();
    assert_eq!(page_agent.login(&app, &email, PASSWORD).await, Status::SeeOther);
    let page = page_agent.get(&app, &format!("/calls/{id}/panel")).await;
    assert!(!page.body.contains("¥100,000.00") && !page.body.contains("¥95,000.00"), "{}", page.body);
    // Declared: the prices show.
    panel::declare(app.db(), &members[0], after(), id, &clean_declaration(&bidders)).await.expect("declare");
    let seen = api.get(&app, &format!("/api/v1/calls/{id}/panel")).await;
    assert!(seen.body.contains("price_fen") && seen.body.contains("9500000"), "{}", seen.body);
}

#[rocket::async_test]
async fn a_bidder_listed_after_bidding_is_not_counted_at_opening_and_cannot_be_awarded() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let mut users = vec![];
    for (n, price) in [(1, "100000"), (2, "95000"), (3, "110000"), (4, "105000")] {
        let u = member(&app, n).await;
        bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            &u,
            app.clock.now(),
            id,
            &bid(price),
        )
        .await
        .expect("bid");
        users.push(u);
    }
    // After bidding, number 4 is put on the serious dishonesty list.
    let org4 = users[3].organization_id.expect("org");
    list(&app, org4, "dishonesty_list", "2026-11-26", "虚假材料骗取资金").await;
    let officer = app.user("opener@bureau.cn", Role::Officer, None).await;
    let (status, opened) =
        opening::open(app.db(), &app.state().sealer, &officer, deadline(), id, None, "").await.expect("open");
    assert_eq!(status, CallStatus::Opened, "three valid bids remain");
    let flagged = opened.iter().find(|b| b.organization_id == org4).expect("the listed bid is opened");
    let reason = flagged.ineligible_reason.clone().expect("flagged with its reason");
    assert!(
        reason.contains("严重违法失信名单") && reason.contains("2026-11-26") && reason.contains("虚假材料"),
        "{reason}"
    );
    assert_eq!(opened.iter().filter(|b| b.valid()).count(), 3);
    // The panel scores only the three; the report names the fourth with its reason.
    let c = call_row(&app, id).await;
    let rules = &app.state().config.procurement;
    assert_eq!(score_sheets::scored_bids(app.db(), &c).await.expect("bids").len(), 3);
    let report = panel_report::report(app.db(), rules, &c).await.expect("report");
    assert_eq!(report.invalid.len(), 1);
    assert!(report.invalid[0].ineligible_reason.as_deref().is_some_and(|r| r.contains("严重违法失信名单")));
    app.clock.set(after());
    let mut officer_agent = app.officer_again().await;
    let page = officer_agent.get(&app, &format!("/calls/{id}")).await;
    assert!(page.body.contains("开标时已不符合参与条件"), "the call page names it");

    // The panel scores; then the leader is suspended before the award.
    experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[]).await.expect("form");
    let members = seated_members(&app, id).await;
    for m in &members {
        let r = panel::declare(app.db(), m, after(), id, &clean_declaration(&users[..3])).await.expect("declare");
        assert_eq!(r, PanelMemberStatus::Seated);
    }
    for m in &members {
        let s = sheet(&app, id, &[[90, 90, 90], [80, 80, 80], [70, 70, 70]]).await;
        score_sheets::submit_sheet(app.db(), m, after(), id, &s).await.expect("sheet");
    }
    let report = panel_report::report(app.db(), rules, &c).await.expect("report");
    let top = report.recommended_bid_id.expect("recommended");
    let leader = report.bids.iter().find(|b| b.bid_id == top).expect("leader").organization_id;
    list(&app, leader, "abnormal_list", "2026-12-20", "未按时报送年度报告").await;
    let r = award::award(app.db(), &app.state().emails, "http://x", &officer, after(), rules, id, top, "").await;
    let Err(AppError::Conflict(m)) = r else { panic!("{r:?}") };
    let text = Locale::ZhCn.msg(&m);
    assert!(text.contains("活动异常名录") && text.contains("2026-12-20") && text.contains("未按时报送"), "{text}");
    assert_eq!(call_row(&app, id).await.status, CallStatus::Opened, "nothing awarded");
    assert_eq!(app.count("awards").await, 0);
    // The next bid that stands may be chosen, with a reason.
    let next = report.bids.iter().find(|b| b.rank == Some(2)).expect("second").bid_id;
    award::award(app.db(), &app.state().emails, "http://x", &officer, after(), rules, id, next, "第一名被列入名录")
        .await
        .expect("award the second");
    // The bidder left out at opening is told why, not given an empty rank.
    let mail = app.outbox().await;
    let told = mail.iter().find(|m| m.kind == "award_lost" && m.to_address == "bidder4@ngo.cn").expect("mail");
    assert!(told.body_text.contains("未计入排名") && told.body_text.contains("严重违法失信名单"), "{}", told.body_text);
    assert!(!told.body_text.contains("排名第 —"));
}

/// A published call with three bids at its deadline, and two officers.
async fn three_bids_two_officers() -> (TestApp, i32, entity::user::Model, entity::user::Model) {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    for n in 1..=3 {
        let u = member(&app, n).await;
        bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            &u,
            app.clock.now(),
            id,
            &bid("90000"),
        )
        .await
        .expect("bid");
    }
    let a = app.user("a@bureau.cn", Role::Officer, None).await;
    let b = app.user("b@bureau.cn", Role::Officer, None).await;
    (app, id, a, b)
}

#[rocket::async_test]
async fn opening_happens_once_even_when_two_officers_open_at_the_same_moment() {
    let (app, id, a, b) = three_bids_two_officers().await;
    let (ra, rb) = tokio::join!(
        opening::open(app.db(), &app.state().sealer, &a, deadline(), id, None, ""),
        opening::open(app.db(), &app.state().sealer, &b, deadline(), id, None, "")
    );
    assert_eq!([ra.is_ok(), rb.is_ok()].iter().filter(|x| **x).count(), 1, "{ra:?} {rb:?}");
    let opened_entries = entity::audit_log::Entity::find()
        .all(app.db())
        .await
        .expect("q")
        .into_iter()
        .filter(|e| e.action == "call.opened")
        .count();
    assert_eq!(opened_entries, 1);
}

#[rocket::async_test]
async fn a_bidder_checks_its_receipt_with_sha256sum_and_on_the_platform() {
    use sha2::{Digest, Sha256};
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let u = member(&app, 1).await;
    let token = fuhua::domain::accounts::create_api_token(app.db(), &u, "t", app.clock.now()).await.expect("t");
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let body = serde_json::json!({"service_plan": "方案\n第二行 \"引号\"", "team": "团队",
        "outputs": [{"indicator": "探访", "quantity": "100", "unit": "人次"}],
        "budget": [{"category": "人员", "amount": "50000"}]});
    let r = api.send_json(&app, rocket::http::Method::Post, &format!("/api/v1/calls/{id}/bid"), &body).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let receipt = r.json();
    // The receipt names the call and version, never a row id that counts other bids.
    assert!(receipt.get("bid_id").is_none() && receipt.get("id").is_none(), "{receipt}");
    let canonical = receipt["canonical"].as_str().expect("canonical").to_string();
    let digest = receipt["digest"].as_str().expect("digest").to_string();
    assert_eq!(hex::encode(Sha256::digest(canonical.as_bytes())), digest, "sha256sum of the bytes is the digest");
    // Canonical: keys sorted, no white space outside strings.
    assert!(canonical.starts_with("{\"attachments\":[],\"budget\":[{\"amount_fen\":5000000,"), "{canonical}");
    let own = api.get(&app, &format!("/api/v1/calls/{id}/bid")).await.json();
    assert_eq!(own["latest"]["canonical"].as_str(), Some(canonical.as_str()));

    // The page offers the same bytes as a file; nobody else can fetch them.
    let mut page = app.agent();
    assert_eq!(page.login(&app, "bidder1@ngo.cn", PASSWORD).await, Status::SeeOther);
    let file = page.get(&app, &format!("/calls/{id}/bid/versions/1/receipt.json")).await;
    assert_eq!(file.status, Status::Ok);
    assert_eq!(hex::encode(Sha256::digest(&file.bytes)), digest);
    assert!(page.get(&app, &format!("/calls/{id}/bid")).await.body.contains("receipt.json"));
    let mut other = app.agent();
    member(&app, 2).await;
    assert_eq!(other.login(&app, "bidder2@ngo.cn", PASSWORD).await, Status::SeeOther);
    assert_eq!(other.get(&app, &format!("/calls/{id}/bid/versions/1/receipt.json")).await.status, Status::NotFound);
    assert_eq!(
        app.officer_again().await.get(&app, &format!("/calls/{id}/bid/versions/1/receipt.json")).await.status.code,
        403
    );

    // The checking page: pasted bytes give the digest and name the bidder's own version.
    let checked = page.post(&app, "/receipts/verify", &[("text", &format!("{canonical}\r\n"))]).await;
    assert_eq!(checked.status, Status::Ok, "{}", checked.body);
    assert!(checked.body.contains(&digest) && checked.body.contains("第 1 版"), "{}", checked.body);
    let changed = page.post(&app, "/receipts/verify", &[("text", &canonical.replace("50000", "40000"))]).await;
    assert!(!changed.body.contains(&digest) && changed.body.contains("不一致"), "{}", changed.body);
    // Another organization's member learns nothing of this bid from it.
    let probe = other.post(&app, "/receipts/verify", &[("text", &canonical)]).await;
    assert!(probe.body.contains(&digest) && !probe.body.contains("第 1 版"));
    let empty = page.post(&app, "/receipts/verify", &[("text", "")]).await;
    assert_eq!(empty.status, Status::UnprocessableEntity);

    // Emailed on submission and on withdrawal, never listed in the mail queue.
    let r = api
        .send_json(
            &app,
            rocket::http::Method::Post,
            &format!("/api/v1/calls/{id}/bid/withdraw"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let mail = app.outbox().await;
    let receipt_mail = mail.iter().find(|m| m.kind == "sealed_bid_receipt").expect("receipt mail");
    assert_eq!(receipt_mail.to_address, "bidder1@ngo.cn");
    assert!(receipt_mail.body_text.contains(&digest) && receipt_mail.body_text.contains("receipt.json"));
    assert!(mail.iter().any(|m| m.kind == "sealed_bid_withdrawn" && m.to_address == "bidder1@ngo.cn"));
    app.user("mailadmin@test.cn", Role::Admin, None).await;
    let mut admin = app.agent();
    admin.login(&app, "mailadmin@test.cn", PASSWORD).await;
    let queue = admin.get(&app, "/admin/outbox").await.body;
    assert!(!queue.contains("bidder1@ngo.cn") && !queue.contains("回执"), "sealed notices stay off the queue page");
}

#[rocket::async_test]
async fn no_number_anyone_sees_counts_the_bids() {
    // Two identical calls, one with no bid and one with five: after each, every number the
    // bureau, the public or a bidder sees must move the same way.
    async fn numbers(bids: u32) -> (i64, i64, usize, Vec<String>) {
        let app = TestApp::new().await;
        let id = published_call(&app, "competitive_consultation").await;
        let before = fuhua::domain::audit::latest_seq(app.db()).await.expect("seq");
        for n in 1..=bids {
            let u = member(&app, 100 + n).await;
            bids::submit(
                app.db(),
                ((&app.state().emails, ORIGIN), &app.state().sealer),
                &u,
                app.clock.now(),
                id,
                &bid("90000"),
            )
            .await
            .expect("bid");
            bids::withdraw(app.db(), (&app.state().emails, ORIGIN), &u, app.clock.now(), id).await.expect("withdraw");
            bids::submit(
                app.db(),
                ((&app.state().emails, ORIGIN), &app.state().sealer),
                &u,
                app.clock.now(),
                id,
                &bid("90001"),
            )
            .await
            .expect("bid");
        }
        // Organizations and members exist in both runs, so registry entries are alike.
        for n in bids + 1..=5 {
            member(&app, 100 + n).await;
        }
        let after = fuhua::domain::audit::latest_seq(app.db()).await.expect("seq");
        // The queue as the admin sees it, and a checkpoint's number.
        app.user("qa@test.cn", Role::Admin, None).await;
        let mut admin = app.agent();
        admin.login(&app, "qa@test.cn", PASSWORD).await;
        let queue = admin.get(&app, "/admin/outbox").await.body;
        let rows = queue.matches("<tr>").count();
        let cp = app.state().notary.checkpoint(app.db(), app.clock.now()).await.expect("cp").expect("cp");
        let audit = without_labels(&admin.get(&app, "/admin/audit").await.body);
        let seqs: Vec<String> =
            audit.split("<tr><td>").skip(1).filter_map(|r| r.split("</td>").next()).map(str::to_string).collect();
        (after - before, cp.seq - before, rows, seqs)
    }
    let (none_moved, none_cp, none_rows, none_seqs) = numbers(0).await;
    let (five_moved, five_cp, five_rows, five_seqs) = numbers(5).await;
    assert_eq!(none_moved, five_moved, "audit entry numbers do not count bid events");
    assert_eq!(none_cp, five_cp, "nor does the public checkpoint's number");
    assert_eq!(none_rows, five_rows, "the mail queue lists no notice about a sealed bid");
    assert_eq!(none_seqs, five_seqs, "the audit page's numbers are the same");
}

#[rocket::async_test]
async fn a_cancellation_racing_the_opening_never_leaves_both() {
    let (app, id, a, b) = three_bids_two_officers().await;
    let (opened, cancelled) = tokio::join!(
        opening::open(app.db(), &app.state().sealer, &a, deadline(), id, None, ""),
        calls::cancel(app.db(), &b, deadline(), id, "同时取消")
    );
    assert_eq!([opened.is_ok(), cancelled.is_ok()].iter().filter(|x| **x).count(), 1, "{opened:?} {cancelled:?}");
    let c = call_row(&app, id).await;
    match c.status {
        CallStatus::Opened => assert!(c.opened_at.is_some()),
        CallStatus::Cancelled => {
            assert!(c.opened_at.is_none());
            let rows = entity::bid::Entity::find().all(app.db()).await.expect("q");
            assert!(rows.iter().all(|r| r.opened_at.is_none()), "a cancelled call's bids stay sealed");
        }
        other => panic!("{other:?}"),
    }
}
