//! The benchmarks' own commands (`fuhua bench-*`): synthetic data at scale and timed
//! drawing of documents. Part of the `fuhua` binary, not of the library: nothing in the
//! platform uses them.
pub mod bids;
pub mod contracts;
pub mod evaluations;
pub mod hubs;
pub mod registry;
pub mod todo;
