//! The demo dataset and the admin's account management.
use crate::support::*;
use entity::enums::Role;
use rocket::http::Status;

#[rocket::async_test]
async fn demo_loads_once_with_every_type_status_and_role() {
    let app = TestApp::new().await;
    let accounts = fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now())
        .await
        .expect("demo loads");
    let roles: Vec<Role> = accounts.iter().map(|a| a.1).collect();
    for r in Role::ALL {
        assert!(roles.contains(r), "an account for {r:?}");
    }
    assert_eq!(app.count("organizations").await, 30);
    let mut public = app.agent();
    let list = public.get(&app, "/organizations").await;
    assert!(list.body.contains("共 26 条"), "the public sees the active ones");
    // Each account can log in with the printed password.
    let (email, _, pw) = accounts.iter().find(|a| a.1 == Role::NgoMember).expect("ngo").clone();
    let mut ngo = app.agent();
    assert_eq!(ngo.login(&app, &email, &pw).await, Status::SeeOther);
    let own = ngo.get(&app, "/account").await;
    assert!(own.body.contains("三亚市阳光社会工作服务中心"), "the NGO account speaks for its organization");
    assert!(
        matches!(
            fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now()).await,
            Err(fuhua::error::AppError::Conflict(_))
        ),
        "never over real data"
    );
    // The demo's mail links to this server's configured origin, never to another address.
    let mail = <entity::outbox::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.expect("outbox");
    assert!(mail.iter().any(|m| m.body_text.contains(ORIGIN)), "the demo's mail links here");
    for m in &mail {
        assert!(!m.body_text.contains("127.0.0.1:8000"), "{}: {}", m.subject, m.body_text);
    }
    assert_eq!(
        fuhua::domain::audit::verify(app.db()).await.expect("verify"),
        fuhua::domain::audit::VerifyOutcome::Intact { entries: app.count("audit_log").await as u64 }
    );
}

