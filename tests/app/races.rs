//! Every state change happens once: twenty requests for the same transition at the same
//! moment (polled together, as a server interleaves them; on PostgreSQL on separate
//! connections) make one change, one audit entry, and nineteen conflicts (409). Also the
//! limits that a race could walk around: ten files per bid, and the storage quotas.
use crate::support::bids::{bid, deadline, member, published_call};
use crate::support::contracts::{Awarded, active, awarded, pay, ready_to_award, report};
use crate::support::panel::{after, opened_call};
use crate::support::*;
use entity::enums::{CallStatus, ContractStatus, EvaluationKind, OrgStatus, Role};
use fuhua::domain::audit::Actor;
use fuhua::domain::contracts::{payments, reports, signing};
use fuhua::domain::procurement::{attachments, award, bids, calls, opening};
use fuhua::error::{AppError, AppResult};
use fuhua::i18n::Locale;
use rocket::futures::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const N: usize = 20;

/// Exactly one of the results is a success; every other is a conflict (409), not an error
/// of another kind and not a second success.
fn one_wins<T: std::fmt::Debug>(what: &str, results: Vec<AppResult<T>>) -> T {
    let mut won = None;
    for r in results {
        match r {
            Ok(v) => {
                assert!(won.is_none(), "{what}: a second success");
                won = Some(v);
            }
            Err(AppError::Conflict(_)) => {}
            Err(e) => panic!("{what}: a loser got {e:?}, not a conflict"),
        }
    }
    won.unwrap_or_else(|| panic!("{what}: nobody won"))
}

/// Opens as many connections as the pool holds, so that the racers start together
/// rather than one by one as each new connection is made.
/// (SQLite has one writing connection: nothing to warm.)
async fn warm(app: &TestApp) {
    use sea_orm::{DatabaseBackend, TransactionTrait};
    if app.db().get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let held = join_all((0..16).map(|_| app.db().begin())).await;
    drop(held);
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("audit_log WHERE action = '{action}'")).await
}

async fn officer_model(app: &TestApp, email: &str) -> entity::user::Model {
    entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(email))
        .one(app.db())
        .await
        .expect("q")
        .expect("officer")
}

#[rocket::async_test]
async fn publishing_cancelling_opening_and_failing_a_call_happen_once() {
    let app = TestApp::new().await;
    let s = app.state();
    // Publish: twenty at once.
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let draft = crate::support::calls::draft(&app, &mut officer, &crate::support::calls::fields(d)).await;
    let u = officer_model(&app, "officer@test.cn").await;
    let now = app.clock.now();
    let rules = &s.config.procurement;
    warm(&app).await;
    one_wins("publish", join_all((0..N).map(|_| calls::publish(app.db(), &u, now, rules, draft))).await);
    assert_eq!(audited(&app, "call.published").await, 1);
    assert_eq!(app.count("calls WHERE reference IS NOT NULL").await, 1);
    // Cancel: twenty at once.
    warm(&app).await;
    one_wins("cancel", join_all((0..N).map(|_| calls::cancel(app.db(), &u, now, draft, "预算调整"))).await);
    assert_eq!(audited(&app, "call.cancelled").await, 1);

    // Open: three bids, twenty openings at the deadline.
    let id = published_call(&app, "competitive_consultation").await;
    for n in 0..3 {
        let m = member(&app, 60 + n).await;
        bids::submit(app.db(), ((&s.emails, ORIGIN), &s.sealer), &m, now, id, &bid("90000")).await.expect("bid");
    }
    warm(&app).await;
    let (status, _) = one_wins(
        "open",
        join_all((0..N).map(|_| opening::open(app.db(), &s.sealer, &u, deadline(), id, None, ""))).await,
    );
    assert_eq!(status, CallStatus::Opened);
    assert_eq!(audited(&app, "call.opened").await, 1);

    // Fail an opened call: twenty at once.
    let (other, _, chair) = opened_call(&app, &["100000", "98000", "99000"]).await;
    warm(&app).await;
    one_wins("fail", join_all((0..N).map(|_| award::fail(app.db(), &chair, after(), other, "均不满足要求"))).await);
    assert_eq!(audited(&app, "call.failed").await, 1);
    assert_eq!(crate::support::calls::call_row(&app, other).await.status, CallStatus::Failed);
}

