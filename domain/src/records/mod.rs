//! Records linked to an organization: annual reports, assessment grades, list entries,
//! administrative penalties, and the credit summary drawn from them.
use crate::error::{AppError, AppResult};
use chrono::{Datelike, NaiveDate};
use entity::enums::{AnnualResult, ListKind, OrgStatus};
use entity::{annual_report, assessment_grade, list_entry, organization, penalty};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

mod entries;
pub use entries::*;

/// Whether the organization is on a list now (removed entries no longer count).
pub fn currently_on(entries: &[list_entry::Model], kind: ListKind) -> bool {
    entries.iter().any(|e| e.kind == kind && e.removed_on.is_none())
}

#[derive(Debug, Clone, Serialize)]
pub struct OrgRecords {
    pub annual_reports: Vec<annual_report::Model>,
    pub grades: Vec<assessment_grade::Model>,
    pub list_entries: Vec<list_entry::Model>,
    pub penalties: Vec<penalty::Model>,
    /// Incubation: current or past hub membership and graduation.
    pub hub: super::hubs::HubStanding,
    /// Released performance evaluations of its contracts, newest first.
    pub evaluations: Vec<super::evaluations::listing::EvaluationRecord>,
}

/// The credit summary's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditLevel {
    Good,
    Attention,
    Restricted,
}

/// What a buyer needs to know at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct CreditSummary {
    pub level: CreditLevel,
    pub current_grade: Option<i32>,
    pub grade_gives_priority: bool,
    pub last_annual_report: Option<(i32, AnnualResult)>,
    pub on_abnormal_list: bool,
    pub on_dishonesty_list: bool,
    /// The current entry on each list, if any: since when and why (newest first).
    pub abnormal_entry: Option<(NaiveDate, String)>,
    pub dishonesty_entry: Option<(NaiveDate, String)>,
    pub penalties_last_3_years: usize,
    pub status: OrgStatus,
    /// In a hub now; has been in one; graduated from one. Procurement rules may ask for these.
    pub hub_member: bool,
    pub hub_former_member: bool,
    pub hub_graduated: bool,
    /// The latest final evaluation's result.
    pub last_final_evaluation: Option<super::evaluations::listing::EvaluationRecord>,
    /// Final evaluations that bar (不合格) or favour (优秀/良好) the organization in calls,
    /// each with the day until which it does (past ones included: a call is judged by the
    /// day it was published).
    pub evaluation_bars: Vec<super::evaluations::listing::EvaluationRecord>,
    pub evaluation_preferences: Vec<super::evaluations::listing::EvaluationRecord>,
    /// Until when (exclusive) a 不合格 final evaluation bars the organization, as of today.
    pub barred_until: Option<NaiveDate>,
}

pub async fn load<C: sea_orm::ConnectionTrait>(db: &C, org_id: i32) -> AppResult<OrgRecords> {
    load_many(db, &[org_id]).await?.remove(&org_id).ok_or(AppError::NotFound)
}

/// The records of each of these organizations, in a fixed number of queries however many
/// (opening reads them for every bidder at once).
pub async fn load_many<C: sea_orm::ConnectionTrait>(
    db: &C,
    org_ids: &[i32],
) -> AppResult<std::collections::HashMap<i32, OrgRecords>> {
    let ids = || org_ids.iter().copied();
    let annual_reports = annual_report::Entity::find()
        .filter(annual_report::Column::OrganizationId.is_in(ids()))
        .order_by_desc(annual_report::Column::Year)
        .all(db)
        .await?;
    let grades = assessment_grade::Entity::find()
        .filter(assessment_grade::Column::OrganizationId.is_in(ids()))
        .order_by_desc(assessment_grade::Column::ValidFrom)
        .all(db)
        .await?;
    let list_entries = list_entry::Entity::find()
        .filter(list_entry::Column::OrganizationId.is_in(ids()))
        .order_by_desc(list_entry::Column::EnteredOn)
        .all(db)
        .await?;
    let penalties = penalty::Entity::find()
        .filter(penalty::Column::OrganizationId.is_in(ids()))
        .order_by_desc(penalty::Column::DecidedOn)
        .all(db)
        .await?;
    let mut hubs = super::hubs::standings(db, org_ids).await?;
    let evaluations = super::evaluations::listing::released_for_orgs(db, org_ids).await?;
    Ok(org_ids
        .iter()
        .map(|&id| {
            let of = |o: i32| o == id;
            let r = OrgRecords {
                annual_reports: annual_reports.iter().filter(|x| of(x.organization_id)).cloned().collect(),
                grades: grades.iter().filter(|x| of(x.organization_id)).cloned().collect(),
                list_entries: list_entries.iter().filter(|x| of(x.organization_id)).cloned().collect(),
                penalties: penalties.iter().filter(|x| of(x.organization_id)).cloned().collect(),
                hub: hubs.remove(&id).unwrap_or_default(),
                evaluations: evaluations.iter().filter(|x| of(x.0)).map(|x| x.1.clone()).collect(),
            };
            (id, r)
        })
        .collect())
}

