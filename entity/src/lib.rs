//! Fuhua's tables, one module per table, and the state enums with their transition rules.
//! This crate knows sea-orm and serde only.

pub mod enums;

pub mod annual_report;
pub mod api_token;
pub mod assessment_grade;
pub mod audit_log;
pub mod award;
pub mod bid;
pub mod bid_attachment;
pub mod bid_ruling;
pub mod bid_version;
pub mod call;
pub mod call_amendment;
pub mod call_criterion;
pub mod call_instalment;
pub mod call_question;
pub mod challenge;
pub mod claim;
pub mod community;
pub mod contract;
pub mod contract_instalment;
pub mod district;
pub mod email_token;
pub mod expert_profile;
pub mod hub;
pub mod hub_application;
pub mod hub_assessment;
pub mod hub_checklist_item;
pub mod hub_manager;
pub mod hub_membership;
pub mod hub_round;
pub mod hub_seat;
pub mod hub_service;
pub mod list_entry;
pub mod login_failure;
pub mod organization;
pub mod organization_category;
pub mod organization_name_gram;
pub mod outbox;
pub mod panel;
pub mod panel_member;
pub mod penalty;
pub mod score;
pub mod session;
pub mod user;