#[rocket::async_test]
async fn an_award_and_each_step_of_its_contract_happen_once() {
    let app = TestApp::new().await;
    let s = app.state();
    let (id, winner, _, officer) = ready_to_award(&app).await;
    let rules = &s.config.procurement;
    warm(&app).await;
    one_wins(
        "award",
        join_all((0..N).map(|_| award::award(app.db(), &s.emails, ORIGIN, &officer, after(), rules, id, winner, "")))
            .await,
    );
    assert_eq!(audited(&app, "call.awarded").await, 1);
    assert_eq!((app.count("awards").await, app.count("contracts").await), (1, 1));
}

#[rocket::async_test]
async fn approving_sending_and_signing_a_contract_happen_once() {
    let app = TestApp::new().await;
    let s = app.state();
    let w = awarded(&app).await;
    let (rules, proc) = (&s.config.contracts, &s.config.procurement);
    let now = crate::support::contracts::now();
    fuhua::domain::contracts::terms::save(
        app.db(),
        &w.officer,
        now,
        proc,
        rules.max_bond_percent,
        w.contract,
        &crate::support::contracts::complete_terms(),
    )
    .await
    .expect("terms");
    let ms = fuhua::domain::contracts::milestones::of_contract(app.db(), w.contract).await.expect("q");
    let input = fuhua::domain::contracts::milestones::MilestoneInput {
        title: ms[0].title.clone(),
        due_on: "2027-06-30".into(),
        deliverables: "中期报告".into(),
        indicators: vec![fuhua::domain::contracts::milestones::IndicatorInput {
            name: "家庭探访".into(),
            unit: "人次".into(),
            target: "200".into(),
        }],
    };
    fuhua::domain::contracts::milestones::save(app.db(), &w.officer, now, ms[0].id, &input).await.expect("m");
    warm(&app).await;
    let approvals =
        join_all((0..N).map(|_| signing::approve(app.db(), &s.documents, &w.officer, now, rules, proc, w.contract)))
            .await;
    one_wins("approve", approvals);
    assert_eq!(audited(&app, "contract.approved").await, 1);
    warm(&app).await;
    let sends = join_all((0..N).map(|_| {
        signing::send(app.db(), &s.documents, &s.emails, ORIGIN, &w.officer, now, rules, w.contract, Locale::ZhCn)
    }))
    .await;
    one_wins("send", sends);
    assert_eq!(audited(&app, "contract.sent").await, 1);
    assert_eq!(app.count("contract_documents").await, 1, "one PDF issued");
    warm(&app).await;
    one_wins("sign", join_all((0..N).map(|_| signing::accept(app.db(), &w.provider, now, w.contract))).await);
    assert_eq!(audited(&app, "contract.signed").await, 1);
    let k = entity::contract::Entity::find_by_id(w.contract).one(app.db()).await.expect("q").expect("k");
    assert_eq!(k.status, ContractStatus::Active);
}

async fn milestone_indicator(app: &TestApp, milestone: i32) -> i32 {
    entity::milestone_indicator::Entity::find()
        .filter(entity::milestone_indicator::Column::MilestoneId.eq(milestone))
        .one(app.db())
        .await
        .expect("q")
        .expect("indicator")
        .id
}

#[rocket::async_test]
async fn a_report_is_accepted_or_returned_once_and_a_payment_recorded_once() {
    let app = TestApp::new().await;
    let s = app.state();
    let w: Awarded = awarded(&app).await;
    let ms = active(&app, &w).await;
    let when = chrono::DateTime::parse_from_rfc3339("2027-02-01T02:00:00Z").expect("t").with_timezone(&chrono::Utc);
    let indicator = milestone_indicator(&app, ms[0].id).await;
    reports::submit(app.db(), &w.provider, when, ms[0].id, &report(indicator, "180"), &[]).await.expect("report");
    // Returned twenty times at once: one return, one email.
    warm(&app).await;
    let returns = join_all(
        (0..N).map(|_| reports::decide(app.db(), &s.emails, ORIGIN, &w.officer, when, ms[0].id, false, "请补充")),
    )
    .await;
    one_wins("return", returns);
    assert_eq!(app.count("outbox WHERE kind = 'milestone_returned'").await, 1);
    reports::submit(app.db(), &w.provider, when, ms[0].id, &report(indicator, "200"), &[]).await.expect("again");
    warm(&app).await;
    let accepts =
        join_all((0..N).map(|_| reports::decide(app.db(), &s.emails, ORIGIN, &w.officer, when, ms[0].id, true, "")))
            .await;
    one_wins("accept", accepts);
    assert_eq!(app.count("outbox WHERE kind = 'milestone_accepted'").await, 1);

    // The signing instalment (¥36,000) paid twenty times at once, each with the same voucher
    // as an officer double-clicking would send: one payment.
    let first = entity::contract_instalment::Entity::find()
        .filter(entity::contract_instalment::Column::ContractId.eq(w.contract))
        .order_by_asc(entity::contract_instalment::Column::Position)
        .one(app.db())
        .await
        .expect("q")
        .expect("instalment");
    let input = pay(first.id, "36000", "PZ-RACE");
    warm(&app).await;
    let payments_made =
        join_all((0..N).map(|_| payments::record(app.db(), &s.emails, ORIGIN, &w.officer, when, w.contract, &input)))
            .await;
    let losers = payments_made.iter().filter(|r| r.is_err()).count();
    // A loser is told the instalment is paid (409) or, if it got as far, that the voucher
    // is used (422): never a second payment.
    assert!(
        payments_made
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, AppError::Conflict(_) | AppError::Invalid(_)))
    );
    assert_eq!((losers, app.count("payments").await), (N - 1, 1));
    assert_eq!(audited(&app, "contract.payment_recorded").await, 1);
}

