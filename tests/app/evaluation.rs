//! Evaluation of an opened call: the panel (size, experts ≥ 2/3, random draw by specialty,
//! recusal and replacement), independent scoring with corrections, the price score and
//! ranking against hand-computed figures, abnormally low prices, the award with its emails,
//! challenge window and draft contract, a failed evaluation, and amendments to a
//! published call that move its deadline and tell the bidders without unsealing anything.
use crate::support::bids::{bid, deadline, member, published_call};
use crate::support::calls::call_row;
use crate::support::panel::{after, clean_declaration, experts, opened_call, seated_members, sheet};
use crate::support::*;
use entity::enums::{CallStatus, ConflictKind, ContractStatus, PanelMemberStatus, Role, ServiceCategory};
use fuhua::domain::procurement::{award, bids, opening, panel, panel_report, score_sheets};
use fuhua::error::AppError;
use rocket::http::{Method, Status};
use serde_json::json;

use sea_orm::EntityTrait;

#[rocket::async_test]
async fn the_panel_is_odd_mostly_experts_drawn_by_specialty_and_recusal_brings_a_replacement() {
    let app = TestApp::new().await;
    let (id, bidders, officer) = opened_call(&app, &["100000", "95000", "110000"]).await;
    // Three elderly-care experts, one in children's services only, one elderly expert unavailable.
    let elderly = experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    let children = experts(&app, &officer, 10, 1, &[ServiceCategory::Children]).await;
    let away = app.user("away@pool.cn", Role::Expert, None).await;
    panel::set_profile(app.db(), &officer, after(), away.id, &[ServiceCategory::Elderly], "", false).await.expect("p");
    let rules = &app.state().config.procurement;
    let rep = app.user("rep@bureau.cn", Role::Officer, None).await;

    // Even, too small, too many representatives, a representative who is not staff: refused.
    for (size, reps) in [(4, vec![]), (1, vec![]), (3, vec![rep.id, officer.id]), (3, vec![children[0].id])] {
        let r =
            panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, size, &reps).await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "size {size} reps {reps:?}: {r:?}");
    }
    // Five seats need five experts from a pool of three: refused, naming the shortage.
    let r = panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 5, &[]).await;
    let Err(AppError::Conflict(m)) = r else { panic!("{r:?}") };
    assert!(fuhua::i18n::Locale::ZhCn.msg(&m).contains("只有 3 人"), "{m:?}");
    assert_eq!(app.count("panel_members").await, 0);

    // Three seats, one a representative: the two experts come from the elderly pool.
    let members = panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[rep.id])
        .await
        .expect("form");
    assert_eq!(members.len(), 3);
    let drawn: Vec<i32> = members.iter().filter(|m| m.user_id != rep.id).map(|m| m.user_id).collect();
    assert!(drawn.iter().all(|d| elderly.iter().any(|e| e.id == *d)), "{drawn:?}");
    assert!(
        panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[]).await.is_err(),
        "formed once"
    );
    // Each member drawn is emailed, the representative too.
    let invited: Vec<String> =
        app.outbox().await.into_iter().filter(|m| m.kind == "panel_drawn").map(|m| m.to_address).collect();
    assert_eq!(invited.len(), 3);
    assert!(invited.contains(&rep.email));

    // Before declaring, a member cannot read a bid's files or score.
    let first = entity::user::Entity::find_by_id(drawn[0]).one(app.db()).await.expect("q").expect("u");
    let r = score_sheets::submit_sheet(app.db(), &first, after(), id, &sheet(&app, id, &[[80; 3]; 3]).await).await;
    assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");
    // A declaration must cover every bidder, and a tie needs its details.
    let mut partial = clean_declaration(&bidders);
    partial.pop();
    assert!(matches!(panel::declare(app.db(), &first, after(), id, &partial).await, Err(AppError::Invalid(_))));
    let mut tie = clean_declaration(&bidders);
    tie[1].conflict = ConflictKind::Board;
    assert!(matches!(panel::declare(app.db(), &first, after(), id, &tie).await, Err(AppError::Invalid(_))));
    tie[1].note = "2024 年起任该中心理事".into();
    assert_eq!(panel::declare(app.db(), &first, after(), id, &tie).await.expect("declare"), PanelMemberStatus::Recused);
    // The recused expert is refused at scoring, and the panel is one short until a replacement is drawn.
    let r = score_sheets::submit_sheet(app.db(), &first, after(), id, &sheet(&app, id, &[[80; 3]; 3]).await).await;
    let Err(AppError::Conflict(m)) = r else { panic!("{r:?}") };
    assert_eq!(m.key, "panel.recused_cannot_score");
    assert!(
        panel::declare(app.db(), &first, after(), id, &clean_declaration(&bidders)).await.is_err(),
        "declared once"
    );
    let replaced = panel::replace_recused(app.db(), (&app.state().emails, "http://x"), &officer, after(), id)
        .await
        .expect("replace");
    assert_eq!(replaced.len(), 1);
    let third = elderly.iter().find(|e| !drawn.contains(&e.id)).expect("third elderly expert");
    assert_eq!(replaced[0], third.id, "the only elderly expert left; never the recused one again");
    assert!(matches!(
        panel::replace_recused(app.db(), (&app.state().emails, "http://x"), &officer, after(), id).await,
        Err(AppError::Conflict(_))
    ));

    // Through the pages: the expert sees the declaration form; another NGO sees nothing.
    app.clock.set(after());
    let mut page = app.relogin(&third.email).await;
    let body = page.get(&app, &format!("/calls/{id}/panel")).await.body;
    assert!(body.contains("回避声明") && body.contains("三亚市第40号投标服务中心"), "{body}");
    // The call page says where it stands and what comes next, for the bureau and for a bidder.
    let body = app.relogin("chair@bureau.cn").await.get(&app, &format!("/calls/{id}")).await.body;
    assert!(body.contains("评审中") && body.contains("对异常低价作出认定"), "{body}");
    let body = app.relogin(&bidders[0].email).await.get(&app, &format!("/calls/{id}")).await.body;
    assert!(body.contains("社会组织：") && body.contains("评审进行中"), "{body}");
    let mut stranger = app.login_as("stranger@ngo.cn", Role::NgoMember, None).await;
    assert_eq!(stranger.get(&app, &format!("/calls/{id}/panel")).await.status, Status::NotFound);
}

