//! The synthetic registry of the list and search benchmark (`fuhua bench-seed`).
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{OrgStatus, OrgType, ServiceCategory};
use entity::{organization, organization_category, organization_name_gram};
use fuhua::demo::REPRESENTATIVES;
use fuhua::domain::organizations::{self, Places};
use fuhua::domain::{places, uscc};
use fuhua::error::AppResult;
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryOrder,
    TransactionTrait,
};

/// The first words of the synthetic names.
const PREFIXES: [&str; 12] =
    ["阳光", "夕阳红", "椰风", "海韵", "南山", "鹿城", "同心", "益众", "爱心", "晨曦", "星辰", "彩虹"];
/// The kinds of organization the synthetic names end with.
const KINDS: [&str; 7] =
    ["社会工作服务中心", "养老服务中心", "志愿者协会", "文体协会", "公益基金会", "家庭服务中心", "助残服务社"];

/// A large synthetic registry for the benchmark: `count` organizations spread over the
/// districts, inserted in batches (not audited: this is test data, not anyone's act).
pub async fn seed(db: &DatabaseConnection, count: usize, now: DateTime<Utc>) -> AppResult<()> {
    places::ensure(db).await?;
    let places = Places::load(db).await?;
    let start = organization::Entity::find().count(db).await? as usize;
    let mut i = start;
    while i < start + count {
        let txn = db.begin().await?;
        let end = (i + 1000).min(start + count);
        insert_batch(&txn, &places, i, end, now).await?;
        txn.commit().await?;
        i = end;
    }
    refresh_statistics(db).await
}

/// The name of the `n`-th synthetic organization.
fn name_of(places: &Places, n: usize) -> String {
    let d = &places.districts[n % places.districts.len()];
    format!("三亚市{}{}第{}号{}", d.name_zh, PREFIXES[n % PREFIXES.len()], n, KINDS[n % KINDS.len()])
}

/// Inserts the organizations `i..end` with their categories and name bigrams.
async fn insert_batch(
    txn: &DatabaseTransaction,
    places: &Places,
    i: usize,
    end: usize,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let batch: Vec<organization::ActiveModel> = (i..end).map(|n| organization_row(places, n, now)).collect();
    organization::Entity::insert_many(batch).exec_without_returning(txn).await?;
    let last_id = organization::Entity::find()
        .order_by_desc(organization::Column::Id)
        .one(txn)
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
    organization_category::Entity::insert_many(cats).exec_without_returning(txn).await?;
    let grams: Vec<organization_name_gram::ActiveModel> = (0..(end - i))
        .flat_map(|k| {
            let id = first_id + k as i32;
            organizations::bigrams(&name_of(places, i + k))
                .into_iter()
                .map(move |gram| organization_name_gram::ActiveModel { gram: Set(gram), organization_id: Set(id) })
        })
        .collect();
    for chunk in grams.chunks(2000) {
        organization_name_gram::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// The row of the `n`-th synthetic organization: its type, status and date of registration vary with `n`.
fn organization_row(places: &Places, n: usize, now: DateTime<Utc>) -> organization::ActiveModel {
    let d = &places.districts[n % places.districts.len()];
    let name = name_of(places, n);
    organization::ActiveModel {
        name_initials: Set(organizations::initials(&name)),
        name: Set(name),
        uscc: Set(Some(uscc::make('2', "460200", &format!("B{:08}", n)))),
        uscc_override_reason: Set(None),
        org_type: Set([OrgType::SocialGroup, OrgType::SocialServiceInstitution, OrgType::Foundation][n % 3]),
        status: Set(if n.is_multiple_of(17) { OrgStatus::Suspended } else { OrgStatus::Active }),
        registration_date: Set(NaiveDate::from_ymd_opt(
            2010 + (n % 15) as i32,
            1 + (n % 12) as u32,
            1 + (n % 28) as u32,
        )
        .unwrap_or_default()),
        registration_authority: Set("三亚市民政局".into()),
        legal_representative: Set(REPRESENTATIVES[n % REPRESENTATIVES.len()].into()),
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
}

/// What autovacuum would do in time: fresh statistics and visibility for the planner.
async fn refresh_statistics(db: &DatabaseConnection) -> AppResult<()> {
    let refresh = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    sea_orm::ConnectionTrait::execute_unprepared(db, refresh).await?;
    Ok(())
}
