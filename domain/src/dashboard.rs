//! The bureau's dashboard: the year's money per service category and district, the money
//! of every year, calls and the bids they drew, organizations by type, grade and credit
//! standing, hubs' occupancy and graduation, milestones on time, evaluation grades and the
//! red flags. Each figure is a grouped count or a narrow read; nothing loads a table whole.
use crate::error::AppResult;
use crate::i18n::to_local;
use crate::integrity::{self, IntegrityRules, Rule};
use crate::money::Money;
use crate::organizations::Places;
use crate::portal::{SignedContract, YearFigures, paid_by_year, paid_in_year, signed_contracts, year_figures};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{CallStatus, EvaluationGrade, EvaluationStatus, ListKind, MembershipStage, OrgStatus, OrgType};
use entity::{
    assessment_grade, bid, call, evaluation, hub, hub_membership, list_entry, milestone, milestone_report, organization,
};
use sea_orm::sea_query::{Asterisk, Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize)]
pub struct DistrictMoney {
    pub district: String,
    pub contracted: Money,
    pub paid: Money,
    pub projects: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearMoney {
    pub year: i32,
    pub contracted: Money,
    pub paid: Money,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CallFigures {
    pub published: usize,
    pub opened: usize,
    pub bids: usize,
    /// Bids per opened call, to two decimals (hundredths).
    pub bids_per_call_centi: i64,
    pub under_three: usize,
    /// Share of opened calls with fewer than three bids, in percent to one decimal (tenths).
    pub under_three_permille: i64,
    pub awarded: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count<K> {
    pub key: K,
    pub n: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HubFigures {
    pub name: String,
    pub capacity: i32,
    pub occupied: i32,
    pub graduated: i64,
    pub exited: i64,
    /// Graduated of those who left (graduated or exited), in percent (tenths).
    pub graduation_permille: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub year: i32,
    pub years: Vec<i32>,
    pub figures: YearFigures,
    pub districts: Vec<DistrictMoney>,
    pub by_year: Vec<YearMoney>,
    pub calls: CallFigures,
    pub org_types: Vec<Count<OrgType>>,
    /// Current assessment grades (1–5) of active organizations; 0: none.
    pub grades: Vec<Count<i32>>,
    /// Organizations on the abnormal-activity or serious-dishonesty list now.
    pub listed: Vec<Count<ListKind>>,
    pub hubs: Vec<HubFigures>,
    pub milestones_accepted: usize,
    pub milestones_on_time: usize,
    pub milestones_overdue: usize,
    pub grades_released: Vec<Count<EvaluationGrade>>,
    pub flags: Vec<(Rule, usize)>,
}

fn count_expr() -> Expr {
    Expr::from(Func::count(Expr::col(Asterisk)))
}

fn permille(part: usize, whole: usize) -> i64 {
    if whole == 0 { 0 } else { (part as i64 * 1000 + whole as i64 / 2) / whole as i64 }
}

pub async fn build<C: ConnectionTrait>(
    db: &C,
    places: &Places,
    rules: &IntegrityRules,
    year: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<Dashboard> {
    let today = to_local(now).date_naive();
    let contracts = signed_contracts(db).await?;
    let mut years: Vec<i32> = contracts.iter().filter_map(|k| k.signed_at.map(|t| to_local(t).year())).collect();
    years.push(today.year());
    years.sort_unstable();
    years.dedup();
    let year = year.filter(|y| years.contains(y)).unwrap_or(today.year());
    let all: Vec<&SignedContract> = contracts.iter().collect();
    let paid = paid_in_year(db, year).await?;
    let figures = year_figures(year, &all, &paid);
    let districts = places
        .districts
        .iter()
        .map(|d| {
            let here: Vec<&SignedContract> = contracts.iter().filter(|k| k.districts.contains(&d.id)).collect();
            let f = year_figures(year, &here, &paid);
            DistrictMoney { district: d.name_zh.clone(), contracted: f.contracted, paid: f.paid, projects: f.projects }
        })
        .collect();
    let paid_by_year = paid_by_year(db).await?;
    let none = HashMap::new();
    let by_year = years
        .iter()
        .map(|y| {
            let f = year_figures(*y, &all, paid_by_year.get(y).unwrap_or(&none));
            YearMoney { year: *y, contracted: f.contracted, paid: f.paid }
        })
        .collect();
    let (accepted, on_time, overdue) = milestones(db, today).await?;
    let flags = integrity::flags(db, rules, places, now, true).await?;
    Ok(Dashboard {
        year,
        years,
        figures,
        districts,
        by_year,
        calls: calls(db, year).await?,
        org_types: org_types(db).await?,
        grades: grades(db, today).await?,
        listed: listed(db).await?,
        hubs: hubs(db).await?,
        milestones_accepted: accepted,
        milestones_on_time: on_time,
        milestones_overdue: overdue,
        grades_released: evaluation_grades(db, year).await?,
        flags: integrity::counts(&flags),
    })
}

/// The calls published in the year: how many were opened, the bids they drew, and the share
/// with fewer than three bids. Bids count only once opened.
async fn calls<C: ConnectionTrait>(db: &C, year: i32) -> AppResult<CallFigures> {
    type Row = (i32, CallStatus, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let rows: Vec<Row> = call::Entity::find()
        .select_only()
        .columns([call::Column::Id, call::Column::Status, call::Column::PublishedAt, call::Column::OpenedAt])
        .filter(call::Column::Status.ne(CallStatus::Draft))
        .into_tuple()
        .all(db)
        .await?;
    let of_year: Vec<_> = rows.iter().filter(|r| r.2.is_some_and(|t| to_local(t).year() == year)).collect();
    let per_call: HashMap<i32, i64> = bid::Entity::find()
        .select_only()
        .column(bid::Column::CallId)
        .column_as(count_expr(), "n")
        .filter(bid::Column::OpenedAt.is_not_null())
        .filter(bid::Column::Status.eq(entity::enums::BidStatus::Submitted))
        .group_by(bid::Column::CallId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let opened: Vec<i64> =
        of_year.iter().filter(|r| r.3.is_some()).map(|r| per_call.get(&r.0).copied().unwrap_or(0)).collect();
    let bids: i64 = opened.iter().sum();
    let under_three = opened.iter().filter(|n| **n < 3).count();
    Ok(CallFigures {
        published: of_year.len(),
        opened: opened.len(),
        bids: bids as usize,
        bids_per_call_centi: if opened.is_empty() {
            0
        } else {
            (bids * 100 + opened.len() as i64 / 2) / opened.len() as i64
        },
        under_three,
        under_three_permille: permille(under_three, opened.len()),
        awarded: of_year.iter().filter(|r| r.1 == CallStatus::Awarded).count(),
        failed: of_year.iter().filter(|r| r.1 == CallStatus::Failed).count(),
    })
}

async fn org_types<C: ConnectionTrait>(db: &C) -> AppResult<Vec<Count<OrgType>>> {
    let rows: Vec<(OrgType, i64)> = organization::Entity::find()
        .select_only()
        .column(organization::Column::OrgType)
        .column_as(count_expr(), "n")
        .filter(organization::Column::Status.eq(OrgStatus::Active))
        .group_by(organization::Column::OrgType)
        .into_tuple()
        .all(db)
        .await?;
    Ok(OrgType::ALL.iter().map(|t| Count { key: *t, n: rows.iter().find(|r| r.0 == *t).map_or(0, |r| r.1) }).collect())
}

/// Each active organization's highest grade valid today (0: none).
async fn grades<C: ConnectionTrait>(db: &C, today: NaiveDate) -> AppResult<Vec<Count<i32>>> {
    let active = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .filter(organization::Column::Status.eq(OrgStatus::Active));
    let total = sea_orm::PaginatorTrait::count(active, db).await? as i64;
    let rows: Vec<(i32, Option<i32>)> = assessment_grade::Entity::find()
        .select_only()
        .column(assessment_grade::Column::OrganizationId)
        .column_as(Expr::from(Func::max(Expr::col(assessment_grade::Column::Grade))), "g")
        .filter(assessment_grade::Column::ValidFrom.lte(today))
        .filter(assessment_grade::Column::ValidTo.gte(today))
        .filter(
            assessment_grade::Column::OrganizationId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(organization::Column::Id)
                    .from(organization::Entity)
                    .and_where(organization::Column::Status.eq(OrgStatus::Active))
                    .to_owned(),
            ),
        )
        .group_by(assessment_grade::Column::OrganizationId)
        .into_tuple()
        .all(db)
        .await?;
    let mut by: BTreeMap<i32, i64> = (0..=5).map(|g| (g, 0)).collect();
    for (_, g) in &rows {
        *by.entry(g.unwrap_or(0).clamp(0, 5)).or_default() += 1;
    }
    let graded: i64 = by.iter().filter(|(g, _)| **g > 0).map(|(_, n)| *n).sum();
    by.insert(0, (total - graded).max(0));
    Ok(by.into_iter().rev().map(|(key, n)| Count { key, n }).collect())
}

async fn listed<C: ConnectionTrait>(db: &C) -> AppResult<Vec<Count<ListKind>>> {
    let rows: Vec<(ListKind, i64)> = list_entry::Entity::find()
        .select_only()
        .column(list_entry::Column::Kind)
        .column_as(Expr::cust("COUNT(DISTINCT organization_id)"), "n")
        .filter(list_entry::Column::RemovedOn.is_null())
        .group_by(list_entry::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ListKind::ALL.iter().map(|k| Count { key: *k, n: rows.iter().find(|r| r.0 == *k).map_or(0, |r| r.1) }).collect())
}

async fn hubs<C: ConnectionTrait>(db: &C) -> AppResult<Vec<HubFigures>> {
    let hubs = hub::Entity::find().all(db).await?;
    let stages: Vec<(i32, MembershipStage, i64)> = hub_membership::Entity::find()
        .select_only()
        .column(hub_membership::Column::HubId)
        .column(hub_membership::Column::Stage)
        .column_as(count_expr(), "n")
        .group_by(hub_membership::Column::HubId)
        .group_by(hub_membership::Column::Stage)
        .into_tuple()
        .all(db)
        .await?;
    let n = |h: i32, s: MembershipStage| stages.iter().find(|r| r.0 == h && r.1 == s).map_or(0, |r| r.2);
    Ok(hubs
        .into_iter()
        .map(|h| {
            let (graduated, exited) = (n(h.id, MembershipStage::Graduated), n(h.id, MembershipStage::Exited));
            let left = (graduated + exited) as usize;
            HubFigures {
                name: h.name,
                capacity: h.capacity,
                occupied: h.occupied,
                graduated,
                exited,
                graduation_permille: (left > 0).then(|| permille(graduated as usize, left)),
            }
        })
        .collect())
}

/// Milestones accepted; those accepted whose first report came in by the due date
/// (Beijing); and those past due and not accepted now.
async fn milestones<C: ConnectionTrait>(db: &C, today: NaiveDate) -> AppResult<(usize, usize, usize)> {
    use entity::enums::MilestoneStatus as S;
    let due: HashMap<i32, (NaiveDate, S)> = milestone::Entity::find()
        .select_only()
        .columns([milestone::Column::Id, milestone::Column::DueOn, milestone::Column::Status])
        .into_tuple::<(i32, NaiveDate, S)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, d, s)| (id, (d, s)))
        .collect();
    let first_reports: Vec<(i32, Option<DateTime<Utc>>)> = milestone_report::Entity::find()
        .select_only()
        .column(milestone_report::Column::MilestoneId)
        .column_as(Expr::from(Func::min(Expr::col(milestone_report::Column::SubmittedAt))), "first")
        .group_by(milestone_report::Column::MilestoneId)
        .into_tuple()
        .all(db)
        .await?;
    let on_time = first_reports
        .iter()
        .filter(|(m, first)| {
            due.get(m).zip(*first).is_some_and(|((d, s), at)| *s == S::Accepted && to_local(at).date_naive() <= *d)
        })
        .count();
    let accepted = due.values().filter(|(_, s)| *s == S::Accepted).count();
    let overdue = due.values().filter(|(d, s)| *s != S::Accepted && *d < today).count();
    Ok((accepted, on_time, overdue))
}

/// Released evaluations' grades, those released in the year.
async fn evaluation_grades<C: ConnectionTrait>(db: &C, year: i32) -> AppResult<Vec<Count<EvaluationGrade>>> {
    let rows: Vec<(Option<EvaluationGrade>, Option<DateTime<Utc>>)> = evaluation::Entity::find()
        .select_only()
        .columns([evaluation::Column::Grade, evaluation::Column::ReleasedAt])
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Released))
        .into_tuple()
        .all(db)
        .await?;
    let of_year: Vec<EvaluationGrade> =
        rows.into_iter().filter(|r| r.1.is_some_and(|t| to_local(t).year() == year)).filter_map(|r| r.0).collect();
    Ok(EvaluationGrade::ALL
        .iter()
        .map(|g| Count { key: *g, n: of_year.iter().filter(|x| *x == g).count() as i64 })
        .collect())
}

fn money_columns(first: (&'static str, &'static str)) -> Vec<crate::sheets::Column> {
    use crate::sheets::col;
    vec![
        col(first.0, first.1, 20.0),
        col("签约金额", "Contracted", 16.0),
        col("已支付", "Paid", 16.0),
        col("项目数", "Projects", 10.0),
    ]
}

fn count_sheet(zh: &'static str, en: &'static str, rows: Vec<(String, i64)>) -> crate::sheets::Sheet {
    use crate::sheets::{Cell, Sheet, col};
    Sheet {
        name_zh: zh,
        name_en: en,
        columns: vec![col("项目", "Item", 28.0), col("数量", "Count", 12.0)],
        rows: rows.into_iter().map(|(k, n)| vec![Cell::Text(k), Cell::Int(n)]).collect(),
    }
}

/// The money sheets: by category, by district, by year.
fn money_sheets(d: &Dashboard, locale: crate::i18n::Locale) -> Vec<crate::sheets::Sheet> {
    use crate::sheets::{Cell, Sheet, col};
    let t = |k: &str| locale.t(k).to_string();
    let money_row = |label: String, contracted: Money, paid: Money, projects: usize| {
        vec![Cell::Text(label), Cell::Fen(contracted.0), Cell::Fen(paid.0), Cell::Int(projects as i64)]
    };
    vec![
        Sheet {
            name_zh: "按服务类别",
            name_en: "By category",
            columns: money_columns(("服务类别", "Category")),
            rows: d
                .figures
                .by_category
                .iter()
                .map(|x| money_row(t(&format!("category.{}", x.category.code())), x.contracted, x.paid, x.projects))
                .collect(),
        },
        Sheet {
            name_zh: "按区",
            name_en: "By district",
            columns: money_columns(("区", "District")),
            rows: d.districts.iter().map(|x| money_row(x.district.clone(), x.contracted, x.paid, x.projects)).collect(),
        },
        Sheet {
            name_zh: "按年度",
            name_en: "By year",
            columns: vec![col("年度", "Year", 10.0), col("签约金额", "Contracted", 16.0), col("已支付", "Paid", 16.0)],
            rows: d
                .by_year
                .iter()
                .map(|y| vec![Cell::Int(y.year.into()), Cell::Fen(y.contracted.0), Cell::Fen(y.paid.0)])
                .collect(),
        },
    ]
}

/// The dashboard's tables as worksheets (the figures the charts draw, as numbers).
pub fn sheets(d: &Dashboard, locale: crate::i18n::Locale) -> Vec<crate::sheets::Sheet> {
    let t = |k: &str| locale.t(k).to_string();
    let c = &d.calls;
    let grade = |g: i32| if g == 0 { t("dashboard.no_grade") } else { format!("{g}A") };
    let mut out = money_sheets(d, locale);
    out.push(count_sheet(
        "采购",
        "Calls",
        vec![
            (t("dashboard.calls_published"), c.published as i64),
            (t("dashboard.calls_opened"), c.opened as i64),
            (t("dashboard.bids"), c.bids as i64),
            (t("dashboard.calls_under_three"), c.under_three as i64),
            (t("dashboard.calls_awarded"), c.awarded as i64),
            (t("dashboard.calls_failed"), c.failed as i64),
        ],
    ));
    let orgs = d
        .org_types
        .iter()
        .map(|x| (t(&format!("org_type.{}", x.key.code())), x.n))
        .chain(d.grades.iter().map(|g| (grade(g.key), g.n)))
        .chain(d.listed.iter().map(|l| (t(&format!("list_kind.{}", l.key.code())), l.n)))
        .collect();
    out.push(count_sheet("组织", "Organizations", orgs));
    let grades = d.grades_released.iter().map(|g| (t(&format!("evaluation_grade.{}", g.key.code())), g.n)).collect();
    out.push(count_sheet("评估等次", "Evaluation grades", grades));
    let flags = d.flags.iter().map(|(r, n)| (t(&format!("flag.rule.{}", r.code())), *n as i64)).collect();
    out.push(count_sheet("风险提示", "Red flags", flags));
    out
}