#[rocket::async_test]
async fn scores_are_independent_final_and_corrected_with_a_reason_and_the_award_follows_the_ranking() {
    let app = TestApp::new().await;
    // Prices ¥100,000, ¥90,000, ¥120,000; price weight 20; criteria 服务方案 40, 团队 20, 业绩 20.
    let (id, bidders, officer) = opened_call(&app, &["100000", "90000", "120000"]).await;
    experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    let rules = &app.state().config.procurement;
    panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[]).await.expect("form");
    let members = seated_members(&app, id).await;
    for m in &members {
        assert_eq!(
            panel::declare(app.db(), m, after(), id, &clean_declaration(&bidders)).await.expect("d"),
            PanelMemberStatus::Seated
        );
    }
    // Sheets per member: rows are bids in bid order (A ¥100k, B ¥90k, C ¥120k), columns the three criteria.
    let sheets = [
        [[80, 70, 90], [70, 60, 60], [90, 80, 80]],
        [[85, 75, 80], [75, 65, 70], [88, 84, 80]],
        [[90, 80, 70], [80, 70, 80], [92, 86, 80]],
    ];
    // A score out of range or missing: refused, nothing stored.
    let mut bad = sheet(&app, id, &sheets[0]).await;
    bad[0].score = "101".into();
    bad[1].score = "八十".into();
    let r = score_sheets::submit_sheet(app.db(), &members[0], after(), id, &bad).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.localized(fuhua::i18n::Locale::ZhCn).len() == 2), "{r:?}");
    assert!(matches!(
        score_sheets::submit_sheet(app.db(), &members[0], after(), id, &sheet(&app, id, &sheets[0][..2]).await).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(app.count("scores").await, 0);
    score_sheets::submit_sheet(app.db(), &members[0], after(), id, &sheet(&app, id, &sheets[0]).await)
        .await
        .expect("sheet");
    assert_eq!(app.count("scores").await, 9);
    let again =
        score_sheets::submit_sheet(app.db(), &members[0], after(), id, &sheet(&app, id, &sheets[0]).await).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "final once submitted");

    // Independence: member 2 (not submitted) and the officer see no scores; member 1 does.
    let c = call_row(&app, id).await;
    let report = panel_report::report(app.db(), rules, &c).await.expect("report");
    assert!(!panel_report::may_read_scores(app.db(), &members[1], &c, &report).await.expect("q"));
    assert!(!panel_report::may_read_scores(app.db(), &officer, &c, &report).await.expect("q"));
    assert!(panel_report::may_read_scores(app.db(), &members[0], &c, &report).await.expect("q"));
    let token = fuhua::domain::accounts::create_api_token(app.db(), &members[1], "t", after()).await.expect("t");
    let mut m2 = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    app.clock.set(after());
    let seen = m2.get(&app, &format!("/api/v1/calls/{id}/panel")).await.json();
    assert_eq!(seen["may_read"], false);
    assert!(seen["report"]["bids"][0].get("criteria").is_none(), "{seen}");
    // The award is refused while sheets are missing.
    let r = award::award(app.db(), &app.state().emails, "http://x", &officer, after(), rules, id, 1, "").await;
    assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");

    for (m, s) in members.iter().zip(&sheets).skip(1) {
        score_sheets::submit_sheet(app.db(), m, after(), id, &sheet(&app, id, s).await).await.expect("sheet");
    }
    // A correction: a new entry with a reason; without one it is refused.
    let mut fix = sheet(&app, id, &sheets[2]).await.remove(0);
    fix.score = "85".into();
    assert!(matches!(
        score_sheets::correct(app.db(), &members[2], after(), id, &fix, "").await,
        Err(AppError::Invalid(_))
    ));
    score_sheets::correct(app.db(), &members[2], after(), id, &fix, "误将 85 录为 90").await.expect("correct");
    assert_eq!(app.count("scores").await, 28);

    // By hand. 服务方案 (40): A (80+85+85)/3=83.33×0.4=33.33; B (70+75+80)/3=75×0.4=30.00; C (90+88+92)/3=90×0.4=36.00
    // 团队 (20): A 75×0.2=15.00; B 65×0.2=13.00; C (80+84+86)/3=83.33×0.2=16.67
    // 业绩 (20): A 80×0.2=16.00; B (60+70+80)/3=70×0.2=14.00; C 80×0.2=16.00
    // Price (20, benchmark ¥90,000): A 18.00; B 20.00; C 15.00
    // Totals: A 82.33; B 77.00; C 83.67 → C, A, B.
    let c = call_row(&app, id).await;
    let r = panel_report::report(app.db(), rules, &c).await.expect("report");
    assert!(r.complete, "{r:?}");
    let totals: Vec<(i64, i64, Option<usize>)> = r.bids.iter().map(|b| (b.price_fen.fen(), b.total, b.rank)).collect();
    assert_eq!(totals, vec![(12_000_000, 8367, Some(1)), (10_000_000, 8233, Some(2)), (9_000_000, 7700, Some(3))]);
    assert_eq!(r.bids[0].price_points, 1500);
    assert!(r.bids.iter().any(|b| b.criteria.iter().any(|c| c.corrected)));
    assert_eq!(r.benchmark_fen.map(|m| m.fen()), Some(9_000_000));

    // Choosing the second without a reason is refused; the recommended one is awarded.
    let (first, second) = (r.bids[0].bid_id, r.bids[1].bid_id);
    let e = award::award(app.db(), &app.state().emails, "http://x", &officer, after(), rules, id, second, "").await;
    assert!(matches!(e, Err(AppError::Invalid(_))), "{e:?}");
    let a = award::award(app.db(), &app.state().emails, "http://x", &officer, after(), rules, id, first, "")
        .await
        .expect("award");
    assert_eq!(a.amount_fen, 12_000_000);
    assert_eq!(call_row(&app, id).await.status, CallStatus::Awarded);
    let again = award::award(app.db(), &app.state().emails, "http://x", &officer, after(), rules, id, first, "").await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "a second award");
    // The draft contract: provider, amount, term and the call's schedule split in fen.
    let k = entity::contract::Entity::find().one(app.db()).await.expect("q").expect("contract");
    assert_eq!(
        (k.amount_fen, k.term_months, k.status, k.organization_id),
        (12_000_000, 12, ContractStatus::Draft, a.organization_id)
    );
    let parts: Vec<i64> = entity::contract_instalment::Entity::find()
        .all(app.db())
        .await
        .expect("q")
        .iter()
        .map(|p| p.amount_fen)
        .collect();
    assert_eq!(parts, vec![3_600_000, 4_800_000, 3_600_000]);
    // Every bidder is emailed: one won, two lost with their rank.
    let mail = app.outbox().await;
    let won: Vec<_> = mail.iter().filter(|m| m.kind == "award_won").collect();
    let lost: Vec<_> = mail.iter().filter(|m| m.kind == "award_lost").collect();
    assert_eq!((won.len(), lost.len()), (1, 2));
    assert!(won[0].body_text.contains("¥120,000.00"));
    assert!(lost.iter().any(|m| m.body_text.contains("排名第 2") && m.body_text.contains("三亚市第42号投标服务中心")));

    // The public page shows the award with the panel list; scores stay with the bureau and panel.
    let mut public = app.agent();
    let page = public.get(&app, &format!("/calls/{id}")).await.body;
    assert!(page.contains("成交结果公告") && page.contains("83.67") && page.contains("expert"), "{page}");
    let api = public.get(&app, &format!("/api/v1/calls/{id}/award")).await.json();
    assert_eq!(api["award"]["amount_fen"], 12_000_000);
    assert_eq!(api["panel"].as_array().map(Vec::len), Some(3));
    assert_eq!(public.get(&app, &format!("/api/v1/calls/{id}/panel")).await.status, Status::Unauthorized);
}

