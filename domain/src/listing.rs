//! Listing the registry: filters, sorting, paging and search (name fragment through the
//! bigram index, USCC prefix, pinyin initials), shaped so each page costs a few index
//! lookups rather than a scan.
use super::organization_input::Places;
use crate::access::Viewer;
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::enums::{OrgStatus, OrgType, ServiceCategory};
use entity::{organization, organization_category};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use serde::{Deserialize, Serialize};

/// Two-character pieces of a name, lower case, white space dropped: the search index.
/// (Migration 000002 computes the same for names that existed before it.)
pub fn bigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let mut grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    grams
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgFilter {
    pub q: String,
    pub org_type: String,
    pub district_id: String,
    pub community_id: String,
    pub category: String,
    pub status: String,
    pub grade: String,
    /// "yes": on the abnormal or dishonesty list now; "no": on neither.
    pub listed: String,
    pub sort: String,
    pub dir: String,
    pub page: u64,
}

pub const PER_PAGE: u64 = 20;

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn contains(col: organization::Column, needle: &str) -> Expr {
    Expr::col((organization::Entity, col))
        .like(sea_orm::sea_query::LikeExpr::new(format!("%{}%", like_escape(needle))).escape('\\'))
}

/// Builds the filtered query; unknown filter values are ignored rather than refused so a
/// hand-edited URL still shows a list.
fn filtered(
    f: &OrgFilter,
    viewer: Viewer,
    today: NaiveDate,
    plan: SearchPlan,
) -> sea_orm::Select<organization::Entity> {
    let mut q = organization::Entity::find();
    // Who is looking decides what is listed: only the bureau sees organizations that are
    // not active.
    match (viewer.is_bureau(), OrgStatus::from_code(f.status.trim())) {
        (false, _) => q = q.filter(organization::Column::Status.eq(OrgStatus::Active)),
        (true, Some(s)) => q = q.filter(organization::Column::Status.eq(s)),
        (true, None) => {}
    }
    if let Some(t) = OrgType::from_code(f.org_type.trim()) {
        q = q.filter(organization::Column::OrgType.eq(t));
    }
    if let Ok(d) = f.district_id.trim().parse::<i32>() {
        q = q.filter(organization::Column::DistrictId.eq(d));
    }
    if let Ok(c) = f.community_id.trim().parse::<i32>() {
        q = q.filter(organization::Column::CommunityId.eq(c));
    }
    if let Some(cat) = ServiceCategory::from_code(f.category.trim()) {
        q = q.filter(
            organization::Column::Id.in_subquery(
                Query::select()
                    .column(organization_category::Column::OrganizationId)
                    .from(organization_category::Entity)
                    .and_where(organization_category::Column::Category.eq(cat))
                    .take(),
            ),
        );
    }
    if let Ok(g) = f.grade.trim().parse::<i32>() {
        q = q.filter(
            organization::Column::Id.in_subquery(
                Query::select()
                    .column(entity::assessment_grade::Column::OrganizationId)
                    .from(entity::assessment_grade::Entity)
                    .and_where(entity::assessment_grade::Column::Grade.eq(g))
                    .and_where(entity::assessment_grade::Column::ValidFrom.lte(today))
                    .and_where(entity::assessment_grade::Column::ValidTo.gte(today))
                    .take(),
            ),
        );
    }
    let on_list = Query::select()
        .column(entity::list_entry::Column::OrganizationId)
        .from(entity::list_entry::Entity)
        .and_where(entity::list_entry::Column::RemovedOn.is_null())
        .take();
    match f.listed.trim() {
        "yes" => q = q.filter(organization::Column::Id.in_subquery(on_list)),
        "no" => q = q.filter(organization::Column::Id.not_in_subquery(on_list)),
        _ => {}
    }
    let needle = super::clean(&f.q);
    let needle = needle.as_str();
    if !needle.is_empty() {
        q = q.filter(search_condition(needle, plan));
    }
    q
}

