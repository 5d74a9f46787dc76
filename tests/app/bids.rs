//! Bids: receipts, revisions, withdrawal, the deadline to the second, one version for
//! identical submissions at once, sealing on every route and role until opening, and the
//! opening itself (digests checked again, too few bids).
use crate::support::bids::{bid, deadline, member, published_call, revealed, without_hex_runs};
use crate::support::calls::{call_row, refs, with};
use crate::support::hubs::ngo;
use crate::support::*;
use entity::enums::{CallStatus, Role};
use fuhua::domain::procurement::bids::{self};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};

fn bid_fields(total_yuan: &str) -> Vec<(String, String)> {
    vec![
        ("service_plan".into(), "每周上门探访两次，建立个案档案。".into()),
        ("team".into(), "项目主管 1 名，社工 3 名。".into()),
        ("outputs[0].indicator".into(), "上门探访".into()),
        ("outputs[0].quantity".into(), "2000".into()),
        ("outputs[0].unit".into(), "人次".into()),
        ("budget[0].category".into(), "人员经费".into()),
        ("budget[0].amount".into(), total_yuan.into()),
    ]
}

#[rocket::async_test]
async fn a_bid_gets_a_receipt_and_can_be_revised_or_withdrawn_until_the_deadline() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (mut a, _) = ngo(&app, 1).await;
    let r = a.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("100000"))).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = a.get(&app, &format!("/calls/{id}/bid")).await;
    let v = entity::bid_version::Entity::find().one(app.db()).await.expect("q").expect("version");
    // Stored sealed: no content and no price in the clear, until opening.
    assert!(v.content.is_empty() && v.total_fen == 0 && v.sealed.is_some(), "{v:?}");
    let v = revealed(&app, v).await;
    assert_eq!(v.total_fen, 10_000_000);
    assert_eq!(v.digest, bids::digest(&v.content), "the receipt is the digest of what is stored");
    assert!(
        page.body.contains(&v.digest) && page.body.contains("¥100,000.00") && page.body.contains("2026-11-26 10:00")
    );

    // The same bid again: the same receipt, no new version. A revision: version 2.
    assert_eq!(a.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("100000"))).await.status, Status::SeeOther);
    assert_eq!(app.count("bid_versions").await, 1);
    assert_eq!(a.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("95000"))).await.status, Status::SeeOther);
    assert_eq!(app.count("bid_versions").await, 2);
    // Over the ceiling; not a number: refused, nothing stored, the values kept.
    let r = a.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("130000"))).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("超过了预算上限 ¥120,000.00") && r.body.contains("130000"));
    assert_eq!(
        a.post(&app, &format!("/calls/{id}/bid"), &refs(&with(bid_fields("1"), "outputs[0].quantity", "很多")))
            .await
            .status,
        Status::UnprocessableEntity
    );
    assert_eq!(app.count("bid_versions").await, 2);

    assert_eq!(a.post(&app, &format!("/calls/{id}/bid/withdraw"), &[]).await.status, Status::SeeOther);
    let b = entity::bid::Entity::find().one(app.db()).await.expect("q").expect("bid");
    assert_eq!(b.status, entity::enums::BidStatus::Withdrawn);
    assert_eq!(a.post(&app, &format!("/calls/{id}/bid/withdraw"), &[]).await.status, Status::Conflict);
    // Submitting again after a withdrawal is a new version, even with the same content.
    assert_eq!(a.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("95000"))).await.status, Status::SeeOther);
    assert_eq!(app.count("bid_versions").await, 3);

    // Accounts that may not bid: an officer, a member without an organization, a listed organization.
    let mut officer = app.officer_again().await;
    assert_eq!(
        officer.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("1"))).await.status,
        Status::Forbidden
    );
    let mut loner = app.login_as("loner@ngo.cn", Role::NgoMember, None).await;
    assert_eq!(loner.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("1"))).await.status, Status::Conflict);
    let (mut listed, org) = ngo(&app, 2).await;
    let r = officer
        .post(
            &app,
            &format!("/organizations/{org}/list-entries"),
            &[("kind", "abnormal_list"), ("entered_on", "2026-11-01"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);
    let r = listed.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("1000"))).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("活动异常名录"));
    assert_eq!(app.count("bid_versions").await, 3);
}

