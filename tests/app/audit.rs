//! The hash-chained audit log: every change appends, the chain verifies, and an edited
//! or deleted row is found and named.
use crate::support::*;
use fuhua::domain::audit::{self, VerifyOutcome};
use rocket::http::Status;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};

#[rocket::async_test]
async fn every_change_appends_and_the_chain_verifies() {
    let app = TestApp::new().await;
    let id = app.org("三亚市审计测试中心", &code(1), "吉阳区").await;
    let mut officer = app.officer().await;
    officer.post(&app, &format!("/organizations/{id}/status"), &[("to", "suspended"), ("reason", "检查")]).await;
    let entries = entity::audit_log::Entity::find()
        .order_by_asc(entity::audit_log::Column::Seq)
        .all(app.db())
        .await
        .expect("log");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["organization.created", "account.created", "session.login", "organization.status_changed"]);
    assert_eq!(entries[0].prev_hash, audit::GENESIS);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    assert_eq!(entries[3].actor, "officer@test.cn");
    assert!(entries[3].payload.contains("\"from\":\"active\"") && entries[3].payload.contains("\"to\":\"suspended\""));
    assert_eq!(audit::verify(app.db()).await.expect("verify"), VerifyOutcome::Intact { entries: 4 });
}

#[rocket::async_test]
async fn an_edited_row_is_named() {
    let app = TestApp::new().await;
    for i in 0..5 {
        app.org(&format!("三亚市链条{i}号中心"), &code(10 + i), "吉阳区").await;
    }
    let db = app.db();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE audit_log SET payload = '{\"name\":\"forged\"}' WHERE seq = 3",
    ))
    .await
    .expect("tamper");
    assert_eq!(
        audit::verify(db).await.expect("verify"),
        VerifyOutcome::Broken { seq: 3, reason: "payload does not match its hash" }
    );
}

#[rocket::async_test]
async fn a_rehashed_edit_or_a_deleted_row_is_found_too() {
    let app = TestApp::new().await;
    for i in 0..4 {
        app.org(&format!("三亚市删除{i}号中心"), &code(20 + i), "吉阳区").await;
    }
    let db = app.db();
    // A careful forger fixes the payload hash too: the entry hash still gives it away.
    let forged = "{\"name\":\"x\"}";
    let ph = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(forged.as_bytes()));
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        format!("UPDATE audit_log SET payload = '{forged}', payload_hash = '{ph}' WHERE seq = 2"),
    ))
    .await
    .expect("tamper");
    assert_eq!(
        audit::verify(db).await.expect("verify"),
        VerifyOutcome::Broken { seq: 2, reason: "entry does not match its hash" }
    );

    let app = TestApp::new().await;
    for i in 0..4 {
        app.org(&format!("三亚市删除{i}号中心"), &code(30 + i), "吉阳区").await;
    }
    let db = app.db();
    db.execute_raw(Statement::from_string(db.get_database_backend(), "DELETE FROM audit_log WHERE seq = 3"))
        .await
        .expect("delete");
    assert_eq!(audit::verify(db).await.expect("verify"), VerifyOutcome::Broken { seq: 3, reason: "sequence gap" });
}

#[rocket::async_test]
async fn a_failed_request_leaves_no_audit_entry() {
    let app = TestApp::new().await;
    let id = app.org("三亚市失败测试中心", &code(40), "吉阳区").await;
    let mut officer = app.officer().await;
    let before = app.count("audit_log").await;
    let r = officer.post(&app, &format!("/organizations/{id}/status"), &[("to", "active"), ("reason", "x")]).await;
    assert_eq!(r.status, Status::Conflict, "active → active is not a change");
    assert_eq!(app.count("audit_log").await, before);
}

#[rocket::async_test]
async fn admins_browse_the_log_newest_first() {
    let app = TestApp::new().await;
    for i in 0..60 {
        app.org(&format!("三亚市翻页{i:02}号中心"), &code(100 + i), "吉阳区").await;
    }
    let mut admin = app.admin().await;
    let page = admin.get(&app, "/admin/audit").await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("session.login"), "newest first");
    assert!(!page.body.contains("三亚市翻页00号中心"), "oldest is on a later page");
    let next = page
        .body
        .split("/admin/audit?before=")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a next link")
        .to_string();
    let older = admin.get(&app, &format!("/admin/audit?before={next}")).await;
    assert!(older.body.contains("三亚市翻页00号中心"));
}

