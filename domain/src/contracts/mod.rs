//! Contracts (政府购买服务合同, domain §4): the officer completes the draft an award
//! created, approves it and sends it as a PDF; the provider signs; milestones are
//! reported on and accepted; instalments become payable and are paid; the provider is
//! reminded before each milestone falls due.
pub mod access;
pub mod amendments;
pub mod documents;
pub mod listing;
pub mod milestones;
pub mod payments;
pub mod reminders;
pub mod reports;
pub mod rules;
pub mod settling;
pub mod signing;
pub mod terms;
pub mod view;

pub use rules::ContractRules;
