//! floe: a declarative reconciler for Snowflake accounts.
//!
//! The pipeline is `load → lower → build_graph → observe → normalize → diff → plan →
//! render → apply`; see ARCHITECTURE.md for the invariants each stage keeps.

pub mod cli;
pub mod diff;
pub mod emulator;
pub mod graph;
pub mod kinds;
pub mod manifest;
pub mod model;
pub mod paths;
pub mod plan;
pub mod report;
pub mod runtime;
pub mod snowflake;
pub mod sql;
pub mod wire;
