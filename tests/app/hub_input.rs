//! Hostile input on every hub form and JSON route: refused with a clear status, never a
//! 500; what applicants type is escaped wherever it is shown.
use crate::support::hubs::{apply, hub_world, id_from, ngo};
use rocket::http::{Method, Status};
use sea_orm::EntityTrait;

const NASTY: &[&str] = &[
    "",
    " ",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\u{0}",
    "𠀀𠀁",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "2026-02-30",
    "+262143-12-31",
    "-5000-01-01",
    "0000-01-01",
];

#[rocket::async_test]
async fn hostile_input_on_hub_routes_never_makes_a_500() {
    let mut w = hub_world("3", "3").await;
    let (mut a, _) = ngo(&w.app, 1).await;
    let aid = id_from(&apply(&w, &mut a, w.round).await.location);
    let r = w
        .manager
        .post(&w.app, &format!("/hubs/{}/applications/{aid}/decision", w.hub), &[("decision", "accept")])
        .await;
    assert_eq!(r.status, Status::SeeOther);
    let mid = entity::hub_membership::Entity::find().one(w.app.db()).await.ok().flatten().expect("member").id;
    let (hub, round) = (w.hub, w.round);
    let long = "长".repeat(5000);
    for v in NASTY.iter().copied().chain([long.as_str()]) {
        let staff_paths = [
            "/hubs".to_string(),
            format!("/hubs/{hub}"),
            format!("/hubs/{hub}/checklist"),
            format!("/hubs/{hub}/checklist/{v}/retire"),
            format!("/hubs/{hub}/rounds"),
            format!("/hubs/{hub}/rounds/{round}/status"),
            format!("/hubs/{hub}/applications/{aid}/decision"),
            format!("/hubs/{hub}/members/{mid}/services"),
            format!("/hubs/{hub}/members/{mid}/seat"),
            format!("/hubs/{hub}/members/{mid}/assessment"),
        ];
        let fields = [
            ("name", v),
            ("hub_type", v),
            ("district_id", v),
            ("community_id", v),
            ("capacity", v),
            ("mode", v),
            ("default_term_months", v),
            ("managers", v),
            ("title", v),
            ("opens_on", v),
            ("closes_on", v),
            ("starts_on", v),
            ("places", v),
            ("questions", v),
            ("to", v),
            ("decision", v),
            ("started_on", v),
            ("term_months", v),
            ("seat_id", v),
            ("kind", v),
            ("delivered_on", v),
            ("hours", v),
            ("attendees", v),
            ("outcome", v),
            ("new_end_on", v),
            ("met", v),
            ("evidence[1]", v),
            ("note", v),
        ];
        for p in staff_paths {
            let r = w.officer.post(&w.app, &p, &fields).await;
            assert!(r.status.code < 500, "{p} with {v:?} answered {}", r.status);
        }
        let r = a
            .post(
                &w.app,
                &format!("/hubs/{hub}/rounds/{round}/apply"),
                &[("team_name", v), ("core_members", v), ("plan", v), ("answers", v), ("answers", v)],
            )
            .await;
        assert!(r.status.code < 500, "apply with {v:?} answered {}", r.status);
        let q = url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        for p in [format!("/hubs/{q}"), format!("/hubs/{hub}/rounds/{q}"), format!("/api/v1/hubs/{hub}/members/{q}")] {
            let r = w.officer.get(&w.app, &p).await;
            assert!(r.status.code < 500, "{p} answered {}", r.status);
        }
    }
    for body in ["", "null", "[]", "{", "{\"answers\": 5}", "{\"evidence\": []}", "\"x\""] {
        for p in [
            format!("/api/v1/hubs/{hub}/rounds/{round}/applications"),
            format!("/api/v1/hubs/{hub}/applications/{aid}/decision"),
            format!("/api/v1/hubs/{hub}/members/{mid}/services"),
            format!("/api/v1/hubs/{hub}/members/{mid}/assessment"),
        ] {
            let req = w.app.client.req(Method::Post, p.clone()).header(rocket::http::ContentType::JSON).body(body);
            let r = req.dispatch().await;
            assert!(r.status().code < 500, "{p} with {body:?} answered {}", r.status());
        }
    }
    // Still one member, still consistent.
    let h = entity::hub::Entity::find_by_id(hub).one(w.app.db()).await.ok().flatten().expect("hub");
    assert!(h.occupied <= h.capacity);
}

#[rocket::async_test]
async fn what_a_team_types_is_escaped_in_pages_and_email() {
    let mut w = hub_world("3", "3").await;
    let mut team = w.app.login_as("team@ngo.cn", entity::enums::Role::NgoMember, None).await;
    let r = team
        .post(
            &w.app,
            &format!("/hubs/{}/rounds/{}/apply", w.hub, w.round),
            &[
                ("team_name", "<b>坏</b>队"),
                ("core_members", "<img src=x>"),
                ("plan", "计划"),
                ("answers", "<i>a</i>"),
                ("answers", "b"),
            ],
        )
        .await;
    let id = id_from(&r.location);
    let r = w
        .manager
        .post(
            &w.app,
            &format!("/hubs/{}/applications/{id}/decision", w.hub),
            &[("decision", "reject"), ("note", "<script>x</script>")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);
    for path in [format!("/hubs/{}/applications/{id}", w.hub), format!("/hubs/{}/rounds/{}", w.hub, w.round)] {
        let page = w.manager.get(&w.app, &path).await;
        assert!(page.body.contains("&lt;b&gt;坏&lt;&#x2F;b&gt;队") && !page.body.contains("<b>坏"), "{path}");
        assert!(
            !page.body.contains("<img src=x>") && !page.body.contains("<i>a</i>") && !page.body.contains("<script>x")
        );
    }
    let mail = w.app.outbox().await.pop().expect("decision mail");
    assert!(mail.body_html.contains("&lt;b&gt;") && !mail.body_html.contains("<script>x"));
}
