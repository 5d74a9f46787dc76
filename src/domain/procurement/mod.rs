//! Government purchase of services (政府购买服务, domain §3): calls for proposals, their
//! questions, and the eligibility rules; bidding, the panel and the award build on these.
pub mod attachments;
pub mod bids;
mod call_input;
pub mod calls;
pub mod eligibility;
pub mod opening;
pub mod questions;
pub mod rules;