#[rocket::async_test]
async fn the_deadline_is_kept_to_the_second_by_the_server_clock() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (u1, u2, u3) = (member(&app, 1).await, member(&app, 2).await, member(&app, 3).await);
    let at = |secs: i64| deadline() + chrono::Duration::seconds(secs);
    bids::submit(app.db(), ((&app.state().emails, ORIGIN), &app.state().sealer), &u1, at(-1), id, &bid("90000"))
        .await
        .expect("one second before: accepted");
    let on_time =
        bids::submit(app.db(), ((&app.state().emails, ORIGIN), &app.state().sealer), &u2, at(0), id, &bid("90000"))
            .await;
    assert!(matches!(on_time, Err(fuhua::error::AppError::Conflict(_))), "at the deadline: refused");
    let late =
        bids::submit(app.db(), ((&app.state().emails, ORIGIN), &app.state().sealer), &u3, at(1), id, &bid("90000"))
            .await;
    assert!(matches!(late, Err(fuhua::error::AppError::Conflict(_))), "one second after: refused");
    assert!(
        bids::withdraw(app.db(), (&app.state().emails, ORIGIN), &u1, at(1), id).await.is_err(),
        "nor withdrawn after"
    );
    assert!(
        bids::submit(app.db(), ((&app.state().emails, ORIGIN), &app.state().sealer), &u1, at(1), id, &bid("80000"))
            .await
            .is_err(),
        "nor revised after"
    );
    assert_eq!(app.count("bid_versions").await, 1);
}

#[rocket::async_test]
async fn twenty_identical_submissions_at_once_make_one_version() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let u = member(&app, 1).await;
    let input = bid("88000");
    let now = app.clock.now();
    let runs = (0..20)
        .map(|_| bids::submit(app.db(), ((&app.state().emails, ORIGIN), &app.state().sealer), &u, now, id, &input));
    let results = futures_all(runs).await;
    let digests: std::collections::BTreeSet<String> =
        results.into_iter().map(|r| r.expect("every request gets the receipt").digest).collect();
    assert_eq!(digests.len(), 1);
    assert_eq!((app.count("bids").await, app.count("bid_versions").await), (1, 1));
}

/// Polled together, as requests interleave on a server.
async fn futures_all<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    rocket::futures::future::join_all(fs).await
}