/// The list's order: pinyin by default, or registration date, or last change.
fn ordered(mut q: sea_orm::Select<organization::Entity>, f: &OrgFilter) -> sea_orm::Select<organization::Entity> {
    let order = if f.dir == "desc" { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    q = match f.sort.as_str() {
        "registration_date" => q.order_by(organization::Column::RegistrationDate, order),
        "updated" => q.order_by(organization::Column::UpdatedAt, order),
        // Pinyin order, as a Chinese reader expects a name list; the name breaks ties.
        _ => q.order_by(organization::Column::NameInitials, order.clone()).order_by(organization::Column::Name, order),
    };
    q.order_by_asc(organization::Column::Id)
}

/// How a name search runs: look up the few matches by id, or walk the sorted list and
/// keep the many that match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPlan {
    Lookup,
    OrderedScan,
}

/// Above this many candidates a search walks the sorted list instead of fetching each.
const LOOKUP_LIMIT: u64 = 2000;
/// Searches count matches up to this many beyond the page asked for; beyond it the page
/// says "more than".
pub const SEARCH_COUNT_CAP: u64 = 1000;
/// The furthest page a search counts to (10 million rows).
const MAX_PAGE: u64 = 500_000;

fn is_indexed(needle: &str) -> bool {
    needle.chars().count() >= 2 && !needle.chars().any(char::is_whitespace) && !needle.is_ascii()
}

/// Picks the plan from the rarest bigram's frequency (counted only up to the limit).
async fn plan_search(db: &DatabaseConnection, needle: &str) -> AppResult<SearchPlan> {
    use entity::organization_name_gram as g;
    if !is_indexed(needle) {
        return Ok(SearchPlan::Lookup);
    }
    let mut rarest = u64::MAX;
    for gram in bigrams(needle) {
        let n = g::Entity::find()
            .select_only()
            .column(g::Column::OrganizationId)
            .filter(g::Column::Gram.eq(gram))
            .limit(LOOKUP_LIMIT + 1)
            .count(db)
            .await?;
        rarest = Ord::min(rarest, n);
    }
    Ok(if rarest > LOOKUP_LIMIT { SearchPlan::OrderedScan } else { SearchPlan::Lookup })
}

/// Search by a fragment of the name, a USCC prefix or pinyin initials. A Chinese fragment
/// of two or more characters is looked up in the bigram index first (every bigram must be
/// there), then confirmed with LIKE, so the database never scans every name for it.
fn search_condition(needle: &str, plan: SearchPlan) -> Condition {
    let grams = bigrams(needle);
    if is_indexed(needle) {
        use entity::organization_name_gram as g;
        let n = grams.len() as i64;
        let mut sub = Query::select();
        sub.column(g::Column::OrganizationId)
            .from(g::Entity)
            .and_where(g::Column::Gram.is_in(grams))
            .group_by_col(g::Column::OrganizationId);
        if n > 1 {
            sub.and_having(Expr::col(g::Column::Gram).count().eq(n));
        }
        // "+id" keeps the database from driving the query by id lookups, so it walks the
        // list's sort index and stops at the first page: cheap when matches are many.
        let id = match plan {
            SearchPlan::Lookup => Expr::col((organization::Entity, organization::Column::Id)),
            SearchPlan::OrderedScan => Expr::cust("+organizations.id"),
        };
        return Condition::all().add(id.in_subquery(sub.take())).add(contains(organization::Column::Name, needle));
    }
    let mut any = Condition::any().add(contains(organization::Column::Name, needle));
    let upper = needle.to_ascii_uppercase();
    if upper.chars().all(|c| c.is_ascii_alphanumeric()) {
        any = any.add(
            Expr::col((organization::Entity, organization::Column::Uscc)).like(format!("{}%", like_escape(&upper))),
        );
    }
    if needle.chars().all(|c| c.is_ascii_alphabetic()) {
        any = any.add(contains(organization::Column::NameInitials, &needle.to_ascii_lowercase()));
    }
    any
}

