//! Incubation after admission: services logged, the graduation assessment against the
//! checklist, the reminder before the planned end, the dashboard.
use crate::support::hubs::{HubWorld, apply, hub_world, id_from, ngo};
use crate::support::smtp::{SmtpServer, bodies, subject};
use crate::support::*;
use entity::enums::{MembershipStage, Role};
use fuhua::domain::hubs::reminders::send_term_reminders;
use rocket::http::Status;
use sea_orm::EntityTrait;

/// One accepted member of the world's hub, on desk 01; returns its agent, organization and membership.
async fn member(w: &mut HubWorld, n: u32) -> (Agent, i32, i32) {
    let (mut a, org) = ngo(&w.app, n).await;
    let id = id_from(&apply(w, &mut a, w.round).await.location);
    let seat = entity::hub_seat::Entity::find()
        .all(w.app.db())
        .await
        .expect("q")
        .into_iter()
        .find(|s| s.held_by.is_none())
        .expect("a free seat");
    let r = w
        .manager
        .post(
            &w.app,
            &format!("/hubs/{}/applications/{id}/decision", w.hub),
            &[("decision", "accept"), ("started_on", "2026-11-01"), ("seat_id", &seat.id.to_string())],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let m = entity::hub_membership::Entity::find()
        .all(w.app.db())
        .await
        .expect("q")
        .into_iter()
        .find(|m| m.application_id == id)
        .expect("membership");
    (a, org, m.id)
}

async fn membership(app: &TestApp, id: i32) -> entity::hub_membership::Model {
    entity::hub_membership::Entity::find_by_id(id).one(app.db()).await.expect("q").expect("membership")
}

#[rocket::async_test]
async fn the_hub_logs_services_that_only_the_member_and_the_hub_see() {
    let mut w = hub_world("5", "5").await;
    let (mut a, _, m) = member(&mut w, 1).await;
    let (mut b, _, _) = member(&mut w, 2).await;
    let path = format!("/hubs/{}/members/{m}", w.hub);
    let add = format!("{path}/services");
    let r = w
        .manager
        .post(
            &w.app,
            &add,
            &[
                ("kind", "training"),
                ("delivered_on", "2026-11-20"),
                ("title", "社会组织财务管理"),
                ("hours", "2.5"),
                ("attendees", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let r = w
        .manager
        .post(
            &w.app,
            &add,
            &[("kind", "mentoring"), ("delivered_on", "2026-11-21"), ("title", "项目设计辅导"), ("hours", "1")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);

    // Refusals: training without hours, a date before the start or in the future, hours that are not hours.
    let before = w.app.count("hub_services").await;
    for fields in [
        vec![("kind", "training"), ("delivered_on", "2026-11-20"), ("title", "x")],
        vec![("kind", "space"), ("delivered_on", "2026-10-01"), ("title", "x")],
        vec![("kind", "space"), ("delivered_on", "2027-01-01"), ("title", "x")],
        vec![("kind", "space"), ("delivered_on", "2026-11-20"), ("title", "x"), ("hours", "两小时")],
        vec![("kind", "teleport"), ("delivered_on", "2026-11-20"), ("title", "x")],
    ] {
        let r = w.manager.post(&w.app, &add, &fields).await;
        assert_eq!(r.status, Status::UnprocessableEntity, "{fields:?}");
    }
    assert_eq!(w.app.count("hub_services").await, before);

    let mine = a.get(&w.app, &path).await;
    assert_eq!(mine.status, Status::Ok);
    assert!(
        mine.body.contains("社会组织财务管理") && mine.body.contains("2.5") && mine.body.contains("3.5 小时"),
        "{}",
        mine.body
    );
    assert!(!mine.body.contains("记录一次服务"), "members read, the hub writes");
    assert_eq!(b.get(&w.app, &path).await.status, Status::NotFound);
    // Another organization is not told the member exists; the member itself may not write.
    assert_eq!(
        b.post(&w.app, &add, &[("kind", "space"), ("delivered_on", "2026-11-20"), ("title", "x")]).await.status,
        Status::NotFound
    );
    assert_eq!(
        a.post(&w.app, &add, &[("kind", "space"), ("delivered_on", "2026-11-20"), ("title", "x")]).await.status,
        Status::Forbidden
    );
    let mut stranger = w.app.login_as("stranger@hub.cn", Role::HubManager, None).await;
    assert_eq!(stranger.get(&w.app, &path).await.status, Status::NotFound);

    // The member's own overview lists the membership.
    let overview = a.get(&w.app, "/incubation").await;
    assert!(overview.body.contains(&path) && overview.body.contains("孵化中"));
}

#[rocket::async_test]
async fn graduation_needs_every_required_item_with_evidence() {
    let mut w = hub_world("5", "5").await;
    for (title, required) in [("完成登记或备案", "on"), ("建立理事会等治理结构", "on"), ("有专职工作人员", "")]
    {
        let r = w
            .officer
            .post(&w.app, &format!("/hubs/{}/checklist", w.hub), &[("title", title), ("required", required)])
            .await;
        assert_eq!(r.status, Status::SeeOther);
    }
    let items: Vec<String> = entity::hub_checklist_item::Entity::find()
        .all(w.app.db())
        .await
        .expect("q")
        .iter()
        .map(|i| i.id.to_string())
        .collect();
    let (_, org, m) = member(&mut w, 1).await;
    let assess = format!("/hubs/{}/members/{m}/assessment", w.hub);
    let audit = w.app.count("audit_log").await;

    // One required item missing.
    let r = w.manager.post(&w.app, &assess, &[("outcome", "graduated"), ("met", &items[0])]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("建立理事会等治理结构"), "names the missing item: {}", r.body);
    // Both met, but without evidence.
    let r = w.manager.post(&w.app, &assess, &[("outcome", "graduated"), ("met", &items[0]), ("met", &items[1])]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("佐证"));
    // An extension to a date before the planned end; an exit without a reason.
    let r = w.manager.post(&w.app, &assess, &[("outcome", "extended"), ("new_end_on", "2027-06-01")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(w.manager.post(&w.app, &assess, &[("outcome", "exited")]).await.status, Status::UnprocessableEntity);
    assert_eq!(w.app.count("hub_assessments").await, 0);
    assert_eq!(w.app.count("audit_log").await, audit);
    assert_eq!(membership(&w.app, m).await.stage, MembershipStage::Incubating);

    // Extended, then graduated with the evidence.
    let r = w
        .manager
        .post(&w.app, &assess, &[("outcome", "extended"), ("new_end_on", "2028-05-01"), ("note", "治理结构尚在建立")])
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let now = membership(&w.app, m).await;
    assert_eq!((now.stage, now.planned_end_on.to_string()), (MembershipStage::Extended, "2028-05-01".to_string()));
    let ev0 = format!("evidence[{}]", items[0]);
    let ev1 = format!("evidence[{}]", items[1]);
    let r = w
        .manager
        .post(
            &w.app,
            &assess,
            &[
                ("outcome", "graduated"),
                ("met", &items[0]),
                ("met", &items[1]),
                (&ev0, "2027 年 3 月取得登记证书"),
                (&ev1, "理事会章程与会议纪要"),
                ("note", "达到出壳条件"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let done = membership(&w.app, m).await;
    assert_eq!(done.stage, MembershipStage::Graduated);
    assert_eq!(done.ended_on, Some(w.app.clock.today_local()));
    let hub = entity::hub::Entity::find_by_id(w.hub).one(w.app.db()).await.expect("q").expect("hub");
    assert_eq!(hub.occupied, 0, "the place is free again");
    assert!(entity::hub_seat::Entity::find().all(w.app.db()).await.expect("q").iter().all(|s| s.held_by.is_none()));
    // The record: each item as assessed, with its evidence.
    let page = w.manager.get(&w.app, &format!("/hubs/{}/members/{m}", w.hub)).await;
    assert!(page.body.contains("理事会章程与会议纪要") && page.body.contains("已出壳"));
    // Graduation is final.
    let r = w.manager.post(&w.app, &assess, &[("outcome", "exited"), ("note", "x")]).await;
    assert_eq!(r.status, Status::Conflict);

    // The organization's page and credit summary say so; the procurement rules can ask.
    let standing = fuhua::domain::hubs::standing(w.app.db(), org).await.expect("standing");
    assert!(standing.graduated && standing.ever_member && !standing.current_member);
    let page = w.app.agent().get(&w.app, &format!("/organizations/{org}")).await;
    assert!(page.body.contains("曾从孵化基地出壳"), "{}", page.body);
}

#[rocket::async_test]
async fn members_are_reminded_once_thirty_days_before_the_end_over_smtp() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with(Options { smtp_url: Some(smtp.url()), ..Options::default() }).await;
    let mut w = crate::support::hubs::hub_world_in(app, "5", "5").await;
    let (_, _, m) = member(&mut w, 1).await;
    let s = w.app.state();
    // The decision email went out over SMTP, in Chinese.
    fuhua::worker::deliver_due(s).await.expect("deliver");
    assert_eq!(subject(&smtp.messages()[0].data), "孵化基地入驻申请已录取");

    // Planned end 2027-11-01. Forty days before: nothing is due.
    w.app.clock.set(t0() + chrono::Duration::days(300));
    let today = w.app.clock.today_local();
    assert_eq!(today.to_string(), "2027-09-22");
    assert_eq!(send_term_reminders(&s.db, &s.emails, ORIGIN, w.app.clock.now(), today).await.expect("run"), 0);
    // Thirty days before: one message, and never a second, however often the job runs.
    w.app.clock.set(t0() + chrono::Duration::days(310));
    let today = w.app.clock.today_local();
    let runs = futures_join(&w, today).await;
    assert_eq!(runs, 1, "two runs at once queue one reminder");
    assert_eq!(send_term_reminders(&s.db, &s.emails, ORIGIN, w.app.clock.now(), today).await.expect("run"), 0);
    fuhua::worker::deliver_due(s).await.expect("deliver");
    let got = smtp.messages();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].to, vec!["ngo1@ngo.cn"]);
    assert_eq!(subject(&got[1].data), "孵化期即将结束");
    assert!(bodies(&got[1].data).contains("2027-11-01"));

    // An extension makes a new reminder due before the new end. (The manager logs in again:
    // ten months have passed.)
    let mut manager = w.app.agent();
    assert_eq!(manager.login(&w.app, "manager@hub.cn", PASSWORD).await, Status::SeeOther);
    let r = manager
        .post(
            &w.app,
            &format!("/hubs/{}/members/{m}/assessment", w.hub),
            &[("outcome", "extended"), ("new_end_on", "2028-03-01"), ("note", "延期")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(membership(&w.app, m).await.planned_end_on.to_string(), "2028-03-01");
    assert_eq!(send_term_reminders(&s.db, &s.emails, ORIGIN, w.app.clock.now(), today).await.expect("run"), 0);
    w.app.clock.set(t0() + chrono::Duration::days(435));
    assert_eq!(
        send_term_reminders(&s.db, &s.emails, ORIGIN, w.app.clock.now(), w.app.clock.today_local()).await.expect("run"),
        1
    );
}

/// Runs the reminder job twice at once, as two servers would; returns how many it queued in all.
async fn futures_join(w: &HubWorld, today: chrono::NaiveDate) -> usize {
    let s = w.app.state();
    let now = w.app.clock.now();
    let (a, b) = rocket::tokio::join!(
        send_term_reminders(&s.db, &s.emails, ORIGIN, now, today),
        send_term_reminders(&s.db, &s.emails, ORIGIN, now, today)
    );
    a.expect("run a") + b.expect("run b")
}

#[rocket::async_test]
async fn the_dashboard_shows_occupancy_applications_stages_services_and_graduation_rate() {
    let mut w = hub_world("4", "3").await;
    let (_, _, m1) = member(&mut w, 1).await;
    let (_, _, m2) = member(&mut w, 2).await;
    let (mut c, _) = ngo(&w.app, 3).await;
    apply(&w, &mut c, w.round).await;
    let add = format!("/hubs/{}/members/{m1}/services", w.hub);
    for day in ["2026-11-02", "2026-11-03"] {
        let r = w
            .manager
            .post(
                &w.app,
                &add,
                &[("kind", "training"), ("delivered_on", day), ("title", "筹款"), ("hours", "2"), ("attendees", "5")],
            )
            .await;
        assert_eq!(r.status, Status::SeeOther);
    }
    let r = w
        .manager
        .post(
            &w.app,
            &format!("/hubs/{}/members/{m2}/assessment", w.hub),
            &[("outcome", "exited"), ("note", "团队解散")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);

    let mut d = w.manager.get(&w.app, &format!("/hubs/{}/dashboard", w.hub)).await;
    assert_eq!(d.status, Status::Ok);
    d.body = without_labels(&d.body);
    assert!(d.body.contains("在孵 1 家，容量 4，使用率 25%"), "{}", d.body);
    assert!(d.body.contains("空闲 3 个，共 4 个"));
    assert!(d.body.contains("<td>2026-11</td><td>2</td><td>4</td><td>10</td>"), "services in November: {}", d.body);
    assert!(d.body.contains("<svg"), "a chart");
    // Cohort: 2 admitted, 1 exited, 0 graduated: the rate is 0%.
    assert!(d.body.contains("<td>2</td><td>1</td><td>0</td><td>1</td><td>0%</td>"), "{}", d.body);
    let (mut other, _) = ngo(&w.app, 4).await;
    assert_eq!(other.get(&w.app, &format!("/hubs/{}/dashboard", w.hub)).await.status, Status::Forbidden);
}

async fn bearer(app: &TestApp, email: &str, role: Role, org: Option<i32>) -> Agent {
    let u = app.user(email, role, org).await;
    let token = fuhua::domain::accounts::create_api_token(app.db(), &u, "test", app.clock.now()).await.expect("token");
    app.agent().with_header("Authorization", &format!("Bearer {token}"))
}

#[rocket::async_test]
async fn the_same_journey_through_the_json_api() {
    use rocket::http::Method;
    use serde_json::json;
    let w = hub_world("5", "5").await;
    let org = w.app.org("三亚市接口孵化中心", &code(9), "吉阳区").await;
    let mut ngo_api = bearer(&w.app, "api-ngo@ngo.cn", Role::NgoMember, Some(org)).await;
    let mut manager_api = {
        let u = entity::user::Entity::find()
            .all(w.app.db())
            .await
            .expect("q")
            .into_iter()
            .find(|u| u.email == "manager@hub.cn")
            .expect("manager");
        let token =
            fuhua::domain::accounts::create_api_token(w.app.db(), &u, "t", w.app.clock.now()).await.expect("token");
        w.app.agent().with_header("Authorization", &format!("Bearer {token}"))
    };
    let public = w.app.agent().get(&w.app, &format!("/api/v1/hubs/{}", w.hub)).await;
    assert_eq!(public.status, Status::Ok);
    assert_eq!(public.json()["rounds"][0]["places"], 5);
    assert!(public.json().get("members").is_none(), "members are for the hub's staff");

    let path = format!("/api/v1/hubs/{}/rounds/{}/applications", w.hub, w.round);
    let r = ngo_api.send_json(&w.app, Method::Post, &path, &json!({"plan": "计划", "answers": ["只答一题"]})).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(r.json()["fields"][0]["field"], "answers");
    let r = ngo_api.send_json(&w.app, Method::Post, &path, &json!({"plan": "计划", "answers": ["一", "二"]})).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let aid = r.json()["id"].as_i64().expect("id");
    // A hub manager cannot apply; an NGO cannot decide.
    assert_eq!(
        manager_api.send_json(&w.app, Method::Post, &path, &json!({"plan": "x", "answers": ["a", "b"]})).await.status,
        Status::Forbidden
    );
    let decision = format!("/api/v1/hubs/{}/applications/{aid}/decision", w.hub);
    assert_eq!(
        ngo_api.send_json(&w.app, Method::Post, &decision, &json!({"decision": "accept"})).await.status,
        Status::Forbidden
    );
    let r = manager_api
        .send_json(
            &w.app,
            Method::Post,
            &decision,
            &json!({"decision": "accept", "term_months": "24", "started_on": "2026-11-20"}),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["status"], "accepted");

    let m = entity::hub_membership::Entity::find().one(w.app.db()).await.expect("q").expect("membership");
    assert_eq!(m.planned_end_on.to_string(), "2028-11-20");
    let services = format!("/api/v1/hubs/{}/members/{}/services", w.hub, m.id);
    let r = manager_api
        .send_json(
            &w.app,
            Method::Post,
            &services,
            &json!({"kind": "registration_help", "delivered_on": "2026-11-25", "title": "准备登记材料"}),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let mine = ngo_api.get(&w.app, &format!("/api/v1/hubs/{}/members/{}", w.hub, m.id)).await;
    assert_eq!(mine.json()["services"][0]["title"], "准备登记材料");
    let d = manager_api.get(&w.app, &format!("/api/v1/hubs/{}/dashboard", w.hub)).await;
    assert_eq!(d.json()["occupied"], 1);
    assert_eq!(ngo_api.get(&w.app, &format!("/api/v1/hubs/{}/dashboard", w.hub)).await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn two_assessments_at_once_change_the_member_once() {
    let mut w = hub_world("5", "5").await;
    let (_, _, m) = member(&mut w, 1).await;
    // An extension of more than 24 months at a time is refused.
    let assess = format!("/hubs/{}/members/{m}/assessment", w.hub);
    let r = w.manager.post(&w.app, &assess, &[("outcome", "extended"), ("new_end_on", "2030-01-01")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("24 个月"));

    let manager = entity::user::Entity::find().all(w.app.db()).await.expect("q");
    let manager = manager.iter().find(|u| u.email == "manager@hub.cn").expect("manager");
    let s = w.app.state();
    let exit = fuhua::domain::hubs::memberships::AssessmentInput {
        outcome: "exited".into(),
        note: "团队解散".into(),
        ..Default::default()
    };
    let (now, today) = (w.app.clock.now(), w.app.clock.today_local());
    let (x, y) = rocket::tokio::join!(
        fuhua::domain::hubs::memberships::assess(&s.db, manager, now, today, w.hub, m, &exit),
        fuhua::domain::hubs::memberships::assess(&s.db, manager, now, today, w.hub, m, &exit)
    );
    assert!(x.is_ok() != y.is_ok(), "exactly one: {x:?} {y:?}");
    assert_eq!(w.app.count("hub_assessments").await, 1);
    let hub = entity::hub::Entity::find_by_id(w.hub).one(w.app.db()).await.expect("q").expect("hub");
    assert_eq!(hub.occupied, 0, "the place is freed once");
}
