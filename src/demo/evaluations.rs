//! The demo's evaluations: the bureau's home-care indicator template; the mid-term
//! evaluation of the contract in force, released 良好 just before its mid-term report came in;
//! and last year's home-care project in Haitang, carried through to the end: both evaluations
//! released (the final one 优秀, with its report), every instalment paid, the contract
//! completed and its results public on the project page. Played through the domain calls at
//! their own dates, like the rest of the demo.
use super::contracts::{Signed, Spec, report_on, signed_contract};
use super::hubs::origin;
use crate::domain::contracts::payments::{self, PaymentInput};
use crate::domain::contracts::reports;
use crate::domain::evaluations::assessment::{self, FindingsInput, SurveyInput};
use crate::domain::evaluations::conduct::{self, AchievedLine, ScoreLine, SelfInput};
use crate::domain::evaluations::schedule::{self, ScheduleInput};
use crate::domain::evaluations::templates::{self, DimensionInput, IndicatorInput, TemplateInput};
use crate::domain::evaluations::{EvaluationRules, release};
use crate::domain::money::Money;
use crate::domain::organization_input::Places;
use crate::domain::outbox::EmailTemplates;
use crate::error::{AppError, AppResult};
use crate::pdf::Documents;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::{ConflictKind, EvaluationKind, Role};
use entity::{contract, contract_instalment, evaluation_output, milestone, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

pub(crate) struct People<'a> {
    pub officer: &'a user::Model,
    pub evaluator: &'a user::Model,
    pub provider: &'a user::Model,
}

fn at_noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(2, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    crate::i18n::to_local(t).date_naive()
}

/// The bureau's template for home care: budget 10, outputs 50, outcomes 30, satisfaction 10.
fn home_care_template() -> TemplateInput {
    let d = |name: &str, weight: &str| DimensionInput { name: name.into(), weight: weight.into() };
    let i = |dim: &str, name: &str, weight: &str, guide: &str, link: &str| IndicatorInput {
        dimension: dim.into(),
        name: name.into(),
        weight: weight.into(),
        guide: guide.into(),
        link: link.into(),
    };
    TemplateInput {
        name: "居家养老服务绩效评价指标体系".into(),
        category: "elderly".into(),
        description: "适用于居家养老上门服务类项目的中期和末期评估。".into(),
        dimensions: vec![d("预算执行", "10"), d("产出", "50"), d("效益", "30"), d("满意度", "10")],
        indicators: vec![
            i("1", "资金使用合规性", "5", "专款专用、票据齐全得满分；每发现一处不合规扣 1 分。", "none"),
            i("1", "预算执行率", "5", "执行率与进度相符得满分，偏差每 10% 扣 1 分。", "none"),
            i("2", "上门探访完成率", "20", "按完成数与目标数之比计分，超额不加分。", "output"),
            i("2", "个案服务完成率", "15", "按建档并结案的个案数与目标数之比计分。", "output"),
            i("2", "社区小组活动完成率", "10", "按开展节数与目标节数之比计分。", "output"),
            i("2", "服务记录规范性", "5", "抽查 20 份记录，每份缺项扣 0.25 分。", "none"),
            i("3", "老年人生活状况改善", "15", "依据回访和个案前后测评价。", "none"),
            i("3", "社区支持网络建设", "15", "志愿者、邻里互助和转介资源的建立情况。", "none"),
            i("4", "服务对象满意度", "10", "按满意率折算：满意率 × 10。", "satisfaction"),
        ],
    }
}