#[rocket::async_test]
async fn bids_are_sealed_on_every_route_and_for_every_role_until_opening() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let mut names = vec![];
    for n in 1..=3 {
        let u = member(&app, n).await;
        bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            &u,
            app.clock.now(),
            id,
            &bid(&format!("{}", 90000 + n)),
        )
        .await
        .expect("bid");
        names.push(format!("三亚市第{n}号投标服务中心"));
    }
    let secrets: Vec<String> =
        names.iter().cloned().chain((1..=3).map(|n| format!("¥90,00{n}.00"))).chain(["9000".into()]).collect();
    let mut viewers = [
        ("public", app.agent()),
        ("officer", app.officer_again().await),
        ("admin", app.admin().await),
        ("hub manager", app.login_as("hm@hub.cn", Role::HubManager, None).await),
        ("expert", app.login_as("ex@uni.cn", Role::Expert, None).await),
        ("other ngo", ngo(&app, 9).await.0),
    ];
    let org1 = entity::bid::Entity::find().one(app.db()).await.expect("q").expect("bid").organization_id;
    let routes = [
        "/calls".to_string(),
        format!("/calls/{id}"),
        format!("/calls/{id}/bid"),
        "/api/v1/calls".to_string(),
        format!("/api/v1/calls/{id}"),
        "/admin/audit".to_string(),
        format!("/organizations/{org1}"),
        "/organizations?q=%E6%8A%95%E6%A0%87".to_string(),
        "/organizations/export.csv?q=%E6%8A%95%E6%A0%87".to_string(),
        "/admin/outbox".to_string(),
        "/".to_string(),
        format!("/calls/{id}/panel"),
        format!("/api/v1/calls/{id}/panel"),
        format!("/api/v1/calls/{id}/award"),
        "/panels".to_string(),
        "/experts".to_string(),
    ];
    for (who, agent) in viewers.iter_mut() {
        for path in &routes {
            let page = agent.get(&app, path).await;
            // Random tokens (the CSRF token, digests) are 64 hex digits and contain "9000" now
            // and then; they are not prices.
            let body = without_hex_runs(&(String::from_utf8_lossy(&page.bytes).to_string() + &page.body));
            for s in &secrets {
                // Organization names are public in the registry (and its audit entries), but
                // never as bidders: bid events are kept off the audit page until opening.
                let allowed = (path.starts_with("/organizations") || path == "/admin/audit") && names.contains(s);
                assert!(allowed || !body.contains(s.as_str()), "{who} sees {s:?} at {path}");
            }
            assert!(
                !body.contains("sealed_event") && !body.contains("bid.sealed"),
                "{who}: sealed audit entry at {path}"
            );
            if path.starts_with("/organizations") {
                assert!(!body.contains("90,00") && !body.contains("响应"), "{who}: bid trace at {path}");
            }
        }
    }
    // The bidder itself sees its own bid, and no one else's.
    let mut bidder = app.agent();
    assert_eq!(bidder.login(&app, "bidder1@ngo.cn", PASSWORD).await, Status::SeeOther);
    let own = bidder.get(&app, &format!("/calls/{id}/bid")).await;
    assert!(own.body.contains("¥90,001.00") && !own.body.contains("¥90,002.00"));
    let call_page = bidder.get(&app, &format!("/calls/{id}")).await;
    assert!(!call_page.body.contains("三亚市第2号投标服务中心"));

    // Opened: the bureau and the bidders see who bid and at what price.
    app.clock.set(deadline());
    let mut officer = app.officer_again().await;
    let r = officer.post(&app, &format!("/calls/{id}/open"), &[("confirmed", "1")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = officer.get(&app, &format!("/calls/{id}")).await;
    for s in &secrets[..6] {
        assert!(page.body.contains(s.as_str()), "after opening the officer sees {s}");
    }
    let mut bidder = app.agent();
    assert_eq!(bidder.login(&app, "bidder2@ngo.cn", PASSWORD).await, Status::SeeOther);
    assert!(bidder.get(&app, &format!("/calls/{id}")).await.body.contains("¥90,003.00"));
    // The bid events were never in the audit log; the opening binds their chain into it.
    let audit = app.admin_again().await.get(&app, "/admin/audit").await;
    let (count, head) = fuhua::domain::audit::sealed_head(app.db(), id).await.expect("head");
    assert_eq!(count, 3, "three submissions");
    assert!(audit.body.contains("call.opened") && audit.body.contains(&head), "the opening names the chain's head");
    assert_eq!(
        fuhua::domain::audit::verify(app.db()).await.expect("verify"),
        fuhua::domain::audit::VerifyOutcome::Intact {
            entries: fuhua::domain::audit::latest_seq(app.db()).await.expect("seq") as u64
        }
    );
}

#[rocket::async_test]
async fn opening_checks_digests_and_fails_a_call_with_too_few_bids() {
    let app = TestApp::new().await;
    let consult = published_call(&app, "competitive_consultation").await;
    let tender = published_call(&app, "open_tender").await;
    let mut users = vec![];
    for n in 1..=3 {
        users.push(member(&app, n).await);
    }
    for u in &users {
        bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            u,
            app.clock.now(),
            consult,
            &bid("90000"),
        )
        .await
        .expect("bid");
    }
    for u in &users[..2] {
        bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            u,
            app.clock.now(),
            tender,
            &bid("90000"),
        )
        .await
        .expect("bid");
    }
    let officer = app.user("opener@bureau.cn", Role::Officer, None).await;
    use fuhua::domain::procurement::opening::{WithTwo, open};
    // Not before the deadline.
    assert!(matches!(
        open(app.db(), &app.state().sealer, &officer, deadline() - chrono::Duration::seconds(1), consult, None, "")
            .await,
        Err(fuhua::error::AppError::Conflict(_))
    ));
    // Someone edits a stored (sealed) bid: it no longer opens, so it does not count.
    let v = entity::bid_version::Entity::find().one(app.db()).await.expect("q").expect("v");
    let mut sealed = v.sealed.clone().expect("sealed");
    let middle = sealed.len() / 2;
    sealed[middle] ^= 0x20;
    let mut am: entity::bid_version::ActiveModel = v.clone().into();
    am.sealed = Set(Some(sealed));
    am.update(app.db()).await.expect("tamper");
    // Two valid bids under consultation: the officer must decide, with a reason.
    let r = open(app.db(), &app.state().sealer, &officer, deadline(), consult, None, "").await;
    assert!(matches!(r, Err(fuhua::error::AppError::Conflict(_))), "{r:?}");
    let r = open(app.db(), &app.state().sealer, &officer, deadline(), consult, Some(WithTwo::Continue), "").await;
    assert!(matches!(r, Err(fuhua::error::AppError::Invalid(_))));
    assert_eq!(call_row(&app, consult).await.status, CallStatus::Published);
    let (status, bids) = open(
        app.db(),
        &app.state().sealer,
        &officer,
        deadline(),
        consult,
        Some(WithTwo::Continue),
        "两家有效，按规定继续",
    )
    .await
    .expect("open");
    assert_eq!(status, CallStatus::Opened);
    assert_eq!(bids.iter().filter(|b| !b.digest_ok).count(), 1, "the edited bid is flagged");
    // Open tender with two bids fails; opening twice is refused.
    let (status, _) = open(app.db(), &app.state().sealer, &officer, deadline(), tender, None, "").await.expect("open");
    assert_eq!(status, CallStatus::Failed);
    assert!(open(app.db(), &app.state().sealer, &officer, deadline(), tender, None, "").await.is_err());
}

