//! The numbers of procurement law that a jurisdiction may set (domain §3): tender periods
//! and price weights by method, contract terms. Defaults follow the national rules; override
//! with FUHUA_PROCUREMENT__<FIELD> (e.g. FUHUA_PROCUREMENT__OPEN_TENDER_MIN_DAYS=20).
use entity::enums::ProcurementMethod;
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcurementRules {
    /// Days from publication to the bid deadline, at least.
    pub consultation_min_days: i64,
    pub open_tender_min_days: i64,
    pub other_min_days: i64,
    /// Price weight (percent of the total score) allowed for each method.
    pub consultation_price_min: i32,
    pub consultation_price_max: i32,
    pub open_tender_price_min: i32,
    pub open_tender_price_max: i32,
    pub other_price_min: i32,
    pub other_price_max: i32,
    /// Contract term in months: one year, or up to three when the call allows.
    pub max_term_months: i32,
    pub max_multi_year_months: i32,
    /// Questions close at least this many days before the bid deadline.
    pub question_days_before_deadline: i64,
    /// A price below this percentage of the mean of the other valid prices is abnormally
    /// low and needs a written explanation (a local choice; 80 is common).
    pub abnormally_low_percent: i64,
    /// Smallest panel by method (odd sizes only; experts at least two thirds).
    pub consultation_min_panel: i32,
    pub open_tender_min_panel: i32,
    pub other_min_panel: i32,
    /// Working days after the award in which bidders may challenge it (质疑).
    pub challenge_working_days: i64,
    /// A change that affects bids needs this many days before the bid deadline; a later
    /// deadline is set when the current one is closer.
    pub consultation_change_days: i64,
    pub open_tender_change_days: i64,
    pub other_change_days: i64,
    /// Storage for bid files, in MiB, counted over every file kept (removed ones that a
    /// submitted version lists included): per bid, and per organization over all its bids.
    pub attachment_quota_bid_mib: i64,
    pub attachment_quota_organization_mib: i64,
}

impl Default for ProcurementRules {
    fn default() -> Self {
        ProcurementRules {
            consultation_min_days: 10,
            open_tender_min_days: 20,
            other_min_days: 10,
            consultation_price_min: 10,
            consultation_price_max: 30,
            open_tender_price_min: 10,
            open_tender_price_max: 100,
            other_price_min: 10,
            other_price_max: 100,
            max_term_months: 12,
            max_multi_year_months: 36,
            question_days_before_deadline: 3,
            abnormally_low_percent: 80,
            consultation_min_panel: 3,
            open_tender_min_panel: 5,
            other_min_panel: 3,
            challenge_working_days: 7,
            consultation_change_days: 5,
            open_tender_change_days: 15,
            other_change_days: 5,
            attachment_quota_bid_mib: 150,
            attachment_quota_organization_mib: 1024,
        }
    }
}

impl ProcurementRules {
    pub fn min_days(&self, m: ProcurementMethod) -> i64 {
        match m {
            ProcurementMethod::CompetitiveConsultation => self.consultation_min_days,
            ProcurementMethod::OpenTender => self.open_tender_min_days,
            ProcurementMethod::Other => self.other_min_days,
        }
    }

    pub fn min_panel(&self, m: ProcurementMethod) -> i32 {
        match m {
            ProcurementMethod::CompetitiveConsultation => self.consultation_min_panel,
            ProcurementMethod::OpenTender => self.open_tender_min_panel,
            ProcurementMethod::Other => self.other_min_panel,
        }
    }

    pub fn change_days(&self, m: ProcurementMethod) -> i64 {
        match m {
            ProcurementMethod::CompetitiveConsultation => self.consultation_change_days,
            ProcurementMethod::OpenTender => self.open_tender_change_days,
            ProcurementMethod::Other => self.other_change_days,
        }
    }

    pub fn price_weight(&self, m: ProcurementMethod) -> RangeInclusive<i32> {
        match m {
            ProcurementMethod::CompetitiveConsultation => self.consultation_price_min..=self.consultation_price_max,
            ProcurementMethod::OpenTender => self.open_tender_price_min..=self.open_tender_price_max,
            ProcurementMethod::Other => self.other_price_min..=self.other_price_max,
        }
    }
}
