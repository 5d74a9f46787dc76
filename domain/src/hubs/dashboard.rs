//! The hub dashboard: occupancy, applications per round, members by stage, services per
//! month (with the bars of its chart) and the graduation rate of each cohort.
use crate::error::AppResult;
use chrono::{Datelike, Months, NaiveDate};
use entity::enums::{ApplicationStatus, MembershipStage};
use entity::{hub, hub_application, hub_membership, hub_round, hub_seat, hub_service};
use sea_orm::sea_query::{Asterisk, Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
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

/// Counts grouped in the database: one row per (round, status), per (round, stage) and per
/// day, never one per application, member or service.
pub async fn build<C: ConnectionTrait>(db: &C, h: &hub::Model, today: NaiveDate) -> AppResult<Dashboard> {
    let count = || Expr::from(Func::count(Expr::col(Asterisk)));
    let seats_total = hub_seat::Entity::find().filter(hub_seat::Column::HubId.eq(h.id)).count(db).await? as usize;
    let seats_free = hub_seat::Entity::find()
        .filter(hub_seat::Column::HubId.eq(h.id))
        .filter(hub_seat::Column::HeldBy.is_null())
        .count(db)
        .await? as usize;
    let rounds = hub_round::Entity::find()
        .filter(hub_round::Column::HubId.eq(h.id))
        .order_by_desc(hub_round::Column::OpensOn)
        .all(db)
        .await?;
    let apps: Vec<(i32, ApplicationStatus, i64)> = hub_application::Entity::find()
        .select_only()
        .column(hub_application::Column::RoundId)
        .column(hub_application::Column::Status)
        .column_as(count(), "n")
        .filter(hub_application::Column::HubId.eq(h.id))
        .group_by(hub_application::Column::RoundId)
        .group_by(hub_application::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let members: Vec<(i32, MembershipStage, i64)> = hub_membership::Entity::find()
        .select_only()
        .column(hub_membership::Column::RoundId)
        .column(hub_membership::Column::Stage)
        .column_as(count(), "n")
        .filter(hub_membership::Column::HubId.eq(h.id))
        .group_by(hub_membership::Column::RoundId)
        .group_by(hub_membership::Column::Stage)
        .into_tuple()
        .all(db)
        .await?;
    let round_stats = round_stats(&rounds, &apps, &members);
    let (months, chart_max) = month_stats(db, h, today).await?;
    Ok(Dashboard {
        occupied: h.occupied,
        capacity: h.capacity,
        occupancy_percent: percent(h.occupied.max(0) as usize, h.capacity.max(0) as usize),
        seats_total,
        seats_free,
        rounds: round_stats,
        stages: MembershipStage::ALL
            .iter()
            .map(|s| (*s, members.iter().filter(|m| m.1 == *s).map(|m| m.2 as usize).sum()))
            .collect(),
        months,
        chart_max,
    })
}

/// Each round's applications by status and members by stage, from the grouped counts.
fn round_stats(
    rounds: &[hub_round::Model],
    apps: &[(i32, ApplicationStatus, i64)],
    members: &[(i32, MembershipStage, i64)],
) -> Vec<RoundStats> {
    let n_apps = |round: i32, s: ApplicationStatus| -> usize {
        apps.iter().filter(|a| a.0 == round && a.1 == s).map(|a| a.2 as usize).sum()
    };
    let n_members = |round: i32, keep: &dyn Fn(MembershipStage) -> bool| -> usize {
        members.iter().filter(|m| m.0 == round && keep(m.1)).map(|m| m.2 as usize).sum()
    };
    rounds
        .iter()
        .map(|r| {
            let graduated = n_members(r.id, &|s| s == MembershipStage::Graduated);
            let exited = n_members(r.id, &|s| s == MembershipStage::Exited);
            let admitted = n_members(r.id, &|_| true);
            RoundStats {
                round_id: r.id,
                name: r.name.clone(),
                status: r.status,
                places: r.places,
                applications: ApplicationStatus::ALL.iter().map(|s| (*s, n_apps(r.id, *s))).collect(),
                total: ApplicationStatus::ALL.iter().map(|s| n_apps(r.id, *s)).sum(),
                admitted,
                graduated,
                exited,
                current: n_members(r.id, &|s| s.is_current()),
                graduation_rate: (graduated + exited > 0).then(|| percent(graduated, admitted)),
            }
        })
        .collect()
}

/// Services delivered in each of the last twelve months (this one included), counted per
/// day in the database, with the chart's largest bar.
async fn month_stats<C: ConnectionTrait>(
    db: &C,
    h: &hub::Model,
    today: NaiveDate,
) -> AppResult<(Vec<MonthStats>, usize)> {
    let count = || Expr::from(Func::count(Expr::col(Asterisk)));
    let first_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|d| d.checked_sub_months(Months::new(11)))
        .unwrap_or(today);
    let days: Vec<(NaiveDate, i64, Option<i64>, Option<i64>)> = hub_service::Entity::find()
        .select_only()
        .column(hub_service::Column::DeliveredOn)
        .column_as(count(), "n")
        .column_as(Expr::from(Func::sum(Expr::col(hub_service::Column::Minutes))), "minutes")
        .column_as(Expr::from(Func::sum(Expr::col(hub_service::Column::Attendees))), "attendees")
        .filter(hub_service::Column::HubId.eq(h.id))
        .filter(hub_service::Column::DeliveredOn.gte(first_month))
        .group_by(hub_service::Column::DeliveredOn)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_month: BTreeMap<String, (usize, i64, i64)> = BTreeMap::new();
    for n in 0..12 {
        if let Some(d) = first_month.checked_add_months(Months::new(n)) {
            by_month.insert(d.format("%Y-%m").to_string(), (0, 0, 0));
        }
    }
    for (day, n, minutes, attendees) in &days {
        if let Some(e) = by_month.get_mut(&day.format("%Y-%m").to_string()) {
            e.0 += *n as usize;
            e.1 += minutes.unwrap_or(0);
            e.2 += attendees.unwrap_or(0);
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
    Ok((months, chart_max))
}