#[rocket::async_test]
async fn an_abnormally_low_bid_needs_an_explanation_and_the_panels_ruling() {
    let app = TestApp::new().await;
    // ¥60,000 against a mean of ¥100,000 for the others: below 80%.
    let (id, bidders, officer) = opened_call(&app, &["100000", "60000", "100000"]).await;
    experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    let rules = &app.state().config.procurement;
    panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[]).await.expect("form");
    for m in seated_members(&app, id).await {
        panel::declare(app.db(), &m, after(), id, &clean_declaration(&bidders)).await.expect("d");
        score_sheets::submit_sheet(app.db(), &m, after(), id, &sheet(&app, id, &[[80; 3], [90; 3], [70; 3]]).await)
            .await
            .expect("s");
    }
    let c = call_row(&app, id).await;
    let r = panel_report::report(app.db(), rules, &c).await.expect("r");
    let low = r.bids.iter().find(|b| b.low_price).expect("flagged");
    assert_eq!(low.price_fen.fen(), 6_000_000);
    assert!(!r.complete && r.pending_rulings == 1);
    // It cannot stand unexplained; an unflagged bidder cannot explain; the flagged one can.
    let stands =
        score_sheets::rule_low_price(app.db(), &officer, rules, after(), id, low.bid_id, true, "成本合理").await;
    assert!(matches!(stands, Err(AppError::Conflict(_))), "{stands:?}");
    assert!(score_sheets::explain_low_price(app.db(), &bidders[0], rules, after(), id, "说明").await.is_err());
    score_sheets::explain_low_price(
        app.db(),
        &bidders[1],
        rules,
        after(),
        id,
        "志愿者承担部分服务，场地由社区免费提供。",
    )
    .await
    .expect("explain");
    assert!(matches!(
        score_sheets::rule_low_price(app.db(), &officer, rules, after(), id, low.bid_id, false, "").await,
        Err(AppError::Invalid(_))
    ));
    // Ruled invalid: out of the ranking, and the benchmark becomes the lowest price that stands.
    score_sheets::rule_low_price(app.db(), &officer, rules, after(), id, low.bid_id, false, "无法保证服务质量")
        .await
        .expect("rule");
    let r = panel_report::report(app.db(), rules, &c).await.expect("r");
    assert!(r.complete);
    assert_eq!(r.benchmark_fen.map(|m| m.fen()), Some(10_000_000));
    let out = r.bids.iter().find(|b| b.bid_id == low.bid_id).expect("low");
    assert!(out.excluded && out.rank.is_none());
    // The two that stand share the benchmark price (20.00 points each): 80 → 64.00 + 20 = 84.00; 70 → 56.00 + 20 = 76.00.
    let ranked: Vec<_> = r.bids.iter().filter(|b| b.rank.is_some()).map(|b| (b.total, b.rank)).collect();
    assert_eq!(ranked, vec![(8400, Some(1)), (7600, Some(2))]);
    let r2 = award::award(app.db(), &app.state().emails, "o", &officer, after(), rules, id, low.bid_id, "最便宜").await;
    assert!(matches!(r2, Err(AppError::NotFound)), "an invalid bid cannot be awarded: {r2:?}");
}

