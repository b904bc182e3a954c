//! `sweep`: a grid of constant LRs (optionally crossed with optimizers, batch sizes and
//! standardisation), each trained for a few epochs from the same initial weights and data
//! order, then a conclusion. [`sweep_models`] runs it on a model of your own; the grid, its
//! shards and the per-split classification report are here too. The command line's sweep
//! of the built-in MLP on tables (parts, shards, merge, a full report per split) is its
//! client in [`crate::pipeline::sweep`].

mod grid;
mod models;
mod split_report;

pub use grid::{Grid, Point, Shard, lr_range, parse_lrs};
pub use models::{ModelSweep, sweep_models, sweep_models_reported};
pub use split_report::{Metrics, SplitReport, split_report};

/// Names of the split parts, in order.
pub const SPLITS: [&str; 3] = ["training", "validation", "test"];
