//! # lrfind — a learning-rate range finder for Burn
//!
//! The range test (Smith, 2015; fastai's `lr_find`): train a copy of the model for a few
//! hundred steps while the LR grows exponentially, record the loss, stop when it diverges,
//! and read a good LR off the curve. lrfind runs it on any Burn module, implements the
//! anchors' suggestion rules exactly (fastai's `valley`, `steep`, `minimum`, `slide`;
//! torch-lr-finder's steepest gradient) and adds its own, `knee`.
//!
//! ## How the crate is laid out
//! Data flows one way, top to bottom; lower layers never import higher ones.
//! ```text
//!  data (load*, split, standardise, resample, batch) ──► model (MLP, loss per task)
//!        │                                                   │
//!        └─────► train (one optimizer step from a loss closure's or a TrainStep's
//!                       gradients; optim: Burn's, Prodigy, Schedule-Free) ◄┘
//!                               │
//!      ┌────────────────────────┴──────────────────────────┐
//!  finder (the range test: its loop,           run (one training run of a setting on any
//!          RangeTest, batch sources;                model: the loop every run shares;
//!          TrainStep and Learner*)                  several settings from one model)
//!      │                                                   │
//!      │                                 compare (settings side by side on any model;
//!      │                                          logged trainings judged alike);
//!      │                                 sweep (an LR grid on any model: sweep_models;
//!      │                                        the grid, shards, per-split reports)
//!      │                                                   │
//!      │                                 evaluate (the rules and the recipes of --arms
//!      │                                           scored against a grid: one evaluation
//!      │                                           over a per-seed trainer;
//!      │                                           evaluate_models on any model)
//!      │                                                   │
//!      └───────► pipeline (the built-in MLP on tables: the suggest run, its training
//!                          run, and compare, sweep and evaluate on it: parts, shards,
//!                          merge, per-split reports, each seed's split)
//!                               │
//!                 plot* (PNG/SVG)   report (JSON, CSV, Markdown; atomic writes)
//!                               │
//!                         cli* (clap, progress bar, signals, exit codes)
//! ```
//! Under all of them: [`analysis`] (smoothing, rules, verdicts, the sweep conclusion) and
//! [`metrics`], pure functions of slices. `*`: behind a cargo feature (see below).
//! [`optim`] is the optimizer a training step drives: one of Burn's, or lrfind's
//! whole-module Prodigy and Schedule-Free AdamW. [`logs`] reads other frameworks' training logs into the per-epoch shape `compare`
//! summarises (the readers behind `tables`). [`schedule`] holds the LR schedules (pure, with a Burn `LrScheduler` adapter).
//! [`config`] holds the serde config structs and every default; [`error`] the error type.
//!
//! ## Features
//! The library alone (`default-features = false`) is everything above but the three parts
//! that need heavy crates, each behind a feature: `tables` (polars) loads CSV and Parquet
//! data files and built-in datasets (`data::load`, `pipeline::load_data`), reads saved
//! histories back (`history::read`) and other tools' range tests (`curves`); `plot` (plotters, no polars) draws the figures; `cli`
//! (the default; clap, indicatif, signal-hook, rayon, and the other two) is the binary;
//! `dataloader` (default; Burn's `dataset`) lets the range test read a Burn `DataLoader`;
//! `learner` (Burn's training crate) runs the range test on a model's own `TrainStep`
//! (`RangeTest::run_train_step`) and inside Burn's `Learner` (`finder::LearnerRangeTest`).
//! The runs (`compare`, `sweep`, `evaluate`) take your model, batches and loss and import
//! nothing from `data` or `pipeline`; the built-in MLP's versions in [`pipeline`] take a
//! table already in memory ([`data::Table`]), so none of them needs polars.
//!
//! ## Using it on your own model
//! [`finder::RangeTest`] runs the test in one call on your model (on an autodiff device), a
//! fresh optimizer, your batches (a slice, a [`finder::Passes`] closure or a Burn
//! `DataLoader`, borrowed or owned, read pass after pass) and a closure computing a batch's loss; see its
//! example. [`finder::range_test`] is the same loop with the configuration as a struct. The
//! suggestion is the LR to train with at a constant rate for the planned training length
//! ([`RangeTestConfig::epochs`] or [`RangeTestConfig::steps`]); a 1cycle schedule of the same
//! length peaks best at about twice it (README, "Is it also the peak of 1cycle?").
//! [`compare::compare_models`], [`sweep::sweep_models`] and [`evaluate::evaluate_models`]
//! train your model from the same initial weights under several settings or at every LR of
//! a grid, through the loop the command line uses ([`run::train_models`]); the last is the
//! command line's evaluation itself, with its reports ([`report::model_evaluation_md`]).

#![deny(missing_docs)]

pub mod analysis;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compare;
pub mod config;
#[cfg(feature = "tables")]
pub mod curves;
pub mod data;
pub mod error;
pub mod evaluate;
pub mod finder;
pub mod history;
pub mod logs;
pub mod metrics;
pub mod model;
mod nullable;
pub mod optim;
pub mod pipeline;
#[cfg(feature = "plot")]
pub mod plot;
pub mod report;
pub mod rng;
pub mod run;
pub mod schedule;
pub mod sweep;
pub mod train;

pub use analysis::{Method, Suggestion, Suggestions};
pub use config::{RangeTestConfig, SuggestConfig};
pub use error::{Error, Result};
pub use finder::{RangeTestResult, range_test};
