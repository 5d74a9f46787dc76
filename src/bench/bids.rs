//! Test data for the deadline-burst benchmark of sealed bids (bench/bids.sh): `orgs`
//! organizations that pass every eligibility rule of the call (active, registered five
//! years ago, last year's annual report passed, on no list), one verified NGO member account
//! for each (bench-ngo-<i>@fuhua.local), an officer (bench-officer@fuhua.local), all with the
//! given password, and one published call whose bids close `deadline_secs` from now.
//!
//! Inserted directly and not audited: this is test data, not anyone's act. The call in
//! particular bypasses the rules of publication (`calls::publish` would refuse a tender
//! period of minutes and a question deadline that has passed); everything bidders and
//! officers then do goes through the ordinary routes.
use chrono::{DateTime, Datelike, Duration, NaiveDate, SubsecRound, Utc};
use entity::enums::{
    AnnualResult, CallStatus, HubRule, OrgStatus, OrgType, PaymentCondition, ProcurementMethod, PurchaseType, Role,
    ServiceCategory,
};
use entity::{
    annual_report, call, call_criterion, call_instalment, organization, organization_category, organization_name_gram,
    user,
};
use fuhua::domain::{accounts, organizations, secrets, uscc};
use fuhua::error::{AppError, AppResult};
use fuhua::i18n::Locale;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

pub const OFFICER_EMAIL: &str = "bench-officer@fuhua.local";

pub fn ngo_email(i: usize) -> String {
    format!("bench-ngo-{i}@fuhua.local")
}

/// What the benchmark needs to know about the seeded call.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub call_id: i32,
    /// Whole seconds, so that its RFC 3339 form is exact.
    pub deadline: DateTime<Utc>,
    /// Organization ids, in account order (bench-ngo-0 speaks for the first).
    pub organizations: Vec<i32>,
}

/// The budget ceiling: far above any bid the benchmark makes.
pub const CEILING_FEN: i64 = 100_000_000;

pub async fn seed(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    orgs: usize,
    deadline_secs: i64,
    password: &str,
) -> AppResult<Seeded> {
    check_can_seed(db, orgs, deadline_secs, password).await?;
    let places = organizations::Places::load(db).await?;
    let district = places.districts.first().map(|d| d.id).ok_or(AppError::NotFound)?;
    let today = fuhua::i18n::to_local(now).date_naive();
    let registered = today.with_year(today.year() - 5).unwrap_or(today - Duration::days(5 * 366));
    // One Argon2 hash for every account: hashing 500 times would take longer than the run.
    let hash = secrets::hash_password(password).map_err(AppError::Internal)?;
    let stamp = now.timestamp_millis();

    let txn = db.begin().await?;
    let officer = insert_officer(&txn, &hash, now).await?;
    let bidders = Bidders { hash: &hash, now, today, registered, district, stamp, officer };
    let mut ids = Vec::with_capacity(orgs);
    for i in 0..orgs {
        ids.push(insert_bidder(&txn, &bidders, i).await?);
    }

    let deadline = (now + Duration::seconds(deadline_secs)).trunc_subsecs(0);
    let call_id = insert_call(&txn, now, stamp, district, deadline, officer).await?;
    insert_call_terms(&txn, call_id).await?;
    txn.commit().await?;
    Ok(Seeded { call_id, deadline, organizations: ids })
}

/// Refuses bad arguments, a weak password or a database that already holds the bench accounts.
async fn check_can_seed(db: &DatabaseConnection, orgs: usize, deadline_secs: i64, password: &str) -> AppResult<()> {
    if orgs == 0 || deadline_secs <= 0 {
        return Err(AppError::Internal("bench-seed-bids needs --orgs > 0 and --deadline-secs > 0".into()));
    }
    accounts::check_password(password).map_err(|m| AppError::Internal(Locale::En.msg(&m)))?;
    fuhua::domain::places::ensure(db).await?;
    let taken = user::Entity::find()
        .filter(user::Column::Email.is_in([OFFICER_EMAIL.to_string(), ngo_email(0)]))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(AppError::Internal("the bench accounts exist already: seed a fresh database".into()));
    }
    Ok(())
}

