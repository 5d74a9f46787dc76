//! 待办: each role lands on its own page after login, sees what waits for it with a link
//! to the exact place, the navigation's number follows the steps taken, an organization
//! never sees another's items, and an empty page says so in a sentence.
use crate::support::bids::published_call;
use crate::support::contracts::{Awarded, active, awarded, complete_terms, now, ready_to_award};
use crate::support::evaluations::scheduled;
use crate::support::hubs::{apply, hub_world, ngo};
use crate::support::panel::{after, clean_declaration, experts, opened_call, seated_members};
use crate::support::*;
use entity::enums::{EvaluationKind, Role, ServiceCategory};
use fuhua::domain::contracts::{signing, terms};
use fuhua::domain::procurement::{award, panel};
use fuhua::i18n::Locale;
use rocket::http::Status;
use sea_orm::EntityTrait;

/// The number in the navigation's 待办 link, if any.
fn nav_number(html: &str) -> Option<u64> {
    let at = html.find("href=\"/todo\"")?;
    let rest = &html[at..html[at..].find("</a>")? + at];
    let b = rest.find("class=\"badge\"")?;
    let n = &rest[b..];
    n[n.find('>')? + 1..n.find("</span>")?].trim().parse().ok()
}

async fn todo(app: &TestApp, agent: &mut Agent) -> String {
    let p = agent.get(app, "/todo").await;
    assert_eq!(p.status, Status::Ok, "{}", p.body);
    p.body
}

#[rocket::async_test]
async fn login_lands_on_the_todo_page_and_a_visitor_is_sent_to_log_in() {
    let app = TestApp::new().await;
    app.user("o@todo.cn", Role::Officer, None).await;
    let mut a = app.agent();
    let form = a.get(&app, "/login").await;
    assert!(form.body.contains("name=\"next\" value=\"&#x2F;todo\""), "the login form goes on to 待办");
    let r = a.post(&app, "/login", &[("email", "o@todo.cn"), ("password", PASSWORD), ("next", "/todo")]).await;
    assert_eq!(r.status, Status::SeeOther);
    assert_eq!(r.location.as_deref(), Some("/todo"));
    // Where a login asks to go somewhere else, it still goes there.
    let mut b = app.agent();
    let r = b.post(&app, "/login", &[("email", "o@todo.cn"), ("password", PASSWORD), ("next", "/calls")]).await;
    assert_eq!(r.location.as_deref(), Some("/calls"));

    let anonymous = app.agent().get(&app, "/todo").await;
    assert_ne!(anonymous.status, Status::Ok, "待办 is an account's page");
    assert!(!anonymous.body.contains("待办事项"));
    let api = app.agent().get(&app, "/api/v1/todo").await;
    assert_eq!(api.status, Status::Unauthorized);
}

#[rocket::async_test]
async fn an_officer_sees_the_bureaus_decisions_and_each_leaves_once_taken() {
    let app = TestApp::new().await;
    // A call whose panel has scored: its award waits for the officer.
    let (call, winner, _, officer) = ready_to_award(&app).await;
    // A second call published, its deadline passed: it waits to be opened.
    let to_open = published_call(&app, "competitive_consultation").await;
    app.clock.set(after());
    let mut o = app.relogin(&officer.email).await;
    let page = todo(&app, &mut o).await;
    assert!(page.contains("评分完成待确认中标"), "{page}");
    assert!(page.contains(&format!("href=\"/calls/{call}/award\"")), "the award links to its page");
    assert!(page.contains("已截止待开标的采购"));
    assert!(page.contains(&format!("href=\"/calls/{to_open}#bids\"")), "the opening links to its place");
    let before = nav_number(&page).expect("the navigation shows a number");
    assert!(before >= 2, "{before}");

    // The award taken: it leaves the list and the contract draft it made arrives.
    let rules = &app.state().config.procurement;
    award::award(app.db(), &app.state().emails, ORIGIN, &officer, after(), rules, call, winner, "")
        .await
        .expect("award");
    let page = todo(&app, &mut o).await;
    assert!(!page.contains(&format!("href=\"/calls/{call}/award\"")), "an award is confirmed once");
    let k = entity::contract::Entity::find().all(app.db()).await.expect("q");
    assert!(page.contains(&format!("href=\"/contracts/{}/edit\"", k[0].id)), "the draft contract waits");
    assert!(page.contains("完善合同草稿"));
    assert_eq!(nav_number(&page), Some(before), "one step gone, one come");

    // The same list in the API, with the same number.
    let token =
        fuhua::domain::accounts::create_api_token(app.db(), &officer, "t", app.clock.now()).await.expect("token");
    let mut api = app.agent().with_header("Authorization", &format!("Bearer {token}"));
    let v = api.get(&app, "/api/v1/todo").await.json();
    assert_eq!(v["role"], "bureau");
    assert_eq!(v["waiting"].as_u64(), Some(before));
    let keys: Vec<&str> =
        v["sections"].as_array().expect("sections").iter().filter_map(|s| s["key"].as_str()).collect();
    assert!(keys.contains(&"calls_to_open") && keys.contains(&"contract_drafts"), "{keys:?}");
}

