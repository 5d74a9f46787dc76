//! Calls for proposals: drafting, the rules of publication, publication and visibility,
//! cancellation, questions and answers, and eligibility explained to an NGO.
use crate::support::calls::{call_row, draft, fields, refs, with};
use crate::support::*;
use entity::enums::CallStatus;
use rocket::http::Status;
use sea_orm::EntityTrait;

#[rocket::async_test]
async fn an_officer_drafts_and_publishes_a_call_that_then_is_public() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let id = draft(&app, &mut officer, &fields(d)).await;
    // A draft is the bureau's alone.
    let mut public = app.agent();
    assert_eq!(public.get(&app, &format!("/calls/{id}")).await.status, Status::NotFound);
    assert!(!public.get(&app, "/calls").await.body.contains("居家养老上门"));
    let (mut ngo, _) = crate::support::hubs::ngo(&app, 1).await;
    assert_eq!(ngo.get(&app, &format!("/calls/{id}")).await.status, Status::NotFound);
    assert_eq!(ngo.post(&app, "/calls", &refs(&fields(d))).await.status, Status::Forbidden);
    let page = officer.get(&app, &format!("/calls/{id}")).await;
    assert!(page.body.contains("已满足全部发布条件"), "{}", page.body);

    // Publishing asks first, saying what follows; nothing is published by the question.
    let r = officer.post(&app, &format!("/calls/{id}/publish"), &[]).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.body.contains("确认发布采购公告") && r.body.contains("不能撤回为草稿"), "{}", r.body);
    assert!(r.body.contains(&format!("action=\"/calls/{id}/publish\"")));
    assert_eq!(call_row(&app, id).await.status, CallStatus::Draft);
    let r = officer.post(&app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let c = call_row(&app, id).await;
    assert_eq!((c.status, c.reference.as_deref()), (CallStatus::Published, Some("SYMZ-2026-001")));
    assert_eq!(c.budget_ceiling_fen, 12_000_000);
    // 2026-12-20 09:30 in Beijing is 01:30 UTC.
    assert_eq!(c.bid_deadline.map(|t| t.to_rfc3339()), Some("2026-12-20T01:30:00+00:00".to_string()));
    let page = public.get(&app, &format!("/calls/{id}")).await;
    assert_eq!(page.status, Status::Ok);
    assert!(
        page.body.contains("SYMZ-2026-001")
            && page.body.contains("¥120,000.00")
            && page.body.contains("2026-12-20 09:30")
    );
    assert!(public.get(&app, "/calls").await.body.contains("居家养老上门"));
    // Published: not edited as a draft, not published twice.
    assert_eq!(officer.post(&app, &format!("/calls/{id}"), &refs(&fields(d))).await.status, Status::Conflict);
    assert_eq!(
        officer.post(&app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await.status,
        Status::Conflict
    );

    // Cancelling needs a reason; a cancelled call stays public with it.
    assert_eq!(
        officer.post(&app, &format!("/calls/{id}/cancel"), &[("text", " ")]).await.status,
        Status::UnprocessableEntity
    );
    assert_eq!(
        officer.post(&app, &format!("/calls/{id}/cancel"), &[("text", "预算调整")]).await.status,
        Status::SeeOther
    );
    assert!(public.get(&app, &format!("/calls/{id}")).await.body.contains("预算调整"));
    assert_eq!(officer.post(&app, &format!("/calls/{id}/cancel"), &[("text", "再次")]).await.status, Status::Conflict);
}

#[rocket::async_test]
async fn publication_is_refused_until_every_rule_is_met_and_changes_nothing() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (with(fields(d), "criteria[0].weight", "30"), "权重合计为 90"),
        (with(with(fields(d), "criteria[0].weight", "20"), "criteria[3].weight", "40"), "应在 10% 到 30% 之间"),
        (with(fields(d), "criteria[3].is_price", ""), "有且只有一项报价"),
        (with(fields(d), "instalments[2].percent", "20"), "合计为 90%"),
        (with(fields(d), "bid_deadline", "2026-12-02T17:00"), "不少于 10 天"),
        (with(with(fields(d), "method", "open_tender"), "bid_deadline", "2026-12-14T17:00"), "不少于 20 天"),
        (with(fields(d), "question_deadline", "2026-12-19T17:00"), "至少早 3 天"),
        (with(fields(d), "budget", ""), "预算上限"),
        (with(fields(d), "term_months", "24"), "不能超过 12 个月"),
    ];
    for (f, expected) in cases {
        let id = draft(&app, &mut officer, &f).await;
        let audit = app.count("audit_log").await;
        let r = officer.post(&app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await;
        assert_eq!(r.status, Status::UnprocessableEntity, "{expected}");
        assert!(r.body.contains(expected), "{expected}: {}", r.body);
        let c = call_row(&app, id).await;
        assert_eq!((c.status, c.reference), (CallStatus::Draft, None));
        assert_eq!(app.count("audit_log").await, audit);
    }
    // The same rules are listed on the draft's page before anyone presses publish.
    let id = draft(&app, &mut officer, &with(fields(d), "criteria[0].weight", "30")).await;
    assert!(officer.get(&app, &format!("/calls/{id}")).await.body.contains("权重合计为 90"));
    // With three years allowed, 24 months is fine.
    let id = draft(&app, &mut officer, &with(with(fields(d), "term_months", "24"), "multi_year", "on")).await;
    assert_eq!(
        officer.post(&app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await.status,
        Status::SeeOther
    );
}

#[rocket::async_test]
async fn a_draft_with_malformed_fields_is_refused_with_the_values_kept() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let bad = with(with(with(fields(d), "bid_deadline", "下周五"), "budget", "十二万"), "criteria[1].weight", "abc");
    let r = officer.post(&app, "/calls", &refs(&bad)).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("时间格式不对") && r.body.contains("评分标准须有名称"), "{}", r.body);
    assert!(r.body.contains("吉阳区居家养老上门服务项目") && r.body.contains("下周五"), "values kept");
    assert_eq!(app.count("calls").await, 0);
    // A community outside the chosen districts.
    let other = app.district_id("崖州区").await;
    let places = fuhua::domain::organizations::Places::load(app.db()).await.expect("places");
    let far = places.communities.iter().find(|c| c.district_id == other).expect("community").id.to_string();
    let r = officer.post(&app, "/calls", &refs(&with(fields(d), "communities", &far))).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(app.count("calls").await, 0);
}

