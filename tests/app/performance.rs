//! Performance evaluations: indicator templates and their weights, the arithmetic of scores
//! (means rounded to 0.01, weighted totals, grade bands at their edges), the order of steps
//! (self-evaluation, declarations, scores, release) and its refusals, what a released grade
//! does to instalments and to eligibility for calls, the emails, the report PDF
//! read back, and who sees what.
use crate::support::contracts::{Awarded, active, awarded, pdf_text, squeeze};
use crate::support::evaluations::{
    indicator_ids, lines, release_now, released, scheduled, score_all, self_evaluate, survey_and_findings,
    template_input, today,
};
use crate::support::*;
use entity::enums::{ConflictKind, EvaluationGrade, EvaluationKind, EvaluationStatus, InstalmentStatus, Role};
use fuhua::domain::contracts::reports::{self, AchievedInput, ReportInput};
use fuhua::domain::evaluations::access::Viewer;
use fuhua::domain::evaluations::assessment::{self, FindingsInput};
use fuhua::domain::evaluations::conduct::{self, SelfInput};
use fuhua::domain::evaluations::schedule::{self, ScheduleInput};
use fuhua::domain::evaluations::templates::{self};
use fuhua::domain::evaluations::{release, view};
use fuhua::error::AppError;
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).expect("t").with_timezone(&chrono::Utc)
}

async fn instalment(app: &TestApp, id: i32) -> entity::contract_instalment::Model {
    entity::contract_instalment::Entity::find_by_id(id).one(app.db()).await.expect("q").expect("instalment")
}

async fn instalments(app: &TestApp, contract: i32) -> Vec<entity::contract_instalment::Model> {
    entity::contract_instalment::Entity::find()
        .filter(entity::contract_instalment::Column::ContractId.eq(contract))
        .order_by_asc(entity::contract_instalment::Column::Position)
        .all(app.db())
        .await
        .expect("q")
}

/// Reports on and accepts the milestone that carries instalment `position`.
async fn accept_milestone_of(app: &TestApp, w: &Awarded, instalment_id: i32) {
    let s = app.state();
    let m = entity::milestone::Entity::find()
        .filter(entity::milestone::Column::InstalmentId.eq(instalment_id))
        .one(app.db())
        .await
        .expect("q")
        .expect("milestone");
    let inds = entity::milestone_indicator::Entity::find()
        .filter(entity::milestone_indicator::Column::MilestoneId.eq(m.id))
        .all(app.db())
        .await
        .expect("q");
    let input = ReportInput {
        narrative: "阶段工作完成。".into(),
        beneficiaries: "100".into(),
        achieved: inds.iter().map(|i| AchievedInput { indicator_id: i.id.to_string(), value: "180".into() }).collect(),
    };
    reports::submit(app.db(), &w.provider, t0(), m.id, &input, &[]).await.expect("report");
    reports::decide(app.db(), &s.emails, "o", &w.officer, t0(), m.id, true, "").await.expect("accept");
}

