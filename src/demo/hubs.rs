//! The demo's two incubation hubs, each with a cohort at every stage: graduated (a closed
//! round, its members graduated or exited), incubating, in review, and open for
//! applications. The history is played through the same domain calls a hub would make,
//! each at its own date, so every record and audit entry is what the platform would write.
use crate::domain::accounts;
use crate::domain::audit::Actor;
use crate::domain::hubs::applications::{self, ApplyInput, DecisionInput};
use crate::domain::hubs::memberships::{self, AssessmentInput, ServiceInput};
use crate::domain::hubs::rounds::{self, RoundInput};
use crate::domain::hubs::{self, ChecklistItemInput, HubInput};
use crate::domain::organization_input::Places;
use crate::domain::outbox::EmailTemplates;
use crate::error::AppResult;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::Role;
use entity::{hub_membership, hub_seat, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

tokio::task_local! {
    /// The public origin the demo's mail links to (the server's configured one).
    static ORIGIN: String;
}

/// The origin for links in the demo's mail, while the demo loads.
pub(crate) fn origin() -> String {
    ORIGIN.try_with(|o| o.clone()).unwrap_or_else(|_| "http://127.0.0.1:8000".into())
}

/// Runs `f` with mail links pointing at `origin`.
pub(crate) async fn with_origin<F: std::future::Future>(origin: &str, f: F) -> F::Output {
    ORIGIN.scope(origin.trim_end_matches('/').to_string(), f).await
}

struct DemoHub {
    name: &'static str,
    hub_type: &'static str,
    district: &'static str,
    address: &'static str,
    capacity: i32,
    space_unit: &'static str,
    checklist: &'static [(&'static str, bool)],
}

const HUBS: [DemoHub; 2] = [
    DemoHub {
        name: "三亚市社会组织孵化基地",
        hub_type: "service_centre",
        district: "吉阳区",
        address: "海南省三亚市吉阳区迎宾路 168 号三楼",
        capacity: 12,
        space_unit: "desk",
        checklist: &[
            ("完成登记或备案", true),
            ("建立理事会、监事等治理结构", true),
            ("有至少一名专职工作人员", false),
            ("独立运作过至少一个服务项目", true),
        ],
    },
    DemoHub {
        name: "天涯区金鸡岭社区邻里中心",
        hub_type: "neighbourhood_centre",
        district: "天涯区",
        address: "海南省三亚市天涯区金鸡岭路 36 号",
        capacity: 6,
        space_unit: "room",
        checklist: &[("完成登记或备案", true), ("有稳定的志愿者队伍", true), ("有年度工作计划与财务报告", false)],
    },
];

/// At `days` before now: the instant and the local date.
fn at(now: DateTime<Utc>, days: i64) -> (DateTime<Utc>, NaiveDate) {
    let t = now - Duration::days(days);
    (t, crate::i18n::to_local(t).date_naive())
}

async fn member_account(db: &DatabaseConnection, now: DateTime<Utc>, org: i32) -> AppResult<user::Model> {
    let txn = db.begin().await?;
    let email = format!("org{org}@demo.fuhua.local");
    let (u, _) =
        accounts::create_account(&txn, &Actor::system("demo"), now, &email, &email, Role::NgoMember, Some(org), None)
            .await?;
    txn.commit().await?;
    Ok(u)
}

#[allow(clippy::too_many_arguments)]
async fn open_round(
    db: &DatabaseConnection,
    manager: &user::Model,
    now: DateTime<Utc>,
    hub: i32,
    name: &str,
    days_ago: i64,
    places: i32,
) -> AppResult<i32> {
    let (t, today) = at(now, days_ago);
    let input = RoundInput {
        name: name.into(),
        opens_on: today.to_string(),
        closes_on: (today + Duration::days(30)).to_string(),
        starts_on: (today + Duration::days(40)).to_string(),
        places: places.to_string(),
        questions: "机构（团队）的使命和主要服务对象是什么？\n希望基地在哪些方面给予支持？".into(),
    };
    Ok(rounds::create(db, manager, t, today, hub, &input).await?.id)
}

async fn apply(
    db: &DatabaseConnection,
    who: &user::Model,
    now: DateTime<Utc>,
    days_ago: i64,
    hub: i32,
    round: i32,
) -> AppResult<i32> {
    let (t, today) = at(now, days_ago);
    let input = ApplyInput {
        team_name: "椰风青年志愿服务队".into(),
        core_members: "负责人 1 名、骨干 4 名，均有三年以上社区志愿服务经历".into(),
        plan: "第一年完成登记，建立理事会，承接一个社区小项目；第二年独立申请政府购买服务。".into(),
        answers: vec!["服务社区老人和困境儿童。".into(), "财务管理、项目设计和筹资。".into()],
    };
    Ok(applications::apply(db, who, t, today, hub, round, &input).await?.id)
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    manager: &user::Model,
    now: DateTime<Utc>,
    days_ago: i64,
    hub: i32,
    application: i32,
    decision: &str,
    note: &str,
) -> AppResult<()> {
    let seat = hub_seat::Entity::find()
        .filter(hub_seat::Column::HubId.eq(hub))
        .filter(hub_seat::Column::HeldBy.is_null())
        .one(db)
        .await?
        .map(|s| s.id.to_string())
        .unwrap_or_default();
    let input = DecisionInput {
        decision: decision.into(),
        note: note.into(),
        seat_id: if decision == "accept" { seat } else { String::new() },
        ..Default::default()
    };
    applications::decide(db, emails, &origin(), manager, at(now, days_ago).0, hub, application, &input).await?;
    Ok(())
}

