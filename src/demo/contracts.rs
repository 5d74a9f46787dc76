//! The demo's contract in force: a home-care call awarded half a year ago, its contract
//! completed, approved, sent as a PDF and signed by the provider; the first instalment
//! paid, the first quarter's report accepted, the mid-term report waiting for the
//! officer. Played through the domain calls at their own dates, like the rest of the demo.
use super::awards::{score_all, three_bids};
use super::calls::{input, published};
use super::hubs::origin;
use crate::domain::accounts;
use crate::domain::audit::Actor;
use crate::domain::contracts::milestones::{self, IndicatorInput, MilestoneInput};
use crate::domain::contracts::payments::{self, PaymentInput};
use crate::domain::contracts::reports::{self, AchievedInput, ReportInput};
use crate::domain::contracts::terms::{self, OutputInput, TermsInput};
use crate::domain::contracts::{ContractRules, signing};
use crate::domain::money::Money;
use crate::domain::organization_input::Places;
use crate::domain::outbox::EmailTemplates;
use crate::domain::procurement::rules::ProcurementRules;
use crate::domain::procurement::{award, calls, opening, panel, panel_report};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use entity::enums::Role;
use entity::{contract, contract_instalment, milestone, milestone_indicator, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

fn output(name: &str, standard: &str, unit: &str, quantity: i64, unit_price_fen: i64) -> OutputInput {
    OutputInput {
        name: name.into(),
        standard: standard.into(),
        unit: unit.into(),
        quantity: quantity.to_string(),
        unit_price: Money(unit_price_fen).to_yuan_input(),
    }
}

fn indicator(name: &str, unit: &str, target: i64) -> IndicatorInput {
    IndicatorInput { name: name.into(), unit: unit.into(), target: target.to_string() }
}

/// What a demo project is: its call, the bidders and their prices, the provider's account.
pub(crate) struct Spec<'a> {
    pub title: &'a str,
    pub district: &'a str,
    pub days_ago: i64,
    pub orgs: Vec<i32>,
    pub prices: [&'a str; 3],
    pub provider_email: &'a str,
    pub provider_name: &'a str,
}

/// A signed home-care contract: the call published `days_ago`, three bids, the panel's
/// scores, the award, the provider's account, the terms with four outputs, a first-quarter
/// milestone beside the two seeded for the mid-term and final instalments, approval,
/// sending and the provider's acceptance, each at its own date.
pub(crate) struct Signed {
    pub contract: contract::Model,
    pub provider: user::Model,
    pub password: String,
    /// The first-quarter milestone, then the mid-term and final ones.
    pub q1: milestone::Model,
    pub seeded: Vec<milestone::Model>,
    pub signed_at: DateTime<Utc>,
}

pub(crate) async fn signed_contract(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    places: &Places,
    now: DateTime<Utc>,
    officer: &user::Model,
    spec: &Spec<'_>,
) -> AppResult<Signed> {
    let rules = ProcurementRules::default();
    let contract_rules = ContractRules::default();
    let documents = crate::pdf::Drawer::shared(crate::shared_fonts().map_err(AppError::Internal)?);
    let (deadline, winner, k) = awarded_call(db, emails, sealer, places, now, officer, &rules, spec).await?;

    // The provider's account, printed with the other demo accounts.
    let txn = db.begin().await?;
    let (provider, pw) = accounts::create_account(
        &txn,
        &Actor::system("demo"),
        deadline,
        spec.provider_email,
        spec.provider_name,
        Role::NgoMember,
        Some(winner),
        None,
    )
    .await?;
    txn.commit().await?;
    let at = deadline + Duration::days(8);
    let starts_on = save_terms(db, officer, at, &rules, &contract_rules, &k).await?;
    let q1 = set_milestones(db, officer, at, k.id, starts_on).await?;
    signing::approve(db, &documents, officer, at + Duration::hours(2), &contract_rules, &rules, k.id).await?;
    signing::send(
        db,
        &documents,
        emails,
        &origin(),
        officer,
        at + Duration::hours(3),
        &contract_rules,
        k.id,
        Locale::ZhCn,
    )
    .await?;
    let signed = at + Duration::days(2);
    signing::accept(db, &provider, signed, k.id).await?;
    let contract = contract::Entity::find_by_id(k.id).one(db).await?.ok_or(AppError::NotFound)?;
    let seeded = milestones::of_contract(db, k.id).await?.into_iter().filter(|m| m.id != q1.id).collect();
    Ok(Signed { contract, provider, password: pw, q1, seeded, signed_at: signed })
}

/// The spec's call published, bid on, opened, scored by the panel and awarded; returns the
/// bid deadline, the winning organization and the draft contract.
async fn awarded_call(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    places: &Places,
    now: DateTime<Utc>,
    officer: &user::Model,
    rules: &ProcurementRules,
    spec: &Spec<'_>,
) -> AppResult<(DateTime<Utc>, i32, contract::Model)> {
    let i = input(places, spec.title, "elderly", spec.district, "240000");
    let call = published(db, rules, places, officer, now, spec.days_ago, i, 25).await?;
    let deadline = calls::get(db, call).await?.bid_deadline.unwrap_or(now);
    let orgs = three_bids(db, emails, sealer, call, deadline, &spec.orgs, spec.prices).await?;
    opening::open(db, sealer, officer, deadline, call, None, "").await?;
    panel::form(db, (emails, &origin()), officer, deadline + Duration::days(1), rules, call, 3, &[]).await?;
    score_all(db, call, &orgs, deadline + Duration::days(2), None).await?;
    let report = panel_report::report(db, rules, &calls::get(db, call).await?).await?;
    let first = report.recommended_bid_id.ok_or(AppError::NotFound)?;
    let a = award::award(db, emails, &origin(), officer, deadline + Duration::days(5), rules, call, first, "").await?;
    let k =
        contract::Entity::find().filter(contract::Column::CallId.eq(call)).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((deadline, a.organization_id, k))
}

/// Terms: the outputs add up to the awarded amount; the contract runs a year from its start,
/// which is returned.
async fn save_terms(
    db: &DatabaseConnection,
    officer: &user::Model,
    at: DateTime<Utc>,
    rules: &ProcurementRules,
    contract_rules: &ContractRules,
    k: &contract::Model,
) -> AppResult<NaiveDate> {
    let starts_on = k.starts_on.ok_or(AppError::NotFound)?;
    let ends_on = starts_on.checked_add_months(Months::new(12)).map(|d| d - Duration::days(1)).unwrap_or(starts_on);
    let fixed = 1200 * 6_000 + 60 * 100_000 + 24 * 150_000;
    let terms_input = TermsInput {
        purchaser_name: contract_rules.purchaser_name.clone(),
        purchaser_address: contract_rules.purchaser_address.clone(),
        purchaser_representative: "张明".into(),
        provider_address: k.provider_address.clone(),
        provider_representative: k.provider_representative.clone(),
        service_content: "为天涯区 60 周岁以上独居、空巢及失能半失能老年人提供上门探访、助餐助洁、健康监测和精神慰藉服务，建立一人一档服务台账，每季度开展一次满意度回访。".into(),
        performance_targets: "服务对象满意度不低于 92%；个案服务档案完整率 100%；紧急情况 30 分钟内响应。".into(),
        starts_on: starts_on.to_string(),
        ends_on: ends_on.to_string(),
        bond_percent: "5".into(),
        outputs: vec![
            output("上门探访", "每次不少于 45 分钟，填写探访记录并由老人或家属签字", "人次", 1200, 6_000),
            output("个案服务", "一人一档，含需求评估、服务计划和结案报告", "个", 60, 100_000),
            output("社区小组活动", "每节不少于 10 人参加，留存签到表和照片", "节", 24, 150_000),
            output("项目管理与督导", "月度督导、季度报告、年度审计", "项", 1, k.amount_fen - fixed),
        ],
        ..Default::default()
    };
    terms::save(db, officer, at, rules, contract_rules.max_bond_percent, k.id, &terms_input).await?;
    Ok(starts_on)
}

/// Adds the first-quarter milestone and fills in the two seeded for the mid-term and final
/// instalments; returns the first-quarter one.
async fn set_milestones(
    db: &DatabaseConnection,
    officer: &user::Model,
    at: DateTime<Utc>,
    contract_id: i32,
    starts_on: NaiveDate,
) -> AppResult<milestone::Model> {
    let seeded = milestones::of_contract(db, contract_id).await?;
    let q1 = milestones::add(
        db,
        officer,
        at,
        contract_id,
        &MilestoneInput {
            title: "第一季度服务进展".into(),
            due_on: (starts_on + Duration::days(89)).to_string(),
            deliverables: "季度服务报告、探访记录汇总、服务对象名册".into(),
            indicators: vec![indicator("上门探访", "人次", 300), indicator("个案建档", "个", 30)],
        },
    )
    .await?;
    if let Some(mid) = seeded.first() {
        milestones::save(
            db,
            officer,
            at,
            mid.id,
            &MilestoneInput {
                title: "中期评估".into(),
                due_on: mid.due_on.to_string(),
                deliverables: "中期服务报告、满意度调查结果、经费使用情况".into(),
                indicators: vec![indicator("上门探访", "人次", 600), indicator("社区小组活动", "节", 12)],
            },
        )
        .await?;
    }
    if let Some(last) = seeded.get(1) {
        milestones::save(
            db,
            officer,
            at,
            last.id,
            &MilestoneInput {
                title: "末期评估与结项".into(),
                due_on: last.due_on.to_string(),
                deliverables: "年度服务报告、结项审计报告".into(),
                indicators: vec![indicator("上门探访", "人次", 1200), indicator("个案服务", "个", 60)],
            },
        )
        .await?;
    }
    Ok(q1)
}

/// The demo's contract in force; returns the provider's demo account (email, role, one-time
/// password), the contract and the provider.
pub async fn load(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    places: &Places,
    now: DateTime<Utc>,
    officer: &user::Model,
    bidders: &[i32],
) -> AppResult<(Vec<(String, Role, String)>, contract::Model, user::Model)> {
    let spec = Spec {
        title: "天涯区居家养老上门服务项目",
        district: "天涯区",
        days_ago: 200,
        orgs: bidders.iter().skip(16).take(3).copied().collect(),
        prices: ["228000", "236500", "219800"],
        provider_email: "provider@fuhua.local",
        provider_name: "承接机构 陈主任",
    };
    let Signed { contract: k, provider, password: pw, q1, seeded, signed_at: signed } =
        signed_contract(db, emails, sealer, places, now, officer, &spec).await?;
    // The first instalment paid; the first quarter reported and accepted.
    let first_instalment = contract_instalment::Entity::find()
        .filter(contract_instalment::Column::ContractId.eq(k.id))
        .order_by_asc(contract_instalment::Column::Position)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let paid_at = signed + Duration::days(12);
    payments::record(
        db,
        emails,
        &origin(),
        officer,
        paid_at,
        k.id,
        &PaymentInput {
            instalment_id: first_instalment.id.to_string(),
            amount: Money(first_instalment.amount_fen).to_yuan_input(),
            paid_on: crate::i18n::to_local(paid_at).date_naive().to_string(),
            voucher_no: "SYCZ-2026-0412".into(),
        },
    )
    .await?;
    let q1_due = q1.due_on.and_hms_opt(2, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
    report_on(
        db,
        &provider,
        q1_due - Duration::days(3),
        q1.id,
        "第一季度完成上门探访 318 人次，建立个案档案 31 个，回访满意度 94%。",
        &[318, 31],
        86,
    )
    .await?;
    reports::decide(db, emails, &origin(), officer, q1_due + Duration::days(4), q1.id, true, "资料齐全，同意验收。")
        .await?;
    // The mid-term report is in and waits for the officer.
    if let Some(mid) = seeded.first() {
        report_on(
            db,
            &provider,
            now - Duration::days(2),
            mid.id,
            "上半年累计上门探访 612 人次，开展社区小组活动 13 节；满意度调查 120 份，满意率 93.3%。",
            &[612, 13],
            168,
        )
        .await?;
    }
    Ok((vec![(provider.email.clone(), Role::NgoMember, pw)], k, provider))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn report_on(
    db: &DatabaseConnection,
    provider: &user::Model,
    at: DateTime<Utc>,
    milestone_id: i32,
    narrative: &str,
    achieved: &[i64],
    beneficiaries: i64,
) -> AppResult<()> {
    let indicators = milestone_indicator::Entity::find()
        .filter(milestone_indicator::Column::MilestoneId.eq(milestone_id))
        .order_by_asc(milestone_indicator::Column::Position)
        .all(db)
        .await?;
    let input = ReportInput {
        narrative: narrative.into(),
        beneficiaries: beneficiaries.to_string(),
        achieved: indicators
            .iter()
            .zip(achieved)
            .map(|(i, v)| AchievedInput { indicator_id: i.id.to_string(), value: v.to_string() })
            .collect(),
    };
    reports::submit(db, provider, at, milestone_id, &input, &[]).await?;
    Ok(())
}