#[rocket::async_test]
async fn the_bid_journey_through_the_json_api_and_hostile_input() {
    use rocket::http::Method;
    use serde_json::json;
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let u = member(&app, 1).await;
    let token = fuhua::domain::accounts::create_api_token(app.db(), &u, "t", app.clock.now()).await.expect("token");
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let path = format!("/api/v1/calls/{id}/bid");
    let body = json!({"service_plan": "方案", "team": "团队", "outputs": [{"indicator": "探访", "quantity": "100"}],
                      "budget": [{"category": "人员", "amount": "50000"}]});
    let r = api.send_json(&app, Method::Post, &path, &body).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let digest = r.json()["digest"].as_str().expect("digest").to_string();
    let mine = api.get(&app, &path).await.json();
    assert_eq!(mine["latest"]["digest"], digest.as_str());
    assert_eq!(mine["latest"]["content"]["total_fen"], 5_000_000);
    // Nobody else reads it: another NGO gets 404, the bureau has no route to it before opening.
    let other = member(&app, 2).await;
    let token = fuhua::domain::accounts::create_api_token(app.db(), &other, "t", app.clock.now()).await.expect("token");
    let mut other_api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    assert_eq!(other_api.get(&app, &path).await.status, Status::NotFound);
    let officer = app.user("api-officer@bureau.cn", Role::Officer, None).await;
    let token =
        fuhua::domain::accounts::create_api_token(app.db(), &officer, "t", app.clock.now()).await.expect("token");
    let mut officer_api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let call = officer_api.get(&app, &format!("/api/v1/calls/{id}")).await.json();
    assert!(call.get("bids").is_none_or(|b| b.as_array().is_some_and(|a| a.is_empty())), "{call}");
    assert!(
        officer_api.send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/open"), &json!({})).await.status
            == Status::Conflict
    );

    // Hostile bodies and fields: refused, never a 500, nothing stored.
    for b in ["", "null", "[]", "{", "{\"outputs\": 5}", "{\"budget\": [{\"amount\": \"1e309\"}]}"] {
        let req = app.client.req(Method::Post, path.clone()).header(rocket::http::ContentType::JSON).body(b);
        assert!(req.dispatch().await.status().code < 500, "body {b:?}");
    }
    let (mut page_agent, _) = ngo(&app, 3).await;
    let long = "长".repeat(30_000);
    for v in ["", "\u{0}", "-1", "99999999999999999999", "NaN", "1e309", "<script>", long.as_str()] {
        let f = [
            ("service_plan", v),
            ("team", v),
            ("outputs[0].indicator", v),
            ("outputs[0].quantity", v),
            ("budget[0].category", v),
            ("budget[0].amount", v),
        ];
        for p in [format!("/calls/{id}/bid"), format!("/calls/{id}/bid/withdraw"), format!("/calls/{v}/bid")] {
            let r = page_agent.post(&app, &p, &f).await;
            assert!(r.status.code < 500, "{p} with {v:?}: {}", r.status);
        }
    }
    assert_eq!(app.count("bid_versions").await, 1);
}