#[rocket::async_test]
async fn an_evaluation_is_released_once() {
    let app = TestApp::new().await;
    let s = app.state();
    let w = awarded(&app).await;
    active(&app, &w).await;
    let (ev, people) = crate::support::evaluations::scheduled(&app, &w, EvaluationKind::Midterm, 1).await;
    crate::support::evaluations::self_evaluate(&app, &w, ev).await;
    crate::support::evaluations::score_all(&app, ev, &people, &[["36", "18", "27", "9"]]).await;
    crate::support::evaluations::survey_and_findings(&app, &w, ev).await;
    let rules = &s.config.evaluations;
    warm(&app).await;
    let releases = join_all((0..N).map(|_| {
        fuhua::domain::evaluations::release::release(
            app.db(),
            &s.emails,
            &s.documents,
            ORIGIN,
            &w.officer,
            t0(),
            rules,
            ev,
        )
    }))
    .await;
    one_wins("release", releases.into_iter().map(|r| r.map(|_| ())).collect());
    assert_eq!(audited(&app, "evaluation.released").await, 1);
}

#[rocket::async_test]
async fn claims_organization_status_rounds_and_applications_change_once() {
    let w = crate::support::hubs::hub_world("5", "5").await;
    let app = &w.app;
    let s = app.state();
    let now = app.clock.now();
    // A claim approved twenty times at once.
    app.org("三亚市竞态认领服务中心", &code(77), "吉阳区").await;
    let claimant = app.user("claimant@ngo.cn", Role::NgoMember, None).await;
    let c = fuhua::domain::claims::submit(app.db(), &claimant, now, &code(77), "").await.expect("claim");
    let officer = officer_model(app, "officer@test.cn").await;
    warm(app).await;
    let decisions = join_all(
        (0..N).map(|_| fuhua::domain::claims::decide(app.db(), &s.emails, ORIGIN, &officer, now, c.id, true, "")),
    )
    .await;
    one_wins("claim", decisions);
    assert_eq!(app.count("outbox WHERE kind = 'claim_approved'").await, 1);
    // An organization suspended twenty times at once: one entry, from active.
    let org = app.org("三亚市竞态暂停服务中心", &code(78), "吉阳区").await;
    let actor = Actor::user(&officer);
    warm(app).await;
    let changes = join_all((0..N).map(|_| {
        fuhua::domain::organizations::change_status(app.db(), &actor, now, org, OrgStatus::Suspended, "年检未通过")
    }))
    .await;
    one_wins("suspend", changes);
    assert_eq!(audited(app, "organization.status_changed").await, 1);

    // An application accepted twenty times at once: one membership.
    let (mut a, _) = crate::support::hubs::ngo(app, 1).await;
    let application = crate::support::hubs::id_from(&crate::support::hubs::apply(&w, &mut a, w.round).await.location);
    let manager = officer_model(app, "manager@hub.cn").await;
    let accept = fuhua::domain::hubs::applications::DecisionInput { decision: "accept".into(), ..Default::default() };
    warm(app).await;
    let decided = join_all((0..N).map(|_| {
        fuhua::domain::hubs::applications::decide(&s.db, &s.emails, ORIGIN, &manager, now, w.hub, application, &accept)
    }))
    .await;
    one_wins("decide", decided);
    assert_eq!(app.count("hub_memberships").await, 1);
    // The round moved to review twenty times at once.
    warm(app).await;
    let moved = join_all((0..N).map(|_| {
        fuhua::domain::hubs::rounds::change_status(
            app.db(),
            &s.emails,
            ORIGIN,
            &manager,
            now,
            w.hub,
            w.round,
            "reviewing",
        )
    }))
    .await;
    one_wins("round", moved);
    assert_eq!(audited(app, "hub_round.status_changed").await, 1);
}

