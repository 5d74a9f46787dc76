//! The portal's front page.
use super::{SignedContract, YearFigures, days_left, paid_in_year, signed_contracts, year_figures};
use crate::error::AppResult;
use crate::i18n::to_local;
use crate::money::Money;
use crate::organizations::Places;
use chrono::{DateTime, Datelike, Utc};
use entity::enums::{CallStatus, ContractStatus, MembershipStage, ProcurementMethod, ServiceCategory};
use entity::{award, call, hub, hub_membership, organization};
use sea_orm::sea_query::{Asterisk, Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;

/// How many open calls and recent awards the front page lists (the lists have the rest).
pub const OPEN_CALLS_SHOWN: u64 = 12;
pub const AWARDS_SHOWN: u64 = 8;

#[derive(Debug, Clone, Serialize)]
pub struct OpenCall {
    pub id: i32,
    pub reference: Option<String>,
    pub title: String,
    pub category: ServiceCategory,
    pub method: ProcurementMethod,
    pub budget: Money,
    pub bid_deadline: DateTime<Utc>,
    pub days_left: i64,
}

impl OpenCall {
    /// A published call as the portal lists it, with its days left (none without a deadline).
    pub fn of(c: call::Model, now: DateTime<Utc>) -> Option<OpenCall> {
        let deadline = c.bid_deadline?;
        Some(OpenCall {
            id: c.id,
            reference: c.reference,
            title: c.title,
            category: c.category,
            method: c.method,
            budget: Money(c.budget_ceiling_fen),
            bid_deadline: deadline,
            days_left: days_left(now, deadline),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RecentAward {
    pub call_id: i32,
    pub reference: Option<String>,
    pub title: String,
    pub category: ServiceCategory,
    pub winner_id: i32,
    pub winner: String,
    pub amount: Money,
    pub decided_at: DateTime<Utc>,
}

/// A district's projects under way (contracts in force serving it).
#[derive(Debug, Clone, Serialize)]
pub struct DistrictCard {
    pub id: i32,
    pub name_zh: String,
    pub name_en: String,
    pub projects: usize,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct HubCard {
    pub id: i32,
    pub name: String,
    pub district: String,
    pub capacity: i32,
    /// Members incubating now (extensions included).
    pub incubating: i64,
    pub graduated: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortalHome {
    pub open_calls: Vec<OpenCall>,
    /// Open calls beyond those listed.
    pub more_open_calls: u64,
    pub recent_awards: Vec<RecentAward>,
    pub districts: Vec<DistrictCard>,
    /// Projects in force that serve the whole city (no district named).
    pub citywide: DistrictCard,
    pub hubs: Vec<HubCard>,
    pub figures: YearFigures,
    pub active_organizations: u64,
    /// When what the page shows next changes by the clock alone (the first open call's
    /// deadline): a kept copy of the page is good until then.
    #[serde(skip)]
    pub good_until: Option<DateTime<Utc>>,
}

pub async fn build<C: ConnectionTrait>(db: &C, places: &Places, now: DateTime<Utc>) -> AppResult<PortalHome> {
    let (open_calls, more_open_calls) = open_calls(db, now).await?;
    let contracts = signed_contracts(db).await?;
    let year = to_local(now).year();
    let paid = paid_in_year(db, year).await?;
    let all: Vec<&SignedContract> = contracts.iter().collect();
    let in_force: Vec<&SignedContract> = contracts.iter().filter(|k| k.status == ContractStatus::Active).collect();
    let card = |id: i32, name_zh: &str, name_en: &str, keep: &dyn Fn(&SignedContract) -> bool| {
        let ks: Vec<&&SignedContract> = in_force.iter().filter(|k| keep(k)).collect();
        DistrictCard {
            id,
            name_zh: name_zh.to_string(),
            name_en: name_en.to_string(),
            projects: ks.len(),
            amount: Money(ks.iter().map(|k| k.amount_fen).sum()),
        }
    };
    let districts =
        places.districts.iter().map(|d| card(d.id, &d.name_zh, &d.name_en, &|k| k.districts.contains(&d.id))).collect();
    let citywide = card(0, "全市", "Citywide", &|k| k.districts.is_empty());
    let good_until = open_calls.first().map(|c| c.bid_deadline);
    Ok(PortalHome {
        open_calls,
        more_open_calls,
        recent_awards: recent_awards(db).await?,
        districts,
        citywide,
        hubs: hubs(db, places).await?,
        figures: year_figures(year, &all, &paid),
        active_organizations: active_organizations(db).await?,
        good_until,
    })
}

/// Published calls still taking bids, the nearest deadline first; and how many more.
pub async fn open_calls<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> AppResult<(Vec<OpenCall>, u64)> {
    use sea_orm::PaginatorTrait;
    let open = || {
        call::Entity::find()
            .filter(call::Column::Status.eq(CallStatus::Published))
            .filter(call::Column::BidDeadline.gt(now))
    };
    let total = open().count(db).await?;
    let rows = open()
        .order_by_asc(call::Column::BidDeadline)
        .order_by_asc(call::Column::Id)
        .limit(OPEN_CALLS_SHOWN)
        .all(db)
        .await?;
    let calls: Vec<OpenCall> = rows.into_iter().filter_map(|c| OpenCall::of(c, now)).collect();
    let more = total.saturating_sub(calls.len() as u64);
    Ok((calls, more))
}

pub async fn recent_awards<C: ConnectionTrait>(db: &C) -> AppResult<Vec<RecentAward>> {
    let awards = award::Entity::find()
        .order_by_desc(award::Column::DecidedAt)
        .order_by_desc(award::Column::Id)
        .limit(AWARDS_SHOWN)
        .all(db)
        .await?;
    let calls: HashMap<i32, call::Model> = call::Entity::find()
        .filter(call::Column::Id.is_in(awards.iter().map(|a| a.call_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let names = organization_names(db, awards.iter().map(|a| a.organization_id)).await?;
    Ok(awards
        .into_iter()
        .filter_map(|a| {
            let c = calls.get(&a.call_id)?;
            Some(RecentAward {
                call_id: c.id,
                reference: c.reference.clone(),
                title: c.title.clone(),
                category: c.category,
                winner_id: a.organization_id,
                winner: names.get(&a.organization_id).cloned().unwrap_or_default(),
                amount: Money(a.amount_fen),
                decided_at: a.decided_at,
            })
        })
        .collect())
}

pub async fn organization_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<HashMap<i32, String>> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, String)> = organization::Entity::find()
            .select_only()
            .columns([organization::Column::Id, organization::Column::Name])
            .filter(organization::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        names.extend(rows);
    }
    Ok(names)
}

/// Every hub with its members incubating now and those graduated: one grouped count.
pub async fn hubs<C: ConnectionTrait>(db: &C, places: &Places) -> AppResult<Vec<HubCard>> {
    let hubs = hub::Entity::find().order_by_asc(hub::Column::Id).all(db).await?;
    let counts: Vec<(i32, MembershipStage, i64)> = hub_membership::Entity::find()
        .select_only()
        .column(hub_membership::Column::HubId)
        .column(hub_membership::Column::Stage)
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .group_by(hub_membership::Column::HubId)
        .group_by(hub_membership::Column::Stage)
        .into_tuple()
        .all(db)
        .await?;
    let n = |hub_id: i32, keep: &dyn Fn(MembershipStage) -> bool| -> i64 {
        counts.iter().filter(|(h, s, _)| *h == hub_id && keep(*s)).map(|c| c.2).sum()
    };
    Ok(hubs
        .into_iter()
        .map(|h| HubCard {
            id: h.id,
            district: places.district_name(h.district_id).to_string(),
            capacity: h.capacity,
            incubating: n(h.id, &|s| matches!(s, MembershipStage::Incubating | MembershipStage::Extended)),
            graduated: n(h.id, &|s| s == MembershipStage::Graduated),
            name: h.name,
        })
        .collect())
}

async fn active_organizations<C: ConnectionTrait>(db: &C) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(organization::Entity::find()
        .filter(organization::Column::Status.eq(entity::enums::OrgStatus::Active))
        .count(db)
        .await?)
}
