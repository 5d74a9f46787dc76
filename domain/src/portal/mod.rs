//! The public portal: what a citizen without an account sees of the city's purchase of
//! social services — the calls open now, the awards, the projects under way in each district
//! and what they were paid, the hubs and their cohorts, and the year's figures. Everything
//! here is public by law (calls, results with the panel, contracts once signed, released
//! evaluations); nothing is read from a bid before its call is opened, and a contract shows
//! only once it is signed.
use crate::error::AppResult;
use crate::i18n::to_local;
use crate::money::Money;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{CallStatus, ContractStatus, ServiceCategory};
use entity::{call, contract, payment};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;

pub mod district;
pub mod home;
pub mod project;

/// A contract in force or finished, as the public figures count it: signed (active,
/// completed or terminated), never a draft or one still with the provider.
pub fn is_public(status: ContractStatus) -> bool {
    matches!(status, ContractStatus::Active | ContractStatus::Completed | ContractStatus::Terminated)
}

/// The facts of one signed contract the figures are made of.
#[derive(Debug, Clone)]
pub struct SignedContract {
    pub id: i32,
    pub call_id: i32,
    pub organization_id: i32,
    pub amount_fen: i64,
    pub status: ContractStatus,
    pub signed_at: Option<DateTime<Utc>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub category: ServiceCategory,
    /// The districts its call serves; none: the whole city.
    pub districts: Vec<i32>,
}

impl SignedContract {
    /// Whether its term runs on some day of `year` (a contract without dates: the year it
    /// was signed).
    pub fn runs_in(&self, year: i32) -> bool {
        match (self.starts_on, self.ends_on) {
            (Some(s), Some(e)) => s.year() <= year && e.year() >= year,
            _ => self.signed_at.map(|t| to_local(t).year()) == Some(year),
        }
    }

    pub fn signed_in(&self, year: i32) -> bool {
        self.signed_at.map(|t| to_local(t).year()) == Some(year)
    }

    pub fn serves(&self, district_id: i32) -> bool {
        self.districts.is_empty() || self.districts.contains(&district_id)
    }
}

type ContractColumns =
    (i32, i32, i32, i64, ContractStatus, Option<DateTime<Utc>>, Option<NaiveDate>, Option<NaiveDate>);

/// Every signed contract with its call's category and districts: two narrow reads, whatever
/// the number of contracts.
pub async fn signed_contracts<C: ConnectionTrait>(db: &C) -> AppResult<Vec<SignedContract>> {
    use contract::Column as K;
    let rows: Vec<ContractColumns> = contract::Entity::find()
        .select_only()
        .columns([K::Id, K::CallId, K::OrganizationId, K::AmountFen, K::Status, K::SignedAt, K::StartsOn, K::EndsOn])
        .filter(K::Status.is_in([ContractStatus::Active, ContractStatus::Completed, ContractStatus::Terminated]))
        .into_tuple()
        .all(db)
        .await?;
    let calls: HashMap<i32, (ServiceCategory, String)> = call::Entity::find()
        .select_only()
        .columns([call::Column::Id, call::Column::Category, call::Column::AreaDistrictIds])
        .filter(call::Column::Status.eq(CallStatus::Awarded))
        .into_tuple::<(i32, ServiceCategory, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, cat, area)| (id, (cat, area)))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(id, call_id, organization_id, amount_fen, status, signed_at, starts_on, ends_on)| {
            let (category, area) = calls.get(&call_id)?;
            Some(SignedContract {
                id,
                call_id,
                organization_id,
                amount_fen,
                status,
                signed_at,
                starts_on,
                ends_on,
                category: *category,
                districts: serde_json::from_str(area).unwrap_or_default(),
            })
        })
        .collect())
}

/// What was paid on each contract in a calendar year (Beijing dates; a reversal counts
/// against the year it was recorded in), summed by the database.
pub async fn paid_in_year<C: ConnectionTrait>(db: &C, year: i32) -> AppResult<HashMap<i32, i64>> {
    let (from, to) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31));
    let (Some(from), Some(to)) = (from, to) else { return Ok(HashMap::new()) };
    let rows: Vec<(i32, i64)> = payment::Entity::find()
        .select_only()
        .column(payment::Column::ContractId)
        .column_as(Expr::cust("CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)"), "paid")
        .filter(payment::Column::PaidOn.between(from, to))
        .group_by(payment::Column::ContractId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// What was paid on each contract, by calendar year (Beijing dates): one read of the
/// payments for every year at once.
pub async fn paid_by_year<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<i32, HashMap<i32, i64>>> {
    let rows: Vec<(i32, NaiveDate, i64)> = payment::Entity::find()
        .select_only()
        .columns([payment::Column::ContractId, payment::Column::PaidOn, payment::Column::AmountFen])
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<i32, HashMap<i32, i64>> = HashMap::new();
    for (contract_id, paid_on, amount) in rows {
        *out.entry(paid_on.year()).or_default().entry(contract_id).or_default() += amount;
    }
    Ok(out)
}

/// One service category's money in a year.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CategoryFigure {
    pub category: ServiceCategory,
    /// Signed that year.
    pub contracted: Money,
    pub paid: Money,
    /// Contracts whose term runs in the year.
    pub projects: usize,
}