/// A minimal Office Open XML document: a zip whose part names say it is a Word file.
fn docx_bytes() -> Vec<u8> {
    let mut b = b"PK\x03\x04".to_vec();
    b.extend_from_slice(b"....[Content_Types].xml....word/document.xml....");
    b
}

#[rocket::async_test]
async fn attachments_are_checked_by_content_sealed_and_part_of_the_digest() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (mut a, _) = ngo(&app, 1).await;
    let up = format!("/calls/{id}/bid/attachments");
    // Refused: a text file named .pdf, an executable, a PDF named .docx, an empty file.
    for (name, bytes) in [
        ("方案.pdf", b"just text".to_vec()),
        ("setup.exe", b"MZ\x90\x00".to_vec()),
        ("方案.docx", b"%PDF-1.7 ...".to_vec()),
        ("empty.pdf", vec![]),
    ] {
        let r = a.post_multipart(&app, &up, name, &bytes).await;
        assert_eq!(r.status, Status::UnprocessableEntity, "{name}");
    }
    let big = [b"%PDF-1.7".to_vec(), vec![b'x'; 10 * 1024 * 1024]].concat();
    assert!(a.post_multipart(&app, &up, "big.pdf", &big).await.status.code >= 400);
    assert_eq!(app.count("bid_attachments").await, 0);
    assert_eq!(a.post_multipart(&app, &up, "服务方案.pdf", b"%PDF-1.7 plan").await.status, Status::SeeOther);
    assert_eq!(a.post_multipart(&app, &up, "团队.docx", &docx_bytes()).await.status, Status::SeeOther);

    // The submitted version lists both files, so its digest covers them.
    assert_eq!(a.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_fields("90000"))).await.status, Status::SeeOther);
    let v = entity::bid_version::Entity::find().one(app.db()).await.expect("q").expect("v");
    let content: bids::BidContent = serde_json::from_str(&revealed(&app, v).await.content).expect("content");
    assert_eq!(content.attachments.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>(), vec!["pdf", "docx"]);

    // Only the bidder fetches them before opening: not another NGO, not the officer.
    let files = entity::bid_attachment::Entity::find()
        .order_by_asc(entity::bid_attachment::Column::Id)
        .all(app.db())
        .await
        .expect("q");
    let path = format!("/calls/{id}/bid/attachments/{}", files[0].public_ref);
    let mine = a.get(&app, &path).await;
    assert_eq!((mine.status, mine.bytes.as_slice()), (Status::Ok, b"%PDF-1.7 plan".as_slice()));
    let (mut other, _) = ngo(&app, 2).await;
    assert_eq!(other.get(&app, &path).await.status, Status::NotFound);
    let mut officer = app.officer_again().await;
    assert_eq!(officer.get(&app, &path).await.status, Status::NotFound);
    // Removed before the deadline: off the bid, but kept for the version that lists it.
    let r = a.post(&app, &format!("/calls/{id}/bid/attachments/{}/remove", files[1].public_ref), &[]).await;
    assert_eq!(r.status, Status::SeeOther);
    assert_eq!(app.count("bid_attachments").await, 2);
    assert!(!a.get(&app, &format!("/calls/{id}/bid")).await.body.contains("团队.docx"));

    // After the deadline nothing is added; after opening the bureau fetches the files.
    app.clock.set(deadline());
    let mut a = app.relogin("ngo1@ngo.cn").await;
    assert_eq!(a.post_multipart(&app, &up, "晚了.pdf", b"%PDF-1.7 late").await.status, Status::Conflict);
    for n in 2..=3 {
        let u = member(&app, 10 + n).await;
        bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            &u,
            deadline() - chrono::Duration::seconds(5),
            id,
            &bid("95000"),
        )
        .await
        .expect("bid");
    }
    let mut officer = app.officer_again().await;
    assert_eq!(officer.post(&app, &format!("/calls/{id}/open"), &[("confirmed", "1")]).await.status, Status::SeeOther);
    assert_eq!(officer.get(&app, &path).await.status, Status::Ok);
    assert!(
        officer.get(&app, &format!("/calls/{id}")).await.body.contains("团队.docx"),
        "the version's files are listed"
    );
}

