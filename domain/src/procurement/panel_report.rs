//! The panel's report: every valid bid with each member's scores, the price score, the
//! total and the rank; the bids found invalid; and who may read the scores when.
use super::calls;
use super::formula::{self, Centi};
use super::opening::{self, OpenedBid};
use super::panel;
use super::rules::ProcurementRules;
use super::score_sheets::{low_flags, technical};
use crate::error::AppResult;
use crate::money::Money;
use entity::enums::{CallStatus, PanelMemberStatus};
use entity::{bid_ruling, call, score, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CriterionRow {
    pub criterion_id: i32,
    pub name: String,
    pub weight: i32,
    /// Per seated member (in the order of `Report::members`), the score that counts.
    pub scores: Vec<Option<i32>>,
    /// Corrected from the first submission by some member.
    pub corrected: bool,
    /// Rounded for display; the total adds the exact points.
    pub points: Centi,
    #[serde(skip)]
    pub exact: formula::Exact,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportBid {
    #[serde(skip_serializing)]
    pub bid_id: i32,
    pub bid_ref: String,
    pub organization_id: i32,
    pub organization: String,
    pub price_fen: Money,
    pub low_price: bool,
    /// For a low price: the explanation, and whether the bid stands (None: not ruled yet).
    pub explanation: Option<String>,
    pub stands: Option<bool>,
    pub ruling_note: Option<String>,
    /// Out of the ranking: ruled invalid.
    pub excluded: bool,
    pub criteria: Vec<CriterionRow>,
    /// The non-price points: exact, and rounded for display.
    pub technical: Centi,
    #[serde(skip)]
    pub technical_exact: formula::Exact,
    pub price_points: Centi,
    pub total: Centi,
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub price_weight: i32,
    pub benchmark_fen: Option<Money>,
    pub members: Vec<panel::Member>,
    pub bids: Vec<ReportBid>,
    /// Every seat taken by a seated member, each has submitted, every low price ruled.
    pub complete: bool,
    pub waiting_for: Vec<String>,
    pub pending_rulings: usize,
    #[serde(skip_serializing)]
    pub recommended_bid_id: Option<i32>,
    pub recommended_bid_ref: Option<String>,
    /// Opened bids not scored, with why: the organization no longer qualified at opening
    /// (zh-CN reason), or the stored bid did not match its receipt.
    pub invalid: Vec<InvalidBid>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvalidBid {
    #[serde(skip_serializing)]
    pub bid_id: i32,
    pub bid_ref: String,
    pub organization_id: i32,
    pub organization: String,
    pub ineligible_reason: Option<String>,
    pub digest_ok: bool,
}

impl From<OpenedBid> for InvalidBid {
    fn from(b: OpenedBid) -> InvalidBid {
        InvalidBid {
            bid_id: b.bid_id,
            bid_ref: b.bid_ref,
            organization_id: b.organization_id,
            organization: b.organization,
            ineligible_reason: b.ineligible_reason,
            digest_ok: b.digest_ok,
        }
    }
}

/// Each non-price criterion of bid `b`: every seated member's score that counts (their
/// latest entry), and the criterion's points from them.
fn criterion_rows(
    b: &OpenedBid,
    criteria: &[entity::call_criterion::Model],
    seated: &[panel::Member],
    scores: &[score::Model],
) -> Vec<CriterionRow> {
    technical(criteria)
        .into_iter()
        .map(|cr| {
            // Later revisions come later, so the last match is the score that counts.
            let per: Vec<Option<i32>> = seated
                .iter()
                .map(|m| {
                    scores
                        .iter()
                        .rfind(|s| s.panel_member_id == m.id && s.bid_id == b.bid_id && s.criterion_id == cr.id)
                        .map(|s| s.score)
                })
                .collect();
            let counted: Vec<i32> = per.iter().flatten().copied().collect();
            CriterionRow {
                criterion_id: cr.id,
                name: cr.name.clone(),
                weight: cr.weight,
                corrected: scores.iter().any(|s| s.bid_id == b.bid_id && s.criterion_id == cr.id && s.revision > 0),
                points: formula::criterion_points(&counted, cr.weight),
                exact: formula::criterion_exact(&counted, cr.weight),
                scores: per,
            }
        })
        .collect()
}

/// The panel's report from the scores that count (each member's latest entry).
pub async fn report<C: ConnectionTrait>(db: &C, rules: &ProcurementRules, c: &call::Model) -> AppResult<Report> {
    let criteria = calls::criteria(db, c.id).await?;
    let price_weight = criteria.iter().find(|x| x.is_price).map(|x| x.weight).unwrap_or(0);
    let (bids, invalid): (Vec<OpenedBid>, Vec<OpenedBid>) =
        opening::opened_bids(db, c).await?.into_iter().partition(OpenedBid::valid);
    let invalid = invalid.into_iter().map(InvalidBid::from).collect();
    let p = panel::get_panel(db, c.id).await?;
    let all_members = panel::members(db, c.id).await?;
    let seated: Vec<panel::Member> =
        all_members.iter().filter(|m| m.status == PanelMemberStatus::Seated).cloned().collect();
    let scores = score::Entity::find()
        .filter(score::Column::CallId.eq(c.id))
        .order_by_asc(score::Column::Revision)
        .all(db)
        .await?;
    let rulings = bid_ruling::Entity::find().filter(bid_ruling::Column::CallId.eq(c.id)).all(db).await?;
    let flags = low_flags(&bids, rules);
    let mut out: Vec<ReportBid> = Vec::new();
    for b in &bids {
        let ruling = rulings.iter().find(|r| r.bid_id == b.bid_id);
        let low = flags.contains(&b.bid_id);
        let rows = criterion_rows(b, &criteria, &seated, &scores);
        let stands = ruling.and_then(|r| r.stands);
        out.push(ReportBid {
            bid_id: b.bid_id,
            bid_ref: b.bid_ref.clone(),
            organization_id: b.organization_id,
            organization: b.organization.clone(),
            price_fen: b.total_fen,
            low_price: low,
            explanation: ruling.and_then(|r| r.explanation.clone()),
            stands: if low { stands } else { None },
            ruling_note: ruling.and_then(|r| r.note.clone()),
            excluded: low && stands == Some(false),
            technical: rows.iter().map(|r| r.exact).sum::<formula::Exact>().round(),
            technical_exact: rows.iter().map(|r| r.exact).sum(),
            criteria: rows,
            price_points: 0,
            total: 0,
            rank: None,
        });
    }
    // Price scores and ranks among the bids that stand; the benchmark is their lowest price.
    let ranked = formula::score(
        &out.iter()
            .filter(|b| !b.excluded)
            .map(|b| (b.bid_id, b.price_fen.fen(), b.technical_exact))
            .collect::<Vec<_>>(),
        price_weight,
    );
    for s in &ranked {
        if let Some(b) = out.iter_mut().find(|b| b.bid_id == s.bid_id) {
            b.price_points = s.price;
            b.total = s.total;
            b.rank = Some(s.rank);
        }
    }
    out.sort_by_key(|b| (b.rank.unwrap_or(usize::MAX), b.bid_id));
    let pending_rulings = out.iter().filter(|b| b.low_price && b.stands.is_none()).count();
    let mut waiting_for: Vec<String> = seated.iter().filter(|m| !m.submitted).map(|m| m.name.clone()).collect();
    waiting_for.extend(all_members.iter().filter(|m| m.status == PanelMemberStatus::Drawn).map(|m| m.name.clone()));
    let full = p.as_ref().is_some_and(|p| seated.len() as i32 == p.size);
    let complete = full && waiting_for.is_empty() && pending_rulings == 0 && !ranked.is_empty();
    let recommended_bid_id = if complete { ranked.first().map(|s| s.bid_id) } else { None };
    Ok(Report {
        price_weight,
        recommended_bid_ref: out.iter().find(|b| Some(b.bid_id) == recommended_bid_id).map(|b| b.bid_ref.clone()),
        benchmark_fen: out.iter().filter(|b| !b.excluded).map(|b| b.price_fen).min(),
        members: all_members,
        recommended_bid_id,
        bids: out,
        complete,
        waiting_for,
        pending_rulings,
        invalid,
    })
}

/// Who may read the scores: bureau staff once every seated member has submitted (or after
/// the award); a seated member once they have submitted their own sheet.
pub async fn may_read_scores<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    c: &call::Model,
    r: &Report,
) -> AppResult<bool> {
    if c.status == CallStatus::Awarded && u.role.is_bureau() {
        return Ok(true);
    }
    if let Some(m) = panel::seat_of(db, u, c.id).await? {
        return Ok(m.status == PanelMemberStatus::Seated && m.submitted_at.is_some());
    }
    let seated = r.members.iter().filter(|m| m.status == PanelMemberStatus::Seated);
    Ok(u.role.is_bureau()
        && r.waiting_for.is_empty()
        && seated.clone().count() > 0
        && seated.clone().all(|m| m.submitted))
}
