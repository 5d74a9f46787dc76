//! Incubation hubs: creating a hub, opening a round, applying (as an organization or as
//! an unregistered team), and the hub's decisions within places, capacity and seats.
use crate::support::hubs::{apply, hub_world, id_from, ngo, open_round};
use crate::support::*;
use entity::enums::{ApplicationStatus, Role};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub async fn status_of(app: &TestApp, id: i32) -> ApplicationStatus {
    entity::hub_application::Entity::find_by_id(id).one(app.db()).await.expect("q").expect("application").status
}

#[rocket::async_test]
async fn an_officer_creates_a_hub_with_managers_checklist_and_seats() {
    let mut w = hub_world("6", "3").await;
    assert_eq!(w.app.count("hub_seats").await, 6);
    let page = w.app.agent().get(&w.app, &format!("/hubs/{}", w.hub)).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("吉阳区社区邻里中心") && page.body.contains("manager@hub.cn"));
    assert!(page.body.contains("2026 年冬季批次"), "open rounds are public");

    let r = w
        .officer
        .post(&w.app, &format!("/hubs/{}/checklist", w.hub), &[("title", "完成登记或备案"), ("required", "on")])
        .await;
    assert_eq!(r.status, Status::SeeOther);
    let r = w.officer.post(&w.app, &format!("/hubs/{}/checklist", w.hub), &[("title", "有独立运营的项目")]).await;
    assert_eq!(r.status, Status::SeeOther);
    let items = entity::hub_checklist_item::Entity::find().all(w.app.db()).await.expect("items");
    assert_eq!(items.iter().map(|i| i.required).collect::<Vec<_>>(), vec![true, false]);

    // Bad input: a clear message per field, nothing made.
    let before = (w.app.count("hubs").await, w.app.count("audit_log").await);
    let r =
        w.officer.post(&w.app, "/hubs", &[("name", ""), ("capacity", "0"), ("mode", "x"), ("managers", "999")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("此项必填") && r.body.contains("1 到 500"), "{}", r.body);
    assert!(r.body.contains("不是可用的基地管理员账号"));
    let r = w.officer.post(&w.app, &format!("/hubs/{}/checklist", w.hub), &[("title", "  ")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!((w.app.count("hubs").await, w.app.count("audit_log").await), before);

    // Only the bureau creates and edits hubs; the manager runs rounds but not the hub record.
    assert_eq!(w.manager.post(&w.app, "/hubs", &[("name", "x")]).await.status, Status::Forbidden);
    let (mut member, _) = ngo(&w.app, 1).await;
    assert_eq!(member.get(&w.app, "/hubs/new").await.status, Status::Forbidden);
    assert_eq!(member.get(&w.app, &format!("/hubs/{}/rounds/new", w.hub)).await.status, Status::Forbidden);
    let other = w.app.login_as("other@hub.cn", Role::HubManager, None).await;
    let mut other = other;
    assert_eq!(other.get(&w.app, &format!("/hubs/{}/dashboard", w.hub)).await.status, Status::Forbidden);

    // Lowering the capacity removes free seats, never below the members in place.
    let district = w.app.district_id("吉阳区").await.to_string();
    let fields = [
        ("name", "吉阳区社区邻里中心"),
        ("hub_type", "neighbourhood_centre"),
        ("district_id", district.as_str()),
        ("address", "吉阳区迎宾路 1 号"),
        ("capacity", "4"),
        ("mode", "physical"),
    ];
    let r = w.officer.post(&w.app, &format!("/hubs/{}", w.hub), &fields).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(w.app.count("hub_seats").await, 4);
    assert_eq!(w.app.count("hub_managers").await, 0, "the edit form sent no manager");
}

#[rocket::async_test]
async fn an_organization_applies_once_per_round_and_only_it_and_the_hub_see_it() {
    let mut w = hub_world("10", "5").await;
    let (mut a, org_a) = ngo(&w.app, 1).await;
    let (mut b, _) = ngo(&w.app, 2).await;

    // Answers are required, one per question; a refusal keeps what was typed.
    let r = a
        .post(
            &w.app,
            &format!("/hubs/{}/rounds/{}/apply", w.hub, w.round),
            &[("plan", "我的计划书"), ("answers", "只答一题")],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("请回答每一个问题") && r.body.contains("我的计划书"));
    assert_eq!(w.app.count("hub_applications").await, 0);

    let r = apply(&w, &mut a, w.round).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let app_a = id_from(&r.location);
    let again = apply(&w, &mut a, w.round).await;
    assert_eq!(again.status, Status::Conflict);
    assert!(again.body.contains("已有一份进行中的申请"));
    assert_eq!(w.app.count("hub_applications").await, 1);
    // The round no longer offers the form to the organization that applied.
    let round = a.get(&w.app, &format!("/hubs/{}/rounds/{}", w.hub, w.round)).await;
    assert!(round.body.contains("您已在本批次提交入驻申请"), "{}", round.body);
    assert!(!round.body.contains(&format!("/rounds/{}/apply\"", w.round)), "no second form");

    // The applicant and the hub see it; another organization, another hub's manager and the public do not.
    let path = format!("/hubs/{}/applications/{app_a}", w.hub);
    let mine = a.get(&w.app, &path).await;
    assert_eq!(mine.status, Status::Ok);
    assert!(mine.body.contains("服务社区老人") && mine.body.contains("三亚市第1号公益服务中心"));
    assert_eq!(w.manager.get(&w.app, &path).await.status, Status::Ok);
    assert_eq!(b.get(&w.app, &path).await.status, Status::NotFound);
    let mut stranger = w.app.login_as("stranger@hub.cn", Role::HubManager, None).await;
    assert_eq!(stranger.get(&w.app, &path).await.status, Status::NotFound);
    assert!(matches!(w.app.agent().get(&w.app, &path).await.status, Status::Unauthorized | Status::SeeOther));
    let round_page = format!("/hubs/{}/rounds/{}", w.hub, w.round);
    assert!(!b.get(&w.app, &round_page).await.body.contains("三亚市第1号公益服务中心"));
    assert!(!w.app.agent().get(&w.app, &round_page).await.body.contains("三亚市第1号公益服务中心"));
    assert!(w.manager.get(&w.app, &round_page).await.body.contains("三亚市第1号公益服务中心"));
    // Nor can anyone else withdraw or decide it.
    assert_eq!(b.post(&w.app, &format!("{path}/withdraw"), &[]).await.status, Status::NotFound);
    assert_eq!(b.post(&w.app, &format!("{path}/decision"), &[("decision", "accept")]).await.status, Status::NotFound);
    assert_eq!(status_of(&w.app, app_a).await, ApplicationStatus::Submitted);

    // After withdrawing, the organization may apply again in the same round.
    assert_eq!(a.post(&w.app, &format!("{path}/withdraw"), &[]).await.status, Status::SeeOther);
    assert_eq!(status_of(&w.app, app_a).await, ApplicationStatus::Withdrawn);
    assert_eq!(apply(&w, &mut a, w.round).await.status, Status::SeeOther);
    let n = entity::hub_application::Entity::find()
        .filter(entity::hub_application::Column::OrganizationId.eq(org_a))
        .all(w.app.db())
        .await
        .expect("q")
        .len();
    assert_eq!(n, 2);
}

#[rocket::async_test]
async fn listed_organizations_and_closed_rounds_are_refused_with_the_reason() {
    let mut w = hub_world("10", "5").await;
    let (mut a, org_a) = ngo(&w.app, 1).await;
    let r = w
        .officer
        .post(
            &w.app,
            &format!("/organizations/{org_a}/list-entries"),
            &[("kind", "abnormal_list"), ("entered_on", "2026-10-01"), ("reason", "未按时提交年度报告")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);
    let r = apply(&w, &mut a, w.round).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("活动异常名录") && r.body.contains("未按时提交年度报告"), "{}", r.body);
    assert_eq!(w.app.count("hub_applications").await, 0);

    // An organization listed after it applied is not admitted either.
    let (mut c, org_c) = ngo(&w.app, 3).await;
    let cid = id_from(&apply(&w, &mut c, w.round).await.location);
    let r = w
        .officer
        .post(
            &w.app,
            &format!("/organizations/{org_c}/list-entries"),
            &[("kind", "dishonesty_list"), ("entered_on", "2026-11-25"), ("reason", "虚假材料")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);
    let r = w
        .manager
        .post(&w.app, &format!("/hubs/{}/applications/{cid}/decision", w.hub), &[("decision", "accept")])
        .await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("严重违法失信名单") && r.body.contains("虚假材料"));
    assert_eq!(w.app.count("hub_memberships").await, 0);

    // A round past its closing date takes no applications; the server's clock decides.
    w.app.clock.set(t0() + chrono::Duration::days(30));
    let (mut b, _) = ngo(&w.app, 2).await;
    let r = apply(&w, &mut b, w.round).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("不接受申请"));
    assert_eq!(w.app.count("hub_applications").await, 1, "only the one made in time");
}

#[rocket::async_test]
async fn decisions_stay_within_places_and_capacity_and_stop_when_the_round_closes() {
    let mut w = hub_world("2", "1").await;
    let mut ids = vec![];
    for n in 1..=3 {
        let (mut a, _) = ngo(&w.app, n).await;
        ids.push(id_from(&apply(&w, &mut a, w.round).await.location));
    }
    let decide = |id: i32| format!("/hubs/{}/applications/{id}/decision", w.hub);
    let r = w.manager.post(&w.app, &decide(ids[0]), &[("decision", "accept"), ("note", "欢迎入驻")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let m = entity::hub_membership::Entity::find().one(w.app.db()).await.expect("q").expect("membership");
    assert_eq!(m.started_on.to_string(), "2027-01-01");
    assert_eq!(m.planned_end_on.to_string(), "2028-01-01", "12 months by default");
    let mail = w.app.outbox().await;
    assert_eq!(
        mail.last().map(|m| (m.to_address.as_str(), m.subject.as_str())),
        Some(("ngo1@ngo.cn", "孵化基地入驻申请已录取"))
    );
    assert!(
        mail.last()
            .is_some_and(|m| m.body_text.contains("三亚市第1号公益服务中心") && m.body_text.contains("欢迎入驻"))
    );

    // The round's one place is taken: the next acceptance is refused and changes nothing.
    let audit = w.app.count("audit_log").await;
    let r = w.manager.post(&w.app, &decide(ids[1]), &[("decision", "accept")]).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("名额已满"));
    assert_eq!(status_of(&w.app, ids[1]).await, ApplicationStatus::Submitted);
    assert_eq!((w.app.count("hub_memberships").await, w.app.count("audit_log").await), (1, audit));

    // Waitlist, then reject without a reason (refused) and with one.
    assert_eq!(w.manager.post(&w.app, &decide(ids[1]), &[("decision", "waitlist")]).await.status, Status::SeeOther);
    assert_eq!(
        w.manager.post(&w.app, &decide(ids[2]), &[("decision", "reject")]).await.status,
        Status::UnprocessableEntity
    );
    // Closing with an undecided application is refused.
    let close = format!("/hubs/{}/rounds/{}/status", w.hub, w.round);
    let r = w.manager.post(&w.app, &close, &[("to", "closed")]).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("1 份申请未审核"));
    assert_eq!(
        w.manager.post(&w.app, &decide(ids[2]), &[("decision", "reject"), ("note", "服务领域不符")]).await.status,
        Status::SeeOther
    );
    // Closing lets the waitlist lapse: rejected, with the reason, and the applicant told.
    assert_eq!(w.manager.post(&w.app, &close, &[("to", "closed")]).await.status, Status::SeeOther);
    assert_eq!(status_of(&w.app, ids[1]).await, ApplicationStatus::Rejected);
    let lapsed = w.app.outbox().await.pop().expect("mail");
    assert_eq!((lapsed.to_address.as_str(), lapsed.subject.as_str()), ("ngo2@ngo.cn", "孵化基地入驻申请未录取"));
    assert!(lapsed.body_text.contains("候补名额未能递补"));
    // A closed round takes no decision.
    let r = w.manager.post(&w.app, &decide(ids[1]), &[("decision", "accept")]).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("批次已结束"));
    assert_eq!(status_of(&w.app, ids[1]).await, ApplicationStatus::Rejected);

    // A second round: the hub's capacity of 2 allows one more member, not two.
    let round2 = open_round(&w.app, &mut w.manager, w.hub, "2").await;
    let mut more = vec![];
    for n in 4..=5 {
        let (mut a, _) = ngo(&w.app, n).await;
        more.push(id_from(&apply(&w, &mut a, round2).await.location));
    }
    assert_eq!(w.manager.post(&w.app, &decide(more[0]), &[("decision", "accept")]).await.status, Status::SeeOther);
    let r = w.manager.post(&w.app, &decide(more[1]), &[("decision", "accept")]).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("基地已满"));
    let hub = entity::hub::Entity::find_by_id(w.hub).one(w.app.db()).await.expect("q").expect("hub");
    assert_eq!((hub.occupied, hub.capacity), (2, 2));
}

