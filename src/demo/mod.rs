//! The demo dataset for Sanya, loaded by `serve --demo` into an empty database: accounts,
//! organizations and their records, then hubs, calls, awards, contracts and evaluations
//! (one submodule each), so that every page has something true to show.
mod awards;
mod calls;
mod contracts;
mod evaluations;
mod hubs;

use crate::domain::accounts;
use crate::domain::audit::Actor;
use crate::domain::organizations::{self, OrganizationInput, Places};
use crate::domain::outbox::EmailTemplates;
use crate::domain::records::{self, AnnualReportInput, GradeInput, ListEntryInput, PenaltyInput};
use crate::domain::uscc;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{OrgStatus, OrgType, Role};
use entity::{organization, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};

const DEMO_ORGS: &[(&str, OrgType, &str, &str)] = &[
    ("三亚市阳光社会工作服务中心", OrgType::SocialServiceInstitution, "吉阳区", "social_work;children"),
    ("三亚市夕阳红居家养老服务中心", OrgType::SocialServiceInstitution, "天涯区", "elderly"),
    ("三亚市青少年成长服务中心", OrgType::SocialServiceInstitution, "吉阳区", "youth;children"),
    ("三亚市妇女儿童家庭服务中心", OrgType::SocialServiceInstitution, "天涯区", "women_family;children"),
    ("三亚市志愿者协会", OrgType::SocialGroup, "吉阳区", "volunteer"),
    ("三亚市社会工作者协会", OrgType::SocialGroup, "天涯区", "social_work;capacity_building"),
    ("三亚市助残服务中心", OrgType::SocialServiceInstitution, "海棠区", "disability"),
    ("三亚市慈善总会", OrgType::SocialGroup, "吉阳区", "social_assistance"),
    ("三亚市椰城公益基金会", OrgType::Foundation, "吉阳区", "children;social_assistance"),
    ("三亚市海之蓝环保公益基金会", OrgType::Foundation, "天涯区", "volunteer;disaster_relief"),
    ("三亚市崖州文体协会", OrgType::SocialGroup, "崖州区", "culture_sports"),
    ("三亚市人民调解协会", OrgType::SocialGroup, "天涯区", "mediation"),
    ("三亚市禁毒志愿服务队", OrgType::SocialGroup, "吉阳区", "drug_prevention;volunteer"),
    ("三亚市社区矫正帮扶中心", OrgType::SocialServiceInstitution, "崖州区", "community_correction"),
    ("三亚市海棠湾社区服务中心", OrgType::SocialServiceInstitution, "海棠区", "community_life;elderly"),
    ("三亚市应急救援志愿者协会", OrgType::SocialGroup, "海棠区", "disaster_relief;volunteer"),
    ("三亚市社会组织评估中心", OrgType::SocialServiceInstitution, "吉阳区", "third_party_evaluation"),
    ("三亚市益众社会组织孵化中心", OrgType::SocialServiceInstitution, "天涯区", "capacity_building"),
    ("三亚市老年人体育协会", OrgType::SocialGroup, "天涯区", "culture_sports;elderly"),
    ("三亚市心晴心理咨询服务中心", OrgType::SocialServiceInstitution, "吉阳区", "social_work;women_family"),
    ("三亚市困境儿童关爱中心", OrgType::SocialServiceInstitution, "崖州区", "children;social_assistance"),
    ("三亚市育才社区发展促进会", OrgType::SocialGroup, "育才生态区", "community_life"),
    ("三亚市黎族文化传承协会", OrgType::SocialGroup, "育才生态区", "culture_sports"),
    ("三亚市长者食堂服务中心", OrgType::SocialServiceInstitution, "吉阳区", "elderly;community_life"),
    ("三亚市家庭教育指导中心", OrgType::SocialServiceInstitution, "海棠区", "women_family;youth"),
    ("红沙社区邻里互助队", OrgType::Filing, "吉阳区", "community_life;volunteer"),
    ("金鸡岭社区广场舞队", OrgType::Filing, "天涯区", "culture_sports"),
    ("城西社区夕阳读书会", OrgType::Filing, "崖州区", "elderly;culture_sports"),
    ("三亚市康乐残疾人服务社", OrgType::SocialServiceInstitution, "天涯区", "disability;community_life"),
    ("三亚市海韵慈善基金会", OrgType::Foundation, "海棠区", "social_assistance;children"),
];

/// Legal representatives' names, also for the benchmark's synthetic registry.
pub const REPRESENTATIVES: &[&str] = &["王海", "李娜", "陈明", "林芳", "黄伟", "吴静", "符强", "周婷", "郑华", "邢丽"];