/// One evaluation from scheduling to release: the provider's self-evaluation, the two
/// evaluators' declarations and scores (nine indicators each), the survey and the findings.
struct Round<'a> {
    kind: EvaluationKind,
    /// Released on this day; scheduled a month before.
    release_on: NaiveDate,
    self_scores: [&'a str; 9],
    officer_scores: [&'a str; 9],
    evaluator_scores: [&'a str; 9],
    /// Achieved per contract output, in the outputs' order.
    achieved: [i64; 4],
    survey: (&'a str, &'a str),
    summary: &'a str,
    findings: &'a str,
    recommendations: &'a str,
}

#[allow(clippy::too_many_arguments)]
async fn evaluate(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    documents: &Documents,
    people: &People<'_>,
    provider: &user::Model,
    k: &contract::Model,
    template_id: i32,
    r: &Round<'_>,
) -> AppResult<()> {
    let release_at = at_noon(r.release_on);
    let scheduled_at = release_at - Duration::days(30);
    let input = ScheduleInput {
        kind: r.kind.code().into(),
        template_id: template_id.to_string(),
        visit_on: (r.release_on - Duration::days(2)).to_string(),
        self_due_on: (r.release_on - Duration::days(7)).to_string(),
        method: "查阅服务台账、财务凭证和个案档案；随机入户回访 20 户；召开服务对象和社区代表座谈会；电话满意度调查。"
            .into(),
        evaluators: vec![people.officer.id, people.evaluator.id],
    };
    let ev =
        schedule::schedule(db, emails, &origin(), people.officer, scheduled_at, local_date(scheduled_at), k.id, &input)
            .await?;
    let ids: Vec<i32> = conduct::indicators(db, ev.id).await?.into_iter().map(|i| i.id).collect();
    let lines = |scores: &[&str; 9], comments: &[&str; 9]| -> Vec<ScoreLine> {
        ids.iter()
            .zip(scores.iter().zip(comments))
            .map(|(id, (s, c))| ScoreLine { indicator_id: *id, score: s.to_string(), comment: c.to_string() })
            .collect()
    };
    let outputs: Vec<i32> = evaluation_output::Entity::find()
        .filter(evaluation_output::Column::EvaluationId.eq(ev.id))
        .order_by_asc(evaluation_output::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.output_id)
        .collect();
    let own = SelfInput {
        summary: r.summary.into(),
        scores: lines(&r.self_scores, &[""; 9]),
        achieved: outputs
            .iter()
            .zip(r.achieved)
            .map(|(o, n)| AchievedLine { output_id: *o, achieved: n.to_string() })
            .collect(),
    };
    conduct::submit_self(db, emails, &origin(), provider, release_at - Duration::days(8), ev.id, &own).await?;
    let scored_at = release_at - Duration::days(1);
    for (who, scores, comments) in [
        (people.officer, &r.officer_scores, &OFFICER_COMMENTS),
        (people.evaluator, &r.evaluator_scores, &EVALUATOR_COMMENTS),
    ] {
        conduct::declare(db, who, scored_at - Duration::hours(2), ev.id, ConflictKind::None, "").await?;
        conduct::score(db, who, scored_at, ev.id, &lines(scores, comments)).await?;
    }
    let survey = SurveyInput {
        surveyed: r.survey.0.into(),
        satisfied_percent: r.survey.1.into(),
        survey_method: "电话回访，随机抽取服务对象".into(),
    };
    assessment::survey(db, people.officer, scored_at, ev.id, &survey).await?;
    let findings = FindingsInput {
        method: input.method.clone(),
        findings: r.findings.into(),
        recommendations: r.recommendations.into(),
    };
    assessment::findings(db, people.officer, scored_at, ev.id, &findings).await?;
    let rules = EvaluationRules::default();
    release::release(db, emails, documents, &origin(), people.officer, release_at, &rules, ev.id).await?;
    Ok(())
}

/// What each evaluator wrote, indicator by indicator.
const OFFICER_COMMENTS: [&str; 9] = [
    "台账清晰，凭证齐全。",
    "支出进度与服务进度基本一致。",
    "探访记录完整，老人或家属签字确认。",
    "个案评估规范，部分结案报告偏简。",
    "小组活动签到和照片齐全。",
    "个别记录缺少服务时长。",
    "回访中老人反映生活照料明显改善。",
    "楼栋长和志愿者参与度较高。",
    "电话回访满意率与台账一致。",
];
const EVALUATOR_COMMENTS: [&str; 9] = [
    "专款专用，未发现不合规支出。",
    "预算调整有书面说明。",
    "抽查 20 户，探访频次与记录相符。",
    "个案前后测资料较完整。",
    "活动主题贴近老人需求。",
    "电子台账使用率有待提高。",
    "失能老人家属照护压力有所缓解。",
    "互助网络已覆盖多数楼栋。",
    "抽样方法合理，样本量足够。",
];

async fn pay(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    officer: &user::Model,
    k: &contract::Model,
    position: i32,
    at: DateTime<Utc>,
    voucher: &str,
) -> AppResult<()> {
    let i = contract_instalment::Entity::find()
        .filter(contract_instalment::Column::ContractId.eq(k.id))
        .filter(contract_instalment::Column::Position.eq(position))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = PaymentInput {
        instalment_id: i.id.to_string(),
        amount: Money(payments::due_fen(&i)).to_yuan_input(),
        paid_on: local_date(at).to_string(),
        voucher_no: voucher.into(),
    };
    payments::record(db, emails, &origin(), officer, at, k.id, &input).await?;
    Ok(())
}

/// Loads the evaluations; returns last year's provider's demo account.
pub async fn load(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    places: &Places,
    now: DateTime<Utc>,
    people: &People<'_>,
    current: &contract::Model,
    bidders: &[i32],
) -> AppResult<Vec<(String, Role, String)>> {
    let documents = crate::pdf::Drawer::shared(crate::shared_fonts().map_err(AppError::Internal)?);
    let template = templates::save(db, people.officer, now - Duration::days(600), None, &home_care_template()).await?;

    // The contract in force: its mid-term evaluation was released three days ago.
    let in_force = Project {
        db,
        emails,
        documents: &documents,
        people,
        provider: people.provider,
        k: current,
        template_id: template.id,
    };
    current_midterm(&in_force, now).await?;

    // Last year's project, from the call to the final payment.
    let spec = Spec {
        title: "海棠区居家养老上门服务项目（2025年度）",
        district: "海棠区",
        days_ago: 560,
        orgs: bidders.iter().skip(13).take(3).copied().collect(),
        prices: ["226000", "231000", "238800"],
        provider_email: "provider2@fuhua.local",
        provider_name: "承接机构 吴主任",
    };
    let Signed { contract: k, provider, password, q1, seeded, signed_at } =
        signed_contract(db, emails, sealer, places, now, people.officer, &spec).await?;
    let (mid, last) = match (seeded.first(), seeded.get(1)) {
        (Some(m), Some(l)) => (m.clone(), l.clone()),
        _ => return Err(AppError::NotFound),
    };
    pay(db, emails, people.officer, &k, 1, signed_at + Duration::days(12), "SYCZ-2025-0318").await?;
    let o = people.officer;
    report_on(db, &provider, due(q1.due_on, -3), q1.id, "第一季度上门探访 305 人次，个案建档 32 个。", &[305, 32], 80)
        .await?;
    reports::decide(db, emails, &origin(), o, due(q1.due_on, 4), q1.id, true, "同意验收。").await?;
    let last_year =
        Project { db, emails, documents: &documents, people, provider: &provider, k: &k, template_id: template.id };
    last_year_midterm(&last_year, &mid).await?;
    last_year_final(&last_year, &last).await?;
    Ok(vec![(provider.email, Role::NgoMember, password)])
}

/// `days` after noon of the day `d` (before it, if negative).
fn due(d: NaiveDate, days: i64) -> DateTime<Utc> {
    at_noon(d) + Duration::days(days)
}

/// A contract under evaluation, with what its evaluations need.
struct Project<'a> {
    db: &'a DatabaseConnection,
    emails: &'a EmailTemplates,
    documents: &'a Documents,
    people: &'a People<'a>,
    provider: &'a user::Model,
    k: &'a contract::Model,
    template_id: i32,
}

/// The contract in force: its mid-term evaluation, released three days before `now`.
async fn current_midterm(p: &Project<'_>, now: DateTime<Utc>) -> AppResult<()> {
    evaluate(
        p.db,
        p.emails,
        p.documents,
        p.people,
        p.provider,
        p.k,
        p.template_id,
        &Round {
            kind: EvaluationKind::Midterm,
            release_on: local_date(now - Duration::days(3)),
            self_scores: ["5", "5", "20", "9", "10", "5", "13", "12", "9.3"],
            officer_scores: ["5", "4.5", "20", "8", "10", "4.5", "12", "11", "9.3"],
            evaluator_scores: ["4.5", "4.5", "19.5", "7.5", "10", "4", "12.5", "11.5", "9.3"],
            achieved: [612, 31, 13, 1],
            survey: ("120", "93.3"),
            summary: "上半年累计上门探访 612 人次、建立个案 31 个、开展社区小组活动 13 节，服务对象满意率 93.3%。个案结案进度略慢，下半年将加快。",
            findings: "上门探访和小组活动达到中期目标；个案建档 31 个，结案进度落后于计划；服务记录个别缺少服务时长。",
            recommendations: "下半年每月督导个案结案进度；服务记录增加时长必填项；继续扩大志愿者队伍。",
        },
    )
    .await
}

/// Last year's mid-term: the evaluation released, then the report accepted and the second
/// instalment paid.
async fn last_year_midterm(p: &Project<'_>, mid: &milestone::Model) -> AppResult<()> {
    let Project { db, emails, provider, k, .. } = *p;
    let o = p.people.officer;
    evaluate(
        db,
        emails,
        p.documents,
        p.people,
        provider,
        k,
        p.template_id,
        &Round {
            kind: EvaluationKind::Midterm,
            release_on: mid.due_on - Duration::days(3),
            self_scores: ["5", "5", "20", "10", "10", "5", "13", "13", "9.2"],
            officer_scores: ["5", "4.5", "20", "9", "10", "4.5", "12.5", "12", "9.2"],
            evaluator_scores: ["5", "5", "19.5", "9.5", "10", "4.5", "12", "12.5", "9.2"],
            achieved: [618, 35, 12, 1],
            survey: ("110", "92.0"),
            summary: "上半年完成上门探访 618 人次、小组活动 12 节，个案 35 个。",
            findings: "各项产出达到中期目标，财务管理规范。",
            recommendations: "加强个案结案质量。",
        },
    )
    .await?;
    report_on(
        db,
        provider,
        due(mid.due_on, -2),
        mid.id,
        "上半年累计上门探访 618 人次，小组活动 12 节。",
        &[618, 12],
        150,
    )
    .await?;
    reports::decide(db, emails, &origin(), o, due(mid.due_on, 3), mid.id, true, "中期成果确认。").await?;
    pay(db, emails, o, k, 2, due(mid.due_on, 12), "SYCZ-2025-0736").await
}

/// Last year's end: the final evaluation released 优秀, then the final report accepted and the
/// last instalment paid.
async fn last_year_final(p: &Project<'_>, last: &milestone::Model) -> AppResult<()> {
    let Project { db, emails, provider, k, .. } = *p;
    let o = p.people.officer;
    evaluate(
        db,
        emails,
        p.documents,
        p.people,
        provider,
        k,
        p.template_id,
        &Round {
            kind: EvaluationKind::Final,
            release_on: last.due_on - Duration::days(3),
            self_scores: ["5", "5", "20", "15", "10", "5", "14", "14", "9.5"],
            officer_scores: ["5", "5", "20", "14.5", "10", "4.5", "13.5", "13", "9.4"],
            evaluator_scores: ["5", "4.5", "20", "14", "10", "5", "13", "12.5", "9.4"],
            achieved: [1236, 60, 24, 1],
            survey: ("150", "94.0"),
            summary: "全年完成上门探访 1,236 人次、个案服务 60 个、社区小组活动 24 节，组建志愿者队伍 42 人，服务对象满意率 94%。",
            findings: "合同约定的产出全部完成，上门探访超额 3%；个案服务有需求评估、服务计划和结案报告，档案完整；建立了以楼栋长和志愿者为骨干的邻里互助网络；财务凭证齐全，专款专用。",
            recommendations: "将邻里互助网络纳入社区日常工作；下一周期增加失能老人家属照护培训；服务记录全面使用电子台账。",
        },
    )
    .await?;
    report_on(
        db,
        provider,
        due(last.due_on, -2),
        last.id,
        "全年累计上门探访 1236 人次，个案服务 60 个。",
        &[1236, 60],
        210,
    )
    .await?;
    reports::decide(db, emails, &origin(), o, due(last.due_on, 3), last.id, true, "同意结项。").await?;
    pay(db, emails, o, k, 3, due(last.due_on, 12), "SYCZ-2026-0105").await
}