#[rocket::async_test]
async fn templates_need_weights_that_add_up_and_keep_what_was_typed() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await.with_header("Origin", ORIGIN);
    // Through the API: weights off by one are refused with the sums named; nothing stored.
    let mut bad = serde_json::to_value(template_input()).expect("json");
    bad["dimensions"][1]["weight"] = serde_json::json!(39);
    let r = officer.send_json(&app, rocket::http::Method::Post, "/api/v1/indicator-templates", &bad).await;
    assert_eq!(r.status, Status::UnprocessableEntity, "{}", r.body);
    assert!(r.body.contains("99"), "the dimensions' sum is named: {}", r.body);
    assert_eq!(app.count("indicator_templates").await, 0);
    // Numbers or strings both do; the template comes back with its dimensions.
    let mut good = serde_json::to_value(template_input()).expect("json");
    good["dimensions"][0]["weight"] = serde_json::json!(60);
    let r = officer.send_json(&app, rocket::http::Method::Post, "/api/v1/indicator-templates", &good).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let t = officer.get(&app, &format!("/api/v1/indicator-templates/{id}")).await.json();
    assert_eq!(t["dimensions"][0]["indicators"][0]["link"], "output");
    assert_eq!(t["dimensions"][1]["weight"], 40);
    // Through the form: indicators that do not add up to their dimension get the form again
    // with the typed rows kept.
    let page = officer.get(&app, "/indicator-templates/new").await;
    assert!(page.body.contains("预算执行") && page.body.contains("value=\"50\""), "a starter split is offered");
    let r = officer
        .post(
            &app,
            "/indicator-templates",
            &[
                ("name", "社区养老服务指标"),
                ("category", "elderly"),
                ("dimensions[0].name", "产出"),
                ("dimensions[0].weight", "100"),
                ("indicators[0].dimension", "1"),
                ("indicators[0].name", "上门探访完成率"),
                ("indicators[0].weight", "70"),
                ("indicators[0].link", "output"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("指标分值之和为 70，应为 100") && r.body.contains("上门探访完成率"), "{}", r.body);
    assert_eq!(app.count("indicator_templates").await, 1);
    // Another role cannot define templates.
    let mut ngo = app.login_as("ngo@t.cn", Role::NgoMember, None).await;
    assert_eq!(ngo.get(&app, "/indicator-templates").await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn a_midterm_of_60_00_pays_once_its_milestone_is_accepted_and_a_final_of_59_99_withholds_and_bars() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let inst = instalments(&app, w.contract).await;
    // Three evaluators; 家庭探访完成率 (30 + 30 + 31) / 3 = 30.333… → 30.33, the rest 10, 15
    // and 4.67: 30.33 + 10 + 15 + 4.67 = 60.00, 合格 at the edge.
    let sheets = [["30", "10", "15", "4.67"], ["30", "10", "15", "4.67"], ["31", "10", "15", "4.67"]];
    let v = released(&app, &w, EvaluationKind::Midterm, &sheets).await;
    assert_eq!((v.total.as_deref(), v.grade), (Some("60.00"), Some(EvaluationGrade::Pass)));
    assert_eq!(v.dimensions[0].score.as_deref(), Some("40.33"));
    assert_eq!(v.dimensions[0].indicators[0].mean.as_deref(), Some("30.33"));
    // Passed, but its milestone is not accepted yet: still pending; accepting makes it payable.
    let mid = &inst[1];
    assert_eq!(instalment(&app, mid.id).await.status, InstalmentStatus::Pending);
    accept_milestone_of(&app, &w, mid.id).await;
    assert_eq!(instalment(&app, mid.id).await.status, InstalmentStatus::Payable);

    // The final: two evaluators, a third declares a tie and is kept out (its scoring refused).
    let (ev, people) = scheduled(&app, &w, EvaluationKind::Final, 3).await;
    self_evaluate(&app, &w, ev).await;
    score_all(&app, ev, &people[..2], &[["30.01", "10", "15", "4.97"], ["30.02", "10", "15", "4.97"]]).await;
    let tie = conduct::declare(app.db(), &people[2], t0(), ev, ConflictKind::Kin, "").await;
    assert!(matches!(tie, Err(AppError::Invalid(ref e)) if e.has("note")), "a tie needs its details: {tie:?}");
    conduct::declare(app.db(), &people[2], t0(), ev, ConflictKind::Kin, "配偶在该机构任职").await.expect("recuse");
    let ids = indicator_ids(&app, ev).await;
    let r = conduct::score(app.db(), &people[2], t0(), ev, &lines(&ids, &["40", "20", "30", "10"])).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.conflicted_cannot_score"), "{r:?}");
    survey_and_findings(&app, &w, ev).await;
    // (30.01 + 30.02) / 2 = 30.015 → 30.02 (half up); 30.02 + 10 + 15 + 4.97 = 59.99: 不合格.
    let v = release_now(&app, &w, ev).await.expect("release");
    assert_eq!((v.total.as_deref(), v.grade), (Some("59.99"), Some(EvaluationGrade::Fail)));
    let last = instalment(&app, inst[2].id).await;
    assert_eq!(last.status, InstalmentStatus::Withheld, "不合格 withholds the final instalment");
    // Accepting the final milestone does not release it either.
    accept_milestone_of(&app, &w, inst[2].id).await;
    assert_eq!(instalment(&app, inst[2].id).await.status, InstalmentStatus::Withheld);
    let pay = fuhua::domain::contracts::payments::PaymentInput {
        instalment_id: inst[2].id.to_string(),
        amount: "1".into(),
        paid_on: "2027-02-01".into(),
        voucher_no: "PZ-W".into(),
    };
    let s = app.state();
    let when = at("2027-02-01T02:00:00Z");
    let r =
        fuhua::domain::contracts::payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "payment.withheld"), "{r:?}");

    // The organization is barred from calls published in the next 12 months, and the
    // eligibility check names the project and the date.
    let org = w.provider.organization_id.expect("org");
    let call = entity::call::Entity::find().one(app.db()).await.expect("q").expect("call");
    let mut later = call.clone();
    later.published_at = Some(at("2027-06-01T02:00:00Z"));
    let (_, checks) =
        fuhua::domain::procurement::eligibility::for_organization(app.db(), &later, org, t0()).await.expect("checks");
    let failed: Vec<String> =
        checks.iter().filter(|c| !c.passed).map(|c| fuhua::i18n::Locale::ZhCn.msg(&c.message)).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].contains(&call.title) && failed[0].contains("2027-11-26"), "{}", failed[0]);
    let mut next_year = call.clone();
    next_year.published_at = Some(at("2027-11-26T02:00:00Z"));
    let (_, checks) = fuhua::domain::procurement::eligibility::for_organization(app.db(), &next_year, org, t0())
        .await
        .expect("checks");
    assert!(checks.iter().all(|c| c.passed), "twelve months on, the bar is lifted");
    // The bar runs from the moment of the release (t0, 10:00 Beijing), not from its date: a
    // call published at 09:00 that day is open to the organization, one at 11:00 is not.
    for (hours, barred) in [(-1, false), (1, true)] {
        let mut same_day = call.clone();
        same_day.published_at = Some(t0() + chrono::Duration::hours(hours));
        let (_, checks) = fuhua::domain::procurement::eligibility::for_organization(app.db(), &same_day, org, t0())
            .await
            .expect("checks");
        assert_eq!(checks.iter().any(|c| !c.passed), barred, "published {hours} h from the release");
    }
    // The organization's public page shows the result.
    let page = app.agent().get(&app, &format!("/organizations/{org}")).await;
    assert!(
        page.body.contains("59.99") && page.body.contains("不合格") && page.body.contains("2027-11-26"),
        "credit shows the bar"
    );
}

