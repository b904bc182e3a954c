//! `evaluate`: how close each suggestion rule lands to the LR that real trainings find best,
//! at one or several training lengths (budgets).
//!
//! For every seed: the range test (every rule's suggestion and the confidence), and a grid
//! of constant-LR trainings (the sweep's runs, from the same initial weights per seed) as
//! long as the longest budget. A constant-LR training of `e` epochs is the first `e` epochs
//! of a longer one, so one grid serves every budget: its validation loss after epoch `e` is
//! that budget's result. The coarse grid is then refined to `refine_per_decade` points per
//! decade within a decade of each budget's best, on every seed. Per budget, the grid's mean
//! final validation loss gives the best LR and the good interval, and each rule, asked for
//! that budget's training length, is scored by its distance outside the interval (a refusal
//! counts as a miss of [`REFUSAL_DECADES`](crate::analysis::evaluation::REFUSAL_DECADES)), with a bootstrap interval, its regret and its
//! spread across seeds ([`crate::analysis::evaluation`]). The suggestion's sensitivity to
//! the number of iterations is measured on the first seed. [`evaluate_models`] does the
//! same on a model of your own.

mod arms;
mod models;

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::analysis::Method;
use crate::analysis::confidence::Confidence;
use crate::analysis::evaluation::{
    BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, GridSummary, bootstrap_mean, geometric_mean,
    grid_summary, refine_lrs, regret, scored_outside, spread_decades,
};
use crate::analysis::suggest_all;
use crate::config::SuggestConfig;
use crate::data::{self, Prepared, Resample, Table};
use crate::error::{Error, Result};
use crate::finder::{Hooks, RangeTestResult};
use crate::pipeline::sweep::{self as mlp_sweep, SweepSpec};
use crate::pipeline::{self, DataSummary};
use crate::run::Run;
use crate::sweep::Grid;

pub use arms::{Arm, ArmOutcome, ArmScore, GridBest};
pub use models::{ModelEvaluation, evaluate_models};

/// The default `--targets` of the arms: accuracy levels.
pub fn default_targets() -> Vec<f64> {
    vec![0.5, 0.8, 0.9]
}

/// Most seeds `evaluate` accepts (each trains the whole grid).
pub const MAX_SEEDS: usize = 1000;

/// Most refinement points per decade `evaluate` accepts (each is a whole training per seed
/// and budget's best).
pub const MAX_REFINE_PER_DECADE: usize = 100;

/// What `evaluate` runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluateSpec {
    /// Data, model, optimizer, range test; its seed is the first seed.
    pub config: SuggestConfig,
    /// Seeds (config.seed, config.seed + 1, ...).
    pub seeds: usize,
    /// The coarse grid's LRs.
    pub lrs: Vec<f64>,
    /// Points per decade added within a decade of each budget's best (0: no refinement).
    pub refine_per_decade: usize,
    /// Training lengths scored, in epochs (distinct, ascending).
    pub epochs_list: Vec<usize>,
    /// Range-test lengths compared on the first seed.
    pub iters_list: Vec<usize>,
    /// Recipes trained and scored beside the grid's best (empty: none; otherwise the range
    /// test's own, `constant` and `onecycle`, come first).
    #[serde(default)]
    pub arms: Vec<Arm>,
    /// Accuracy levels whose epochs the arms report (MSE levels for regression).
    #[serde(default = "default_targets")]
    pub targets: Vec<f64>,
}

impl EvaluateSpec {
    /// Checks the values; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        self.config.validate()?;
        let why = "each seed trains the whole grid";
        Error::check_count("--seeds", self.seeds, MAX_SEEDS, why)?;
        if self.epochs_list.is_empty() || self.epochs_list.contains(&0) {
            return Err(Error::option(
                "--epochs-list",
                "needs at least one training length, each at least 1 epoch",
            ));
        }
        if let Some(&e) = self.epochs_list.iter().max() {
            crate::config::check_epochs("--epochs-list", e)?;
        }
        if self.epochs_list.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::option(
                "--epochs-list",
                "lists each training length once, in increasing order",
            ));
        }
        if self.refine_per_decade > MAX_REFINE_PER_DECADE {
            return Err(Error::at_most(
                "--refine",
                MAX_REFINE_PER_DECADE,
                "each refined LR is a whole training per seed",
                self.refine_per_decade,
            ));
        }
        if self.lrs.len() < 2 {
            return Err(Error::option(
                "--grid-range",
                "the grid needs at least two LRs (widen the range or raise --per-decade)",
            ));
        }
        if let Some(a) = (1..self.arms.len()).find(|&i| self.arms[..i].contains(&self.arms[i])) {
            return Err(Error::option(
                "--arms",
                format!("'{}' is listed twice", self.arms[a].name()),
            ));
        }
        crate::compare::check_targets(&self.targets, true)?;
        let (lo, hi) = (crate::config::defaults::MIN_ITERS, crate::config::MAX_ITERS);
        if self.iters_list.iter().any(|&i| !(lo..=hi).contains(&i)) {
            return Err(Error::option(
                "--iters-list",
                format!("each range-test length must be between {lo} and {hi}"),
            ));
        }
        Ok(())
    }
}