#[rocket::async_test]
async fn a_call_whose_bids_all_fall_is_failed_and_challenges_keep_to_their_window() {
    let app = TestApp::new().await;
    let (id, bidders, officer) = opened_call(&app, &["100000", "98000", "99000"]).await;
    // Failing needs a reason and an opened call.
    assert!(matches!(award::fail(app.db(), &officer, after(), id, " ").await, Err(AppError::Invalid(_))));
    let other = published_call(&app, "competitive_consultation").await;
    assert!(award::fail(app.db(), &officer, after(), other, "x").await.is_err(), "a published call is not failed here");
    // Award this one through the whole chain, then challenge.
    experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    let rules = &app.state().config.procurement;
    panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[]).await.expect("form");
    for m in seated_members(&app, id).await {
        panel::declare(app.db(), &m, after(), id, &clean_declaration(&bidders)).await.expect("d");
        score_sheets::submit_sheet(app.db(), &m, after(), id, &sheet(&app, id, &[[80; 3], [80; 3], [80; 3]]).await)
            .await
            .expect("s");
    }
    let r = panel_report::report(app.db(), rules, &call_row(&app, id).await).await.expect("r");
    // Equal technical scores: the lowest price wins.
    assert_eq!(r.bids[0].price_fen.fen(), 9_800_000);
    let a = award::award(app.db(), &app.state().emails, "o", &officer, after(), rules, id, r.bids[0].bid_id, "")
        .await
        .expect("award");
    assert!(
        matches!(award::fail(app.db(), &officer, after(), id, "晚了").await, Err(AppError::Conflict(_))),
        "out of order"
    );
    // A non-bidder cannot challenge; a bidder can, until the window closes.
    let outsider = member(&app, 90).await;
    assert!(matches!(
        award::file_challenge(app.db(), &outsider, after(), id, "不服").await,
        Err(AppError::Conflict(_))
    ));
    let ch =
        award::file_challenge(app.db(), &bidders[0], after(), id, "评分不公：我方业绩更多。").await.expect("challenge");
    let late = award::file_challenge(app.db(), &bidders[2], a.challenge_until, id, "迟到的质疑").await;
    assert!(matches!(late, Err(AppError::Conflict(_))), "{late:?}");
    award::file_challenge(app.db(), &bidders[2], a.challenge_until - chrono::Duration::seconds(1), id, "最后一秒")
        .await
        .expect("in time");
    // The officer answers; the challenger is emailed; a second answer is refused.
    award::answer_challenge(
        app.db(),
        &app.state().emails,
        "o",
        &officer,
        after(),
        id,
        ch.id,
        "经复核，评分符合评分办法。",
    )
    .await
    .expect("answer");
    assert!(
        award::answer_challenge(app.db(), &app.state().emails, "o", &officer, after(), id, ch.id, "再答")
            .await
            .is_err()
    );
    assert!(app.outbox().await.iter().any(|m| m.kind == "challenge_answered" && m.to_address == bidders[0].email));
    // Each bidder reads its own challenge only.
    let own = award::challenges(app.db(), Some(&bidders[0]), id).await.expect("q");
    assert_eq!(own.len(), 1);
    assert_eq!(award::challenges(app.db(), Some(&officer), id).await.expect("q").len(), 2);
    assert!(award::challenges(app.db(), None, id).await.expect("q").is_empty());

    // A failed call after opening: the second call opened with three bids, then failed by the officer.
    let id3 = published_call(&app, "competitive_consultation").await;
    for n in 60..63 {
        let u = member(&app, n).await;
        bids::submit(
            app.db(),
            ((&app.state().emails, ORIGIN), &app.state().sealer),
            &u,
            app.clock.now(),
            id3,
            &bid("90000"),
        )
        .await
        .expect("bid");
    }
    opening::open(app.db(), &app.state().sealer, &officer, deadline(), id3, None, "").await.expect("open");
    award::fail(app.db(), &officer, after(), id3, "三家均不满足服务要求").await.expect("fail");
    assert_eq!(call_row(&app, id3).await.status, CallStatus::Failed);
}