#[rocket::async_test]
async fn grades_of_89_99_and_90_00_a_pass_deducts_and_good_results_are_preferred() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let inst = instalments(&app, w.contract).await;
    // (39 + 39 + 40) / 3 = 39.33; 服务成效 (26 + 26 + 26.99) / 3 = 26.33; 39.33 + 20 + 26.33 + 4.34 = 90.00.
    let v = released(
        &app,
        &w,
        EvaluationKind::Midterm,
        &[["39", "20", "26", "4.34"], ["39", "20", "26", "4.34"], ["40", "20", "26.99", "4.34"]],
    )
    .await;
    assert_eq!((v.total.as_deref(), v.grade), (Some("90.00"), Some(EvaluationGrade::Excellent)));
    // … and 4.33 makes 89.99: 良好.
    let v = released(
        &app,
        &w,
        EvaluationKind::Final,
        &[["39", "20", "26", "4.33"], ["39", "20", "26", "4.33"], ["40", "20", "26.99", "4.33"]],
    )
    .await;
    assert_eq!((v.total.as_deref(), v.grade), (Some("89.99"), Some(EvaluationGrade::Good)));
    // A good final pays in full once its milestone is accepted, and counts as a preference.
    accept_milestone_of(&app, &w, inst[2].id).await;
    let last = entity::contract_instalment::Entity::find_by_id(inst[2].id).one(app.db()).await.expect("q").expect("i");
    assert_eq!((last.status, last.deduction_fen), (InstalmentStatus::Payable, 0));
    let org = w.provider.organization_id.expect("org");
    let mut call = entity::call::Entity::find().one(app.db()).await.expect("q").expect("call");
    call.evaluation_preference = true;
    call.published_at = Some(at("2027-03-01T02:00:00Z"));
    let (_, checks) =
        fuhua::domain::procurement::eligibility::for_organization(app.db(), &call, org, t0()).await.expect("checks");
    let msgs: Vec<String> = checks.iter().map(|c| fuhua::i18n::Locale::ZhCn.msg(&c.message)).collect();
    assert!(msgs.iter().any(|m| m.contains("优秀或良好，享有优先")), "{msgs:?}");

    // Another contract whose final is 合格 (75.00): the last instalment pays 10 % less.
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let inst = instalments(&app, w.contract).await;
    let v = released(&app, &w, EvaluationKind::Final, &[["30", "15", "22", "8"]]).await;
    assert_eq!((v.total.as_deref(), v.grade), (Some("75.00"), Some(EvaluationGrade::Pass)));
    accept_milestone_of(&app, &w, inst[2].id).await;
    let last = entity::contract_instalment::Entity::find_by_id(inst[2].id).one(app.db()).await.expect("q").expect("i");
    assert_eq!(last.status, InstalmentStatus::Payable);
    assert_eq!(last.deduction_fen, last.amount_fen / 10, "合格 deducts the configured 10 %");
    let s = app.state();
    let pay = |amount: &str, voucher: &str| fuhua::domain::contracts::payments::PaymentInput {
        instalment_id: inst[2].id.to_string(),
        amount: amount.into(),
        paid_on: "2027-02-01".into(),
        voucher_no: voucher.into(),
    };
    let when = at("2027-02-01T02:00:00Z");
    let full = fuhua::domain::money::Money(last.amount_fen).to_yuan_input();
    let r = fuhua::domain::contracts::payments::record(
        app.db(),
        &s.emails,
        "o",
        &w.officer,
        when,
        w.contract,
        &pay(&full, "PZ-F"),
    )
    .await;
    assert!(
        matches!(r, Err(AppError::Invalid(ref e)) if e.has("amount")),
        "the full amount is no longer payable: {r:?}"
    );
    let due = fuhua::domain::money::Money(last.amount_fen - last.deduction_fen).to_yuan_input();
    fuhua::domain::contracts::payments::record(
        app.db(),
        &s.emails,
        "o",
        &w.officer,
        when,
        w.contract,
        &pay(&due, "PZ-D"),
    )
    .await
    .expect("the reduced amount pays");
}