/// Inserts the officer's account; returns its id.
async fn insert_officer(txn: &DatabaseTransaction, hash: &str, now: DateTime<Utc>) -> AppResult<i32> {
    Ok(user::Entity::insert(user::ActiveModel {
        email: Set(OFFICER_EMAIL.into()),
        password_hash: Set(hash.to_owned()),
        display_name: Set("基准测试 采购科".into()),
        role: Set(Role::Officer),
        organization_id: Set(None),
        email_verified_at: Set(Some(now)),
        locale: Set(Locale::ZhCn.tag().into()),
        disabled: Set(false),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id)
}

/// What every bidding organization and its account share.
struct Bidders<'a> {
    /// The one password hash of every account.
    hash: &'a str,
    now: DateTime<Utc>,
    today: NaiveDate,
    registered: NaiveDate,
    district: i32,
    /// Keeps the credit codes of a second run apart.
    stamp: i64,
    /// The officer who records the annual reports.
    officer: i32,
}

/// Inserts the `i`-th bidding organization with its category, name bigrams, passed annual
/// report and member account; returns the organization's id.
async fn insert_bidder(txn: &DatabaseTransaction, cx: &Bidders<'_>, i: usize) -> AppResult<i32> {
    let name = format!("三亚市基准测试第{i}号社会工作服务中心");
    let org = insert_organization(txn, cx, i, &name).await?;
    organization_category::Entity::insert(organization_category::ActiveModel {
        organization_id: Set(org),
        category: Set(ServiceCategory::SocialWork),
    })
    .exec_without_returning(txn)
    .await?;
    let grams: Vec<organization_name_gram::ActiveModel> = organizations::bigrams(&name)
        .into_iter()
        .map(|gram| organization_name_gram::ActiveModel { gram: Set(gram), organization_id: Set(org) })
        .collect();
    organization_name_gram::Entity::insert_many(grams).exec_without_returning(txn).await?;
    annual_report::Entity::insert(annual_report::ActiveModel {
        organization_id: Set(org),
        year: Set(cx.today.year() - 1),
        result: Set(AnnualResult::Passed),
        note: Set(String::new()),
        recorded_by: Set(Some(cx.officer)),
        created_at: Set(cx.now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    user::Entity::insert(user::ActiveModel {
        email: Set(ngo_email(i)),
        password_hash: Set(cx.hash.to_owned()),
        display_name: Set(format!("基准测试 {i} 号 项目主管")),
        role: Set(Role::NgoMember),
        organization_id: Set(Some(org)),
        email_verified_at: Set(Some(cx.now)),
        locale: Set(Locale::ZhCn.tag().into()),
        disabled: Set(false),
        created_at: Set(cx.now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    Ok(org)
}

/// Inserts the `i`-th bidding organization's row, active and registered five years ago; returns its id.
async fn insert_organization(txn: &DatabaseTransaction, cx: &Bidders<'_>, i: usize, name: &str) -> AppResult<i32> {
    Ok(organization::Entity::insert(organization::ActiveModel {
        name_initials: Set(organizations::initials(name)),
        name: Set(name.to_owned()),
        // Distinct from bench-seed's "B…" codes; the stamp keeps a second run apart.
        uscc: Set(Some(uscc::make('2', "460200", &format!("D{:08}", (cx.stamp as usize + i) % 100_000_000)))),
        uscc_override_reason: Set(None),
        org_type: Set(OrgType::SocialServiceInstitution),
        status: Set(OrgStatus::Active),
        registration_date: Set(cx.registered),
        registration_authority: Set("三亚市民政局".into()),
        legal_representative: Set("王海".into()),
        address: Set(format!("海南省三亚市吉阳区基准路{i}号")),
        district_id: Set(cx.district),
        community_id: Set(None),
        business_scope: Set("开展社区服务。".into()),
        registered_funds_fen: Set(3_000_000),
        supervising_unit: Set(None),
        certificate_valid_until: Set(None),
        contact_name: Set(String::new()),
        contact_phone: Set(String::new()),
        contact_email: Set(String::new()),
        created_at: Set(cx.now),
        updated_at: Set(cx.now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id)
}

/// Inserts the published call whose bids close at `deadline`; returns its id.
async fn insert_call(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    stamp: i64,
    district: i32,
    deadline: DateTime<Utc>,
    officer: i32,
) -> AppResult<i32> {
    // Published with a tender period of minutes and questions already closed: test data,
    // past the rules of publication on purpose (see the module comment).
    Ok(call::Entity::insert(call::ActiveModel {
        reference: Set(Some(format!("BENCH-{stamp}"))),
        title: Set("基准测试：截止前集中投标的社区社会工作服务项目".into()),
        category: Set(ServiceCategory::SocialWork),
        purchase_type: Set(PurchaseType::SpecificProject),
        method: Set(ProcurementMethod::CompetitiveConsultation),
        budget_ceiling_fen: Set(CEILING_FEN),
        area_district_ids: Set(format!("[{district}]")),
        area_community_ids: Set("[]".into()),
        target_groups: Set("辖区内有需要的居民。".into()),
        outputs_expected: Set("个案服务 60 个；小组活动 24 节；社区活动 12 场。".into()),
        term_months: Set(12),
        multi_year: Set(false),
        // Every rule an organization can pass is asked, so each bid runs the whole check.
        min_years_registered: Set(1),
        min_grade: Set(0),
        require_annual_report: Set(true),
        hub_rule: Set(HubRule::None),
        org_types: Set(String::new()),
        question_deadline: Set(Some(now)),
        bid_deadline: Set(Some(deadline)),
        status: Set(CallStatus::Published),
        published_at: Set(Some(now)),
        cancel_reason: Set(None),
        created_by: Set(Some(officer)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id)
}

/// Inserts the call's three scoring criteria and its three instalments.
async fn insert_call_terms(txn: &DatabaseTransaction, call_id: i32) -> AppResult<()> {
    // Weights sum to 100 with one price criterion inside consultation's range (10–30).
    for (n, (name, weight, is_price)) in
        [("服务方案", 50, false), ("团队与管理", 30, false), ("报价", 20, true)].into_iter().enumerate()
    {
        call_criterion::Entity::insert(call_criterion::ActiveModel {
            call_id: Set(call_id),
            position: Set(n as i32 + 1),
            name: Set(name.into()),
            weight: Set(weight),
            description: Set(String::new()),
            is_price: Set(is_price),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    for (n, (percent, condition)) in
        [(30, PaymentCondition::Signing), (40, PaymentCondition::MidtermPassed), (30, PaymentCondition::FinalPassed)]
            .into_iter()
            .enumerate()
    {
        call_instalment::Entity::insert(call_instalment::ActiveModel {
            call_id: Set(call_id),
            position: Set(n as i32 + 1),
            percent: Set(percent),
            condition: Set(condition),
            description: Set(String::new()),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}