#[rocket::async_test]
async fn two_decisions_at_once_admit_once_and_a_member_is_not_admitted_twice() {
    let mut w = hub_world("5", "5").await;
    let (mut a, _) = ngo(&w.app, 1).await;
    let first = id_from(&apply(&w, &mut a, w.round).await.location);
    // It also applies to a second round, open at the same time.
    let round2 = open_round(&w.app, &mut w.manager, w.hub, "3").await;
    let second = id_from(&apply(&w, &mut a, round2).await.location);
    let manager = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq("manager@hub.cn"))
        .one(w.app.db())
        .await
        .expect("q")
        .expect("manager");
    let s = w.app.state();
    let accept = fuhua::domain::hubs::applications::DecisionInput { decision: "accept".into(), ..Default::default() };
    let now = w.app.clock.now();
    let (x, y) = rocket::tokio::join!(
        fuhua::domain::hubs::applications::decide(&s.db, &s.emails, ORIGIN, &manager, now, w.hub, first, &accept),
        fuhua::domain::hubs::applications::decide(&s.db, &s.emails, ORIGIN, &manager, now, w.hub, first, &accept)
    );
    assert!(x.is_ok() != y.is_ok(), "exactly one wins: {x:?} {y:?}");
    assert!(matches!(x.err().or(y.err()), Some(fuhua::error::AppError::Conflict(_))));
    let round = entity::hub_round::Entity::find_by_id(w.round).one(w.app.db()).await.expect("q").expect("round");
    assert_eq!((w.app.count("hub_memberships").await, round.accepted), (1, 1));

    // Accepted in one round, it cannot be accepted in the other while it is a member.
    let path = format!("/hubs/{}/applications/{second}/decision", w.hub);
    let r = w.manager.post(&w.app, &path, &[("decision", "accept")]).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("已在该基地孵化"), "{}", r.body);
    assert_eq!(w.app.count("hub_memberships").await, 1);
}