#[rocket::async_test]
async fn demo_has_hubs_and_calls_at_every_stage() {
    use entity::enums::{MembershipStage, RoundStatus};
    use sea_orm::EntityTrait;
    let app = TestApp::new().await;
    let accounts = fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now())
        .await
        .expect("demo loads");
    let hubs = entity::hub::Entity::find().all(app.db()).await.expect("hubs");
    assert_eq!(hubs.len(), 2);
    let rounds = entity::hub_round::Entity::find().all(app.db()).await.expect("rounds");
    let members = entity::hub_membership::Entity::find().all(app.db()).await.expect("members");
    for h in &hubs {
        let statuses: Vec<RoundStatus> = rounds.iter().filter(|r| r.hub_id == h.id).map(|r| r.status).collect();
        for s in [RoundStatus::Open, RoundStatus::Reviewing, RoundStatus::Closed] {
            assert!(statuses.contains(&s), "{} has a round {s:?}", h.name);
        }
        let stages: Vec<MembershipStage> = members.iter().filter(|m| m.hub_id == h.id).map(|m| m.stage).collect();
        for s in [MembershipStage::Incubating, MembershipStage::Graduated, MembershipStage::Exited] {
            assert!(stages.contains(&s), "{} has a member {s:?}", h.name);
        }
        assert_eq!(h.occupied as usize, stages.iter().filter(|s| s.is_current()).count());
    }
    // Calls in every state.
    let calls = entity::call::Entity::find().all(app.db()).await.expect("calls");
    let mut phases = vec![];
    for c in &calls {
        phases.push(fuhua::domain::procurement::calls::phase_of(app.db(), c, app.clock.now()).await.expect("phase"));
    }
    use fuhua::domain::procurement::calls::Phase;
    for p in [
        Phase::Draft,
        Phase::QuestionsOpen,
        Phase::QuestionsClosed,
        Phase::BiddingClosed,
        Phase::Opened,
        Phase::Evaluating,
        Phase::Awarded,
        Phase::Failed,
        Phase::Cancelled,
    ] {
        assert!(phases.contains(&p), "a call {p:?}: {phases:?}");
    }
    assert!(app.agent().get(&app, "/calls").await.body.contains("吉阳区居家养老上门服务项目"));
    // The awarded call shows its result, panel and answered challenge; a draft contract waits.
    let awarded = calls.iter().find(|c| c.status == entity::enums::CallStatus::Awarded).expect("awarded");
    let page = app.agent().get(&app, &format!("/calls/{}", awarded.id)).await.body;
    assert!(page.contains("成交结果公告") && page.contains("评审专家 赵教授"), "{page}");
    assert_eq!(app.count("contracts").await, 3, "the awarded call's draft, one in force, last year's completed");
    // The contract in force: its provider sees it with the mid-term report in; the officer
    // sees the report waiting, and the issued PDF is stored with its digest.
    let (email, _, pw) = accounts.iter().find(|a| a.0 == "provider@fuhua.local").expect("provider").clone();
    let mut provider = app.agent();
    assert_eq!(provider.login(&app, &email, &pw).await, Status::SeeOther);
    let list = provider.get(&app, "/contracts").await.body;
    assert!(list.contains("天涯区居家养老上门服务项目") && list.contains("SYHT-"), "{list}");
    let (email, _, pw) = accounts.iter().find(|a| a.1 == Role::Officer).expect("officer").clone();
    let mut officer = app.agent();
    assert_eq!(officer.login(&app, &email, &pw).await, Status::SeeOther);
    let waiting = officer.get(&app, "/contracts?waiting=true").await.body;
    assert!(waiting.contains("天涯区居家养老上门服务项目") && waiting.contains("1 个待审核"), "{waiting}");
    // Two contract PDFs and three evaluation reports; one payment in force, three last year.
    assert_eq!(app.count("contract_documents").await, 5);
    assert_eq!(app.count("payments").await, 4);
    // The contract in force passed its mid-term evaluation (良好); last year's project is
    // completed, its final evaluation released 优秀 with its report, public on its page.
    let evs = entity::evaluation::Entity::find().all(app.db()).await.expect("evaluations");
    let grades: Vec<(entity::enums::EvaluationKind, Option<i32>, Option<entity::enums::EvaluationGrade>)> =
        evs.iter().map(|e| (e.kind, e.total_centi, e.grade)).collect();
    use entity::enums::{EvaluationGrade as G, EvaluationKind as K};
    assert!(grades.contains(&(K::Midterm, Some(8380), Some(G::Good))), "{grades:?}");
    assert!(grades.contains(&(K::Final, Some(9415), Some(G::Excellent))), "{grades:?}");
    let final_eval = evs.iter().find(|e| e.kind == K::Final).expect("final");
    let done = entity::contract::Entity::find_by_id(final_eval.contract_id).one(app.db()).await.expect("q").expect("k");
    assert_eq!(done.status, entity::enums::ContractStatus::Completed);
    let public = app.agent().get(&app, &format!("/calls/{}", done.call_id)).await.body;
    assert!(public.contains("绩效评价结果") && public.contains("94.15") && public.contains("优秀"), "{public}");
    let report = officer.get(&app, &format!("/evaluations/{}/report.pdf", final_eval.id)).await;
    assert_eq!(report.status, Status::Ok);
    assert!(report.bytes.starts_with(b"%PDF"));
    assert_eq!(app.count("challenges").await, 1);
    // The demo expert has a panel waiting for the declaration.
    let (email, _, pw) = accounts.iter().find(|a| a.1 == Role::Expert).expect("expert").clone();
    let mut expert = app.agent();
    assert_eq!(expert.login(&app, &email, &pw).await, Status::SeeOther);
    let panels = expert.get(&app, "/panels").await.body;
    assert!(panels.contains("天涯区社区矫正对象教育帮扶项目") && panels.contains("已抽取"), "{panels}");
    // The hub manager's dashboard has a year of services to chart.
    let (email, _, pw) = accounts.iter().find(|a| a.1 == Role::HubManager).expect("manager").clone();
    let mut manager = app.agent();
    assert_eq!(manager.login(&app, &email, &pw).await, Status::SeeOther);
    let d = manager.get(&app, &format!("/hubs/{}/dashboard", hubs[0].id)).await;
    assert_eq!(d.status, Status::Ok);
    assert!(d.body.contains("2024 年第一批") && d.body.contains("67%"), "two of three graduated: {}", d.body);
    // The demo NGO sees its own application in the open round.
    let (email, _, pw) = accounts.iter().find(|a| a.1 == Role::NgoMember).expect("ngo").clone();
    let mut ngo = app.agent();
    assert_eq!(ngo.login(&app, &email, &pw).await, Status::SeeOther);
    assert!(ngo.get(&app, "/incubation").await.body.contains("已提交"));
    assert_eq!(
        fuhua::domain::audit::verify(app.db()).await.expect("verify"),
        fuhua::domain::audit::VerifyOutcome::Intact { entries: app.count("audit_log").await as u64 }
    );
}