#[rocket::async_test]
async fn steps_come_in_order_bad_scores_change_nothing_and_the_report_reads_back() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let s = app.state();
    let (ev, people) = scheduled(&app, &w, EvaluationKind::Midterm, 2).await;
    let ids = indicator_ids(&app, ev).await;
    // The provider and both evaluators were told.
    let mail = app.outbox().await;
    assert!(mail.iter().any(|m| m.kind == "evaluation_scheduled"
        && m.to_address == w.provider.email
        && m.body_text.contains("2027-06-10")));
    assert_eq!(mail.iter().filter(|m| m.kind == "evaluation_assigned").count(), 2);
    // A second mid-term for the same contract is refused.
    let again = ScheduleInput {
        kind: "midterm".into(),
        template_id: entity::indicator_template::Entity::find()
            .one(app.db())
            .await
            .expect("q")
            .expect("t")
            .id
            .to_string(),
        visit_on: "2027-06-20".into(),
        self_due_on: "2027-06-10".into(),
        evaluators: vec![people[0].id],
        ..Default::default()
    };
    let r = schedule::schedule(app.db(), &s.emails, "o", &w.officer, t0(), today(), w.contract, &again).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.already_scheduled"), "{r:?}");

    // Before the self-evaluation nobody scores; an evaluator declares first.
    conduct::declare(app.db(), &people[0], t0(), ev, ConflictKind::None, "").await.expect("declare");
    let r = conduct::score(app.db(), &people[0], t0(), ev, &lines(&ids, &["30", "10", "20", "8"])).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.awaiting_self"), "{r:?}");
    // The self-evaluation is reminded three days before it is due, once, with two workers.
    let rules = &s.config.evaluations;
    let run = |t| async move {
        let (a, b) = rocket::tokio::join!(
            fuhua::domain::evaluations::reminders::run(&s.db, &s.emails, "http://x", t, rules),
            fuhua::domain::evaluations::reminders::run(&s.db, &s.emails, "http://x", t, rules)
        );
        a.expect("run") + b.expect("run")
    };
    assert_eq!(run(at("2027-06-06T02:00:00Z")).await, 0);
    assert_eq!(run(at("2027-06-07T02:00:00Z")).await, 1);
    assert_eq!(run(at("2027-06-08T02:00:00Z")).await, 0, "sent once");
    assert_eq!(app.outbox().await.iter().filter(|m| m.kind == "evaluation_self_due").count(), 1);
    // Another organization sees nothing; an evaluator not chosen sees nothing.
    let r = conduct::submit_self(app.db(), &app.state().emails, "o", &w.other, t0(), ev, &SelfInput::default()).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    let stranger = app.user("stranger@pg.test", Role::Evaluator, None).await;
    let r = conduct::score(app.db(), &stranger, t0(), ev, &lines(&ids, &["1", "1", "1", "1"])).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    self_evaluate(&app, &w, ev).await;
    let open_mail: Vec<String> =
        app.outbox().await.into_iter().filter(|m| m.kind == "evaluation_scoring_open").map(|m| m.to_address).collect();
    assert_eq!(open_mail.len(), 2, "both evaluators are told they can score: {open_mail:?}");
    let r =
        conduct::submit_self(app.db(), &app.state().emails, "o", &w.provider, t0(), ev, &SelfInput::default()).await;
    assert!(matches!(r, Err(AppError::Conflict(_))), "a self-evaluation is submitted once: {r:?}");

    // Scores outside an indicator's range are refused, naming it; nothing is stored.
    let scores_before = app.count("evaluation_scores").await;
    for bad in [["40.01", "10", "20", "8"], ["-1", "10", "20", "8"], ["30", "10", "20", "8.123"], ["30", "", "20", "8"]]
    {
        let r = conduct::score(app.db(), &people[0], t0(), ev, &lines(&ids, &bad)).await;
        assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("scores")), "{bad:?}: {r:?}");
    }
    assert_eq!(app.count("evaluation_scores").await, scores_before);
    // Through the page, the refused sheet comes back with what was typed.
    app.clock.set(t0());
    let mut evaluator = app.relogin(&people[0].email).await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, (id, v)) in ids.iter().zip(["38.5", "99", "20", "8"]).enumerate() {
        let _ = k;
        fields.push((format!("scores[{id}].indicator_id"), id.to_string()));
        fields.push((format!("scores[{id}].score"), v.to_string()));
        fields.push((format!("scores[{id}].comment"), "入户记录完整".into()));
    }
    let f: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = evaluator.post(&app, &format!("/evaluations/{ev}/scores"), &f).await;
    assert_eq!(r.status, Status::UnprocessableEntity, "{}", r.body);
    assert!(
        r.body.contains("「服务记录规范」的评分须在 0 至 20 之间") && r.body.contains("value=\"38.5\""),
        "{}",
        r.body
    );

    // The linked indicators suggest scores: 180 of the mid-term target of 200 visits on 40
    // points is 36.00; 93.5 % satisfied on 10 points is 9.35.
    let k0 = entity::contract::Entity::find_by_id(w.contract).one(app.db()).await.expect("q").expect("k");
    let e0 = entity::evaluation::Entity::find_by_id(ev).one(app.db()).await.expect("q").expect("e");
    survey_and_findings(&app, &w, ev).await;
    let e0 = entity::evaluation::Entity::find_by_id(e0.id).one(app.db()).await.expect("q").expect("e");
    let sv = view::build(app.db(), &e0, &k0, Viewer::Bureau, &s.config.evaluations).await.expect("view");
    let suggested: Vec<Option<String>> =
        sv.dimensions.iter().flat_map(|d| d.indicators.iter().map(|i| i.suggestion.clone())).collect();
    assert_eq!(suggested, vec![Some("36.00".into()), None, None, Some("9.35".into())]);
    // Releasing before every evaluator has scored is refused, naming who has not.
    score_all(&app, ev, &people[1..], &[["36", "18", "27", "9"]]).await;
    survey_and_findings(&app, &w, ev).await;
    let r = release_now(&app, &w, ev).await;
    assert!(
        matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.not_all_scored" && m.args[0].1.contains(&people[0].display_name)),
        "{r:?}"
    );
    // Before the release the provider sees no scores of evaluators.
    let k = entity::contract::Entity::find_by_id(w.contract).one(app.db()).await.expect("q").expect("k");
    let e = entity::evaluation::Entity::find_by_id(ev).one(app.db()).await.expect("q").expect("e");
    let pv = view::build(app.db(), &e, &k, Viewer::Member, rules).await.expect("view");
    assert!(
        pv.total.is_none()
            && pv.dimensions.iter().all(|d| d.indicators.iter().all(|i| i.scores.is_empty() && i.mean.is_none()))
    );
    // The public project page shows nothing yet.
    let public = app.agent().get(&app, &format!("/calls/{}", k.call_id)).await;
    assert!(!public.body.contains("绩效评价结果"));

    conduct::score(app.db(), &people[0], t0(), ev, &lines(&ids, &["34", "16", "25", "9.35"])).await.expect("score");
    let v = release_now(&app, &w, ev).await.expect("release");
    // 家庭探访 (34 + 36) / 2 = 35; 记录 (16 + 18) / 2 = 17; 成效 (25 + 27) / 2 = 26; 满意度 (9.35 + 9) / 2 = 9.175 → 9.18.
    assert_eq!((v.total.as_deref(), v.grade), (Some("87.18"), Some(EvaluationGrade::Good)));
    // Re-scoring, a second release and edits after the release are refused; nothing changes.
    let r = conduct::score(app.db(), &people[0], t0(), ev, &lines(&ids, &["40", "20", "30", "10"])).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.released"), "{r:?}");
    assert!(matches!(release_now(&app, &w, ev).await, Err(AppError::Conflict(_))));
    let f = FindingsInput { findings: "改写".into(), ..Default::default() };
    assert!(matches!(assessment::findings(app.db(), &w.officer, t0(), ev, &f).await, Err(AppError::Conflict(_))));
    let stored = entity::evaluation::Entity::find_by_id(ev).one(app.db()).await.expect("q").expect("e");
    assert_eq!((stored.total_centi, stored.status), (Some(8718), EvaluationStatus::Released));

    // The provider is emailed the result with the report attached, byte for byte the stored one.
    let doc = entity::contract_document::Entity::find_by_id(stored.report_document_id.expect("doc"))
        .one(app.db())
        .await
        .expect("q")
        .expect("doc");
    let mail = app.outbox().await;
    let released_mail = mail.iter().find(|m| m.kind == "evaluation_released").expect("mail");
    assert_eq!(released_mail.attachment_document_id, Some(doc.id));
    assert!(released_mail.body_text.contains("87.18") && released_mail.body_text.contains("良好"));
    // The report reads back: project, evaluators, indicators with weights and scores, the
    // total and grade, the chart's words, outputs, satisfaction, findings, signatures, pages.
    let text = pdf_text(&doc.data);
    let flat = squeeze(&text);
    for want in [
        "政府购买服务项目绩效评估报告",
        "（中期评估）",
        &k.number.clone().expect("number"),
        "家庭探访完成率",
        "服务对象满意度",
        "87.18",
        "评估等次：良好",
        "图1各维度得分与分值",
        "得分",
        "分值",
        "52.00/60",
        "35.18/40",
        // At mid-term the output is measured against the mid-term milestone's target (200).
        "家庭探访人次20018090.00%",
        "共调查服务对象120人，满意率93.50%",
        "探访记录完整，个别家庭回访间隔偏长。",
        "建立回访提醒台账。",
        "评估组成员（签字）",
        &people[0].display_name,
        "第1页",
    ] {
        assert!(flat.contains(&squeeze(want)), "the report should contain {want}:\n{text}");
    }
    // Comments are there with their evaluator's name; the self-evaluation's score too.
    assert!(flat.contains(&squeeze(&format!("{}：评语34", people[0].display_name))), "{text}");
    assert!(flat.contains("自评得分92.00分"), "{text}");
    // The provider downloads it; another organization gets 404; the public page shows the summary.
    let mut provider = app.relogin(&w.provider.email).await;
    let pdf = provider.get(&app, &format!("/evaluations/{ev}/report.pdf")).await;
    assert_eq!((pdf.status, pdf.bytes.len()), (Status::Ok, doc.data.len()));
    let mut other = app.relogin(&w.other.email).await;
    assert_eq!(other.get(&app, &format!("/evaluations/{ev}/report.pdf")).await.status, Status::NotFound);
    assert_eq!(other.get(&app, &format!("/evaluations/{ev}")).await.status, Status::NotFound);
    assert_eq!(other.get(&app, &format!("/api/v1/evaluations/{ev}")).await.status, Status::NotFound);
    let public = app.agent().get(&app, &format!("/calls/{}", k.call_id)).await;
    assert!(
        public.body.contains("绩效评价结果") && public.body.contains("87.18") && public.body.contains("良好"),
        "summary published"
    );
    assert!(!public.body.contains("评语34"), "the public sees the summary, not the evaluators' comments");
    // The provider's page shows the released result with every evaluator's comment.
    let page = provider.get(&app, &format!("/evaluations/{ev}")).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("87.18") && page.body.contains("评语34"), "{}", page.body);
}