#[rocket::async_test]
async fn a_seat_is_never_given_twice() {
    let mut w = hub_world("5", "5").await;
    let seats = entity::hub_seat::Entity::find().all(w.app.db()).await.expect("seats");
    let seat = seats[0].id.to_string();
    let mut ids = vec![];
    for n in 1..=2 {
        let (mut a, _) = ngo(&w.app, n).await;
        ids.push(id_from(&apply(&w, &mut a, w.round).await.location));
    }
    let decide = |id: i32| format!("/hubs/{}/applications/{id}/decision", w.hub);
    let r = w.manager.post(&w.app, &decide(ids[0]), &[("decision", "accept"), ("seat_id", &seat)]).await;
    assert_eq!(r.status, Status::SeeOther);
    let r = w.manager.post(&w.app, &decide(ids[1]), &[("decision", "accept"), ("seat_id", &seat)]).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("01 号已有组织使用"), "{}", r.body);
    // Nothing of the refused acceptance remains: no member, no place taken.
    assert_eq!(status_of(&w.app, ids[1]).await, ApplicationStatus::Submitted);
    assert_eq!(w.app.count("hub_memberships").await, 1);
    let round = entity::hub_round::Entity::find_by_id(w.round).one(w.app.db()).await.expect("q").expect("round");
    assert_eq!(round.accepted, 1);

    // Accepted without a seat, then moved onto the taken seat: refused; onto a free one: fine.
    assert_eq!(w.manager.post(&w.app, &decide(ids[1]), &[("decision", "accept")]).await.status, Status::SeeOther);
    let second = entity::hub_membership::Entity::find()
        .filter(entity::hub_membership::Column::ApplicationId.eq(ids[1]))
        .one(w.app.db())
        .await
        .expect("q")
        .expect("member");
    let seat_path = format!("/hubs/{}/members/{}/seat", w.hub, second.id);
    assert_eq!(w.manager.post(&w.app, &seat_path, &[("seat_id", &seat)]).await.status, Status::Conflict);
    assert_eq!(
        w.manager.post(&w.app, &seat_path, &[("seat_id", &seats[1].id.to_string())]).await.status,
        Status::SeeOther
    );
    let held: Vec<Option<i32>> =
        entity::hub_seat::Entity::find().all(w.app.db()).await.expect("q").iter().map(|s| s.held_by).collect();
    assert_eq!(held.iter().filter(|h| h.is_some()).count(), 2);
}

