//! The command line's `evaluate` of the built-in MLP on tables: for every seed, the range
//! test, and the constant-LR grid (the sweep's runs, from the same initial weights per seed)
//! as long as the longest budget, refined around each budget's best; every rule scored per
//! budget by [`crate::evaluate`]'s scoring, and the recipes of `--arms` beside the grid's
//! best. The same evaluation on a model of your own is
//! [`crate::evaluate::evaluate_models`].

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::sweep::{self as mlp_sweep, SweepSpec};
use super::{DataSummary, arms};
use crate::analysis::confidence::Confidence;
use crate::analysis::evaluation::{grid_summary, refine_lrs};
use crate::config::SuggestConfig;
use crate::data::{self, Prepared, Resample, Table};
use crate::error::{Error, Result};
use crate::evaluate::{self, ArmScore, BudgetScore, EvaluateSpec, loss_after, score_budget};
use crate::finder::{Hooks, RangeTestResult};
use crate::pipeline;
use crate::run::Run;
use crate::sweep::Grid;

/// Everything `evaluate` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// What ran.
    pub spec: EvaluateSpec,
    /// The data (first seed's split).
    pub data: DataSummary,
    /// The model.
    pub model: String,
    /// Every grid LR trained (coarse and refined), ascending.
    pub lrs: Vec<f64>,
    /// Optimizer steps per epoch of the grid's trainings.
    pub steps_per_epoch: usize,
    /// Each seed's range test (the curve every rule read).
    pub range_tests: Vec<RangeTestResult>,
    /// The confidence of each seed's range test.
    pub confidence: Vec<Confidence>,
    /// One record per budget, in `epochs_list` order.
    pub budgets: Vec<BudgetScore>,
}

/// One seed's state between the two grid phases.
struct Seed {
    config: SuggestConfig,
    /// `runs[i]`: the run at `lrs[i]` of the evaluation's growing grid.
    runs: Vec<(f64, Run)>,
}

