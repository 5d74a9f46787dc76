//! Government purchase of services (政府购买服务, domain §3): calls for proposals, their
//! questions, and the eligibility rules; bids and their opening; the scoring arithmetic
//! the panel will use.
pub mod attachments;
pub mod bids;
mod call_input;
pub mod calls;
pub mod eligibility;
pub mod opening;
pub mod questions;
pub mod rules;
pub mod scoring;
