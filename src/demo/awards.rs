//! The demo's calls past their deadline: one opened and waiting for its panel, one under
//! evaluation (two experts have scored, the demo expert has yet to declare), one awarded
//! (with a challenge answered and its draft contract), and one failed for want of bids.
//! Played through the domain calls at their own dates, so the records and the audit chain
//! are what the platform writes.
use super::calls::{demo_bid, input, member_of, published};
use super::hubs::origin;
use crate::domain::organization_input::Places;
use crate::domain::outbox::EmailTemplates;
use crate::domain::procurement::panel::{self, Declared};
use crate::domain::procurement::rules::ProcurementRules;
use crate::domain::procurement::score_sheets::ScoreInput;
use crate::domain::procurement::{award, bids, calls, opening};
use crate::domain::procurement::{panel_report, score_sheets};
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use entity::enums::{ConflictKind, PanelMemberStatus, Role, ServiceCategory};
use entity::user;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

/// The pool: the demo expert and two more, each judging the categories the demo buys.
async fn experts(db: &DatabaseConnection, officer: &user::Model, now: DateTime<Utc>) -> AppResult<Vec<user::Model>> {
    let cats = [
        ServiceCategory::Elderly,
        ServiceCategory::Children,
        ServiceCategory::CommunityCorrection,
        ServiceCategory::SocialWork,
    ];
    for (email, name) in [("expert2@fuhua.local", "评审专家 钱老师"), ("expert3@fuhua.local", "评审专家 孙主任")]
    {
        let txn = crate::domain::begin(db).await?;
        crate::domain::accounts::create_account(
            &txn,
            &crate::domain::audit::Actor::system("demo"),
            now,
            email,
            name,
            Role::Expert,
            None,
            None,
        )
        .await?;
        txn.commit().await?;
    }
    let pool =
        user::Entity::find().filter(user::Column::Role.eq(Role::Expert)).order_by_asc(user::Column::Id).all(db).await?;
    for (n, e) in pool.iter().enumerate() {
        let affiliation = ["海南大学法学院", "三亚学院社会工作系", "三亚市社会工作协会"][n % 3];
        panel::set_profile(db, officer, now, e.id, &cats, affiliation, true).await?;
    }
    Ok(pool)
}

/// Bids from three organizations at the given prices, submitted a few days before `deadline`.
pub(crate) async fn three_bids(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    call: i32,
    deadline: DateTime<Utc>,
    orgs: &[i32],
    prices: [&str; 3],
) -> AppResult<Vec<i32>> {
    let mut out = vec![];
    for (n, (org, price)) in orgs.iter().zip(prices).enumerate() {
        let who = member_of(db, deadline, *org).await?;
        bids::submit(
            db,
            ((emails, &origin()), sealer),
            &who,
            deadline - Duration::days(3 - n as i64),
            call,
            &demo_bid(price, "1200"),
        )
        .await?;
        out.push(*org);
    }
    Ok(out)
}

fn clean(orgs: &[i32]) -> Vec<Declared> {
    orgs.iter().map(|o| Declared { organization_id: *o, conflict: ConflictKind::None, note: String::new() }).collect()
}

/// Every seated or drawn member but `skip` declares and scores; their sheets vary a little.
pub(crate) async fn score_all(
    db: &DatabaseConnection,
    call: i32,
    orgs: &[i32],
    at: DateTime<Utc>,
    skip: Option<i32>,
) -> AppResult<()> {
    let c = calls::get(db, call).await?;
    let bids = score_sheets::scored_bids(db, &c).await?;
    let criteria: Vec<_> = calls::criteria(db, call).await?.into_iter().filter(|x| !x.is_price).collect();
    for (n, m) in panel::members(db, call).await?.iter().enumerate() {
        if Some(m.user_id) == skip || m.status != PanelMemberStatus::Drawn {
            continue;
        }
        let u = user::Entity::find_by_id(m.user_id).one(db).await?.ok_or(crate::error::AppError::NotFound)?;
        panel::declare(db, &u, at, call, &clean(orgs)).await?;
        let mut sheet = vec![];
        for (b_i, b) in bids.iter().enumerate() {
            for (c_i, cr) in criteria.iter().enumerate() {
                let score = 72 + ((b_i * 7 + c_i * 5 + n * 3) % 20) as i32;
                sheet.push(ScoreInput {
                    bid: b.bid_ref.clone(),
                    criterion_id: cr.id,
                    score: score.to_string(),
                    comment: "方案完整，指标可测。".into(),
                });
            }
        }
        score_sheets::submit_sheet(db, &u, at + Duration::hours(n as i64), call, &sheet).await?;
    }
    Ok(())
}

