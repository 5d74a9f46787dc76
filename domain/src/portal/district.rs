//! A district's public page: its communities, the organizations based there, the calls that
//! serve it, and what was bought there — every signed contract serving it, 50 to a page,
//! with the year's figures. A contract whose call names no district serves the whole city
//! and shows under every district.
use super::home::{OpenCall, organization_names};
use super::{SignedContract, YearFigures, paid_in_year, signed_contracts, year_figures};
use crate::error::{AppError, AppResult};
use crate::i18n::to_local;
use crate::money::Money;
use crate::organizations::Places;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{CallStatus, CommunityKind, ContractStatus, OrgStatus, ServiceCategory};
use entity::{call, contract, organization};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

pub const PROJECTS_PER_PAGE: usize = 50;

#[derive(Debug, Clone, Serialize)]
pub struct CommunityItem {
    pub id: i32,
    pub name: String,
    pub kind: CommunityKind,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectCard {
    pub id: i32,
    pub number: Option<String>,
    pub title: String,
    pub category: ServiceCategory,
    pub provider_id: i32,
    pub provider: String,
    pub amount: Money,
    pub status: ContractStatus,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub citywide: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DistrictView {
    pub id: i32,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub communities: Vec<CommunityItem>,
    pub active_organizations: u64,
    /// The nearest deadlines first, as many as the front page shows.
    pub open_calls: Vec<OpenCall>,
    /// Open calls serving the district beyond those listed.
    pub more_open_calls: usize,
    pub projects: Vec<ProjectCard>,
    pub projects_total: usize,
    pub page: usize,
    pub pages: usize,
    pub figures: YearFigures,
}

pub async fn build<C: ConnectionTrait>(
    db: &C,
    places: &Places,
    id: i32,
    page: usize,
    now: DateTime<Utc>,
) -> AppResult<DistrictView> {
    let d = places.districts.iter().find(|d| d.id == id).ok_or(AppError::NotFound)?;
    let active_organizations = organization::Entity::find()
        .filter(organization::Column::DistrictId.eq(id))
        .filter(organization::Column::Status.eq(OrgStatus::Active))
        .count(db)
        .await?;
    let contracts = signed_contracts(db).await?;
    let mut serving: Vec<&SignedContract> = contracts.iter().filter(|k| k.serves(id)).collect();
    // In force first, then the most recently signed.
    serving.sort_by(|a, b| {
        (b.status == ContractStatus::Active)
            .cmp(&(a.status == ContractStatus::Active))
            .then(b.signed_at.cmp(&a.signed_at))
    });
    let year = to_local(now).year();
    let figures = year_figures(year, &serving, &paid_in_year(db, year).await?);
    let open_calls = open_calls_serving(db, id, now).await?;
    let pages = serving.len().div_ceil(PROJECTS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let shown: Vec<&SignedContract> =
        serving.iter().skip((page - 1) * PROJECTS_PER_PAGE).take(PROJECTS_PER_PAGE).copied().collect();
    Ok(DistrictView {
        id: d.id,
        code: d.code.clone(),
        name_zh: d.name_zh.clone(),
        name_en: d.name_en.clone(),
        communities: places
            .communities
            .iter()
            .filter(|c| c.district_id == id)
            .map(|c| CommunityItem { id: c.id, name: c.name_zh.clone(), kind: c.kind })
            .collect(),
        active_organizations,
        more_open_calls: open_calls.len().saturating_sub(super::home::OPEN_CALLS_SHOWN as usize),
        open_calls: open_calls.into_iter().take(super::home::OPEN_CALLS_SHOWN as usize).collect(),
        projects: project_cards(db, &shown).await?,
        projects_total: serving.len(),
        page,
        pages,
        figures,
    })
}

/// The calls taking bids now whose area includes the district (or the whole city).
async fn open_calls_serving<C: ConnectionTrait>(
    db: &C,
    district_id: i32,
    now: DateTime<Utc>,
) -> AppResult<Vec<OpenCall>> {
    let rows = call::Entity::find()
        .filter(call::Column::Status.eq(CallStatus::Published))
        .filter(call::Column::BidDeadline.gt(now))
        .order_by_asc(call::Column::BidDeadline)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|c| {
            let ds: Vec<i32> = serde_json::from_str(&c.area_district_ids).unwrap_or_default();
            ds.is_empty() || ds.contains(&district_id)
        })
        .filter_map(|c| OpenCall::of(c, now))
        .collect())
}

async fn project_cards<C: ConnectionTrait>(db: &C, shown: &[&SignedContract]) -> AppResult<Vec<ProjectCard>> {
    let numbers: std::collections::HashMap<i32, Option<String>> = contract::Entity::find()
        .select_only()
        .columns([contract::Column::Id, contract::Column::Number])
        .filter(contract::Column::Id.is_in(shown.iter().map(|k| k.id)))
        .into_tuple::<(i32, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let titles: std::collections::HashMap<i32, String> = call::Entity::find()
        .select_only()
        .columns([call::Column::Id, call::Column::Title])
        .filter(call::Column::Id.is_in(shown.iter().map(|k| k.call_id)))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let names = organization_names(db, shown.iter().map(|k| k.organization_id)).await?;
    Ok(shown
        .iter()
        .map(|k| ProjectCard {
            id: k.id,
            number: numbers.get(&k.id).cloned().flatten(),
            title: titles.get(&k.call_id).cloned().unwrap_or_default(),
            category: k.category,
            provider_id: k.organization_id,
            provider: names.get(&k.organization_id).cloned().unwrap_or_default(),
            amount: Money(k.amount_fen),
            status: k.status,
            starts_on: k.starts_on,
            ends_on: k.ends_on,
            citywide: k.districts.is_empty(),
        })
        .collect())
}
