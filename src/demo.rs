//! The demo dataset for Sanya (loaded by `serve --demo` into an empty database) and the
//! synthetic registry the benchmark uses.
use crate::domain::accounts;
use crate::domain::audit::Actor;
use crate::domain::organizations::{self, OrganizationInput, Places};
use crate::domain::outbox::EmailTemplates;
use crate::domain::records::{self, AnnualReportInput, GradeInput, ListEntryInput, PenaltyInput};
use crate::domain::uscc;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{CommunityKind, OrgStatus, OrgType, Role, ServiceCategory};
use entity::{community, district, organization, organization_category, organization_name_gram, user};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

/// Sanya's districts: GB/T 2260 codes; 育才生态区 is a management area without one.
pub const DISTRICTS: &[(&str, &str, &str)] = &[
    ("460202", "海棠区", "Haitang"),
    ("460203", "吉阳区", "Jiyang"),
    ("460204", "天涯区", "Tianya"),
    ("460205", "崖州区", "Yazhou"),
    ("460200-YC", "育才生态区", "Yucai Ecological Zone"),
];

const COMMUNITIES: &[(&str, &str, CommunityKind)] = &[
    ("460202", "林旺社区", CommunityKind::Residents),
    ("460202", "藤桥社区", CommunityKind::Residents),
    ("460202", "北山村", CommunityKind::Village),
    ("460202", "湾坡村", CommunityKind::Village),
    ("460203", "红沙社区", CommunityKind::Residents),
    ("460203", "榆港社区", CommunityKind::Residents),
    ("460203", "月川社区", CommunityKind::Residents),
    ("460203", "南新农场社区", CommunityKind::Farm),
    ("460203", "博后村", CommunityKind::Village),
    ("460204", "金鸡岭社区", CommunityKind::Residents),
    ("460204", "三亚湾社区", CommunityKind::Residents),
    ("460204", "凤凰村", CommunityKind::Village),
    ("460204", "水蛟村", CommunityKind::Village),
    ("460205", "城西社区", CommunityKind::Residents),
    ("460205", "水南村", CommunityKind::Village),
    ("460205", "南滨农场社区", CommunityKind::Farm),
    ("460200-YC", "抱前村", CommunityKind::Village),
    ("460200-YC", "雅亮村", CommunityKind::Village),
];