#[rocket::async_test]
async fn questions_are_answered_in_public_without_the_askers_name() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let id = draft(&app, &mut officer, &fields(d)).await;
    let (mut ngo, _) = crate::support::hubs::ngo(&app, 1).await;
    assert_eq!(
        ngo.post(&app, &format!("/calls/{id}/questions"), &[("text", "草稿可以提问吗")]).await.status,
        Status::NotFound
    );
    assert_eq!(
        officer.post(&app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await.status,
        Status::SeeOther
    );

    let r = ngo.post(&app, &format!("/calls/{id}/questions"), &[("text", "独居老人名单由谁提供？")]).await;
    assert_eq!(r.status, Status::SeeOther);
    let mut public = app.agent();
    let path = format!("/calls/{id}");
    assert!(!public.get(&app, &path).await.body.contains("独居老人名单"), "unanswered questions are not public");
    assert!(ngo.get(&app, &path).await.body.contains("独居老人名单"), "the asker sees their own");
    let staff = officer.get(&app, &path).await;
    assert!(staff.body.contains("ngo1@ngo.cn"), "the bureau sees who asked");
    let q = entity::call_question::Entity::find().one(app.db()).await.expect("q").expect("question").id;
    let r = officer.post(&app, &format!("/calls/{id}/questions/{q}/answer"), &[("text", "由社区居委会提供。")]).await;
    assert_eq!(r.status, Status::SeeOther);
    let page = public.get(&app, &path).await;
    assert!(page.body.contains("独居老人名单") && page.body.contains("由社区居委会提供"));
    assert!(!page.body.contains("ngo1@ngo.cn"));
    // Only NGO members ask; nobody asks after the question deadline.
    assert_eq!(officer.post(&app, &format!("/calls/{id}/questions"), &[("text", "x")]).await.status, Status::Forbidden);
    app.clock.set(t0() + chrono::Duration::days(15));
    let (mut late, _) = crate::support::hubs::ngo(&app, 2).await;
    let r = late.post(&app, &format!("/calls/{id}/questions"), &[("text", "还能问吗？")]).await;
    assert_eq!(r.status, Status::Conflict);
    assert_eq!(app.count("call_questions").await, 1);
}