#[rocket::async_test]
async fn the_evaluation_through_the_json_api_and_pages_with_hostile_input() {
    let app = TestApp::new().await;
    let (id, bidders, officer) = opened_call(&app, &["100000", "90000", "120000"]).await;
    experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    app.clock.set(after());
    let token = fuhua::domain::accounts::create_api_token(app.db(), &officer, "t", after()).await.expect("t");
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let r = api.send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/panel"), &json!({"size": 3})).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    for m in seated_members(&app, id).await {
        let t = fuhua::domain::accounts::create_api_token(app.db(), &m, "t", after()).await.expect("t");
        let mut e = app.agent().with_header("Authorization", &format!("Bearer {t}"));
        let lines: Vec<_> =
            bidders.iter().map(|b| json!({"organization_id": b.organization_id, "conflict": "none"})).collect();
        let r = e
            .send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/panel/declaration"), &json!({"lines": lines}))
            .await;
        assert_eq!(r.json()["status"], "seated", "{}", r.body);
        // Seated, the expert's page lists the bids and a sheet of nine scores (3 bids × 3 criteria).
        let mut page = app.relogin(&m.email).await;
        let body = page.get(&app, &format!("/calls/{id}/panel")).await.body;
        assert!(
            body.contains("scores[8].score") && !body.contains("scores[9]") && body.contains("每周上门探访两次"),
            "{body}"
        );
        let first_ref = entity::bid::Entity::find().all(app.db()).await.expect("q")[0].public_ref.clone();
        let typo = page
            .post(
                &app,
                &format!("/calls/{id}/panel/scores"),
                &[("scores[0].bid", &first_ref), ("scores[0].criterion_id", "1"), ("scores[0].score", "77x")],
            )
            .await;
        assert_eq!(typo.status, Status::UnprocessableEntity);
        assert!(typo.body.contains("77x") && typo.body.contains("0 到 100"), "the typed score is kept: {}", typo.body);
        let scores = sheet(&app, id, &[[80, 70, 90], [70, 60, 60], [90, 80, 80]]).await;
        let r = e
            .send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/panel/scores"), &json!({"scores": scores}))
            .await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        // The expert's page shows the report once submitted.
        let mut page = app.relogin(&m.email).await;
        let body = page.get(&app, &format!("/calls/{id}/panel")).await.body;
        assert!(body.contains("评审报告"), "{body}");
    }
    let body = app.relogin("chair@bureau.cn").await.get(&app, &format!("/calls/{id}/panel")).await.body;
    assert!(body.contains("确定并公告成交结果") && body.contains("推荐成交供应商"), "{body}");
    let view = api.get(&app, &format!("/api/v1/calls/{id}/panel")).await.json();
    assert_eq!(view["may_read"], true);
    let recommended = view["report"]["recommended_bid_ref"].as_str().expect("recommended").to_string();
    // Bids are named by a random reference: row ids run across every call's bids and
    // would count those on calls still sealed.
    assert!(recommended.len() == 32 && recommended.chars().all(|c| c.is_ascii_hexdigit()), "{recommended}");
    let call_json = api.get(&app, &format!("/api/v1/calls/{id}")).await.body;
    for shown in [view.to_string(), call_json] {
        assert!(!shown.contains("bid_id") && !shown.contains("recommended_bid_id\""), "{shown}");
    }
    // Hostile bodies on every evaluation route: never a 500, nothing changed.
    for path in [
        "panel",
        "panel/replace",
        "panel/declaration",
        "panel/scores",
        "panel/corrections",
        "panel/rulings",
        "award",
        "fail",
        "challenges",
        "amend",
        "low-price",
    ] {
        for b in ["", "null", "[]", "{", "{\"scores\": 5}", "{\"bid\": 5}", "{\"size\": 1e309}"] {
            let req = app
                .client
                .req(Method::Post, format!("/api/v1/calls/{id}/{path}"))
                .header(rocket::http::ContentType::JSON)
                .body(b);
            assert!(req.dispatch().await.status().code < 500, "{path} {b:?}");
        }
    }
    let mut page = app.relogin("chair@bureau.cn").await;
    for (path, fields) in [
        ("panel", vec![("size", "abc")]),
        ("panel/rulings", vec![("bid", "x"), ("stands", "maybe")]),
        ("award", vec![("bid", "-1")]),
        ("panel/scores", vec![("scores[0].bid", "1"), ("scores[0].criterion_id", "x")]),
        ("amend", vec![("budget", "1e309"), ("note", "<script>")]),
    ] {
        let r = page.post(&app, &format!("/calls/{id}/{path}"), &fields).await;
        assert!(r.status.code < 500, "{path}: {}", r.status);
    }
    assert_eq!(call_row(&app, id).await.status, CallStatus::Opened);
    // A bid that is not one of this call's opened bids: the form again, saying so.
    let r = page.post(&app, &format!("/calls/{id}/award"), &[("bid", "0123456789abcdef0123456789abcdef")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("请选择本项目已开标的一份响应文件"), "{}", r.body);
    let r = api.send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/award"), &json!({"bid": "x"})).await;
    assert_eq!(r.status, Status::UnprocessableEntity, "{}", r.body);
    let r = api.send_json(&app, Method::Post, &format!("/api/v1/calls/{id}/award"), &json!({"bid": recommended})).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let body = page.get(&app, &format!("/calls/{id}")).await.body;
    assert!(body.contains("合同草稿已根据"), "{body}");
}