/// The latest entry still in force on a list: when it was made and why.
fn current_entry(entries: &[list_entry::Model], kind: ListKind) -> Option<(NaiveDate, String)> {
    entries
        .iter()
        .filter(|e| e.kind == kind && e.removed_on.is_none())
        .max_by_key(|e| (e.entered_on, e.id))
        .map(|e| (e.entered_on, e.reason.clone()))
}

pub fn credit_summary(org: &organization::Model, r: &OrgRecords, today: NaiveDate) -> CreditSummary {
    let current_grade = r.grades.iter().filter(|g| g.valid_from <= today && today <= g.valid_to).map(|g| g.grade).max();
    let last = r.annual_reports.iter().max_by_key(|a| a.year).map(|a| (a.year, a.result));
    let on_abnormal = currently_on(&r.list_entries, ListKind::AbnormalList);
    let on_dishonesty = currently_on(&r.list_entries, ListKind::DishonestyList);
    let three_years_ago = today.with_year(today.year() - 3).unwrap_or(today);
    let recent_penalties = r.penalties.iter().filter(|p| p.decided_on >= three_years_ago).count();
    let finals = || r.evaluations.iter().filter(|e| e.kind == entity::enums::EvaluationKind::Final);
    let last_final = finals().max_by_key(|e| (e.released_on, e.evaluation_id)).cloned();
    // Kept whole, not cut at today: a call published while a bar held still refuses.
    let barred: Vec<_> = finals().filter(|e| e.barred_until.is_some()).cloned().collect();
    let preferred: Vec<_> = finals().filter(|e| e.preferred_until.is_some()).cloned().collect();
    let barred_until = barred.iter().filter_map(|e| e.barred_until).filter(|d| *d > today).max();
    let barred_now = barred_until.is_some();
    let level = if on_dishonesty || matches!(org.status, OrgStatus::Revoked | OrgStatus::Deregistered) {
        CreditLevel::Restricted
    } else if on_abnormal
        || recent_penalties > 0
        || org.status == OrgStatus::Suspended
        || matches!(last, Some((_, AnnualResult::Failed)))
        || barred_now
    {
        CreditLevel::Attention
    } else {
        CreditLevel::Good
    };
    CreditSummary {
        level,
        grade_gives_priority: current_grade.is_some_and(|g| g >= 3),
        current_grade,
        last_annual_report: last,
        on_abnormal_list: on_abnormal,
        on_dishonesty_list: on_dishonesty,
        abnormal_entry: current_entry(&r.list_entries, ListKind::AbnormalList),
        dishonesty_entry: current_entry(&r.list_entries, ListKind::DishonestyList),
        penalties_last_3_years: recent_penalties,
        status: org.status,
        hub_member: r.hub.current_member,
        hub_former_member: r.hub.ever_member,
        hub_graduated: r.hub.graduated,
        last_final_evaluation: last_final,
        evaluation_bars: barred,
        evaluation_preferences: preferred,
        barred_until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn org(status: OrgStatus) -> organization::Model {
        let t = DateTime::<Utc>::MIN_UTC;
        organization::Model {
            id: 1,
            name: "x".into(),
            name_initials: "x".into(),
            uscc: None,
            uscc_override_reason: None,
            org_type: entity::enums::OrgType::Filing,
            status,
            registration_date: NaiveDate::MIN,
            registration_authority: String::new(),
            legal_representative: String::new(),
            address: String::new(),
            district_id: 1,
            community_id: None,
            business_scope: String::new(),
            registered_funds_fen: 0,
            supervising_unit: None,
            certificate_valid_until: None,
            contact_name: String::new(),
            contact_phone: String::new(),
            contact_email: String::new(),
            created_at: t,
            updated_at: t,
        }
    }

    fn entry(kind: ListKind, removed: bool) -> list_entry::Model {
        list_entry::Model {
            id: 1,
            organization_id: 1,
            kind,
            entered_on: NaiveDate::MIN,
            reason: "r".into(),
            removed_on: removed.then_some(NaiveDate::MIN),
            removal_reason: None,
            recorded_by: Some(1),
            created_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn credit_levels() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let mut r = OrgRecords {
            annual_reports: vec![],
            grades: vec![],
            list_entries: vec![],
            penalties: vec![],
            hub: Default::default(),
            evaluations: vec![],
        };
        assert_eq!(credit_summary(&org(OrgStatus::Active), &r, today).level, CreditLevel::Good);
        r.list_entries.push(entry(ListKind::AbnormalList, true));
        assert_eq!(
            credit_summary(&org(OrgStatus::Active), &r, today).level,
            CreditLevel::Good,
            "a removed entry no longer counts"
        );
        r.list_entries.push(entry(ListKind::AbnormalList, false));
        assert_eq!(credit_summary(&org(OrgStatus::Active), &r, today).level, CreditLevel::Attention);
        r.list_entries.push(entry(ListKind::DishonestyList, false));
        assert_eq!(credit_summary(&org(OrgStatus::Active), &r, today).level, CreditLevel::Restricted);
    }
}
