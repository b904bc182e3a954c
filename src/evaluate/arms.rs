//! Whole recipes scored beside the rules (`evaluate --arms`): "range test, then train" against
//! the learning-rate-free optimizers, on the grid's seeds, data, initial weights and batch
//! order, at every budget.
//!
//! - `constant`: the range test's suggestion for the budget, at a constant LR;
//! - `onecycle`: the same suggestion as the peak of a 1cycle schedule of the budget's length;
//! - `prodigy`: Prodigy at its defaults (LR multiplier 1, no weight decay);
//! - `schedule-free-adamw`: Schedule-Free AdamW at its default LR, 0.0025;
//! - `schedule-free-suggested`: Schedule-Free AdamW at the suggestion of a range test run
//!   with Schedule-Free AdamW itself.
//!
//! The bar is the grid's best (the constant LR with the lowest mean validation loss). Each
//! arm's cost counts every optimizer step it took, the range test's included; the grid's is
//! all of its trainings. A range test that gives no suggestion leaves its arm without a
//! run on that seed (counted in the report as a refusal, never as a success).

use serde::{Deserialize, Serialize};

use super::trainer::{Protocol, Trainer, setting};
use crate::analysis::convergence::{Verdict, verdict};
use crate::analysis::suggest_all;
use crate::config::{OptimizerConfig, OptimizerKind};
use crate::error::Result;
use crate::finder::RangeTestResult;
use crate::optim::SCHEDULE_FREE_LR;
use crate::run::Run;

/// A recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Arm {
    /// The range test's suggestion at a constant LR.
    Constant,
    /// The range test's suggestion as the peak of 1cycle.
    Onecycle,
    /// Prodigy at its defaults.
    Prodigy,
    /// Schedule-Free AdamW at its default LR.
    ScheduleFreeAdamw,
    /// Schedule-Free AdamW at its own range test's suggestion.
    ScheduleFreeSuggested,
}

impl Arm {
    /// The arms the range test's recipes always bring (`--arms` adds the others).
    pub const RANGE_TEST: [Arm; 2] = [Arm::Constant, Arm::Onecycle];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Arm::Constant => "constant",
            Arm::Onecycle => "onecycle",
            Arm::Prodigy => "prodigy",
            Arm::ScheduleFreeAdamw => "schedule-free-adamw",
            Arm::ScheduleFreeSuggested => "schedule-free-suggested",
        }
    }

    /// What the arm trains, in words.
    pub fn text(self) -> &'static str {
        match self {
            Arm::Constant => "range test, then its suggestion at a constant LR",
            Arm::Onecycle => "range test, then 1cycle peaking at its suggestion",
            Arm::Prodigy => "Prodigy at its defaults (no range test)",
            Arm::ScheduleFreeAdamw => {
                "Schedule-Free AdamW at its default LR 2.5e-3 (no range test)"
            }
            Arm::ScheduleFreeSuggested => {
                "Schedule-Free AdamW at the suggestion of its own range test"
            }
        }
    }
}

/// One arm's outcome on one seed at one budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmOutcome {
    /// The LR it trained with (`None`: its range test gave no suggestion, nothing ran).
    pub lr: Option<f64>,
    /// Final validation loss (NaN when it diverged or did not run).
    #[serde(with = "crate::nullable::scalar")]
    pub val_loss: f64,
    /// Final validation accuracy (or MSE for regression; NaN when it did not run).
    #[serde(with = "crate::nullable::scalar")]
    pub val_metric: f64,
    /// Epochs to each target (accuracy levels; none for regression).
    pub epochs_to_target: Vec<Option<usize>>,
    /// The verdict on its validation loss.
    pub verdict: Option<Verdict>,
    /// Optimizer steps it took, its range test's included.
    pub cost_steps: usize,
}

impl ArmOutcome {
    pub(crate) fn refused(cost_steps: usize, targets: usize) -> Self {
        ArmOutcome {
            lr: None,
            val_loss: f64::NAN,
            val_metric: f64::NAN,
            epochs_to_target: vec![None; targets],
            verdict: None,
            cost_steps,
        }
    }

    /// The outcome of `run` after `epochs` of it (a constant-LR run of more epochs starts
    /// with the shorter one).
    pub(crate) fn of(
        run: &Run,
        lr: f64,
        epochs: usize,
        targets: &[f64],
        higher: bool,
        cost: usize,
    ) -> Self {
        let records = &run.epochs[..epochs.min(run.epochs.len())];
        // NaN when the run had diverged by then, as the grid's runs are read.
        let val_loss = super::loss_after(run, epochs);
        let diverged = !val_loss.is_finite();
        let losses: Vec<f64> = records.iter().map(|e| e.val_loss).collect();
        ArmOutcome {
            lr: Some(lr),
            val_loss,
            val_metric: records
                .last()
                .filter(|_| !diverged)
                .map_or(f64::NAN, |e| e.val_metric),
            epochs_to_target: targets
                .iter()
                .map(|&t| {
                    records
                        .iter()
                        .position(|e| {
                            if higher {
                                e.val_metric >= t
                            } else {
                                e.val_metric <= t
                            }
                        })
                        .map(|i| i + 1)
                })
                .collect(),
            verdict: Some(verdict(run.initial.loss, &losses, diverged)),
            cost_steps: cost,
        }
    }
}

