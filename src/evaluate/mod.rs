//! `evaluate`: how close each suggestion rule lands to the LR that real trainings find best,
//! at one or several training lengths (budgets).
//!
//! For every seed: the range test (every rule's suggestion and the confidence), and a grid
//! of constant-LR trainings (from the same initial weights and batches per seed) as
//! long as the longest budget. A constant-LR training of `e` epochs is the first `e` epochs
//! of a longer one, so one grid serves every budget: its validation loss after epoch `e` is
//! that budget's result. The coarse grid is then refined to `refine_per_decade` points per
//! decade within a decade of each budget's best, on every seed. Per budget, the grid's mean
//! final validation loss gives the best LR and the good interval, and each rule, asked for
//! that budget's training length, is scored by its distance outside the interval (a refusal
//! counts as a miss of [`REFUSAL_DECADES`](crate::analysis::evaluation::REFUSAL_DECADES)), with a bootstrap interval, its regret and its
//! spread across seeds ([`crate::analysis::evaluation`]); the suggestion's sensitivity to
//! the number of iterations is measured on the first seed, and the recipes of `arms` are
//! trained beside the grid's best. Here: the [`EvaluationPlan`], the scores, the recipes,
//! the evaluation itself over a per-seed trainer (`runner`), and its two clients' entry:
//! [`evaluate_models`] on a model of your own; the command line's evaluation of the built-in
//! MLP on tables is [`crate::pipeline::evaluate`].

mod arms;
mod models;
mod plan;
mod runner;
mod trainer;

use serde::{Deserialize, Serialize};

use crate::analysis::Method;
use crate::analysis::evaluation::{
    BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, GridSummary, bootstrap_mean, geometric_mean, regret,
    scored_outside, spread_decades,
};
use crate::analysis::suggest_all;
use crate::config::SuggestConfig;
use crate::error::{Error, Result};
use crate::finder::RangeTestResult;
use crate::run::Run;

pub(crate) use arms::grid_best;
pub use arms::{Arm, ArmOutcome, ArmScore, GridBest};
pub use models::{ModelEvaluation, evaluate_models};
pub use plan::EvaluationPlan;
#[cfg(feature = "cli")]
pub(crate) use plan::with_range_test_arms;
pub(crate) use runner::evaluate_with;
pub(crate) use trainer::{Protocol, Trainer};

/// The default `--targets` of the arms: accuracy levels.
pub fn default_targets() -> Vec<f64> {
    vec![0.5, 0.8, 0.9]
}

/// Most seeds `evaluate` accepts (each trains the whole grid).
pub const MAX_SEEDS: usize = 1000;

/// Most refinement points per decade `evaluate` accepts (each is a whole training per seed
/// and budget's best).
pub const MAX_REFINE_PER_DECADE: usize = 100;

/// What `lrfind evaluate` runs: the MLP's data, model, optimizer and range test, and the
/// plan (its fields are flattened into the JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluateSpec {
    /// Data, model, optimizer, range test; its seed is the first seed.
    pub config: SuggestConfig,
    /// Seeds, grid, budgets, range-test lengths, recipes.
    #[serde(flatten)]
    pub plan: EvaluationPlan,
}

impl EvaluateSpec {
    /// Checks the values; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        self.config.validate()?;
        if self.plan.lrs.len() < 2 {
            return Err(Error::option(
                "--grid-range",
                "the grid needs at least two LRs (widen the range or raise --per-decade)",
            ));
        }
        self.plan.validate().map_err(crate::config::with_flags)
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
    /// `losses[seed][i]`: validation loss after `epochs` at the grid's `i`-th LR
    /// ([`ModelEvaluation::lrs`], [`crate::pipeline::evaluate::Evaluation::lrs`])
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
    /// Each arm, in [`EvaluationPlan::arms`] order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arms: Vec<ArmScore>,
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

/// Scores every rule, asked for a training of `steps` optimizer steps, against one budget's
/// grid.
pub(crate) fn score_budget(
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
