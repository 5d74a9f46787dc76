//! The demo's calls for proposals, one in each state there is so far: a draft, a call
//! taking questions (with an answered and an open question), one whose questions have
//! closed, one whose bids have closed, and a cancelled one. Played through the domain calls
//! at their own dates.
use crate::domain::organization_input::Places;
use crate::domain::procurement::calls::{self, CallInput, CriterionInput, InstalmentInput};
use crate::domain::procurement::questions;
use crate::domain::procurement::rules::ProcurementRules;
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use entity::user;
use sea_orm::DatabaseConnection;

fn local(t: DateTime<Utc>) -> String {
    crate::i18n::to_local(t).format("%Y-%m-%dT17:00").to_string()
}

fn input(places: &Places, title: &str, category: &str, district: &str, budget: &str) -> CallInput {
    let d = places.district(district).map(|d| d.id.to_string()).unwrap_or_default();
    CallInput {
        title: title.into(),
        category: category.into(),
        purchase_type: "specific_project".into(),
        method: "competitive_consultation".into(),
        budget: budget.into(),
        districts: vec![d],
        target_groups: "辖区内有需要的居民，优先服务独居、困境和残疾人群。".into(),
        outputs_expected: "个案服务 60 个；小组活动 24 节；社区活动 12 场；服务满意度不低于 90%。".into(),
        term_months: "12".into(),
        min_years_registered: "1".into(),
        require_annual_report: "on".into(),
        hub_rule: "preferred".into(),
        criteria: vec![
            CriterionInput {
                name: "服务方案".into(),
                weight: "40".into(),
                description: "需求分析、目标、内容与进度".into(),
                ..Default::default()
            },
            CriterionInput {
                name: "团队与管理".into(),
                weight: "20".into(),
                description: "专业人员、督导与制度".into(),
                ..Default::default()
            },
            CriterionInput {
                name: "既往业绩".into(),
                weight: "20".into(),
                description: "近三年同类项目".into(),
                ..Default::default()
            },
            CriterionInput { name: "报价".into(), weight: "20".into(), is_price: "on".into(), ..Default::default() },
        ],
        instalments: vec![
            InstalmentInput {
                percent: "30".into(),
                condition: "signing".into(),
                description: "合同签订后 15 日内".into(),
            },
            InstalmentInput { percent: "40".into(), condition: "midterm_passed".into(), description: String::new() },
            InstalmentInput { percent: "30".into(), condition: "final_passed".into(), description: String::new() },
        ],
        ..Default::default()
    }
}

/// Drafts and publishes a call as if `days_ago` days ago, bids closing `bid_in` days after that.
#[allow(clippy::too_many_arguments)]
async fn published(
    db: &DatabaseConnection,
    rules: &ProcurementRules,
    places: &Places,
    officer: &user::Model,
    now: DateTime<Utc>,
    days_ago: i64,
    mut i: CallInput,
    bid_in: i64,
) -> AppResult<i32> {
    let at = now - Duration::days(days_ago);
    i.question_deadline = local(at + Duration::days(bid_in - 4));
    i.bid_deadline = local(at + Duration::days(bid_in));
    let c = calls::create(db, officer, at, places, &i).await?;
    calls::publish(db, officer, at, rules, c.id).await?;
    Ok(c.id)
}

pub async fn load(
    db: &DatabaseConnection,
    places: &Places,
    now: DateTime<Utc>,
    (officer, ngo): (&user::Model, &user::Model),
) -> AppResult<()> {
    let rules = ProcurementRules::default();
    let closed = input(places, "天涯区社区矫正对象帮扶项目", "community_correction", "天涯区", "150000");
    published(db, &rules, places, officer, now, 30, closed, 25).await?;
    let cancelled = input(places, "海棠区青少年暑期托管服务项目", "youth", "海棠区", "80000");
    let id = published(db, &rules, places, officer, now, 20, cancelled, 30).await?;
    calls::cancel(db, officer, now - Duration::days(15), id, "上级资金安排调整，本项目另行组织采购。").await?;
    let questions_closed = input(places, "崖州区困境儿童关爱服务项目", "children", "崖州区", "200000");
    published(db, &rules, places, officer, now, 12, questions_closed, 15).await?;
    let open = input(places, "吉阳区居家养老上门服务项目", "elderly", "吉阳区", "120000");
    let id = published(db, &rules, places, officer, now, 2, open, 24).await?;
    let q = questions::ask(db, ngo, now - Duration::days(1), id, "服务对象名单由谁提供？是否可以由承接机构自行排查？")
        .await?;
    questions::answer(
        db,
        officer,
        now - Duration::hours(20),
        id,
        q.id,
        "名单由各社区居委会提供，承接机构可补充排查，新增对象须经社区确认。",
    )
    .await?;
    questions::ask(db, ngo, now - Duration::hours(3), id, "助餐服务的场地是否由项目提供？").await?;
    let mut draft = input(places, "育才生态区志愿服务站运营项目", "volunteer", "育才生态区", "");
    draft.criteria.truncate(2);
    calls::create(db, officer, now, places, &draft).await?;
    Ok(())
}
