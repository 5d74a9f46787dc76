//! Whether an organization may bid on a call, rule by rule, with the reason for each:
//! active registration, not on the abnormal or dishonesty lists, years registered, the
//! current assessment grade, the last annual report, the organization types allowed, and
//! hub membership. Shown to the NGO before it bids, and run again at every decision the rules
//! govern: at submission, for each bid at opening, and for the chosen bid at the award.
use crate::error::AppResult;
use crate::i18n::{Locale, Msg};
use crate::records::{self, CreditSummary};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{AnnualResult, HubRule, OrgStatus};
use entity::{call, organization};
use sea_orm::ConnectionTrait;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Check {
    pub passed: bool,
    pub message: Msg,
    /// Information, not a rule: a preference the organization does not meet, which does
    /// not decide eligibility (shown without a tick or a cross).
    pub note: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub passed: bool,
    pub message: String,
    pub note: bool,
}

impl Check {
    fn new(passed: bool, message: Msg) -> Check {
        Check { passed, message, note: false }
    }
    fn note(message: Msg) -> Check {
        Check { passed: true, message, note: true }
    }
    pub fn view(&self, l: Locale) -> CheckView {
        CheckView { passed: self.passed, message: l.msg(&self.message), note: self.note }
    }
}

/// An organization's standing against a call, rule by rule, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct Eligibility {
    pub organization: String,
    pub eligible: bool,
    pub checks: Vec<CheckView>,
}

pub async fn summary<C: ConnectionTrait>(
    db: &C,
    c: &call::Model,
    org_id: i32,
    now: DateTime<Utc>,
    locale: Locale,
) -> AppResult<Eligibility> {
    let (org, checks) = for_organization(db, c, org_id, now).await?;
    Ok(Eligibility {
        organization: org.name,
        eligible: checks.iter().all(|x| x.passed),
        checks: checks.iter().map(|x| x.view(locale)).collect(),
    })
}

/// Whole years from `from` to `today`.
fn years_between(from: NaiveDate, today: NaiveDate) -> i32 {
    let mut y = today.year() - from.year();
    if (today.month(), today.day()) < (from.month(), from.day()) {
        y -= 1;
    }
    y.max(0)
}

/// Every rule of the call for this organization at `now`, passed or not. A failed rule
/// names what failed: the list with the entry's date and reason, the registration status.
pub fn checks(c: &call::Model, org: &organization::Model, credit: &CreditSummary, now: DateTime<Utc>) -> Vec<Check> {
    let today = crate::i18n::to_local(now).date_naive();
    let mut out = vec![match org.status {
        OrgStatus::Active => Check::new(true, Msg::new("eligibility.active")),
        OrgStatus::Suspended => Check::new(false, Msg::new("eligibility.suspended")),
        OrgStatus::Deregistered => Check::new(false, Msg::new("eligibility.deregistered")),
        OrgStatus::Revoked => Check::new(false, Msg::new("eligibility.revoked")),
    }];
    out.push(match &credit.abnormal_entry {
        None => Check::new(true, Msg::new("eligibility.not_abnormal")),
        Some((since, reason)) => {
            Check::new(false, Msg::new("eligibility.on_abnormal_list").arg("since", since).arg("reason", reason))
        }
    });
    out.push(match &credit.dishonesty_entry {
        None => Check::new(true, Msg::new("eligibility.not_dishonest")),
        Some((since, reason)) => {
            Check::new(false, Msg::new("eligibility.on_dishonesty_list").arg("since", since).arg("reason", reason))
        }
    });
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
        HubRule::Preferred if credit.hub_former_member => {
            out.push(Check::new(true, Msg::new("eligibility.hub_preferred_yes")))
        }
        HubRule::Preferred => out.push(Check::note(Msg::new("eligibility.hub_preferred_no"))),
        HubRule::MemberRequired => out.push(Check::new(credit.hub_former_member, Msg::new("eligibility.hub_member"))),
        HubRule::GraduateRequired => out.push(Check::new(credit.hub_graduated, Msg::new("eligibility.hub_graduate"))),
    }
    out.extend(evaluation_checks(c, credit, now));
    out
}

