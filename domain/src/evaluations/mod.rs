//! Performance evaluation (绩效评价, domain §5): indicator templates; mid-term and final
//! evaluations of a contract by bureau or third-party evaluators after the provider's
//! self-evaluation; the weighted result and its grade; the report PDF; and what a released
//! result does to instalments, the organization's credit and its eligibility for calls.
pub mod access;
pub mod assessment;
pub mod conduct;
pub mod grading;
pub mod listing;
pub mod release;
pub mod reminders;
pub mod rules;
pub mod schedule;
pub mod self_draft;
pub mod templates;
pub mod view;

pub use rules::EvaluationRules;

/// What an evaluation report says (drawn in Chinese).
#[derive(Debug, Clone)]
pub struct ReportDocument {
    pub view: Box<view::EvaluationView>,
    pub rules: EvaluationRules,
}