/// Loads districts and communities if there are none.
pub async fn ensure_places(db: &DatabaseConnection) -> AppResult<()> {
    if district::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let txn = db.begin().await?;
    for (code, zh, en) in DISTRICTS {
        district::Entity::insert(district::ActiveModel {
            code: Set(code.to_string()),
            name_zh: Set(zh.to_string()),
            name_en: Set(en.to_string()),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
    }
    let districts = district::Entity::find().all(&txn).await?;
    for (code, name, kind) in COMMUNITIES {
        let Some(d) = districts.iter().find(|d| d.code == *code) else { continue };
        community::Entity::insert(community::ActiveModel {
            district_id: Set(d.id),
            name_zh: Set(name.to_string()),
            kind: Set(*kind),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

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

const REPS: &[&str] = &["王海", "李娜", "陈明", "林芳", "黄伟", "吴静", "符强", "周婷", "郑华", "邢丽"];

/// The demo: places, ~30 organizations of every type and status with their records, and one
/// account per role. Returns the accounts and their one-time passwords.
pub async fn load(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    sealer: &crate::domain::sealing::Sealer,
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, Role, String)>> {
    if user::Entity::find().count(db).await? > 0 || organization::Entity::find().count(db).await? > 0 {
        return Err(AppError::Conflict(crate::i18n::Msg::new("demo.not_empty")));
    }
    ensure_places(db).await?;
    let today = crate::i18n::to_local(now).date_naive();
    let actor = Actor::system("demo");
    let txn = db.begin().await?;
    let mut accounts_made = Vec::new();
    for (email, name, role) in [
        ("admin@fuhua.local", "系统管理员", Role::Admin),
        ("officer@fuhua.local", "民政局 张科长", Role::Officer),
        ("hub@fuhua.local", "孵化基地 刘经理", Role::HubManager),
        ("expert@fuhua.local", "评审专家 赵教授", Role::Expert),
        ("evaluator@fuhua.local", "第三方评估 孙老师", Role::Evaluator),
    ] {
        let (u, pw) = accounts::create_account(&txn, &actor, now, email, name, role, None, None).await?;
        accounts_made.push((u.email, role, pw));
    }
    txn.commit().await?;
    let places = Places::load(db).await?;
    let mut ids = Vec::new();
    for (i, (name, t, district, cats)) in DEMO_ORGS.iter().enumerate() {
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
        let input = OrganizationInput {
            name: name.to_string(),
            uscc: if *t == OrgType::Filing {
                String::new()
            } else {
                uscc::make(type_digit, "460200", &format!("MJ{:07}", 1000 + i))
            },
            org_type: t.code().into(),
            registration_date: NaiveDate::from_ymd_opt(
                2012 + (i as i32 % 12),
                1 + (i as u32 % 12),
                1 + (i as u32 % 27),
            )
            .map(|d| d.to_string())
            .unwrap_or_default(),
            registration_authority: if *t == OrgType::Filing {
                format!("{district}民政局")
            } else {
                "三亚市民政局".into()
            },
            legal_representative: REPS[i % REPS.len()].into(),
            address: format!("海南省三亚市{district}{}号", 10 + i * 7),
            district_id: d.to_string(),
            community_id: community,
            business_scope: "开展社区服务、专业培训、志愿服务、政策咨询等公益活动。".into(),
            registered_funds: if *t == OrgType::Foundation {
                "4000000".into()
            } else {
                format!("{}", 30000 + i * 10000)
            },
            supervising_unit: if *t == OrgType::SocialGroup { "三亚市民政局".into() } else { String::new() },
            certificate_valid_until: "2030-12-31".into(),
            categories: vec![cats.to_string()],
            contact_name: REPS[(i + 3) % REPS.len()].into(),
            contact_phone: format!("0898-88{:06}", 123456 + i * 111),
            contact_email: format!("contact{i}@example.org"),
            uscc_override_reason: String::new(),
        };
        let org = organizations::create(db, &actor, now, today, &input).await?;
        ids.push(org.id);
        let year = chrono::Datelike::year(&today) - 1;
        let result = match i % 10 {
            7 => "failed",
            4 => "basically_passed",
            _ => "passed",
        };
        records::add_annual_report(
            db,
            &actor,
            now,
            today,
            org.id,
            &AnnualReportInput { year: year.to_string(), result: result.into(), note: String::new() },
        )
        .await?;
        if i % 3 == 0 {
            let from = today - chrono::Duration::days(400 + i as i64 * 10);
            records::add_grade(
                db,
                &actor,
                now,
                today,
                org.id,
                &GradeInput { grade: format!("{}", 3 + i % 3), valid_from: from.to_string(), valid_to: String::new() },
            )
            .await?;
        }
    }
    let day = |days: i64| (today - chrono::Duration::days(days)).to_string();
    if let Some(&id) = ids.get(7) {
        records::add_list_entry(
            db,
            &actor,
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
            &actor,
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
            &actor,
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
    for (idx, to) in [
        (20usize, OrgStatus::Suspended),
        (21, OrgStatus::Suspended),
        (22, OrgStatus::Deregistered),
        (12, OrgStatus::Revoked),
    ] {
        if let Some(&id) = ids.get(idx) {
            organizations::change_status(db, &actor, now, id, to, "演示数据").await?;
        }
    }
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
    // Incubation: organizations that are active and on no list enter the hubs.
    let inactive_or_listed = [0usize, 7, 12, 20, 21, 22];
    let pool: Vec<i32> =
        ids.iter().enumerate().filter(|(i, _)| !inactive_or_listed.contains(i)).map(|(_, id)| *id).collect();
    let manager = user::Entity::find()
        .filter(user::Column::Role.eq(Role::HubManager))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::demo_hubs::load(db, emails, &places, now, (&manager, &u), &pool).await?;
    let officer =
        user::Entity::find().filter(user::Column::Role.eq(Role::Officer)).one(db).await?.ok_or(AppError::NotFound)?;
    // Bidders: active, on no list, with a passed annual report (every tenth failed it).
    let bidders: Vec<i32> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| !inactive_or_listed.contains(i) && i % 10 != 7)
        .map(|(_, id)| *id)
        .collect();
    crate::demo_calls::load(db, emails, sealer, &places, now, (&officer, &u), &bidders).await?;
    crate::demo_awards::load(db, emails, sealer, &places, now, &officer, &bidders).await?;
    let (made, current, provider) =
        crate::demo_contracts::load(db, emails, sealer, &places, now, &officer, &bidders).await?;
    accounts_made.extend(made);
    let evaluator =
        user::Entity::find().filter(user::Column::Role.eq(Role::Evaluator)).one(db).await?.ok_or(AppError::NotFound)?;
    let people = crate::demo_evaluations::People { officer: &officer, evaluator: &evaluator, provider: &provider };
    accounts_made
        .extend(crate::demo_evaluations::load(db, emails, sealer, &places, now, &people, &current, &bidders).await?);
    Ok(accounts_made)
}

/// A large synthetic registry for the benchmark: `count` organizations spread over the
/// districts, inserted in batches (not audited: this is test data, not anyone's act).
pub async fn bench_seed(db: &DatabaseConnection, count: usize, now: DateTime<Utc>) -> AppResult<()> {
    ensure_places(db).await?;
    let places = Places::load(db).await?;
    let prefixes = ["阳光", "夕阳红", "椰风", "海韵", "南山", "鹿城", "同心", "益众", "爱心", "晨曦", "星辰", "彩虹"];
    let kinds =
        ["社会工作服务中心", "养老服务中心", "志愿者协会", "文体协会", "公益基金会", "家庭服务中心", "助残服务社"];
    let start = organization::Entity::find().count(db).await? as usize;
    let mut i = start;
    while i < start + count {
        let txn = db.begin().await?;
        let end = (i + 1000).min(start + count);
        let name_of = |n: usize| {
            let d = &places.districts[n % places.districts.len()];
            format!("三亚市{}{}第{}号{}", d.name_zh, prefixes[n % prefixes.len()], n, kinds[n % kinds.len()])
        };
        let batch: Vec<organization::ActiveModel> =
            (i..end)
                .map(|n| {
                    let d = &places.districts[n % places.districts.len()];
                    let name = name_of(n);
                    organization::ActiveModel {
                        name_initials: Set(organizations::initials(&name)),
                        name: Set(name),
                        uscc: Set(Some(uscc::make('2', "460200", &format!("B{:08}", n)))),
                        uscc_override_reason: Set(None),
                        org_type: Set(
                            [OrgType::SocialGroup, OrgType::SocialServiceInstitution, OrgType::Foundation][n % 3]
                        ),
                        status: Set(if n % 17 == 0 { OrgStatus::Suspended } else { OrgStatus::Active }),
                        registration_date: Set(NaiveDate::from_ymd_opt(
                            2010 + (n % 15) as i32,
                            1 + (n % 12) as u32,
                            1 + (n % 28) as u32,
                        )
                        .unwrap_or_default()),
                        registration_authority: Set("三亚市民政局".into()),
                        legal_representative: Set(REPS[n % REPS.len()].into()),
                        address: Set(format!("海南省三亚市{}{}号", d.name_zh, n)),
                        district_id: Set(d.id),
                        community_id: Set(None),
                        business_scope: Set("开展社区服务。".into()),
                        registered_funds_fen: Set(3_000_000),
                        supervising_unit: Set(None),
                        certificate_valid_until: Set(None),
                        contact_name: Set(String::new()),
                        contact_phone: Set(String::new()),
                        contact_email: Set(String::new()),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                })
                .collect();
        organization::Entity::insert_many(batch).exec_without_returning(&txn).await?;
        let last_id = organization::Entity::find()
            .order_by_desc(organization::Column::Id)
            .one(&txn)
            .await?
            .map(|o| o.id)
            .unwrap_or_default();
        let first_id = last_id - (end - i) as i32 + 1;
        let cats: Vec<organization_category::ActiveModel> = (0..(end - i))
            .map(|k| organization_category::ActiveModel {
                organization_id: Set(first_id + k as i32),
                category: Set(ServiceCategory::ALL[(i + k) % ServiceCategory::ALL.len()]),
            })
            .collect();
        organization_category::Entity::insert_many(cats).exec_without_returning(&txn).await?;
        let grams: Vec<organization_name_gram::ActiveModel> = (0..(end - i))
            .flat_map(|k| {
                let id = first_id + k as i32;
                organizations::bigrams(&name_of(i + k))
                    .into_iter()
                    .map(move |gram| organization_name_gram::ActiveModel { gram: Set(gram), organization_id: Set(id) })
            })
            .collect();
        for chunk in grams.chunks(2000) {
            organization_name_gram::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        i = end;
    }
    // What autovacuum would do in time: fresh statistics and visibility for the planner.
    let refresh = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    sea_orm::ConnectionTrait::execute_unprepared(db, refresh).await?;
    Ok(())
}