async fn membership_of(db: &DatabaseConnection, application: i32) -> AppResult<hub_membership::Model> {
    hub_membership::Entity::find()
        .filter(hub_membership::Column::ApplicationId.eq(application))
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)
}

/// Services over the months of incubation: a course, a mentoring session, space.
async fn log_services(
    db: &DatabaseConnection,
    manager: &user::Model,
    now: DateTime<Utc>,
    hub: i32,
    m: &hub_membership::Model,
    from_days_ago: i64,
    to_days_ago: i64,
) -> AppResult<()> {
    const COURSES: [&str; 4] = ["社会组织治理结构", "公益项目设计", "志愿者招募与管理", "财务管理与票据"];
    let mut d = from_days_ago;
    let mut n = 0usize;
    while d > to_days_ago {
        let (t, today) = at(now, d);
        let (kind, title, hours, attendees) = match n % 3 {
            0 => ("training", COURSES[(n / 3) % COURSES.len()], "3", "4"),
            1 => ("mentoring", "项目书一对一辅导", "1.5", ""),
            _ => ("funder_introduction", "对接三亚市慈善总会", "1", ""),
        };
        let input = ServiceInput {
            kind: kind.into(),
            delivered_on: today.to_string(),
            title: title.into(),
            hours: hours.into(),
            attendees: attendees.into(),
            note: String::new(),
        };
        memberships::add_service(db, manager, t, today, hub, m.id, &input).await?;
        d -= 23;
        n += 1;
    }
    Ok(())
}

async fn assess(
    db: &DatabaseConnection,
    manager: &user::Model,
    now: DateTime<Utc>,
    days_ago: i64,
    hub: i32,
    m: i32,
    outcome: &str,
) -> AppResult<()> {
    let checklist = hubs::checklist(db, hub).await?;
    let graduating = outcome == "graduated";
    let input = AssessmentInput {
        outcome: outcome.into(),
        note: if graduating {
            "达到出壳条件，准予出壳。".into()
        } else {
            "核心成员离开，团队停止活动。".into()
        },
        new_end_on: String::new(),
        met: if graduating { checklist.iter().map(|c| c.id.to_string()).collect() } else { vec![] },
        evidence: if graduating {
            checklist.iter().map(|c| (c.id.to_string(), format!("已核验：{}", c.title))).collect()
        } else {
            Default::default()
        },
    };
    let (t, today) = at(now, days_ago);
    memberships::assess(db, manager, t, today, hub, m, &input).await?;
    Ok(())
}

/// Loads both hubs. `orgs` are active, unlisted organizations to admit (at least 19);
/// `ngo` is the demo's NGO account, whose organization applies to the open round.
pub async fn load(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    places: &Places,
    now: DateTime<Utc>,
    (manager, ngo): (&user::Model, &user::Model),
    orgs: &[i32],
) -> AppResult<()> {
    let officer = Actor::system("demo");
    let mut pool = orgs.iter().copied();
    for (k, h) in HUBS.iter().enumerate() {
        let hub = create_hub(db, &officer, places, now, manager, h).await?;
        let cx = History { db, emails, manager, now, hub };
        graduated_cohort(&cx, &mut pool).await?;
        incubating_cohort(&cx, k, &mut pool).await?;
        round_in_review(&cx, &mut pool).await?;
        round_open_now(&cx, &officer, k, ngo, &mut pool).await?;
    }
    Ok(())
}

/// What every step of one hub's history needs: the hub, its manager and the clock.
struct History<'a> {
    db: &'a DatabaseConnection,
    emails: &'a EmailTemplates,
    manager: &'a user::Model,
    now: DateTime<Utc>,
    hub: i32,
}

/// Creates the hub, managed by `manager`, with its checklist for graduation; returns its id.
async fn create_hub(
    db: &DatabaseConnection,
    officer: &Actor,
    places: &Places,
    now: DateTime<Utc>,
    manager: &user::Model,
    h: &DemoHub,
) -> AppResult<i32> {
    let district = places.district(h.district).map(|d| d.id.to_string()).unwrap_or_default();
    let input = HubInput {
        name: h.name.into(),
        hub_type: h.hub_type.into(),
        district_id: district,
        address: h.address.into(),
        capacity: h.capacity.to_string(),
        mode: "physical".into(),
        space_unit: h.space_unit.into(),
        default_term_months: "12".into(),
        description: "为初创期社会组织和社区社会组织提供办公场地、能力培训、导师辅导和资源对接。".into(),
        managers: vec![manager.id.to_string()],
        ..Default::default()
    };
    let hub = hubs::create(db, officer, at(now, 1000).0, places, &input).await?.id;
    for (title, required) in h.checklist {
        let item = ChecklistItemInput {
            title: (*title).into(),
            required: if *required { "on".into() } else { String::new() },
        };
        hubs::add_checklist_item(db, officer, at(now, 1000).0, hub, &item).await?;
    }
    Ok(hub)
}