/// The contract of `awarded`, completed, approved and sent, not yet signed.
async fn sent(app: &TestApp, w: &Awarded) {
    let s = app.state();
    let (rules, proc) = (&s.config.contracts, &s.config.procurement);
    terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, w.contract, &complete_terms())
        .await
        .expect("terms");
    signing::approve(app.db(), &s.documents, &w.officer, now(), rules, proc, w.contract).await.expect("approve");
    signing::send(app.db(), &s.documents, &s.emails, ORIGIN, &w.officer, now(), rules, w.contract, Locale::ZhCn)
        .await
        .expect("send");
}

#[rocket::async_test]
async fn a_member_sees_its_contract_to_sign_and_another_organization_sees_nothing_of_it() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    app.clock.set(now());
    let mut provider = app.relogin(&w.provider.email).await;
    let mut other = app.relogin(&w.other.email).await;
    let page = todo(&app, &mut provider).await;
    assert!(!page.contains(&format!("/contracts/{}", w.contract)), "a draft is the bureau's business");

    sent(&app, &w).await;
    let page = todo(&app, &mut provider).await;
    assert!(page.contains("待签署的合同"), "{page}");
    assert!(page.contains(&format!("href=\"/contracts/{}#h-sign\"", w.contract)));
    assert_eq!(nav_number(&page), Some(1));
    let theirs = todo(&app, &mut other).await;
    assert!(!theirs.contains(&format!("/contracts/{}", w.contract)), "another organization's contract");
    assert!(!theirs.contains("待签署的合同"));
    assert_eq!(nav_number(&theirs), None, "nothing waits for the other bidder");
    assert!(theirs.contains("目前没有等待您处理的事项"), "an empty page says so");
}

#[rocket::async_test]
async fn a_members_milestones_come_due_then_overdue_and_leave_once_reported() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    let ms = active(&app, &w).await;
    let first = &ms[0];
    // Ten days before the due date (Beijing), the milestone is coming due.
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 6, 20, 2, 0, 0).single().expect("t"));
    let mut provider = app.relogin(&w.provider.email).await;
    let page = todo(&app, &mut provider).await;
    assert!(page.contains("即将到期的里程碑"), "{page}");
    assert!(page.contains(&format!("href=\"/contracts/{}#milestone-{}\"", w.contract, first.id)));
    assert!(!page.contains("已逾期的里程碑"));
    // A day after it, it is overdue and says so.
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 7, 1, 2, 0, 0).single().expect("t"));
    let mut provider = app.relogin(&w.provider.email).await;
    let page = todo(&app, &mut provider).await;
    assert!(page.contains("已逾期的里程碑"), "{page}");
    assert!(page.contains("已逾期"));
    assert!(!page.contains("即将到期的里程碑"));

    // Reported, it leaves the member's list and arrives on the officer's.
    let ind = entity::milestone_indicator::Entity::find().all(app.db()).await.expect("q");
    let r = crate::support::contracts::report(ind[0].id, "190");
    fuhua::domain::contracts::reports::submit(app.db(), &w.provider, app.clock.now(), first.id, &r, &[])
        .await
        .expect("report");
    let page = todo(&app, &mut provider).await;
    assert!(!page.contains("已逾期的里程碑"), "{page}");
    let mut o = app.relogin(&w.officer.email).await;
    let page = todo(&app, &mut o).await;
    assert!(page.contains("待审核的里程碑报告"));
    assert!(page.contains(&format!("href=\"/contracts/{}#milestone-{}\"", w.contract, first.id)));
}

