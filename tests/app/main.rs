//! Fuhua's integration tests: one binary, each test on its own fresh database built by
//! the migrations (SQLite by default; PostgreSQL when TEST_DATABASE_URL is set), driving
//! the same `fuhua::build` that `serve` uses.
mod support;

mod access;
mod accounts;
mod amendments;
mod api;
mod at_rest;
mod audit;
mod bids;
mod calls;
mod contracts;
mod dashboard;
mod demo;
mod evaluation;
mod faults;
mod fuzz;
mod hub_input;
mod hub_members;
mod hubs;
mod hygiene;
mod import_export;
mod integrity;
mod lists;
mod mail;
mod open_data;
mod organizations;
mod performance;
mod portal;
mod races;
mod route_table;
mod sealing;
mod security;
mod subscriptions;
mod todo;