#[rocket::async_test]
async fn signed_checkpoints_find_a_log_cut_short_or_rewritten() {
    use fuhua::domain::checkpoints::{self, Disagreement};
    let app = TestApp::new().await;
    for i in 0..5 {
        app.org(&format!("三亚市检查点{i}号中心"), &code(200 + i), "吉阳区").await;
    }
    let notary = &app.state().notary;
    let cp = notary.checkpoint(app.db(), app.clock.now()).await.expect("sign").expect("a checkpoint");
    assert_eq!(cp.seq, 5);
    assert!(cp.signature_holds());
    // Signing the same head again gives the same checkpoint; the file has one line for it.
    assert_eq!(notary.checkpoint(app.db(), app.clock.now()).await.expect("again"), Some(cp.clone()));
    let kept = checkpoints::read_file(notary.file()).expect("file");
    assert_eq!(kept, vec![cp.clone()]);
    // A copy kept elsewhere, and the public page and file show it.
    let mut public = app.agent();
    let page = public.get(&app, "/audit/checkpoints").await;
    assert!(page.body.contains(&cp.head_hash) && page.body.contains(&notary.public_key()), "{}", page.body);
    let jsonl = public.get(&app, "/audit/checkpoints.jsonl").await;
    assert_eq!(String::from_utf8_lossy(&jsonl.bytes).trim(), serde_json::to_string(&cp).expect("json"));
    assert!(checkpoints::check(app.db(), &kept, Some(&notary.public_key())).await.expect("check").is_empty());

    // The newest two entries deleted: the chain alone still verifies, the checkpoint does not.
    let db = app.db();
    db.execute_raw(Statement::from_string(db.get_database_backend(), "DELETE FROM audit_log WHERE seq >= 4"))
        .await
        .expect("truncate");
    assert_eq!(audit::verify(db).await.expect("verify"), VerifyOutcome::Intact { entries: 3 });
    let found = checkpoints::check(db, &kept, None).await.expect("check");
    assert_eq!(found.iter().map(|f| f.1.clone()).collect::<Vec<_>>(), vec![Disagreement::Truncated]);

    // Rewritten from entry 3 on, with fresh hashes: the checkpoint names it.
    let app = TestApp::new().await;
    for i in 0..3 {
        app.org(&format!("三亚市改写{i}号中心"), &code(300 + i), "吉阳区").await;
    }
    let cp = app.state().notary.checkpoint(app.db(), app.clock.now()).await.expect("sign").expect("cp");
    let db = app.db();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        format!("UPDATE audit_log SET hash = '{}' WHERE seq = 3", "f".repeat(64)),
    ))
    .await
    .expect("rewrite");
    let found = checkpoints::check(db, std::slice::from_ref(&cp), None).await.expect("check");
    assert_eq!(found[0].1, Disagreement::Rewritten);
    // A forged checkpoint, or one signed by another key, proves nothing.
    let forged = checkpoints::Checkpoint { head_hash: "f".repeat(64), ..cp.clone() };
    assert_eq!(checkpoints::check(db, &[forged], None).await.expect("check")[0].1, Disagreement::BadSignature);
    let other = checkpoints::check(db, std::slice::from_ref(&cp), Some(&"0".repeat(64))).await.expect("check");
    assert_eq!(other[0].1, Disagreement::BadSignature);
}

#[rocket::async_test]
async fn opening_and_award_are_checkpointed_and_a_day_never_passes_without_one() {
    let app = TestApp::new().await;
    let id = crate::support::bids::published_call(&app, "competitive_consultation").await;
    for n in 1..=3 {
        let u = crate::support::bids::member(&app, n).await;
        let b = crate::support::bids::bid(&format!("{}", 90000 + n));
        fuhua::domain::procurement::bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            &u,
            app.clock.now(),
            id,
            &b,
        )
        .await
        .expect("bid");
    }
    app.clock.set(crate::support::bids::deadline());
    let mut officer = app.officer_again().await;
    assert_eq!(officer.post(&app, &format!("/calls/{id}/open"), &[("confirmed", "1")]).await.status, Status::SeeOther);
    let list = fuhua::domain::checkpoints::list(app.db()).await.expect("list");
    let head = audit::latest_seq(app.db()).await.expect("seq");
    assert_eq!(list.first().map(|c| c.seq), Some(head), "the opening's entry is signed");
    // Daily: due when the last is a day old, not before.
    let notary = &app.state().notary;
    assert!(notary.if_due(app.db(), app.clock.now() + chrono::Duration::hours(23)).await.expect("due").is_none());
    app.org("三亚市每日检查点中心", &code(400), "吉阳区").await;
    let daily = notary.if_due(app.db(), app.clock.now() + chrono::Duration::hours(25)).await.expect("due");
    assert_eq!(daily.map(|c| c.seq), Some(audit::latest_seq(app.db()).await.expect("seq")));
}

#[rocket::async_test]
async fn bid_events_chain_apart_and_the_opening_binds_them() {
    let app = TestApp::new().await;
    let id = crate::support::bids::published_call(&app, "competitive_consultation").await;
    for n in 1..=3 {
        let u = crate::support::bids::member(&app, n).await;
        let b = crate::support::bids::bid("90000");
        fuhua::domain::procurement::bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            &u,
            app.clock.now(),
            id,
            &b,
        )
        .await
        .expect("bid");
    }
    let log = entity::audit_log::Entity::find().all(app.db()).await.expect("log");
    assert!(log.iter().all(|e| !e.action.contains("sealed") && !e.object_type.contains("sealed")), "not in the log");
    assert_eq!(app.count("sealed_events").await, 3);
    let officer = app.user("opener@bureau.cn", entity::enums::Role::Officer, None).await;
    fuhua::domain::procurement::opening::open(
        app.db(),
        &app.state().sealer,
        &officer,
        crate::support::bids::deadline(),
        id,
        None,
        "",
    )
    .await
    .expect("open");
    let entries = audit::latest_seq(app.db()).await.expect("seq") as u64;
    assert_eq!(audit::verify(app.db()).await.expect("verify"), VerifyOutcome::Intact { entries });
    // The newest bid event deleted after the opening: its head no longer matches the opening's.
    let db = app.db();
    db.execute_raw(Statement::from_string(db.get_database_backend(), "DELETE FROM sealed_events WHERE n = 3"))
        .await
        .expect("delete");
    assert!(matches!(
        audit::verify(db).await.expect("verify"),
        VerifyOutcome::Broken { reason: "a call's sealed bid events changed after it was opened", .. }
    ));
    // One edited in the middle breaks the chain itself.
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE sealed_events SET payload = '{\"event\":\"forged\"}' WHERE n = 1",
    ))
    .await
    .expect("edit");
    assert!(matches!(
        audit::verify(db).await.expect("verify"),
        VerifyOutcome::Broken { reason: "a call's sealed bid events do not chain", .. }
    ));
}