fn pdf(n: usize, size: usize) -> Vec<u8> {
    let mut b = format!("%PDF-1.7 file {n} ").into_bytes();
    b.resize(size, b'x');
    b
}

#[rocket::async_test]
async fn twenty_uploads_at_once_store_ten_files_and_removed_files_give_their_space_back() {
    let app = TestApp::new().await;
    let s = app.state();
    let id = published_call(&app, "competitive_consultation").await;
    let m = member(&app, 1).await;
    let now = app.clock.now();
    let rules = &s.config.procurement;
    let files: Vec<(String, Vec<u8>)> = (0..N).map(|n| (format!("{n}.pdf"), pdf(n, 4096))).collect();
    warm(&app).await;
    let uploads =
        join_all(files.iter().map(|(name, f)| attachments::add(app.db(), (&s.sealer, rules), &m, now, id, name, f)))
            .await;
    let stored = uploads.iter().filter(|r| r.is_ok()).count();
    assert_eq!((stored, app.count("bid_attachments").await), (10, 10));
    for r in uploads.iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(r, AppError::Conflict(m) if m.key == "attachment.too_many"), "{r:?}");
    }

    // Files removed before any version listed them go, bytes and all: uploading and
    // removing again and again leaves nothing behind.
    let kept: Vec<_> = uploads.into_iter().filter_map(Result::ok).collect();
    for a in &kept {
        attachments::remove(app.db(), &m, now, id, &a.public_ref).await.expect("remove");
    }
    for round in 0..5 {
        let a = attachments::add(app.db(), (&s.sealer, rules), &m, now, id, "again.pdf", &pdf(round, 4096))
            .await
            .expect("add");
        attachments::remove(app.db(), &m, now, id, &a.public_ref).await.expect("remove");
    }
    assert_eq!(app.count("bid_attachments").await, 0);

    // A file a submitted version lists stays when removed, and still counts.
    let listed =
        attachments::add(app.db(), (&s.sealer, rules), &m, now, id, "方案.pdf", &pdf(99, 4096)).await.expect("add");
    bids::submit(app.db(), ((&s.emails, ORIGIN), &s.sealer), &m, now, id, &bid("90000")).await.expect("bid");
    attachments::remove(app.db(), &m, now, id, &listed.public_ref).await.expect("remove");
    assert_eq!(app.count("bid_attachments WHERE removed").await, 1);
}

#[rocket::async_test]
async fn the_storage_quotas_refuse_more_with_the_figures() {
    let app = TestApp::new().await;
    let s = app.state();
    let id = published_call(&app, "competitive_consultation").await;
    let m = member(&app, 1).await;
    let now = app.clock.now();
    let mut rules = s.config.procurement.clone();
    rules.attachment_quota_bid_mib = 3;
    rules.attachment_quota_organization_mib = 4;
    let mib = 1024 * 1024;
    let first = attachments::add(app.db(), (&s.sealer, &rules), &m, now, id, "a.pdf", &pdf(1, 2 * mib))
        .await
        .expect("2 MiB fits");
    bids::submit(app.db(), ((&s.emails, ORIGIN), &s.sealer), &m, now, id, &bid("90000")).await.expect("bid");
    // Listed by the version, so removing it keeps it and its 2 MiB still count.
    attachments::remove(app.db(), &m, now, id, &first.public_ref).await.expect("remove");
    let r = attachments::add(app.db(), (&s.sealer, &rules), &m, now, id, "b.pdf", &pdf(2, 2 * mib)).await;
    match r {
        Err(AppError::Conflict(msg)) => {
            assert_eq!(msg.key, "attachment.bid_quota");
            let text = Locale::ZhCn.msg(&msg);
            assert!(text.contains("2 MiB") && text.contains("3 MiB"), "{text}");
        }
        other => panic!("over the bid quota: {other:?}"),
    }
    // Another call: the organization's quota (4 MiB) counts its files on every bid.
    let other = published_call(&app, "competitive_consultation").await;
    attachments::add(app.db(), (&s.sealer, &rules), &m, now, other, "c.pdf", &pdf(3, mib)).await.expect("fits");
    let r = attachments::add(app.db(), (&s.sealer, &rules), &m, now, other, "d.pdf", &pdf(4, 2 * mib)).await;
    assert!(matches!(r, Err(AppError::Conflict(ref msg)) if msg.key == "attachment.organization_quota"), "{r:?}");
    assert_eq!(app.count("bid_attachments").await, 2);
}
