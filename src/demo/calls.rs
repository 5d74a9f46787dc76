//! The demo's calls for proposals, one in each state there is so far: a draft, a call
//! taking questions (with an answered and an open question, and a sealed bid), one whose
//! questions have closed, one whose bids have closed (three sealed bids, ready to open),
//! and a cancelled one. Played through the domain calls
//! at their own dates.
use crate::domain::organization_input::Places;
use crate::domain::procurement::bids::{self, BidInput, BudgetLineInput, OutputInput};
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

pub(crate) fn input(places: &Places, title: &str, category: &str, district: &str, budget: &str) -> CallInput {
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
pub(crate) async fn published(
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

/// A member account of the organization (the demo hubs made one for most).
pub(crate) async fn member_of(db: &DatabaseConnection, now: DateTime<Utc>, org: i32) -> AppResult<user::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
    if let Some(u) = user::Entity::find().filter(user::Column::OrganizationId.eq(org)).one(db).await? {
        return Ok(u);
    }
    let txn = db.begin().await?;
    let email = format!("bidder{org}@demo.fuhua.local");
    let (u, _) = crate::domain::accounts::create_account(
        &txn,
        &crate::domain::audit::Actor::system("demo"),
        now,
        &email,
        &email,
        entity::enums::Role::NgoMember,
        Some(org),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(u)
}

pub(crate) fn demo_bid(total: &str, visits: &str) -> BidInput {
    BidInput {
        service_plan:
            "以社区为单位建立服务台账，社工每周走访，心理咨询师每月开展一次团体辅导，志愿者协助开展社会适应活动。"
                .into(),
        team: "项目主管 1 名（中级社工师），一线社工 3 名，心理咨询师 1 名（兼职）。".into(),
        outputs: vec![
            OutputInput { indicator: "个案服务".into(), quantity: "60".into(), unit: "个".into() },
            OutputInput { indicator: "走访".into(), quantity: visits.into(), unit: "人次".into() },
        ],
        budget: vec![BudgetLineInput {
            category: "人员经费".into(),
            description: "5 人，12 个月".into(),
            amount: total.into(),
        }],
    }
}

/// `bidders`: active organizations with a passed annual report, on no list.
pub async fn load(
    db: &DatabaseConnection,
    emails: &crate::domain::outbox::EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    places: &Places,
    now: DateTime<Utc>,
    (officer, ngo): (&user::Model, &user::Model),
    bidders: &[i32],
) -> AppResult<()> {
    let rules = ProcurementRules::default();
    // Bids closed five days ago, with three sealed bids waiting for the officer to open them.
    let closed = input(places, "天涯区社区矫正对象帮扶项目", "community_correction", "天涯区", "150000");
    let closed = published(db, &rules, places, officer, now, 30, closed, 25).await?;
    for (n, org) in bidders.iter().take(3).enumerate() {
        let who = member_of(db, now, *org).await?;
        let total = ["138000", "142500", "129800"][n % 3];
        bids::submit(
            db,
            ((emails, &super::hubs::origin()), sealer),
            &who,
            now - Duration::days(8 - n as i64),
            closed,
            &demo_bid(total, "480"),
        )
        .await?;
    }
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
    if let Some(org) = bidders.get(3) {
        let who = member_of(db, now, *org).await?;
        bids::submit(
            db,
            ((emails, &super::hubs::origin()), sealer),
            &who,
            now - Duration::hours(5),
            id,
            &demo_bid("115000", "2000"),
        )
        .await?;
    }
    let mut draft = input(places, "育才生态区志愿服务站运营项目", "volunteer", "育才生态区", "");
    draft.criteria.truncate(2);
    calls::create(db, officer, now, places, &draft).await?;
    Ok(())
}