#[rocket::async_test]
async fn admin_makes_accounts_with_a_one_time_password() {
    let app = TestApp::new().await;
    let mut admin = app.admin().await;
    let r = admin
        .post(&app, "/admin/users", &[("email", "expert@uni.cn"), ("display_name", "赵教授"), ("role", "expert")])
        .await;
    assert_eq!(r.status, Status::Ok);
    let start = r.body.find("<code class=\"token\">").expect("password shown") + "<code class=\"token\">".len();
    let password = r.body[start..].split('<').next().unwrap_or_default().to_string();
    assert_eq!(password.len(), 16);
    let mut expert = app.agent();
    assert_eq!(expert.login(&app, "expert@uni.cn", &password).await, Status::SeeOther);
    assert!(!admin.get(&app, "/admin/users").await.body.contains(&password), "shown once");

    let dup = admin
        .post(&app, "/admin/users", &[("email", "expert@uni.cn"), ("display_name", "x"), ("role", "expert")])
        .await;
    assert_eq!(dup.status, Status::UnprocessableEntity);
    assert!(dup.body.contains("该邮箱已有账号"));
    let bad_role =
        admin.post(&app, "/admin/users", &[("email", "new@uni.cn"), ("display_name", "x"), ("role", "king")]).await;
    assert_eq!(bad_role.status, Status::UnprocessableEntity);
    assert_eq!(app.count("users").await, 2);
}

#[rocket::async_test]
async fn admin_stops_and_restores_an_account() {
    let app = TestApp::new().await;
    let mut admin = app.admin().await;
    let mut officer = app.officer().await;
    let officer_id = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::user::Entity::find()
            .filter(entity::user::Column::Email.eq("officer@test.cn"))
            .one(app.db())
            .await
            .ok()
            .flatten()
            .expect("officer")
            .id
    };
    assert_eq!(
        officer.post(&app, &format!("/admin/users/{officer_id}/disable"), &[("confirmed", "1")]).await.status,
        Status::Forbidden,
        "admins only"
    );
    let ask = admin.post(&app, &format!("/admin/users/{officer_id}/disable"), &[]).await;
    assert_eq!(ask.status, Status::Ok, "stopping an account asks first");
    assert!(ask.body.contains("确认停用账号") && ask.body.contains("officer@test.cn"), "{}", ask.body);
    assert_eq!(officer.get(&app, "/account").await.status, Status::Ok, "not stopped by the question");
    assert_eq!(
        admin.post(&app, &format!("/admin/users/{officer_id}/disable"), &[("confirmed", "1")]).await.status,
        Status::SeeOther
    );
    assert_eq!(officer.get(&app, "/account").await.status, Status::SeeOther, "its session ended");
    let r = app.agent().post(&app, "/login", &[("email", "officer@test.cn"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("该账号已停用"));
    assert_eq!(
        admin.post(&app, &format!("/admin/users/{officer_id}/disable"), &[("confirmed", "1")]).await.status,
        Status::Conflict
    );
    let admin_id = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::user::Entity::find()
            .filter(entity::user::Column::Email.eq("admin@test.cn"))
            .one(app.db())
            .await
            .ok()
            .flatten()
            .expect("admin")
            .id
    };
    assert_eq!(
        admin.post(&app, &format!("/admin/users/{admin_id}/disable"), &[("confirmed", "1")]).await.status,
        Status::Conflict,
        "not yourself"
    );
    assert_eq!(admin.post(&app, &format!("/admin/users/{officer_id}/enable"), &[]).await.status, Status::SeeOther);
    assert_eq!(app.agent().login(&app, "officer@test.cn", PASSWORD).await, Status::SeeOther);
}