#[rocket::async_test]
async fn an_officer_who_scores_sees_no_other_score_before_the_release_and_one_who_stood_aside_does_not_release() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let s = app.state();
    let t = templates::save(app.db(), &w.officer, t0(), None, &template_input()).await.expect("template");
    let third = app.user("third@pg.test", Role::Evaluator, None).await;
    let colleague = app.user("colleague@pg.test", Role::Officer, None).await;
    let mut input = ScheduleInput {
        kind: "midterm".into(),
        template_id: t.id.to_string(),
        visit_on: "2027-06-20".into(),
        self_due_on: "2027-06-10".into(),
        method: String::new(),
        evaluators: (1..=10).collect(),
    };
    // More evaluators than a panel may have is refused before anything is looked up.
    let r = schedule::schedule(app.db(), &s.emails, "o", &w.officer, t0(), today(), w.contract, &input).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("evaluators")), "{r:?}");
    input.evaluators = vec![w.officer.id, third.id, colleague.id];
    let ev = schedule::schedule(app.db(), &s.emails, "o", &w.officer, t0(), today(), w.contract, &input)
        .await
        .expect("schedule")
        .id;
    self_evaluate(&app, &w, ev).await;
    score_all(&app, ev, std::slice::from_ref(&third), &[["33", "17", "25", "9"]]).await;
    // The officer who scores sees neither the third party's scores nor a live total.
    app.clock.set(t0());
    let mut officer = app.relogin(&w.officer.email).await;
    let page = officer.get(&app, &format!("/evaluations/{ev}")).await;
    assert_eq!(page.status, Status::Ok);
    assert!(!page.body.contains("评语33") && !page.body.contains("当前得分"), "{}", page.body);
    let api = officer.get(&app, &format!("/api/v1/evaluations/{ev}")).await.json();
    assert!(
        api["total"].is_null()
            && api["dimensions"][0]["indicators"][0]["scores"].as_array().is_some_and(|a| a.is_empty())
    );
    // A colleague who stood aside may not release it, even once everyone else has scored.
    conduct::declare(app.db(), &colleague, t0(), ev, ConflictKind::Employment, "曾在该机构任职").await.expect("recuse");
    score_all(&app, ev, std::slice::from_ref(&w.officer), &[["35", "17", "25", "9"]]).await;
    survey_and_findings(&app, &w, ev).await;
    let r = release::release(app.db(), &s.emails, &s.documents, "o", &colleague, t0(), &s.config.evaluations, ev).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.recused_officer"), "{r:?}");
    let v = release_now(&app, &w, ev).await.expect("release");
    assert_eq!(v.total.as_deref(), Some("85.00"), "34 + 17 + 25 + 9");
    let page = officer.get(&app, &format!("/evaluations/{ev}")).await;
    assert!(page.body.contains("评语33") && page.body.contains("85.00"), "everything is visible once released");
}