/// The demo: places, ~30 organizations of every type and status with their records, and one
/// account per role. Returns the accounts and their one-time passwords.
pub async fn load(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    origin: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, Role, String)>> {
    if user::Entity::find().count(db).await? > 0 || organization::Entity::find().count(db).await? > 0 {
        return Err(AppError::Conflict(crate::i18n::Msg::new("demo.not_empty")));
    }
    crate::domain::places::ensure(db).await?;
    let today = crate::i18n::to_local(now).date_naive();
    let actor = Actor::system("demo");
    let mut accounts_made = staff_accounts(db, &actor, now).await?;
    let places = Places::load(db).await?;
    let mut ids = Vec::new();
    for (i, entry) in DEMO_ORGS.iter().enumerate() {
        let org = organizations::create(db, &actor, now, today, &organization_input(&places, i, entry)).await?;
        ids.push(org.id);
        add_yearly_records(db, &actor, now, today, i, org.id).await?;
    }
    add_sanctions(db, &actor, now, today, &ids).await?;
    change_statuses(db, &actor, now, &ids).await?;
    // The NGO account speaks for the first organization.
    let txn = db.begin().await?;
    let (u, pw) = accounts::create_account(
        &txn,
        &actor,
        now,
        "ngo@fuhua.local",
        "阳光社工 李干事",
        Role::NgoMember,
        ids.first().copied(),
        None,
    )
    .await?;
    txn.commit().await?;
    accounts_made.push((u.email.clone(), Role::NgoMember, pw));
    // The demo's mail links to where this server is reached, as real mail would.
    accounts_made.extend(hubs::with_origin(origin, load_activity(db, emails, sealer, &places, now, &u, &ids)).await?);
    Ok(accounts_made)
}

/// One account for each staff role, made in one transaction; returns them with their passwords.
async fn staff_accounts(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, Role, String)>> {
    let txn = db.begin().await?;
    let mut accounts_made = Vec::new();
    for (email, name, role) in [
        ("admin@fuhua.local", "系统管理员", Role::Admin),
        ("officer@fuhua.local", "民政局 张科长", Role::Officer),
        ("hub@fuhua.local", "孵化基地 刘经理", Role::HubManager),
        ("expert@fuhua.local", "评审专家 赵教授", Role::Expert),
        ("evaluator@fuhua.local", "第三方评估 孙老师", Role::Evaluator),
    ] {
        let (u, pw) = accounts::create_account(&txn, actor, now, email, name, role, None, None).await?;
        accounts_made.push((u.email, role, pw));
    }
    txn.commit().await?;
    Ok(accounts_made)
}

/// The registration form of the `i`-th demo organization, its details varied with `i`.
fn organization_input(
    places: &Places,
    i: usize,
    (name, t, district, cats): &(&str, OrgType, &str, &str),
) -> OrganizationInput {
    let d = places.district(district).map(|d| d.id).unwrap_or(1);
    let community = places
        .communities
        .iter()
        .filter(|c| c.district_id == d)
        .nth(i % 2)
        .map(|c| c.id.to_string())
        .unwrap_or_default();
    let type_digit = match t {
        OrgType::SocialGroup => '1',
        OrgType::SocialServiceInstitution => '2',
        OrgType::Foundation => '3',
        OrgType::Filing => '9',
    };
    OrganizationInput {
        name: name.to_string(),
        uscc: if *t == OrgType::Filing {
            String::new()
        } else {
            uscc::make(type_digit, "460200", &format!("MJ{:07}", 1000 + i))
        },
        org_type: t.code().into(),
        registration_date: NaiveDate::from_ymd_opt(2012 + (i as i32 % 12), 1 + (i as u32 % 12), 1 + (i as u32 % 27))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        registration_authority: if *t == OrgType::Filing {
            format!("{district}民政局")
        } else {
            "三亚市民政局".into()
        },
        legal_representative: REPRESENTATIVES[i % REPRESENTATIVES.len()].into(),
        address: format!("海南省三亚市{district}{}号", 10 + i * 7),
        district_id: d.to_string(),
        community_id: community,
        business_scope: "开展社区服务、专业培训、志愿服务、政策咨询等公益活动。".into(),
        registered_funds: if *t == OrgType::Foundation { "4000000".into() } else { format!("{}", 30000 + i * 10000) },
        supervising_unit: if *t == OrgType::SocialGroup { "三亚市民政局".into() } else { String::new() },
        certificate_valid_until: "2030-12-31".into(),
        categories: vec![cats.to_string()],
        contact_name: REPRESENTATIVES[(i + 3) % REPRESENTATIVES.len()].into(),
        contact_phone: format!("0898-88{:06}", 123456 + i * 111),
        contact_email: format!("contact{i}@example.org"),
        uscc_override_reason: String::new(),
    }
}

