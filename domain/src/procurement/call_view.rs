//! A call as its page and the API show it to one reader: the call with its criteria, payment
//! schedule and the questions the reader may read; after opening, the bids for those who may
//! see them; an NGO member's eligibility, rule by rule; and what the reader may do now.
use super::calls::{self, Phase};
use super::eligibility::{self, Eligibility};
use super::opening::{self, OpenedBid};
use super::questions::{self, QuestionView};
use super::rules::ProcurementRules;
use crate::access::Viewer;
use crate::error::AppResult;
use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use entity::enums::{CallStatus, Role};
use entity::{call, call_criterion, call_instalment, user};
use sea_orm::DatabaseConnection;
use serde::Serialize;

/// What the reader may do with the call now. Each step checks its state again when taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallCan {
    /// The bureau, on a draft: edit and publish it.
    pub edit: bool,
    /// The bureau, while bids may still come in: amend the published call.
    pub amend: bool,
    /// The bureau, until cancelled: cancel it.
    pub cancel: bool,
    /// The bureau, once the deadline has passed: open the bids.
    pub open: bool,
    /// An NGO member, while bidding is open: prepare or change its bid.
    pub bid: bool,
    /// An NGO member, while questions are open: ask one.
    pub ask: bool,
    /// An NGO member, once published: see where the call stands for it.
    pub follow: bool,
    /// Anyone, once published: read the questions asked and answered.
    pub read_questions: bool,
}

impl CallCan {
    pub fn of(u: Option<&user::Model>, c: &call::Model, now: DateTime<Utc>) -> CallCan {
        let bureau = Viewer::of_anyone(u).is_bureau();
        let ngo = u.is_some_and(|u| u.role == Role::NgoMember);
        let phase = calls::phase(c, now);
        let published = c.status == CallStatus::Published;
        let before_deadline = c.bid_deadline.is_some_and(|d| now < d);
        let deadline_passed = c.bid_deadline.is_some_and(|d| now >= d);
        CallCan {
            edit: bureau && c.status == CallStatus::Draft,
            amend: bureau && published && before_deadline,
            cancel: bureau && c.status != CallStatus::Cancelled,
            open: bureau && published && deadline_passed,
            bid: ngo && matches!(phase, Phase::QuestionsOpen | Phase::QuestionsClosed),
            ask: ngo && phase == Phase::QuestionsOpen,
            follow: ngo && c.status != CallStatus::Draft,
            read_questions: c.status != CallStatus::Draft,
        }
    }
}

/// The call as `u` may see it (the caller has checked that `u` may see the call at all).
#[derive(Debug, Clone, Serialize)]
pub struct CallView {
    pub call: call::Model,
    pub criteria: Vec<call_criterion::Model>,
    pub instalments: Vec<call_instalment::Model>,
    pub questions: Vec<QuestionView>,
    /// After opening, for the bureau and the bidders; nobody sees a bid before.
    pub bids: Option<Vec<OpenedBid>>,
    /// The reader's organization is one of the bidders.
    pub is_bidder: bool,
    pub eligibility: Option<Eligibility>,
    pub can: CallCan,
}

impl CallView {
    pub async fn build(
        db: &DatabaseConnection,
        u: Option<&user::Model>,
        c: call::Model,
        now: DateTime<Utc>,
        locale: Locale,
    ) -> AppResult<CallView> {
        let opened = opening::opened_bids(db, &c).await?;
        let own_org = u.and_then(|u| u.organization_id);
        let is_bidder = own_org.is_some_and(|o| opened.iter().any(|b| b.organization_id == o));
        let bids = (Viewer::of_anyone(u).is_bureau() || is_bidder).then_some(opened);
        let eligibility = match own_org {
            Some(org) if c.status != CallStatus::Draft => Some(eligibility::summary(db, &c, org, now, locale).await?),
            _ => None,
        };
        Ok(CallView {
            criteria: calls::criteria(db, c.id).await?,
            instalments: calls::instalments(db, c.id).await?,
            questions: questions::for_reader(db, u, c.id).await?,
            can: CallCan::of(u, &c, now),
            call: c,
            bids,
            is_bidder,
            eligibility,
        })
    }

    /// For a draft seen by the bureau: what still stands in the way of publication (each
    /// field with its message).
    pub fn problems(&self, rules: &ProcurementRules, now: DateTime<Utc>, locale: Locale) -> Vec<(String, String)> {
        if !self.can.edit {
            return Vec::new();
        }
        calls::publication_problems(&self.call, &self.criteria, &self.instalments, rules, now).localized(locale)
    }
}
