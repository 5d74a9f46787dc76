//! Hubs and the NGOs that join them: a member agent, a hub with its round, an application.
use crate::support::*;
use entity::enums::Role;
use rocket::http::Status;
use sea_orm::EntityTrait;

/// A hub with a manager, made through the officer's form, and an open round.
pub struct HubWorld {
    pub app: TestApp,
    pub officer: Agent,
    pub manager: Agent,
    pub hub: i32,
    pub round: i32,
}

pub async fn hub_world(capacity: &str, places: &str) -> HubWorld {
    hub_world_in(TestApp::new().await, capacity, places).await
}

pub async fn hub_world_in(app: TestApp, capacity: &str, places: &str) -> HubWorld {
    let manager_user = app.user("manager@hub.cn", Role::HubManager, None).await;
    let mut manager = app.agent();
    assert_eq!(manager.login(&app, "manager@hub.cn", PASSWORD).await, Status::SeeOther);
    let mut officer = app.officer().await;
    let district = app.district_id("吉阳区").await.to_string();
    let r = officer
        .post(
            &app,
            "/hubs",
            &[
                ("name", "吉阳区社区邻里中心"),
                ("hub_type", "neighbourhood_centre"),
                ("district_id", &district),
                ("address", "吉阳区迎宾路 1 号"),
                ("capacity", capacity),
                ("mode", "physical"),
                ("space_unit", "desk"),
                ("default_term_months", "12"),
                ("managers", &manager_user.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let hub = entity::hub::Entity::find().one(app.db()).await.expect("q").expect("hub").id;
    let round = open_round(&app, &mut manager, hub, places).await;
    HubWorld { app, officer, manager, hub, round }
}

/// An NGO member linked to a new organization, logged in.
pub async fn ngo(app: &TestApp, n: u32) -> (Agent, i32) {
    let org = app.org(&format!("三亚市第{n}号公益服务中心"), &code(n), "吉阳区").await;
    (app.login_as(&format!("ngo{n}@ngo.cn"), Role::NgoMember, Some(org)).await, org)
}

pub async fn apply(w: &HubWorld, agent: &mut Agent, round: i32) -> Page {
    agent
        .post(
            &w.app,
            &format!("/hubs/{}/rounds/{round}/apply", w.hub),
            &[("plan", "一年内独立运营两个社区项目"), ("answers", "服务社区老人"), ("answers", "财务管理")],
        )
        .await
}

pub fn id_from(location: &Option<String>) -> i32 {
    location.as_deref().and_then(|l| l.rsplit('/').next()).and_then(|s| s.split('#').next()?.parse().ok()).expect("id")
}

pub async fn open_round(app: &TestApp, manager: &mut Agent, hub: i32, places: &str) -> i32 {
    let r = manager
        .post(
            app,
            &format!("/hubs/{hub}/rounds"),
            &[
                ("name", "2026 年冬季批次"),
                ("opens_on", "2026-11-20"),
                ("closes_on", "2026-12-20"),
                ("starts_on", "2027-01-01"),
                ("places", places),
                ("questions", "机构的使命是什么？\n最需要哪方面的支持？"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let loc = r.location.expect("redirect");
    loc.rsplit('/').next().and_then(|s| s.parse().ok()).expect("round id")
}