#[rocket::async_test]
async fn an_ngo_sees_whether_its_organization_is_eligible_and_why() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let f = with(with(fields(d), "min_years_registered", "3"), "hub_rule", "graduate_required");
    let id = draft(&app, &mut officer, &f).await;
    assert_eq!(
        officer.post(&app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await.status,
        Status::SeeOther
    );
    let (mut ngo, org) = crate::support::hubs::ngo(&app, 1).await;
    let page = ngo.get(&app, &format!("/calls/{id}")).await;
    assert!(page.body.contains("目前不符合本公告的资格条件"), "{}", page.body);
    assert!(page.body.contains("登记满 3 年（现为"), "registered in 2024 by the test builder");
    assert!(page.body.contains("上一年度年检"), "no annual report yet");
    assert!(page.body.contains("已从孵化基地出壳"));
    let r = officer
        .post(
            &app,
            &format!("/organizations/{org}/list-entries"),
            &[("kind", "dishonesty_list"), ("entered_on", "2026-11-01"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);
    let c = call_row(&app, id).await;
    let (_, checks) = fuhua::domain::procurement::eligibility::for_organization(app.db(), &c, org, app.clock.now())
        .await
        .expect("checks");
    let failed: Vec<String> =
        checks.iter().filter(|x| !x.passed).map(|x| fuhua::i18n::Locale::En.msg(&x.message)).collect();
    assert!(failed.iter().any(|m| m.contains("dishonesty")), "{failed:?}");
    assert!(checks.iter().any(|x| x.passed && fuhua::i18n::Locale::En.msg(&x.message).contains("active")));
}

#[rocket::async_test]
async fn hostile_input_on_call_routes_never_makes_a_500() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let id = draft(&app, &mut officer, &fields(d)).await;
    let (mut ngo, _) = crate::support::hubs::ngo(&app, 1).await;
    let long = "长".repeat(5000);
    let nasty = [
        "",
        " ",
        "'",
        "<script>",
        "\u{0}",
        "-1",
        "99999999999999999999",
        "1e309",
        "NaN",
        "-5000-01-01T00:00",
        "2026-02-30T10:00",
        long.as_str(),
    ];
    for v in nasty {
        let keys = [
            "title",
            "category",
            "purchase_type",
            "method",
            "budget",
            "districts",
            "communities",
            "term_months",
            "min_years_registered",
            "min_grade",
            "hub_rule",
            "org_types",
            "question_deadline",
            "bid_deadline",
            "criteria[0].name",
            "criteria[0].weight",
            "instalments[0].percent",
            "instalments[0].condition",
            "text",
        ];
        let f: Vec<(&str, &str)> = keys.iter().map(|k| (*k, v)).collect();
        for p in [
            "/calls".to_string(),
            format!("/calls/{id}"),
            format!("/calls/{id}/publish"),
            format!("/calls/{id}/cancel"),
        ] {
            let r = officer.post(&app, &p, &f).await;
            assert!(r.status.code < 500, "{p} with {v:?}: {}", r.status);
        }
        let r = ngo.post(&app, &format!("/calls/{id}/questions"), &[("text", v)]).await;
        assert!(r.status.code < 500, "question {v:?}: {}", r.status);
        let q = url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        assert!(officer.get(&app, &format!("/calls/{q}")).await.status.code < 500);
    }
}

#[rocket::async_test]
async fn the_call_journey_through_the_json_api() {
    use rocket::http::Method;
    use serde_json::json;
    let app = TestApp::new().await;
    let officer = app.user("api-officer@bureau.cn", entity::enums::Role::Officer, None).await;
    let token =
        fuhua::domain::accounts::create_api_token(app.db(), &officer, "t", app.clock.now()).await.expect("token");
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let d = app.district_id("天涯区").await;
    let body = json!({
        "title": "天涯区困境儿童关爱服务", "category": "children", "purchase_type": "specific_project",
        "method": "open_tender", "budget": "300000", "districts": [d.to_string()],
        "target_groups": "困境儿童", "outputs_expected": "个案 60 个", "term_months": "12",
        "question_deadline": "2026-12-12T17:00", "bid_deadline": "2026-12-28T09:00",
        "criteria": [
            {"name": "服务方案", "weight": "70"},
            {"name": "报价", "weight": "30", "is_price": "on"}
        ],
        "instalments": [{"percent": "50", "condition": "signing"}, {"percent": "50", "condition": "final_passed"}]
    });
    let r = api.send_json(&app, Method::Post, "/api/v1/calls", &body).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let r = api.send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/publish"), &json!({})).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["reference"], "SYMZ-2026-001");

    let bad = json!({"title": "x", "category": "children", "purchase_type": "specific_project", "method": "open_tender", "criteria": [{"name": "", "weight": "x"}]});
    let r = api.send_json(&app, Method::Post, "/api/v1/calls", &bad).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(r.json()["fields"][0]["field"], "criteria");

    let (org_member, _) = crate::support::hubs::ngo(&app, 1).await;
    drop(org_member);
    let ngo = entity::user::Entity::find().all(app.db()).await.expect("q");
    let ngo = ngo.iter().find(|u| u.email == "ngo1@ngo.cn").expect("ngo");
    let token = fuhua::domain::accounts::create_api_token(app.db(), ngo, "t", app.clock.now()).await.expect("token");
    let mut ngo_api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let r = ngo_api
        .send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/questions"), &json!({"text": "可否联合投标？"}))
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let qid = r.json()["id"].as_i64().expect("qid");
    assert_eq!(
        ngo_api.send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/publish"), &json!({})).await.status,
        Status::Forbidden
    );
    let r = api
        .send_json(
            &app,
            Method::Post,
            &format!("/api/v1/calls/{id}/questions/{qid}/answer"),
            &json!({"text": "不接受联合体。"}),
        )
        .await;
    assert_eq!(r.status, Status::Ok);
    let shown = ngo_api.get(&app, &format!("/api/v1/calls/{id}")).await.json();
    assert_eq!(shown["questions"][0]["answer"], "不接受联合体。");
    assert!(shown["questions"][0]["asker"].is_null());
    assert_eq!(shown["eligibility"]["eligible"], true);
    assert_eq!(app.agent().get(&app, "/api/v1/calls").await.json()["items"][0]["phase"], "questions_open");
}
