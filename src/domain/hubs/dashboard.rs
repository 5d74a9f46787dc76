//! The hub dashboard: occupancy, applications per round, members by stage, services per
//! month (with the bars of its chart) and the graduation rate of each cohort.
use crate::error::AppResult;
use chrono::{Datelike, Months, NaiveDate};
use entity::enums::{ApplicationStatus, MembershipStage};
use entity::{hub, hub_application, hub_membership, hub_round, hub_seat, hub_service};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Dashboard {
    pub occupied: i32,
    pub capacity: i32,
    pub occupancy_percent: i64,
    pub seats_total: usize,
    pub seats_free: usize,
    pub rounds: Vec<RoundStats>,
    pub stages: Vec<(MembershipStage, usize)>,
    pub months: Vec<MonthStats>,
    /// Height of the chart's tallest bar, in services.
    pub chart_max: usize,
}

#[derive(Debug, Serialize)]
pub struct RoundStats {
    pub round_id: i32,
    pub name: String,
    pub status: entity::enums::RoundStatus,
    pub places: i32,
    pub applications: Vec<(ApplicationStatus, usize)>,
    pub total: usize,
    pub admitted: usize,
    pub graduated: usize,
    pub exited: usize,
    pub current: usize,
    /// Graduated as a share of those admitted, when anyone has left the cohort.
    pub graduation_rate: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct MonthStats {
    pub month: String,
    /// Short form for the chart's axis: "26-11".
    pub label: String,
    pub services: usize,
    pub hours: String,
    pub attendees: i64,
    /// The bar in the chart's 0–100 units.
    pub bar: i64,
    pub x: usize,
}

fn percent(part: usize, whole: usize) -> i64 {
    if whole == 0 { 0 } else { ((part as f64 / whole as f64) * 100.0).round() as i64 }
}

pub async fn build(db: &DatabaseConnection, h: &hub::Model, today: NaiveDate) -> AppResult<Dashboard> {
    let seats = hub_seat::Entity::find().filter(hub_seat::Column::HubId.eq(h.id)).all(db).await?;
    let rounds = hub_round::Entity::find()
        .filter(hub_round::Column::HubId.eq(h.id))
        .order_by_desc(hub_round::Column::OpensOn)
        .all(db)
        .await?;
    let apps = hub_application::Entity::find().filter(hub_application::Column::HubId.eq(h.id)).all(db).await?;
    let members = hub_membership::Entity::find().filter(hub_membership::Column::HubId.eq(h.id)).all(db).await?;
    let first_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|d| d.checked_sub_months(Months::new(11)))
        .unwrap_or(today);
    let services = hub_service::Entity::find()
        .filter(hub_service::Column::HubId.eq(h.id))
        .filter(hub_service::Column::DeliveredOn.gte(first_month))
        .all(db)
        .await?;

    let round_stats = rounds
        .iter()
        .map(|r| {
            let mine: Vec<_> = apps.iter().filter(|a| a.round_id == r.id).collect();
            let cohort: Vec<_> = members.iter().filter(|m| m.round_id == r.id).collect();
            let count = |s: MembershipStage| cohort.iter().filter(|m| m.stage == s).count();
            let (graduated, exited) = (count(MembershipStage::Graduated), count(MembershipStage::Exited));
            RoundStats {
                round_id: r.id,
                name: r.name.clone(),
                status: r.status,
                places: r.places,
                applications: ApplicationStatus::ALL
                    .iter()
                    .map(|s| (*s, mine.iter().filter(|a| a.status == *s).count()))
                    .collect(),
                total: mine.len(),
                admitted: cohort.len(),
                graduated,
                exited,
                current: cohort.iter().filter(|m| m.stage.is_current()).count(),
                graduation_rate: (graduated + exited > 0).then(|| percent(graduated, cohort.len())),
            }
        })
        .collect();

    let mut by_month: BTreeMap<String, (usize, i64, i64)> = BTreeMap::new();
    for n in 0..12 {
        if let Some(d) = first_month.checked_add_months(Months::new(n)) {
            by_month.insert(d.format("%Y-%m").to_string(), (0, 0, 0));
        }
    }
    for s in &services {
        if let Some(e) = by_month.get_mut(&s.delivered_on.format("%Y-%m").to_string()) {
            e.0 += 1;
            e.1 += s.minutes as i64;
            e.2 += s.attendees.unwrap_or(0) as i64;
        }
    }
    let chart_max = by_month.values().map(|v| v.0).max().unwrap_or(0).max(1);
    let months = by_month
        .into_iter()
        .enumerate()
        .map(|(i, (month, (n, minutes, attendees)))| MonthStats {
            label: month.get(2..).unwrap_or_default().to_string(),
            month,
            services: n,
            hours: super::hours(minutes),
            attendees,
            bar: percent(n, chart_max),
            x: i * 50,
        })
        .collect();

    Ok(Dashboard {
        occupied: h.occupied,
        capacity: h.capacity,
        occupancy_percent: percent(h.occupied.max(0) as usize, h.capacity.max(0) as usize),
        seats_total: seats.len(),
        seats_free: seats.iter().filter(|s| s.held_by.is_none()).count(),
        rounds: round_stats,
        stages: MembershipStage::ALL.iter().map(|s| (*s, members.iter().filter(|m| m.stage == *s).count())).collect(),
        months,
        chart_max,
    })
}