/// One rule's record at one budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleScore {
    /// The rule.
    pub method: Method,
    /// Its suggestion per seed (None: no answer).
    pub suggestions: Vec<Option<f64>>,
    /// Geometric mean of the answers.
    pub geometric_mean: Option<f64>,
    /// Decades outside the good interval, per seed; a refusal counts as
    /// [`REFUSAL_DECADES`](crate::analysis::evaluation::REFUSAL_DECADES).
    pub outside: Vec<f64>,
    /// Seeds on which the rule gave no answer.
    pub refusals: usize,
    /// Bootstrap interval of the mean of `outside` (see [`BOOTSTRAP_LEVEL`]).
    pub outside_interval: Option<(f64, f64)>,
    /// Regret per answered seed (infinite beyond a diverged grid end).
    #[serde(with = "crate::nullable::vec")]
    pub regret: Vec<f64>,
    /// Spread across seeds, in decades.
    pub seed_spread: f64,
    /// Its suggestion per `iters_list` entry (first seed).
    pub by_iters: Vec<Option<f64>>,
    /// Spread across `iters_list`, in decades.
    pub iters_spread: f64,
}

impl RuleScore {
    /// Mean decades outside the interval, refusals counted as misses.
    pub fn mean_outside(&self) -> Option<f64> {
        mean(&self.outside)
    }

    /// Mean regret over the answered seeds.
    pub fn mean_regret(&self) -> Option<f64> {
        mean(&self.regret)
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Everything found at one training length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetScore {
    /// Epochs of the training.
    pub epochs: usize,
    /// Optimizer steps of the training (`epochs` x steps per epoch).
    pub steps: usize,
    /// `losses[seed][i]`: validation loss after `epochs` at [`Evaluation::lrs`]`[i]`
    /// (NaN when the run had diverged by then).
    #[serde(with = "crate::nullable::nested")]
    pub losses: Vec<Vec<f64>>,
    /// Best LR and good interval.
    pub grid: GridSummary,
    /// One record per rule, in [`Method::ALL`] order.
    pub rules: Vec<RuleScore>,
    /// The regret of each seed's chosen suggestion.
    pub chosen_regret: Vec<Option<f64>>,
    /// The grid's best as a recipe (with arms only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_best: Option<GridBest>,
    /// Each arm, in [`EvaluateSpec::arms`] order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arms: Vec<ArmScore>,
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

/// The validation loss of a constant-LR run after `epoch` epochs (1-based); NaN when the run
/// had diverged by then: its epoch record is missing, non-finite, or the one whose end-of-epoch
/// check blew up. (A step whose loss is non-finite stops the run mid-epoch without a record,
/// so the records before it are healthy.)
pub(crate) fn loss_after(run: &Run, epoch: usize) -> f64 {
    let last_record_blew_up = run.diverged && run.step_losses.last().is_some_and(|l| l.is_finite());
    match run.epochs.get(epoch - 1) {
        Some(r)
            if !(last_record_blew_up && epoch == run.epochs.len()) && r.val_loss.is_finite() =>
        {
            r.val_loss
        }
        _ => f64::NAN,
    }
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
    let per_seed_arms = arms::trainings(&spec.arms, spec.epochs_list.len());
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
        budget.grid_best = Some(arms::grid_best(
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

/// Scores every rule, asked for a training of `steps` optimizer steps, against one budget's
/// grid.
fn score_budget(
    method: Method,
    epochs: usize,
    steps: usize,
    losses: Vec<Vec<f64>>,
    grid: GridSummary,
    range_tests: &[RangeTestResult],
    by_iters: &[RangeTestResult],
) -> BudgetScore {
    let for_budget =
        |r: &RangeTestResult| suggest_all(&r.suggested_rule_curve().planned(Some(steps)), method);
    let per_seed: Vec<_> = range_tests.iter().map(for_budget).collect();
    let per_iters: Vec<_> = by_iters.iter().map(for_budget).collect();
    let rules = Method::ALL
        .iter()
        .enumerate()
        .map(|(m_index, &m)| {
            let suggestions: Vec<Option<f64>> = per_seed
                .iter()
                .map(|s| s.get(m).and_then(|x| x.lr))
                .collect();
            let answered: Vec<f64> = suggestions.iter().flatten().copied().collect();
            let iters: Vec<Option<f64>> = per_iters
                .iter()
                .map(|s| s.get(m).and_then(|x| x.lr))
                .collect();
            let iters_answered: Vec<f64> = iters.iter().flatten().copied().collect();
            let outside = scored_outside(&suggestions, grid.interval);
            RuleScore {
                method: m,
                geometric_mean: geometric_mean(&answered),
                outside_interval: bootstrap_mean(
                    &outside,
                    BOOTSTRAP_LEVEL,
                    BOOTSTRAP_RESAMPLES,
                    m_index as u64,
                ),
                refusals: suggestions.len() - answered.len(),
                outside,
                regret: answered.iter().map(|&lr| regret(lr, &grid)).collect(),
                seed_spread: spread_decades(&answered),
                suggestions,
                iters_spread: spread_decades(&iters_answered),
                by_iters: iters,
            }
        })
        .collect();
    let chosen_regret = per_seed
        .iter()
        .map(|s| s.chosen().lr.map(|lr| regret(lr, &grid)))
        .collect();
    BudgetScore {
        epochs,
        steps,
        losses,
        grid,
        rules,
        chosen_regret,
        grid_best: None,
        arms: Vec::new(),
    }
}