#[rocket::async_test]
async fn an_attachment_uploaded_from_the_bid_form_keeps_the_text_typed_and_stores_none_of_it() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (mut a, _) = ngo(&app, 1).await;
    let up = format!("/calls/{id}/bid/attachments");
    let typed = [("service_plan", "方案-KEEP-71"), ("team", "团队-KEEP-72"), ("budget[0].amount", "88000")];
    let r = a.post_multipart_with(&app, &up, &typed, "方案.pdf", b"%PDF-1.7 ...").await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.body.contains("方案-KEEP-71") && r.body.contains("团队-KEEP-72") && r.body.contains("88000"), "kept");
    assert!(r.body.contains("方案.pdf"), "the file is listed");
    assert_eq!(app.count("bids").await, 0, "nothing typed is stored before the bid is submitted");
    // A file refused keeps the text too.
    let r = a.post_multipart_with(&app, &up, &typed, "setup.exe", b"MZ\x90\x00").await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("方案-KEEP-71") && r.body.contains("error-summary"), "{}", r.body);
}

#[rocket::async_test]
async fn a_refused_row_is_named_by_row_column_and_value_and_no_typed_row_is_dropped() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (mut a, _) = ngo(&app, 1).await;
    let path = format!("/calls/{id}/bid");
    let base = [
        ("service_plan", "方案"),
        ("team", "团队"),
        ("outputs[0].indicator", "上门探访"),
        ("outputs[0].quantity", "200"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        base.iter().chain(extra.iter()).copied().collect()
    };
    let r = a
        .post(
            &app,
            &path,
            &with(&[
                ("budget[0].category", "人员"),
                ("budget[0].amount", "1000"),
                ("budget[1].category", "交通"),
                ("budget[1].amount", "12,5x"),
            ]),
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("预算明细第 2 行「金额」：“12,5x”无效"), "{}", r.body);
    // A row with only its explanation typed is not dropped from the total unseen.
    let r = a
        .post(
            &app,
            &path,
            &with(&[
                ("budget[0].category", "人员"),
                ("budget[0].amount", "1000"),
                ("budget[1].description", "车辆租赁 3 个月"),
            ]),
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("预算明细第 2 行「科目」"), "{}", r.body);
    let r = a
        .post(
            &app,
            &path,
            &with(&[("outputs[1].unit", "次"), ("budget[0].category", "人员"), ("budget[0].amount", "1000")]),
        )
        .await;
    assert!(r.body.contains("服务产出第 2 行「指标」"), "{}", r.body);
    assert_eq!(app.count("bids").await, 0, "nothing refused is stored");
}