/// Last year's annual report of the `i`-th organization (every tenth failed) and, for every
/// third, a grade.
async fn add_yearly_records(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    i: usize,
    org: i32,
) -> AppResult<()> {
    let year = chrono::Datelike::year(&today) - 1;
    let result = match i % 10 {
        7 => "failed",
        4 => "basically_passed",
        _ => "passed",
    };
    records::add_annual_report(
        db,
        actor,
        now,
        today,
        org,
        &AnnualReportInput { year: year.to_string(), result: result.into(), note: String::new() },
    )
    .await?;
    if i.is_multiple_of(3) {
        let from = today - chrono::Duration::days(400 + i as i64 * 10);
        records::add_grade(
            db,
            actor,
            now,
            today,
            org,
            &GradeInput { grade: format!("{}", 3 + i % 3), valid_from: from.to_string(), valid_to: String::new() },
        )
        .await?;
    }
    Ok(())
}

/// Puts two organizations on the abnormal and dishonesty lists and records a penalty on a third.
async fn add_sanctions(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    ids: &[i32],
) -> AppResult<()> {
    let day = |days: i64| (today - chrono::Duration::days(days)).to_string();
    if let Some(&id) = ids.get(7) {
        records::add_list_entry(
            db,
            actor,
            now,
            today,
            id,
            &ListEntryInput {
                kind: "abnormal_list".into(),
                entered_on: day(90),
                reason: "未按规定报送年度工作报告".into(),
            },
        )
        .await?;
    }
    if let Some(&id) = ids.get(12) {
        records::add_list_entry(
            db,
            actor,
            now,
            today,
            id,
            &ListEntryInput {
                kind: "dishonesty_list".into(),
                entered_on: day(30),
                reason: "被列入活动异常名录满2年".into(),
            },
        )
        .await?;
    }
    if let Some(&id) = ids.get(13) {
        records::add_penalty(
            db,
            actor,
            now,
            today,
            id,
            &PenaltyInput {
                decided_on: day(200),
                authority: "三亚市民政局".into(),
                decision_number: "三民罚〔2026〕3号".into(),
                description: "未按章程开展活动，给予警告".into(),
                fine: String::new(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Suspends two organizations, deregisters one and revokes another.
async fn change_statuses(db: &DatabaseConnection, actor: &Actor, now: DateTime<Utc>, ids: &[i32]) -> AppResult<()> {
    for (idx, to) in [
        (20usize, OrgStatus::Suspended),
        (21, OrgStatus::Suspended),
        (22, OrgStatus::Deregistered),
        (12, OrgStatus::Revoked),
    ] {
        if let Some(&id) = ids.get(idx) {
            organizations::change_status(db, actor, now, id, to, "演示数据").await?;
        }
    }
    Ok(())
}

/// Hubs, calls, awards, contracts and evaluations among the organizations `ids`; returns the
/// providers' accounts made on the way.
async fn load_activity(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    places: &Places,
    now: DateTime<Utc>,
    ngo: &user::Model,
    ids: &[i32],
) -> AppResult<Vec<(String, Role, String)>> {
    let mut accounts_made = Vec::new();
    // Incubation: organizations that are active and on no list enter the hubs.
    let inactive_or_listed = [0usize, 7, 12, 20, 21, 22];
    let pool: Vec<i32> =
        ids.iter().enumerate().filter(|(i, _)| !inactive_or_listed.contains(i)).map(|(_, id)| *id).collect();
    let manager = user::Entity::find()
        .filter(user::Column::Role.eq(Role::HubManager))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    self::hubs::load(db, emails, places, now, (&manager, ngo), &pool).await?;
    let officer =
        user::Entity::find().filter(user::Column::Role.eq(Role::Officer)).one(db).await?.ok_or(AppError::NotFound)?;
    // Bidders: active, on no list, with a passed annual report (every tenth failed it).
    let bidders: Vec<i32> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| !inactive_or_listed.contains(i) && i % 10 != 7)
        .map(|(_, id)| *id)
        .collect();
    self::calls::load(db, emails, sealer, places, now, (&officer, ngo), &bidders).await?;
    self::awards::load(db, emails, sealer, places, now, &officer, &bidders).await?;
    let (made, current, provider) = self::contracts::load(db, emails, sealer, places, now, &officer, &bidders).await?;
    accounts_made.extend(made);
    let evaluator =
        user::Entity::find().filter(user::Column::Role.eq(Role::Evaluator)).one(db).await?.ok_or(AppError::NotFound)?;
    let people = self::evaluations::People { officer: &officer, evaluator: &evaluator, provider: &provider };
    accounts_made.extend(self::evaluations::load(db, emails, sealer, places, now, &people, &current, &bidders).await?);
    Ok(accounts_made)
}