/// Runs the evaluation on `table` (the table `spec.config.data` describes, e.g. from
/// `data::load`; each seed splits it anew); `on_progress(done, total)` after each training
/// or range test.
pub fn evaluate(
    spec: &EvaluateSpec,
    table: &Table,
    stop: Option<&AtomicBool>,
    mut on_progress: impl FnMut(usize, usize),
) -> Result<Evaluation> {
    spec.validate()?;
    let max_epochs = *spec.epochs_list.last().expect("validated");
    let per_seed_arms = evaluate::arms_trainings(&spec.arms, spec.epochs_list.len());
    let mut total = spec.seeds * (spec.lrs.len() + 1 + per_seed_arms) + spec.iters_list.len();
    let mut done = 0;
    let mut tick = |n: usize, total: usize| {
        done += n;
        on_progress(done, total);
    };
    let mut seeds = Vec::new();
    let mut range_tests = Vec::new();
    let mut first: Option<(DataSummary, String, Prepared)> = None;
    for k in 0..spec.seeds {
        let mut config = spec.config.clone();
        config.seed = spec.config.seed + k as u64;
        let data = data::prepare(table.clone(), &config.data, config.seed)?;
        let run = pipeline::suggest(&config, &data, Hooks::default())?;
        tick(1, total);
        range_tests.push(run.result);
        let runs = grid_runs(&config, table, &spec.lrs, max_epochs, stop, |n| {
            tick(n, total)
        })?;
        if first.is_none() {
            first = Some((DataSummary::of(&data), run.model, data));
        }
        seeds.push(Seed { config, runs });
    }
    // Refine around each budget's best on the coarse grid, on every seed.
    let coarse = budget_losses(&seeds, &spec.epochs_list);
    let mut extra: Vec<f64> = Vec::new();
    for losses in &coarse {
        if let Some(g) = grid_summary(&spec.lrs, losses) {
            let best = g.lrs[g.best];
            for lr in refine_lrs(&spec.lrs, best, spec.refine_per_decade) {
                if !extra.iter().any(|&x| (x / lr - 1.0).abs() < 1e-9) {
                    extra.push(lr);
                }
            }
        }
    }
    extra.sort_by(f64::total_cmp);
    total += spec.seeds * extra.len();
    if !extra.is_empty() {
        for seed in &mut seeds {
            let more = grid_runs(&seed.config, table, &extra, max_epochs, stop, |n| {
                tick(n, total)
            })?;
            seed.runs.extend(more);
            seed.runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
    }
    let lrs: Vec<f64> = seeds[0].runs.iter().map(|(lr, _)| *lr).collect();
    let steps_per_epoch = seeds[0].runs[0].1.steps_per_epoch;
    // Sensitivity to the number of iterations, on the first seed and its data.
    let (data, model, first_data) = first.expect("at least one seed");
    let mut by_iters = Vec::new();
    for &iters in &spec.iters_list {
        let mut config = spec.config.clone();
        config.range_test.iters = iters;
        by_iters.push(pipeline::suggest(&config, &first_data, Hooks::default())?.result);
        tick(1, total);
    }
    let losses = budget_losses(&seeds, &spec.epochs_list);
    let mut budgets = Vec::new();
    for (&epochs, losses) in spec.epochs_list.iter().zip(losses) {
        let grid = grid_summary(&lrs, &losses).ok_or_else(|| {
            Error::option(
                "--grid-range",
                format!(
                    "every grid LR diverged within {epochs} epoch(s) on some seed: lower the range"
                ),
            )
        })?;
        let steps = epochs * steps_per_epoch;
        budgets.push(score_budget(
            spec.config.range_test.method,
            epochs,
            steps,
            losses,
            grid,
            &range_tests,
            &by_iters,
        ));
    }
    if !spec.arms.is_empty() {
        score_arms(
            spec,
            table,
            &seeds,
            &range_tests,
            &lrs,
            steps_per_epoch,
            &mut budgets,
        )?;
        tick(spec.seeds * per_seed_arms, total);
    }
    let confidence = range_tests
        .iter()
        .map(|r| r.suggested().confidence.clone())
        .collect();
    Ok(Evaluation {
        spec: spec.clone(),
        data,
        model,
        lrs,
        steps_per_epoch,
        range_tests,
        confidence,
        budgets,
    })
}

/// Trains every arm on every seed and adds, per budget, the arms' and the grid best's
/// outcomes.
fn score_arms(
    spec: &EvaluateSpec,
    table: &Table,
    seeds: &[Seed],
    range_tests: &[RangeTestResult],
    lrs: &[f64],
    steps_per_epoch: usize,
    budgets: &mut [BudgetScore],
) -> Result<()> {
    let regression = matches!(table.task, data::Task::Regression);
    let higher = !regression;
    let mut per_seed = Vec::with_capacity(seeds.len());
    for (seed, test) in seeds.iter().zip(range_tests) {
        per_seed.push(arms::run_arms(
            &seed.config,
            table,
            test,
            &spec.arms,
            &spec.epochs_list,
            steps_per_epoch,
            &spec.targets,
        )?);
    }
    for (b, budget) in budgets.iter_mut().enumerate() {
        budget.arms = spec
            .arms
            .iter()
            .enumerate()
            .map(|(a, &arm)| ArmScore {
                arm,
                seeds: per_seed.iter().map(|s| s[b][a].clone()).collect(),
            })
            .collect();
        let best = budget.grid.lrs[budget.grid.best];
        let runs: Vec<&Run> = seeds
            .iter()
            .filter_map(|s| {
                s.runs
                    .iter()
                    .find(|(lr, _)| (lr / best - 1.0).abs() < 1e-9)
                    .map(|(_, r)| r)
            })
            .collect();
        budget.grid_best = Some(evaluate::grid_best(
            &runs,
            best,
            budget.epochs,
            &spec.targets,
            higher,
            lrs.len() * budget.steps,
        ));
    }
    Ok(())
}

/// Trains the constant-LR grid `lrs` for `epochs` on one seed's data; `tick(n)` counts
/// finished runs.
fn grid_runs(
    config: &SuggestConfig,
    table: &Table,
    lrs: &[f64],
    epochs: usize,
    stop: Option<&AtomicBool>,
    mut tick: impl FnMut(usize),
) -> Result<Vec<(f64, Run)>> {
    let sweep_spec = SweepSpec {
        grid: Grid {
            lrs: lrs.to_vec(),
            optimizers: vec![config.optimizer.optimizer],
            batch_sizes: vec![config.data.batch_size],
            standardize: vec![config.data.standardize],
        },
        config: config.clone(),
        epochs,
        pos_proportion: None,
        resample: Resample::Under,
        threshold: 0.5,
        mark_suggestion: false,
    };
    let mut finished = 0;
    let part = mlp_sweep::run_part(&sweep_spec, table, None, stop, |p| {
        if p.epoch == epochs {
            finished += 1;
            tick(1)
        }
    })?;
    if part.incomplete {
        return Err(Error::Interrupted {
            what: "evaluate writes its report only once every seed's grid has run".into(),
        });
    }
    // Runs that diverged stopped before their last epoch: count them as done too.
    tick(lrs.len().saturating_sub(finished));
    Ok(part
        .results
        .into_iter()
        .map(|r| (r.point.lr, r.run))
        .collect())
}

/// `[budget][seed][lr]` validation losses of the seeds' runs.
fn budget_losses(seeds: &[Seed], epochs_list: &[usize]) -> Vec<Vec<Vec<f64>>> {
    epochs_list
        .iter()
        .map(|&e| {
            seeds
                .iter()
                .map(|s| s.runs.iter().map(|(_, run)| loss_after(run, e)).collect())
                .collect()
        })
        .collect()
}