/// One line of the list, with what the list shows beside the name.
#[derive(Debug, Clone, Serialize)]
pub struct OrgRow {
    pub id: i32,
    pub name: String,
    pub uscc: Option<String>,
    pub org_type: OrgType,
    pub status: OrgStatus,
    pub district: String,
    pub community: String,
    pub registration_date: NaiveDate,
    pub grade: Option<i32>,
    pub listed: bool,
}

pub struct OrgPage {
    pub rows: Vec<OrgRow>,
    pub total: u64,
    /// The search had more matches than it counted.
    pub capped: bool,
    pub page: u64,
    pub pages: u64,
}

pub async fn list(
    db: &DatabaseConnection,
    f: &OrgFilter,
    viewer: Viewer,
    today: NaiveDate,
    places: &Places,
) -> AppResult<OrgPage> {
    let needle = super::clean(&f.q);
    let plan = plan_search(db, &needle).await?;
    let q = filtered(f, viewer, today, plan);
    // Counted without ORDER BY (a sorted subquery would sort every match); a search counts
    // only up to the cap beyond the page asked for, so the count stays cheap and yet every
    // match can be reached: each page further on counts that much further.
    let (total, capped) = if needle.is_empty() {
        (q.clone().count(db).await?, false)
    } else {
        let cap = SEARCH_COUNT_CAP + Ord::min(f.page.saturating_sub(1), MAX_PAGE) * PER_PAGE;
        let n = q.clone().select_only().column(organization::Column::Id).limit(cap + 1).count(db).await?;
        (Ord::min(n, cap), n > cap)
    };
    let pages = Ord::max(total.div_ceil(PER_PAGE), 1);
    let page = f.page.clamp(1, pages);
    // The page's ids first, from the sort index alone; then only those rows are read.
    let ids = ordered(q, f)
        .select_only()
        .column(organization::Column::Id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .into_query();
    let orgs =
        ordered(organization::Entity::find().filter(organization::Column::Id.in_subquery(ids)), f).all(db).await?;
    let rows = decorate(db, orgs, today, places).await?;
    Ok(OrgPage { rows, total, capped, page, pages })
}

/// Every match, for export (capped so one request cannot take the server down).
pub async fn list_all(
    db: &DatabaseConnection,
    f: &OrgFilter,
    viewer: Viewer,
    today: NaiveDate,
) -> AppResult<Vec<organization::Model>> {
    let plan = plan_search(db, &super::clean(&f.q)).await?;
    Ok(ordered(filtered(f, viewer, today, plan), f).limit(200_000).all(db).await?)
}

async fn decorate(
    db: &DatabaseConnection,
    orgs: Vec<organization::Model>,
    today: NaiveDate,
    places: &Places,
) -> AppResult<Vec<OrgRow>> {
    let ids: Vec<i32> = orgs.iter().map(|o| o.id).collect();
    let grades = entity::assessment_grade::Entity::find()
        .filter(entity::assessment_grade::Column::OrganizationId.is_in(ids.clone()))
        .filter(entity::assessment_grade::Column::ValidFrom.lte(today))
        .filter(entity::assessment_grade::Column::ValidTo.gte(today))
        .all(db)
        .await?;
    let listed: Vec<i32> = entity::list_entry::Entity::find()
        .filter(entity::list_entry::Column::OrganizationId.is_in(ids))
        .filter(entity::list_entry::Column::RemovedOn.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.organization_id)
        .collect();
    Ok(orgs
        .into_iter()
        .map(|o| OrgRow {
            grade: grades.iter().filter(|g| g.organization_id == o.id).map(|g| g.grade).max(),
            listed: listed.contains(&o.id),
            district: places.district_name(o.district_id).to_string(),
            community: places.community_name(o.community_id).to_string(),
            id: o.id,
            name: o.name,
            uscc: o.uscc,
            org_type: o.org_type,
            status: o.status,
            registration_date: o.registration_date,
        })
        .collect())
}
