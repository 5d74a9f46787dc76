//! Government purchase of services (政府购买服务, domain §3): calls for proposals, their
//! questions, amendments and eligibility rules; bids and their opening; the panel, its
//! scores and report; the award, challenges and the draft contract.
pub mod amendments;
pub mod attachments;
pub mod award;
pub mod bids;
mod call_input;
pub mod call_view;
pub mod calls;
pub mod eligibility;
pub mod formula;
pub mod opening;
pub mod panel;
pub mod panel_report;
pub mod panel_view;
pub mod questions;
pub mod receipts;
pub use crate::procurement_rules as rules;
pub mod score_sheets;
