//! `evaluate`: how close each suggestion rule lands to the LR that real trainings find best.
//!
//! For every seed: the range test (every rule's suggestion and the confidence), and a grid
//! of short constant-LR trainings (the sweep's runs, from the same initial weights per seed).
//! The grid's mean final validation loss gives the best LR and the good interval; each rule
//! is scored by its distance outside the interval, its regret and its spread across seeds
//! ([`crate::analysis::evaluation`]). The suggestion's sensitivity to the number of
//! iterations is measured on the first seed.

use serde::{Deserialize, Serialize};

use crate::analysis::Method;
use crate::analysis::confidence::Confidence;
use crate::analysis::convergence::Verdict;
use crate::analysis::evaluation::{
    GridSummary, decades_outside, geometric_mean, grid_summary, regret, spread_decades,
};
use crate::config::SuggestConfig;
use crate::data::Resample;
use crate::error::{Error, Result};
use crate::finder::Hooks;
use crate::pipeline::{self, DataSummary};
use crate::sweep::{self, Grid, SweepSpec};

/// What `evaluate` runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluateSpec {
    /// Data, model, optimizer, range test; its seed is the first seed.
    pub config: SuggestConfig,
    /// Seeds (config.seed, config.seed + 1, ...).
    pub seeds: usize,
    /// The grid's LRs.
    pub lrs: Vec<f64>,
    /// Epochs of each grid training.
    pub epochs: usize,
    /// Range-test lengths compared on the first seed.
    pub iters_list: Vec<usize>,
}

/// One rule's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleScore {
    /// The rule.
    pub method: Method,
    /// Its suggestion per seed (None: no answer).
    pub suggestions: Vec<Option<f64>>,
    /// Geometric mean of the answers.
    pub geometric_mean: Option<f64>,
    /// Decades outside the good interval, per answered seed.
    pub outside: Vec<f64>,
    /// Regret per answered seed.
    pub regret: Vec<f64>,
    /// Spread across seeds, in decades.
    pub seed_spread: f64,
    /// Its suggestion per `iters_list` entry (first seed).
    pub by_iters: Vec<Option<f64>>,
    /// Spread across `iters_list`, in decades.
    pub iters_spread: f64,
}

impl RuleScore {
    /// Mean decades outside the interval (seeds without an answer count as missing).
    pub fn mean_outside(&self) -> Option<f64> {
        mean(&self.outside)
    }

    /// Mean regret.
    pub fn mean_regret(&self) -> Option<f64> {
        mean(&self.regret)
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Everything `evaluate` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// What ran.
    pub spec: EvaluateSpec,
    /// The data (first seed's split).
    pub data: DataSummary,
    /// The model.
    pub model: String,
    /// `losses[seed][i]`: final validation loss at `spec.lrs[i]` (NaN when diverged).
    pub losses: Vec<Vec<f64>>,
    /// Best LR and good interval.
    pub grid: GridSummary,
    /// One record per rule, in [`Method::ALL`] order.
    pub rules: Vec<RuleScore>,
    /// The confidence of each seed's range test, and the regret of its chosen rule.
    pub confidence: Vec<(Confidence, Option<f64>)>,
}

/// Runs the evaluation; `on_progress(done, total)` after each training or range test.
pub fn evaluate(
    spec: &EvaluateSpec,
    mut on_progress: impl FnMut(usize, usize),
) -> Result<Evaluation> {
    spec.config.validate()?;
    if spec.seeds == 0 || spec.epochs == 0 || spec.lrs.len() < 2 {
        return Err(Error::option(
            "--seeds",
            "evaluate needs at least one seed, one epoch and two grid LRs",
        ));
    }
    let total = spec.seeds * (spec.lrs.len() + 1) + spec.iters_list.len();
    let mut done = 0;
    let mut tick = |n: usize| {
        done += n;
        on_progress(done, total);
    };
    let mut per_seed = Vec::new();
    let mut losses = Vec::new();
    let mut first = None;
    let mut first_data = None;
    for k in 0..spec.seeds {
        let mut config = spec.config.clone();
        config.seed = spec.config.seed + k as u64;
        let data = pipeline::load_data(&config)?;
        let run = pipeline::suggest(&config, &data, Hooks::default())?;
        tick(1);
        first.get_or_insert((DataSummary::of(&data), run.model.clone()));
        per_seed.push(run.result.suggested().clone());
        let sweep_spec = SweepSpec {
            grid: Grid {
                lrs: spec.lrs.clone(),
                optimizers: vec![config.optimizer.optimizer],
                batch_sizes: vec![config.data.batch_size],
                standardize: vec![config.data.standardize],
            },
            config,
            epochs: spec.epochs,
            pos_proportion: None,
            resample: Resample::Under,
            threshold: 0.5,
            mark_suggestion: false,
        };
        let mut finished = 0;
        let part = sweep::run_part(&sweep_spec, None, |p| {
            if p.epoch == spec.epochs {
                finished += 1;
                tick(1)
            }
        })?;
        // Runs that diverged stopped before their last epoch: count them as done too.
        tick(spec.lrs.len().saturating_sub(finished));
        if k == 0 {
            first_data = Some(data);
        }
        losses.push(
            part.results
                .iter()
                .map(|r| match r.outcome.verdict {
                    Verdict::Diverged => f64::NAN,
                    _ => r.outcome.val_loss,
                })
                .collect::<Vec<f64>>(),
        );
    }
    let grid = grid_summary(&spec.lrs, &losses).ok_or_else(|| {
        Error::option(
            "--grid-range",
            "every grid LR diverged on some seed: lower the range",
        )
    })?;
    // Sensitivity to the number of iterations, on the first seed and its data.
    let data = first_data.expect("at least one seed");
    let mut by_iters = Vec::new();
    for &iters in &spec.iters_list {
        let mut config = spec.config.clone();
        config.range_test.iters = iters;
        by_iters.push(
            pipeline::suggest(&config, &data, Hooks::default())?
                .result
                .suggested()
                .clone(),
        );
        tick(1);
    }
    let rules = Method::ALL
        .iter()
        .map(|&m| {
            let suggestions: Vec<Option<f64>> = per_seed
                .iter()
                .map(|s| s.get(m).and_then(|x| x.lr))
                .collect();
            let answered: Vec<f64> = suggestions.iter().flatten().copied().collect();
            let iters: Vec<Option<f64>> = by_iters
                .iter()
                .map(|s| s.get(m).and_then(|x| x.lr))
                .collect();
            let iters_answered: Vec<f64> = iters.iter().flatten().copied().collect();
            RuleScore {
                method: m,
                geometric_mean: geometric_mean(&answered),
                outside: answered
                    .iter()
                    .map(|&lr| decades_outside(lr, grid.interval))
                    .collect(),
                regret: answered.iter().map(|&lr| regret(lr, &grid)).collect(),
                seed_spread: spread_decades(&answered),
                suggestions,
                iters_spread: spread_decades(&iters_answered),
                by_iters: iters,
            }
        })
        .collect();
    let confidence = per_seed
        .iter()
        .map(|s| {
            (
                s.confidence.clone(),
                s.chosen().lr.map(|lr| regret(lr, &grid)),
            )
        })
        .collect();
    let (data, model) = first.expect("at least one seed");
    Ok(Evaluation {
        spec: spec.clone(),
        data,
        model,
        losses,
        grid,
        rules,
        confidence,
    })
}