/// What the organization's evaluations say for this call: a 不合格 final evaluation bars
/// calls published after the moment of its release and before the day the bar ends (fixed
/// at the release); a good one may be preferred. Unpublished calls are judged now.
fn evaluation_checks(c: &call::Model, credit: &CreditSummary, now: DateTime<Utc>) -> Vec<Check> {
    let published_at = c.published_at.unwrap_or(now);
    let published = crate::i18n::to_local(published_at).date_naive();
    let bar = records_barring(credit, published_at);
    let mut out = vec![match bar {
        None => Check::new(true, Msg::new("eligibility.no_failed_evaluation")),
        Some(e) => Check::new(
            false,
            Msg::new("eligibility.failed_evaluation")
                .arg("project", &e.project)
                .arg("date", e.released_on)
                .arg("until", e.barred_until.unwrap_or(published)),
        ),
    }];
    if c.evaluation_preference {
        let pref = credit
            .evaluation_preferences
            .iter()
            .find(|e| e.released_at <= published_at && e.preferred_until.is_some_and(|d| published < d));
        out.push(Check::new(
            true,
            match pref {
                Some(e) => Msg::new("eligibility.evaluation_preferred_yes")
                    .arg("project", &e.project)
                    .arg("grade", e.grade.code()),
                None => Msg::new("eligibility.evaluation_preferred_no"),
            },
        ));
    }
    out
}

/// The 不合格 final evaluation, if any, that bars a call published at `published_at`.
fn records_barring(
    credit: &CreditSummary,
    published_at: DateTime<Utc>,
) -> Option<&crate::evaluations::listing::EvaluationRecord> {
    let published = crate::i18n::to_local(published_at).date_naive();
    credit
        .evaluation_bars
        .iter()
        .find(|e| e.released_at <= published_at && e.barred_until.is_some_and(|d| published < d))
}

/// The checks for an organization by id at `now`, reading its records.
pub async fn for_organization<C: ConnectionTrait>(
    db: &C,
    c: &call::Model,
    org_id: i32,
    now: DateTime<Utc>,
) -> AppResult<(organization::Model, Vec<Check>)> {
    let org = crate::organizations::get(db, org_id).await?;
    let recs = records::load(db, org_id).await?;
    let credit = records::credit_summary(&org, &recs, crate::i18n::to_local(now).date_naive());
    let cs = checks(c, &org, &credit, now);
    Ok((org, cs))
}

/// The first rule each of these organizations fails at `now`, if any: what opening checks
/// for every bidder, reading their records in a fixed number of queries.
pub async fn first_failures<C: ConnectionTrait>(
    db: &C,
    c: &call::Model,
    org_ids: &[i32],
    now: DateTime<Utc>,
) -> AppResult<std::collections::HashMap<i32, Option<Msg>>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let orgs =
        organization::Entity::find().filter(organization::Column::Id.is_in(org_ids.iter().copied())).all(db).await?;
    let mut recs = records::load_many(db, org_ids).await?;
    let today = crate::i18n::to_local(now).date_naive();
    Ok(orgs
        .iter()
        .filter_map(|org| {
            let r = recs.remove(&org.id)?;
            let credit = records::credit_summary(org, &r, today);
            Some((org.id, checks(c, org, &credit, now).into_iter().find(|x| !x.passed).map(|x| x.message)))
        })
        .collect())
}

/// The first rule the organization fails at `now`, if any.
pub async fn first_failure<C: ConnectionTrait>(
    db: &C,
    c: &call::Model,
    org_id: i32,
    now: DateTime<Utc>,
) -> AppResult<Option<Msg>> {
    let (_, checks) = for_organization(db, c, org_id, now).await?;
    Ok(checks.into_iter().find(|x| !x.passed).map(|x| x.message))
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