/// The year's headline figures.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct YearFigures {
    pub year: i32,
    pub contracted: Money,
    pub paid: Money,
    pub projects: usize,
    /// Organizations with a contract running in the year.
    pub organizations_serving: usize,
    /// Categories with any money or project that year, largest contracted first.
    pub by_category: Vec<CategoryFigure>,
}

/// The figures of `year` over the contracts given (all of them, or one district's).
pub fn year_figures(year: i32, contracts: &[&SignedContract], paid: &HashMap<i32, i64>) -> YearFigures {
    let mut by: HashMap<ServiceCategory, CategoryFigure> = HashMap::new();
    let mut serving = std::collections::HashSet::new();
    for k in contracts {
        let paid_k = paid.get(&k.id).copied().unwrap_or(0);
        let runs = k.runs_in(year);
        if !(runs || k.signed_in(year) || paid_k != 0) {
            continue;
        }
        let f = by.entry(k.category).or_insert(CategoryFigure {
            category: k.category,
            contracted: Money(0),
            paid: Money(0),
            projects: 0,
        });
        if k.signed_in(year) {
            f.contracted.0 += k.amount_fen;
        }
        f.paid.0 += paid_k;
        if runs {
            f.projects += 1;
            serving.insert(k.organization_id);
        }
    }
    let mut by_category: Vec<CategoryFigure> = by.into_values().collect();
    by_category.sort_by(|a, b| {
        b.contracted.cmp(&a.contracted).then(b.paid.cmp(&a.paid)).then(a.category.code().cmp(b.category.code()))
    });
    YearFigures {
        year,
        contracted: Money(by_category.iter().map(|f| f.contracted.0).sum()),
        paid: Money(by_category.iter().map(|f| f.paid.0).sum()),
        projects: by_category.iter().map(|f| f.projects).sum(),
        organizations_serving: serving.len(),
        by_category,
    }
}

/// Whole days from `now` to `deadline`, counted as a reader counts them: a deadline later
/// today is 0 days left, tomorrow 1 (Beijing dates).
pub fn days_left(now: DateTime<Utc>, deadline: DateTime<Utc>) -> i64 {
    (to_local(deadline).date_naive() - to_local(now).date_naive()).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn k(id: i32, cat: ServiceCategory, org: i32, amount: i64, signed: (i32, u32), term: (i32, i32)) -> SignedContract {
        SignedContract {
            id,
            call_id: id,
            organization_id: org,
            amount_fen: amount,
            status: ContractStatus::Active,
            signed_at: Utc.with_ymd_and_hms(signed.0, signed.1, 1, 2, 0, 0).single(),
            starts_on: NaiveDate::from_ymd_opt(term.0, 1, 1),
            ends_on: NaiveDate::from_ymd_opt(term.1, 12, 31),
            category: cat,
            districts: vec![],
        }
    }

    #[test]
    fn a_year_counts_what_was_signed_paid_and_running_in_it() {
        use ServiceCategory::*;
        let a = k(1, Elderly, 10, 100_000, (2025, 12), (2026, 2026));
        let b = k(2, Elderly, 11, 50_000, (2026, 3), (2026, 2027));
        let c = k(3, Children, 10, 80_000, (2024, 6), (2024, 2024));
        let paid = HashMap::from([(1, 30_000), (2, 15_000), (3, -5_000)]);
        let f = year_figures(2026, &[&a, &b, &c], &paid);
        assert_eq!(f.contracted, Money(50_000), "only b was signed in 2026");
        assert_eq!(f.paid, Money(40_000), "a reversal recorded in the year counts against it");
        assert_eq!(f.projects, 2);
        assert_eq!(f.organizations_serving, 2);
        assert_eq!(f.by_category[0].category, Elderly);
        assert_eq!(
            f.by_category[1],
            CategoryFigure { category: Children, contracted: Money(0), paid: Money(-5_000), projects: 0 }
        );
        let quiet = year_figures(2030, &[&a, &b, &c], &HashMap::new());
        assert!(quiet.by_category.is_empty() && quiet.organizations_serving == 0);
    }

    #[test]
    fn days_left_are_counted_in_beijing_dates() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 15, 30, 0).single().unwrap_or_default(); // 23:30 in Beijing
        let later_tonight = Utc.with_ymd_and_hms(2026, 12, 4, 15, 50, 0).single().unwrap_or_default();
        let tomorrow_morning = Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).single().unwrap_or_default();
        assert_eq!(days_left(now, later_tonight), 0);
        assert_eq!(days_left(now, tomorrow_morning), 1);
        assert_eq!(days_left(tomorrow_morning, now), 0, "never negative");
    }
}
