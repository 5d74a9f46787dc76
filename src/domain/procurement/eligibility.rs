//! Whether an organization may bid on a call, rule by rule, with the reason for each:
//! active registration, not on the abnormal or dishonesty lists, years registered, the
//! current assessment grade, the last annual report, the organization types allowed, and
//! hub membership. Shown to the NGO before it bids; bids will be checked by the same rules.
use crate::domain::records::{self, CreditSummary};
use crate::error::AppResult;
use crate::i18n::{Locale, Msg};
use chrono::{Datelike, NaiveDate};
use entity::enums::{AnnualResult, HubRule, OrgStatus};
use entity::{call, organization};
use sea_orm::DatabaseConnection;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Check {
    pub passed: bool,
    pub message: Msg,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub passed: bool,
    pub message: String,
}

impl Check {
    fn new(passed: bool, message: Msg) -> Check {
        Check { passed, message }
    }
    pub fn view(&self, l: Locale) -> CheckView {
        CheckView { passed: self.passed, message: l.msg(&self.message) }
    }
}

/// Whole years from `from` to `today`.
fn years_between(from: NaiveDate, today: NaiveDate) -> i32 {
    let mut y = today.year() - from.year();
    if (today.month(), today.day()) < (from.month(), from.day()) {
        y -= 1;
    }
    y.max(0)
}

/// Every rule of the call for this organization, passed or not.
pub fn checks(c: &call::Model, org: &organization::Model, credit: &CreditSummary, today: NaiveDate) -> Vec<Check> {
    let mut out = vec![Check::new(org.status == OrgStatus::Active, Msg::new("eligibility.active"))];
    out.push(Check::new(!credit.on_abnormal_list, Msg::new("eligibility.not_abnormal")));
    out.push(Check::new(!credit.on_dishonesty_list, Msg::new("eligibility.not_dishonest")));
    if c.min_years_registered > 0 {
        let years = years_between(org.registration_date, today);
        out.push(Check::new(
            years >= c.min_years_registered,
            Msg::new("eligibility.years").arg("min", c.min_years_registered).arg("years", years),
        ));
    }
    if c.min_grade > 0 {
        let grade = credit.current_grade.unwrap_or(0);
        out.push(Check::new(
            grade >= c.min_grade,
            Msg::new("eligibility.grade")
                .arg("min", c.min_grade)
                .arg("grade", if grade > 0 { format!("{grade}A") } else { "—".into() }),
        ));
    }
    if c.require_annual_report {
        let ok = matches!(credit.last_annual_report, Some((_, AnnualResult::Passed | AnnualResult::BasicallyPassed)));
        out.push(Check::new(ok, Msg::new("eligibility.annual_report")));
    }
    let types: Vec<&str> = c.org_types.split(',').filter(|s| !s.is_empty()).collect();
    if !types.is_empty() {
        out.push(Check::new(types.contains(&org.org_type.code()), Msg::new("eligibility.org_type")));
    }
    match c.hub_rule {
        HubRule::None => {}
        HubRule::Preferred => out.push(Check::new(
            true,
            Msg::new(if credit.hub_former_member {
                "eligibility.hub_preferred_yes"
            } else {
                "eligibility.hub_preferred_no"
            }),
        )),
        HubRule::MemberRequired => out.push(Check::new(credit.hub_former_member, Msg::new("eligibility.hub_member"))),
        HubRule::GraduateRequired => out.push(Check::new(credit.hub_graduated, Msg::new("eligibility.hub_graduate"))),
    }
    out
}

/// The checks for an organization by id, reading its records.
pub async fn for_organization(
    db: &DatabaseConnection,
    c: &call::Model,
    org_id: i32,
    today: NaiveDate,
) -> AppResult<(organization::Model, Vec<Check>)> {
    let org = crate::domain::organizations::get(db, org_id).await?;
    let recs = records::load(db, org_id).await?;
    let credit = records::credit_summary(&org, &recs, today);
    let cs = checks(c, &org, &credit, today);
    Ok((org, cs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_years_count_the_anniversary() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(years_between(d("2023-11-26"), d("2026-11-25")), 2);
        assert_eq!(years_between(d("2023-11-26"), d("2026-11-26")), 3);
        assert_eq!(years_between(d("2027-01-01"), d("2026-11-26")), 0);
    }
}