/// `[budget][arm]` outcomes of one seed: `range_test` is the seed's range test (with the
/// protocol's optimizer), `steps_per_epoch` the grid's; `tick(n)` counts the trainings and
/// range tests (as many as [`trainings`] says, a refusal's included).
pub(crate) fn run_arms(
    trainer: &mut dyn Trainer,
    seed: usize,
    range_test: &RangeTestResult,
    p: &Protocol,
    steps_per_epoch: usize,
    tick: &mut dyn FnMut(usize),
) -> Result<Vec<Vec<ArmOutcome>>> {
    let (arms, targets, higher) = (&p.plan.arms, &p.plan.targets, p.higher_is_better);
    let epochs_list = &p.plan.epochs_list;
    let max_epochs = *epochs_list.last().expect("validated");
    let suggestion = |r: &RangeTestResult, steps: usize| {
        suggest_all(&r.suggested_rule_curve().planned(Some(steps)), p.method)
            .chosen()
            .lr
    };
    // The learning-rate-free optimizers at their defaults (no weight decay, no clipping).
    let defaults = |optimizer: OptimizerKind| OptimizerConfig {
        optimizer,
        weight_decay: None,
        momentum: None,
        clip_norm: None,
    };
    // Schedule-Free's own range test, when an arm needs it.
    let sf_optimizer = defaults(OptimizerKind::ScheduleFreeAdamw);
    let sf_test = if arms.contains(&Arm::ScheduleFreeSuggested) {
        let test = trainer.range_test(seed, &sf_optimizer, None)?;
        tick(1);
        Some(test)
    } else {
        None
    };
    // The learning-rate-free arms run once, to the longest budget.
    let mut free_run = |trainer: &mut dyn Trainer, kind: OptimizerKind, lr: f64| {
        let run = trainer.train(
            seed,
            &setting(kind.name(), &defaults(kind), lr, "constant", max_epochs),
        );
        tick(1);
        run
    };
    let prodigy = match arms.contains(&Arm::Prodigy) {
        true => Some(free_run(trainer, OptimizerKind::Prodigy, 1.0)?),
        false => None,
    };
    let sf = match arms.contains(&Arm::ScheduleFreeAdamw) {
        true => Some(free_run(
            trainer,
            OptimizerKind::ScheduleFreeAdamw,
            SCHEDULE_FREE_LR,
        )?),
        false => None,
    };
    let mut out = Vec::with_capacity(epochs_list.len());
    for &epochs in epochs_list {
        let steps = epochs * steps_per_epoch;
        let mut row = Vec::with_capacity(arms.len());
        for &arm in arms {
            // The suggestion-driven arms: their range test, optimizer and schedule.
            let driven = match arm {
                Arm::Constant => Some((range_test, p.optimizer, "constant")),
                Arm::Onecycle => Some((range_test, p.optimizer, "onecycle")),
                Arm::ScheduleFreeSuggested => {
                    Some((sf_test.as_ref().expect("ran"), &sf_optimizer, "constant"))
                }
                Arm::Prodigy | Arm::ScheduleFreeAdamw => None,
            };
            let outcome = match driven {
                Some((test, optimizer, chain)) => {
                    let cost = test.iterations();
                    let outcome = match suggestion(test, steps) {
                        None => ArmOutcome::refused(cost, targets.len()),
                        Some(lr) => {
                            let run = trainer
                                .train(seed, &setting(arm.name(), optimizer, lr, chain, epochs))?;
                            ArmOutcome::of(&run, lr, epochs, targets, higher, cost + steps)
                        }
                    };
                    tick(1);
                    outcome
                }
                None => {
                    let (run, lr) = match arm {
                        Arm::Prodigy => (prodigy.as_ref().expect("ran"), 1.0),
                        _ => (sf.as_ref().expect("ran"), SCHEDULE_FREE_LR),
                    };
                    ArmOutcome::of(run, lr, epochs, targets, higher, steps)
                }
            };
            row.push(outcome);
        }
        out.push(row);
    }
    Ok(out)
}

/// Trainings `run_arms` makes per seed (for the progress count).
pub(crate) fn trainings(arms: &[Arm], budgets: usize) -> usize {
    arms.iter()
        .map(|a| match a {
            Arm::Prodigy | Arm::ScheduleFreeAdamw => 1,
            Arm::ScheduleFreeSuggested => budgets + 1,
            _ => budgets,
        })
        .sum()
}

/// One arm across seeds at one budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmScore {
    /// The arm.
    pub arm: Arm,
    /// Per seed.
    pub seeds: Vec<ArmOutcome>,
}

/// The grid's best as a recipe at one budget: its LR, and per seed the outcome of the run
/// at that LR (what a grid search finds, at the cost of the whole grid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridBest {
    /// The best LR on the mean over seeds.
    pub lr: f64,
    /// Per seed.
    pub seeds: Vec<ArmOutcome>,
}

/// The grid's best at a budget: the run at `lr` on each seed, costed at the whole grid.
pub(crate) fn grid_best(
    runs: &[&Run],
    lr: f64,
    epochs: usize,
    targets: &[f64],
    higher: bool,
    grid_cost: usize,
) -> GridBest {
    GridBest {
        lr,
        seeds: runs
            .iter()
            .map(|r| ArmOutcome::of(r, lr, epochs, targets, higher, grid_cost))
            .collect(),
    }
}