/// Graduated cohort: admitted ~2 years ago; two graduate, one exits.
async fn graduated_cohort(cx: &History<'_>, pool: &mut impl Iterator<Item = i32>) -> AppResult<()> {
    let History { db, emails, manager, now, hub } = *cx;
    let round = open_round(db, manager, now, hub, "2024 年第一批", 800, 3).await?;
    let mut members = vec![];
    for org in pool.take(3).collect::<Vec<i32>>() {
        let who = member_account(db, now, org).await?;
        let a = apply(db, &who, now, 795, hub, round).await?;
        decide(db, emails, manager, now, 770, hub, a, "accept", "欢迎入驻。").await?;
        members.push(membership_of(db, a).await?);
    }
    rounds::change_status(db, emails, &origin(), manager, at(now, 765).0, hub, round, "closed").await?;
    for (i, m) in members.iter().enumerate() {
        log_services(db, manager, now, hub, m, 755, if i == 2 { 505 } else { 420 }).await?;
    }
    assess(db, manager, now, 390, hub, members[0].id, "graduated").await?;
    assess(db, manager, now, 388, hub, members[1].id, "graduated").await?;
    assess(db, manager, now, 500, hub, members[2].id, "exited").await?;
    Ok(())
}

/// Incubating cohort: admitted ~11 months ago; one ends within 30 days. `k` is the hub's place
/// in `HUBS`.
async fn incubating_cohort(cx: &History<'_>, k: usize, pool: &mut impl Iterator<Item = i32>) -> AppResult<()> {
    let History { db, emails, manager, now, hub } = *cx;
    let round = open_round(db, manager, now, hub, "2025 年第一批", 380, 4).await?;
    let mut members = vec![];
    for org in pool.take(3).collect::<Vec<i32>>() {
        let who = member_account(db, now, org).await?;
        let a = apply(db, &who, now, 375, hub, round).await?;
        decide(db, emails, manager, now, 350 - 5 * k as i64, hub, a, "accept", "").await?;
        members.push(membership_of(db, a).await?);
    }
    rounds::change_status(db, emails, &origin(), manager, at(now, 345).0, hub, round, "closed").await?;
    for m in &members {
        log_services(db, manager, now, hub, m, 335, 1).await?;
    }
    Ok(())
}

/// In review: applications closed, decisions under way.
async fn round_in_review(cx: &History<'_>, pool: &mut impl Iterator<Item = i32>) -> AppResult<()> {
    let History { db, emails, manager, now, hub } = *cx;
    let round = open_round(db, manager, now, hub, "2026 年秋季批次", 45, 3).await?;
    let mut apps = vec![];
    for org in pool.take(3).collect::<Vec<i32>>() {
        let who = member_account(db, now, org).await?;
        apps.push(apply(db, &who, now, 40, hub, round).await?);
    }
    rounds::change_status(db, emails, &origin(), manager, at(now, 14).0, hub, round, "reviewing").await?;
    decide(db, emails, manager, now, 10, hub, apps[1], "waitlist", "名额有限，列入候补。").await?;
    decide(db, emails, manager, now, 9, hub, apps[2], "reject", "服务领域与基地定位不符。").await?;
    Ok(())
}

/// Open for applications now: the demo NGO account's organization has applied to the first
/// hub (`k` is 0), another organization to the second, and an unregistered team to the first.
async fn round_open_now(
    cx: &History<'_>,
    officer: &Actor,
    k: usize,
    ngo: &user::Model,
    pool: &mut impl Iterator<Item = i32>,
) -> AppResult<()> {
    let History { db, manager, now, hub, .. } = *cx;
    let round = open_round(db, manager, now, hub, "2027 年春季批次", 5, 4).await?;
    if k == 0 {
        apply(db, ngo, now, 2, hub, round).await?;
    } else {
        for org in pool.take(1).collect::<Vec<i32>>() {
            let who = member_account(db, now, org).await?;
            apply(db, &who, now, 2, hub, round).await?;
        }
    }
    if k == 0 {
        let txn = db.begin().await?;
        let (team, _) = accounts::create_account(
            &txn,
            officer,
            now,
            "team@demo.fuhua.local",
            "椰风青年志愿服务队 陈队长",
            Role::NgoMember,
            None,
            None,
        )
        .await?;
        txn.commit().await?;
        apply(db, &team, now, 1, hub, round).await?;
    }
    Ok(())
}
