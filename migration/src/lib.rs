//! Schema changes, one file per change, run on SQLite and PostgreSQL alike.
//! Never imports the entity crate: a migration describes the schema as it was then.
pub use sea_orm_migration::prelude::*;

mod m20261126_000001_foundation;
mod m20261126_000002_list_and_search_indexes;
mod m20261126_000003_hubs;
mod m20261126_000004_calls;
mod m20261126_000005_bids;
mod m20261126_000006_bid_attachments;
mod m20261127_000007_evaluation;
mod m20261127_000008_contracts;
mod m20261127_000009_performance_evaluations;
mod m20261202_000010_sealing;
mod m20261202_000011_audit_checkpoints;
mod m20261202_000012_public_refs;
mod m20261202_000013_sealed_events;
mod m20261202_000014_sealed_at_rest;
mod m20261202_000015_jobs_and_quotas;
mod m20261204_000016_payment_reversals;
mod m20261204_000017_self_evaluation_drafts;
mod m20261205_000018_bureau_reports;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_list_and_search_indexes::Migration),
            Box::new(m20261126_000003_hubs::Migration),
            Box::new(m20261126_000004_calls::Migration),
            Box::new(m20261126_000005_bids::Migration),
            Box::new(m20261126_000006_bid_attachments::Migration),
            Box::new(m20261127_000007_evaluation::Migration),
            Box::new(m20261127_000008_contracts::Migration),
            Box::new(m20261127_000009_performance_evaluations::Migration),
            Box::new(m20261202_000010_sealing::Migration),
            Box::new(m20261202_000011_audit_checkpoints::Migration),
            Box::new(m20261202_000012_public_refs::Migration),
            Box::new(m20261202_000013_sealed_events::Migration),
            Box::new(m20261202_000014_sealed_at_rest::Migration),
            Box::new(m20261202_000015_jobs_and_quotas::Migration),
            Box::new(m20261204_000016_payment_reversals::Migration),
            Box::new(m20261204_000017_self_evaluation_drafts::Migration),
            Box::new(m20261205_000018_bureau_reports::Migration),
        ]
    }
}