/// The losing bidder `loser` challenges the award of `call` three days ago; the officer answers it yesterday.
async fn challenge_answered(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    now: DateTime<Utc>,
    officer: &user::Model,
    call: i32,
    loser: i32,
) -> AppResult<()> {
    let who = member_of(db, now, loser).await?;
    let ch = award::file_challenge(
        db,
        &who,
        now - Duration::days(3),
        call,
        "我方服务方案的个案管理流程更完整，请复核“服务方案”一项的评分。",
    )
    .await?;
    award::answer_challenge(
        db,
        emails,
        &origin(),
        officer,
        now - Duration::days(1),
        call,
        ch.id,
        "经评审小组复核，各专家评分理由充分、符合评分办法，维持原评审结果。",
    )
    .await?;
    Ok(())
}

pub async fn load(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    places: &Places,
    now: DateTime<Utc>,
    officer: &user::Model,
    bidders: &[i32],
) -> AppResult<()> {
    let rules = ProcurementRules::default();
    let pool = experts(db, officer, now - Duration::days(90)).await?;
    let orgs = |from: usize| -> Vec<i32> { bidders.iter().skip(from).take(3).copied().collect() };

    // Awarded: bids closed 20 days ago; scored; awarded 4 days ago; one challenge answered.
    let i = input(places, "吉阳区困境儿童关爱服务项目", "children", "吉阳区", "180000");
    let awarded = published(db, &rules, places, officer, now, 45, i, 25).await?;
    let deadline = calls::get(db, awarded).await?.bid_deadline.unwrap_or(now);
    let a_orgs = three_bids(db, emails, sealer, awarded, deadline, &orgs(4), ["168000", "159000", "175500"]).await?;
    opening::open(db, sealer, officer, deadline, awarded, None, "").await?;
    panel::form(db, (emails, &origin()), officer, deadline + Duration::days(1), &rules, awarded, 3, &[]).await?;
    score_all(db, awarded, &a_orgs, deadline + Duration::days(2), None).await?;
    let report = panel_report::report(db, &rules, &calls::get(db, awarded).await?).await?;
    if let Some(first) = report.recommended_bid_id {
        let a =
            award::award(db, emails, &origin(), officer, now - Duration::days(4), &rules, awarded, first, "").await?;
        if let Some(loser) = a_orgs.iter().find(|o| **o != a.organization_id) {
            challenge_answered(db, emails, now, officer, awarded, *loser).await?;
        }
    }

    // Under evaluation: the panel is formed; two experts have scored, the demo expert has yet to declare.
    let i = input(places, "天涯区社区矫正对象教育帮扶项目", "community_correction", "天涯区", "160000");
    let evaluating = published(db, &rules, places, officer, now, 30, i, 24).await?;
    let deadline = calls::get(db, evaluating).await?.bid_deadline.unwrap_or(now);
    let e_orgs = three_bids(db, emails, sealer, evaluating, deadline, &orgs(7), ["148000", "152000", "139900"]).await?;
    opening::open(db, sealer, officer, deadline, evaluating, None, "").await?;
    panel::form(db, (emails, &origin()), officer, deadline + Duration::hours(20), &rules, evaluating, 3, &[]).await?;
    score_all(db, evaluating, &e_orgs, deadline + Duration::days(1), pool.first().map(|u| u.id)).await?;

    // Opened, waiting for its panel.
    let i = input(places, "海棠区社会工作站运营项目", "social_work", "海棠区", "220000");
    let opened = published(db, &rules, places, officer, now, 26, i, 24).await?;
    let deadline = calls::get(db, opened).await?.bid_deadline.unwrap_or(now);
    three_bids(db, emails, sealer, opened, deadline, &orgs(10), ["205000", "198000", "214600"]).await?;
    opening::open(db, sealer, officer, deadline, opened, None, "").await?;

    // Failed: an open tender that drew a single bid.
    let mut i = input(places, "崖州区长者饭堂运营项目", "elderly", "崖州区", "300000");
    i.method = "open_tender".into();
    let failed = published(db, &rules, places, officer, now, 40, i, 25).await?;
    let deadline = calls::get(db, failed).await?.bid_deadline.unwrap_or(now);
    let who = member_of(db, deadline, orgs(13).first().copied().unwrap_or_default()).await?;
    bids::submit(
        db,
        ((emails, &origin()), sealer),
        &who,
        deadline - Duration::days(2),
        failed,
        &demo_bid("288000", "3000"),
    )
    .await?;
    opening::open(db, sealer, officer, deadline, failed, None, "").await?;
    Ok(())
}
