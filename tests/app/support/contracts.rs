//! Contracts from an award to payment: awarded, active, reports and payments; PDF text.
use crate::support::panel::{after, clean_declaration, experts, opened_call, seated_members, sheet};
use crate::support::*;
use entity::enums::ServiceCategory;
use fuhua::domain::contracts::milestones::{IndicatorInput, MilestoneInput};
use fuhua::domain::contracts::payments::PaymentInput;
use fuhua::domain::contracts::reports::{AchievedInput, ReportInput};
use fuhua::domain::contracts::terms::{OutputInput, TermsInput};
use fuhua::domain::contracts::{milestones, signing, terms};
use fuhua::domain::procurement::{award, panel, panel_report, score_sheets};
use fuhua::i18n::Locale;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub struct Awarded {
    pub contract: i32,
    pub officer: entity::user::Model,
    pub provider: entity::user::Model,
    pub other: entity::user::Model,
}

/// A call whose panel has scored three bids, ready for the award: the call, the
/// top-ranked bid, the bidders and the officer.
pub async fn ready_to_award(app: &TestApp) -> (i32, i32, Vec<entity::user::Model>, entity::user::Model) {
    let (id, bidders, officer) = opened_call(app, &["100000", "90000", "120000"]).await;
    experts(app, &officer, 1, 3, &[ServiceCategory::Elderly]).await;
    let rules = &app.state().config.procurement;
    panel::form(app.db(), (&app.state().emails, "http://x"), &officer, after(), rules, id, 3, &[]).await.expect("form");
    let sheets = [[[80, 70, 90], [70, 60, 60], [90, 80, 80]]; 3];
    for (m, s) in seated_members(app, id).await.iter().zip(&sheets) {
        panel::declare(app.db(), m, after(), id, &clean_declaration(&bidders)).await.expect("declare");
        score_sheets::submit_sheet(app.db(), m, after(), id, &sheet(app, id, s).await).await.expect("sheet");
    }
    let c = crate::support::calls::call_row(app, id).await;
    let r = panel_report::report(app.db(), rules, &c).await.expect("report");
    (id, r.bids[0].bid_id, bidders, officer)
}

/// A call awarded to the best of three bids (¥120,000): its draft contract.
pub async fn awarded(app: &TestApp) -> Awarded {
    let (id, winner, bidders, officer) = ready_to_award(app).await;
    let rules = &app.state().config.procurement;
    let a = award::award(app.db(), &app.state().emails, "http://x", &officer, after(), rules, id, winner, "")
        .await
        .expect("award");
    let k = entity::contract::Entity::find()
        .filter(entity::contract::Column::CallId.eq(id))
        .one(app.db())
        .await
        .expect("q")
        .expect("contract");
    let provider = bidders.iter().find(|b| b.organization_id == Some(a.organization_id)).expect("winner").clone();
    let other = bidders.iter().find(|b| b.organization_id != Some(a.organization_id)).expect("loser").clone();
    Awarded { contract: k.id, officer, provider, other }
}

/// Complete terms for the ¥120,000 contract: 2027, outputs adding up to the amount.
pub fn complete_terms() -> TermsInput {
    TermsInput {
        purchaser_name: "三亚市民政局".into(),
        purchaser_address: "海南省三亚市吉阳区新风街 1 号".into(),
        purchaser_representative: "王局长".into(),
        provider_address: "三亚市吉阳区迎宾路 88 号".into(),
        provider_representative: "李赟".into(),
        service_content: "为辖区困境儿童提供个案管理、家庭探访和成长小组服务。".into(),
        starts_on: "2027-01-01".into(),
        ends_on: "2027-12-31".into(),
        bond_percent: "5".into(),
        outputs: vec![output("家庭探访", "400", "150"), output("成长小组活动", "20", "3000")],
        ..Default::default()
    }
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    after() + chrono::Duration::days(20)
}

/// The PDF's text, every character back in order and none outside its page (checked
/// against pdftotext too when `FUHUA_TEST_PDFTOTEXT=1`, as in CI).
pub fn pdf_text(bytes: &[u8]) -> String {
    fuhua::pdf::readback::checked_text(bytes).unwrap_or_else(|e| panic!("{e}"))
}

pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The contract of `awarded`, completed, approved, sent and signed; returns its milestones.
pub async fn active(app: &TestApp, w: &Awarded) -> Vec<entity::milestone::Model> {
    let s = app.state();
    let (rules, proc) = (&s.config.contracts, &s.config.procurement);
    terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, w.contract, &complete_terms())
        .await
        .expect("terms");
    let ms = milestones::of_contract(app.db(), w.contract).await.expect("q");
    let input = MilestoneInput {
        title: ms[0].title.clone(),
        due_on: "2027-06-30".into(),
        deliverables: "中期报告".into(),
        indicators: vec![IndicatorInput { name: "家庭探访".into(), unit: "人次".into(), target: "200".into() }],
    };
    milestones::save(app.db(), &w.officer, now(), ms[0].id, &input).await.expect("milestone");
    signing::approve(app.db(), &s.documents, &w.officer, now(), rules, proc, w.contract).await.expect("approve");
    signing::send(app.db(), &s.documents, &s.emails, "http://x", &w.officer, now(), rules, w.contract, Locale::ZhCn)
        .await
        .expect("send");
    signing::accept(app.db(), &w.provider, now(), w.contract).await.expect("accept");
    milestones::of_contract(app.db(), w.contract).await.expect("q")
}

pub fn report(indicator: i32, achieved: &str) -> ReportInput {
    ReportInput {
        narrative: "上半年完成家庭探访 180 人次，开展成长小组 10 次。".into(),
        beneficiaries: "215".into(),
        achieved: vec![AchievedInput { indicator_id: indicator.to_string(), value: achieved.into() }],
    }
}

pub fn pay(instalment: i32, amount: &str, voucher: &str) -> PaymentInput {
    PaymentInput {
        instalment_id: instalment.to_string(),
        amount: amount.into(),
        paid_on: "2027-01-15".into(),
        voucher_no: voucher.into(),
    }
}

pub fn output(name: &str, qty: &str, price: &str) -> OutputInput {
    OutputInput {
        name: name.into(),
        standard: "每次不少于 1 小时，留存服务记录".into(),
        unit: "人次".into(),
        quantity: qty.into(),
        unit_price: price.into(),
    }
}