#[rocket::async_test]
async fn a_silent_provider_does_not_hold_the_evaluation_up_and_a_recused_evaluator_is_replaced() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let s = app.state();
    let (ev, people) = scheduled(&app, &w, EvaluationKind::Midterm, 2).await;
    // Scoring cannot be opened before the self-evaluation is overdue (due 2027-06-10).
    let on = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
    let r = conduct::open_scoring(app.db(), &app.state().emails, "o", &w.officer, t0(), on("2027-06-10"), ev).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.self_not_due"), "{r:?}");
    conduct::open_scoring(app.db(), &app.state().emails, "o", &w.officer, t0(), on("2027-06-11"), ev)
        .await
        .expect("open");
    let r =
        conduct::submit_self(app.db(), &app.state().emails, "o", &w.provider, t0(), ev, &SelfInput::default()).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.self_closed"), "{r:?}");
    // One evaluator stands aside; the officer replaces them; one who has scored stays.
    conduct::declare(app.db(), &people[1], t0(), ev, ConflictKind::Board, "担任该机构理事").await.expect("recuse");
    score_all(&app, ev, &people[..1], &[["30", "15", "20", "8"]]).await;
    let r = schedule::remove_evaluator(app.db(), &w.officer, t0(), ev, people[0].id).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.evaluator_has_scored"), "{r:?}");
    schedule::remove_evaluator(app.db(), &w.officer, t0(), ev, people[1].id).await.expect("remove");
    let substitute = app.user("substitute@pg.test", Role::Evaluator, None).await;
    schedule::add_evaluator(app.db(), &s.emails, "o", &w.officer, t0(), ev, substitute.id).await.expect("add");
    let r = schedule::add_evaluator(app.db(), &s.emails, "o", &w.officer, t0(), ev, substitute.id).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.already_evaluator"), "{r:?}");
    assert!(app.outbox().await.iter().any(|m| m.kind == "evaluation_assigned" && m.to_address == substitute.email));
    // The output-linked indicator was matched to 家庭探访 by name; the officer points it at
    // 成长小组活动 instead, then back; a foreign output or an unlinked indicator is refused.
    let inds = conduct::indicators(app.db(), ev).await.expect("q");
    let outputs = entity::contract_output::Entity::find()
        .filter(entity::contract_output::Column::ContractId.eq(w.contract))
        .order_by_asc(entity::contract_output::Column::Position)
        .all(app.db())
        .await
        .expect("q");
    assert_eq!(inds[0].output_id, Some(outputs[0].id), "matched by name");
    assessment::link_output(app.db(), &w.officer, t0(), ev, inds[0].id, Some(outputs[1].id)).await.expect("link");
    assert_eq!(conduct::indicators(app.db(), ev).await.expect("q")[0].output_id, Some(outputs[1].id));
    let r = assessment::link_output(app.db(), &w.officer, t0(), ev, inds[0].id, Some(999_999)).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("output_id")), "{r:?}");
    let r = assessment::link_output(app.db(), &w.officer, t0(), ev, inds[1].id, Some(outputs[0].id)).await;
    assert!(matches!(r, Err(AppError::NotFound)), "not an output-linked indicator: {r:?}");
    app.clock.set(t0());
    let mut officer = app.relogin(&w.officer.email).await.with_header("Origin", ORIGIN);
    let path = format!("/api/v1/evaluations/{ev}/indicators/{}/output", inds[0].id);
    let r = officer.send_json(&app, rocket::http::Method::Post, &path, &serde_json::json!({"output_id": null})).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(conduct::indicators(app.db(), ev).await.expect("q")[0].output_id, None, "unlinked through the API");
    let r =
        officer.post(&app, &format!("/evaluations/{ev}/indicators/{}/output", inds[0].id), &[("output_id", "x")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity, "{}", r.body);
    let r = officer
        .post(
            &app,
            &format!("/evaluations/{ev}/indicators/{}/output", inds[0].id),
            &[("output_id", &outputs[0].id.to_string())],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(conduct::indicators(app.db(), ev).await.expect("q")[0].output_id, Some(outputs[0].id));
    survey_and_findings(&app, &w, ev).await;
    let r = release_now(&app, &w, ev).await;
    assert!(
        matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.undeclared"),
        "the substitute must declare: {r:?}"
    );
    score_all(&app, ev, std::slice::from_ref(&substitute), &[["32", "15", "20", "8"]]).await;
    let v = release_now(&app, &w, ev).await.expect("release");
    assert_eq!(v.total.as_deref(), Some("74.00"), "31 + 15 + 20 + 8");
    let r = assessment::link_output(app.db(), &w.officer, t0(), ev, inds[0].id, None).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "evaluation.released"), "{r:?}");
    // The report says the self-evaluation never came.
    let doc = entity::contract_document::Entity::find_by_id(v.report_document_id.expect("doc"))
        .one(app.db())
        .await
        .expect("q")
        .expect("doc");
    let text = squeeze(&pdf_text(&doc.data));
    assert!(text.contains("承接主体未在规定期限内提交自评") && !text.contains("申报回避"), "{text}");
}