#[rocket::async_test]
async fn an_unregistered_team_applies_is_guided_and_its_record_follows_the_registration() {
    let mut w = hub_world("5", "5").await;
    let mut team = w.app.login_as("team@ngo.cn", Role::NgoMember, None).await;
    let path = format!("/hubs/{}/rounds/{}/apply", w.hub, w.round);
    let r = team.post(&w.app, &path, &[("plan", "计划"), ("answers", "a"), ("answers", "b")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity, "a team names itself and its core members");
    let r = team
        .post(
            &w.app,
            &path,
            &[
                ("team_name", "椰林青年志愿队"),
                ("core_members", "王芳、李明、陈静"),
                ("plan", "先备案，再登记"),
                ("answers", "a"),
                ("answers", "b"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let id = id_from(&r.location);
    let r =
        w.manager.post(&w.app, &format!("/hubs/{}/applications/{id}/decision", w.hub), &[("decision", "accept")]).await;
    assert_eq!(r.status, Status::SeeOther);
    let page = team.get(&w.app, &format!("/hubs/{}/applications/{id}", w.hub)).await;
    assert!(page.body.contains("办理登记或备案") && page.body.contains("认领组织"), "{}", page.body);

    // The team registers; its member claims the organization; the bureau approves.
    let org = w.app.org("三亚市椰林青年志愿服务中心", &code(77), "吉阳区").await;
    let me = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq("team@ngo.cn"))
        .one(w.app.db())
        .await
        .expect("q")
        .expect("user");
    fuhua::domain::claims::submit(w.app.db(), &me, w.app.clock.now(), &code(77), "").await.expect("claim");
    let claim = entity::claim::Entity::find().one(w.app.db()).await.expect("q").expect("claim").id;
    let officer = w.app.user("officer2@bureau.cn", Role::Officer, None).await;
    fuhua::domain::claims::decide(
        w.app.db(),
        &w.app.state().emails,
        ORIGIN,
        &officer,
        w.app.clock.now(),
        claim,
        true,
        "",
    )
    .await
    .expect("decide");
    let m = entity::hub_membership::Entity::find().one(w.app.db()).await.expect("q").expect("membership");
    assert_eq!(m.organization_id, Some(org));
    let page = w.app.agent().get(&w.app, &format!("/organizations/{org}")).await;
    assert!(page.body.contains("正在孵化基地入驻") && page.body.contains("吉阳区社区邻里中心"), "{}", page.body);
}