#[rocket::async_test]
async fn an_expert_sees_the_panel_to_declare_for_then_to_score_then_nothing() {
    let app = TestApp::new().await;
    let (call, bidders, officer) = opened_call(&app, &["100000", "90000", "110000"]).await;
    experts(&app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    let rules = &app.state().config.procurement;
    panel::form(app.db(), (&app.state().emails, ORIGIN), &officer, after(), rules, call, 3, &[]).await.expect("form");
    app.clock.set(after());
    let seated = seated_members(&app, call).await;
    let e = seated.iter().find(|u| u.role == Role::Expert).expect("an expert");
    let mut agent = app.relogin(&e.email).await;
    let page = todo(&app, &mut agent).await;
    assert!(page.contains("我的评审任务"), "{page}");
    assert!(page.contains("待声明利益冲突"));
    assert!(page.contains(&format!("href=\"/calls/{call}/panel\"")));
    panel::declare(app.db(), e, after(), call, &clean_declaration(&bidders)).await.expect("declare");
    let page = todo(&app, &mut agent).await;
    assert!(page.contains("待评分"), "{page}");
    assert!(!page.contains("待声明利益冲突"));

    // The officer meanwhile has nothing to do for this call but wait: no award offered.
    let mut o = app.relogin(&officer.email).await;
    let page = todo(&app, &mut o).await;
    assert!(!page.contains(&format!("/calls/{call}/award")), "scoring unfinished");
    assert!(!page.contains(&format!("href=\"/calls/{call}/panel\"")), "the panel is formed");
}

#[rocket::async_test]
async fn an_evaluator_a_hub_manager_and_an_unlinked_member_each_see_their_own() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let (ev, people) = scheduled(&app, &w, EvaluationKind::Midterm, 2).await;
    let mut evaluator = app.relogin(&people[0].email).await;
    let page = todo(&app, &mut evaluator).await;
    assert!(page.contains("我的评价任务"), "{page}");
    assert!(page.contains(&format!("href=\"/evaluations/{ev}#mine\"")));
    // The provider has the self-evaluation due.
    let mut provider = app.relogin(&w.provider.email).await;
    let page = todo(&app, &mut provider).await;
    assert!(page.contains("待提交的自评"), "{page}");
    assert!(page.contains(&format!("href=\"/evaluations/{ev}#self\"")));

    let mut unlinked = app.login_as("nobody@ngo.cn", Role::NgoMember, None).await;
    let page = todo(&app, &mut unlinked).await;
    assert!(page.contains("认领您的社会组织"), "{page}");
    assert!(page.contains("href=\"/account#h-org\""));

    let hw = hub_world("20", "5").await;
    let mut manager = hw.manager.clone();
    let page = todo(&hw.app, &mut manager).await;
    assert!(page.contains("您管理的孵化基地目前没有待审的入驻申请"), "{page}");
    let (mut ngo_agent, _) = ngo(&hw.app, 7).await;
    let r = apply(&hw, &mut ngo_agent, hw.round).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = todo(&hw.app, &mut manager).await;
    assert!(page.contains("待审的入驻申请"), "{page}");
    assert!(page.contains(&format!("href=\"/hubs/{}/applications/", hw.hub)));
    assert_eq!(nav_number(&page), Some(1));
}

#[rocket::async_test]
async fn the_english_page_speaks_english() {
    let app = TestApp::new().await;
    let mut a = app.login_as("en@todo.cn", Role::Expert, None).await;
    a.get(&app, "/lang/en?back=/todo").await;
    let page = todo(&app, &mut a).await;
    assert!(page.contains("No panel waits for your declaration or scores"), "{page}");
    assert!(!page.contains("待办事项"));
}
