//! The panel's work as one reader may see it: the report in full for those who may read the
//! scores; without the scores for the bureau and seated members before then; only who bid and
//! who sits, for a member who has not declared; and what the reader may do now.
use super::panel;
use super::panel_report::{InvalidBid, Report};
use crate::money::Money;
use entity::enums::{CallStatus, PanelMemberStatus};
use entity::{call, panel_member};
use serde::Serialize;

/// A bid without its scores.
#[derive(Debug, Clone, Serialize)]
pub struct BidOutline {
    pub bid_ref: String,
    pub organization: String,
    pub price_fen: Money,
    pub low_price: bool,
    pub explanation: Option<String>,
    pub stands: Option<bool>,
    pub ruling_note: Option<String>,
}

/// The report without the scores.
#[derive(Debug, Clone, Serialize)]
pub struct Outline {
    pub members: Vec<panel::Member>,
    pub waiting_for: Vec<String>,
    pub complete: bool,
    pub pending_rulings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<Vec<InvalidBid>>,
    pub bids: Vec<BidOutline>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ReportSeen {
    Full(Box<Report>),
    Outline(Outline),
}

impl ReportSeen {
    /// `may_read`: [`super::panel_report::may_read_scores`]; `declared`: the reader is the
    /// bureau or a seated member.
    pub fn of(report: Report, may_read: bool, declared: bool) -> ReportSeen {
        if may_read {
            return ReportSeen::Full(Box::new(report));
        }
        if !declared {
            // A member who has not declared (or stood aside) sees who sits and who is awaited,
            // to declare against the bidders; nothing of the bids themselves.
            return ReportSeen::Outline(Outline {
                members: report.members,
                waiting_for: report.waiting_for,
                complete: false,
                pending_rulings: 0,
                invalid: None,
                bids: Vec::new(),
            });
        }
        // Without the scores: who is on the panel, who has submitted, the prices and flags.
        let bids = report
            .bids
            .into_iter()
            .map(|b| BidOutline {
                bid_ref: b.bid_ref,
                organization: b.organization,
                price_fen: b.price_fen,
                low_price: b.low_price,
                explanation: b.explanation,
                stands: b.stands,
                ruling_note: b.ruling_note,
            })
            .collect();
        ReportSeen::Outline(Outline {
            members: report.members,
            waiting_for: report.waiting_for,
            complete: report.complete,
            pending_rulings: report.pending_rulings,
            invalid: Some(report.invalid),
            bids,
        })
    }
}

/// What the reader may do on the panel's page now. Each step checks its state again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PanelCan {
    /// The bureau, on an opened call: form or change the panel, rule on low prices, award.
    pub manage: bool,
    /// A drawn member, on an opened call: declare any tie to the bidders.
    pub declare: bool,
    /// The member stood aside.
    pub recused: bool,
    /// A seated member who has not submitted: score the bids.
    pub score: bool,
    /// A seated member who has submitted: correct the sheet.
    pub correct: bool,
}

impl PanelCan {
    pub fn of(bureau: bool, seat: Option<&panel_member::Model>, c: &call::Model) -> PanelCan {
        let opened = c.status == CallStatus::Opened;
        let seat_is = |s: PanelMemberStatus| seat.is_some_and(|m| m.status == s);
        let submitted = seat.is_some_and(|m| m.submitted_at.is_some());
        PanelCan {
            manage: bureau && opened,
            declare: seat_is(PanelMemberStatus::Drawn) && opened,
            recused: seat_is(PanelMemberStatus::Recused),
            score: seat_is(PanelMemberStatus::Seated) && !submitted && opened,
            correct: seat_is(PanelMemberStatus::Seated) && submitted && opened,
        }
    }
}