#[rocket::async_test]
async fn an_evaluator_early_is_told_the_due_date_and_to_declare_about_the_provider() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let (ev, people) = scheduled(&app, &w, EvaluationKind::Midterm, 1).await;
    let ids = indicator_ids(&app, ev).await;
    let said = |r: Result<(), AppError>| match r {
        Err(AppError::Conflict(m)) => fuhua::i18n::Locale::ZhCn.msg(&m),
        other => panic!("refused with a conflict: {other:?}"),
    };
    // Before the self-evaluation is in: the date it is due, not a placeholder.
    conduct::declare(app.db(), &people[0], t0(), ev, ConflictKind::None, "").await.expect("declare");
    let text = said(conduct::score(app.db(), &people[0], t0(), ev, &lines(&ids, &["30", "15", "20", "8"])).await);
    assert!(text.contains("2027-06-10") && !text.contains('{'), "{text}");
    // An evaluator who has not declared is asked about the provider, not about bid documents.
    let (ev2, others) = scheduled(&app, &w, EvaluationKind::Final, 1).await;
    self_evaluate(&app, &w, ev2).await;
    let ids2 = indicator_ids(&app, ev2).await;
    let text = said(conduct::score(app.db(), &others[0], t0(), ev2, &lines(&ids2, &["30", "15", "20", "8"])).await);
    assert!(text.contains("承接主体") && !text.contains("响应文件"), "{text}");
}
