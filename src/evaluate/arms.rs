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

use crate::analysis::convergence::{Verdict, verdict};
use crate::analysis::suggest_all;
use crate::config::{OptimizerConfig, OptimizerKind, SuggestConfig};
use crate::data::{self, Table};
use crate::error::Result;
use crate::finder::{Hooks, RangeTestResult};
use crate::model::{Head, Mlp};
use crate::optim::SCHEDULE_FREE_LR;
use crate::pipeline;
use crate::pipeline::{RunContext, train_run};
use crate::run::{Resolved, Run};
use crate::schedule;

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
    fn refused(cost_steps: usize, targets: usize) -> Self {
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
    fn of(run: &Run, lr: f64, epochs: usize, targets: &[f64], higher: bool, cost: usize) -> Self {
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

/// Everything one seed needs to train a setting as the grid did.
struct Setup {
    data: data::Prepared,
    head: Head,
    valid: data::Batcher,
    device: burn::tensor::Device,
    initial: Mlp,
}

fn setup(config: &SuggestConfig, table: &Table) -> Result<Setup> {
    let data = data::prepare(table.clone(), &config.data, config.seed)?;
    let head = Head::for_task(&data.table.task, config.model.binary_head);
    let device = pipeline::device(config.backend);
    device.seed(config.seed);
    let initial = Mlp::for_table(&data.table, &config.model, head, &device)?;
    let valid = pipeline::eval_set(&data, data.valid(), head, config.backend);
    Ok(Setup {
        data,
        head,
        valid,
        device,
        initial,
    })
}

impl Setup {
    fn train(&self, config: &SuggestConfig, setting: &Resolved) -> Run {
        let ctx = RunContext {
            data: &self.data,
            head: self.head,
            valid: &self.valid,
            device: &self.device,
            seed: config.seed,
            targets: &[],
            stop: None,
        };
        train_run(&ctx, &self.initial, setting, |_, _| {}, |_, _| {}).0
    }
}

fn setting(
    name: &str,
    optimizer: OptimizerConfig,
    lr: f64,
    chain: &str,
    epochs: usize,
    batch: usize,
) -> Resolved {
    Resolved {
        name: name.into(),
        optimizer,
        lr,
        schedule: schedule::parse(chain).expect("a valid built-in chain"),
        schedule_text: chain.into(),
        epochs,
        batch_size: batch,
    }
}

/// `[budget][arm]` outcomes of one seed. `range_test` is the seed's range test (with the
/// configured optimizer); `epochs_list` the budgets, `steps_per_epoch` the grid's.
pub(super) fn run_arms(
    config: &SuggestConfig,
    table: &Table,
    range_test: &RangeTestResult,
    arms: &[Arm],
    epochs_list: &[usize],
    steps_per_epoch: usize,
    targets: &[f64],
) -> Result<Vec<Vec<ArmOutcome>>> {
    let s = setup(config, table)?;
    let higher = s.head != Head::Regression;
    let batch = config.data.batch_size;
    let max_epochs = *epochs_list.last().expect("validated");
    let suggestion = |r: &RangeTestResult, steps: usize| {
        suggest_all(
            &r.suggested_rule_curve().planned(Some(steps)),
            config.range_test.method,
        )
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
        let mut c = config.clone();
        c.optimizer = sf_optimizer.clone();
        Some(pipeline::suggest(&c, &s.data, Hooks::default())?.result)
    } else {
        None
    };
    // The learning-rate-free arms run once, to the longest budget.
    let free_run = |kind: OptimizerKind, lr: f64| {
        s.train(
            config,
            &setting(
                kind.name(),
                defaults(kind),
                lr,
                "constant",
                max_epochs,
                batch,
            ),
        )
    };
    let prodigy = arms
        .contains(&Arm::Prodigy)
        .then(|| free_run(OptimizerKind::Prodigy, 1.0));
    let sf = arms
        .contains(&Arm::ScheduleFreeAdamw)
        .then(|| free_run(OptimizerKind::ScheduleFreeAdamw, SCHEDULE_FREE_LR));
    let rt_cost = range_test.iterations();
    let mut out = Vec::with_capacity(epochs_list.len());
    for &epochs in epochs_list {
        let steps = epochs * steps_per_epoch;
        let mut row = Vec::with_capacity(arms.len());
        for &arm in arms {
            let outcome = match arm {
                Arm::Constant | Arm::Onecycle => match suggestion(range_test, steps) {
                    None => ArmOutcome::refused(rt_cost, targets.len()),
                    Some(lr) => {
                        let chain = if arm == Arm::Constant {
                            "constant"
                        } else {
                            "onecycle"
                        };
                        let run = s.train(
                            config,
                            &setting(
                                arm.name(),
                                config.optimizer.clone(),
                                lr,
                                chain,
                                epochs,
                                batch,
                            ),
                        );
                        ArmOutcome::of(&run, lr, epochs, targets, higher, rt_cost + steps)
                    }
                },
                Arm::Prodigy | Arm::ScheduleFreeAdamw => {
                    let (run, lr) = match arm {
                        Arm::Prodigy => (prodigy.as_ref().expect("ran"), 1.0),
                        _ => (sf.as_ref().expect("ran"), SCHEDULE_FREE_LR),
                    };
                    ArmOutcome::of(run, lr, epochs, targets, higher, steps)
                }
                Arm::ScheduleFreeSuggested => {
                    let test = sf_test.as_ref().expect("ran");
                    let cost = test.iterations();
                    match suggestion(test, steps) {
                        None => ArmOutcome::refused(cost, targets.len()),
                        Some(lr) => {
                            let run = s.train(
                                config,
                                &setting(
                                    arm.name(),
                                    sf_optimizer.clone(),
                                    lr,
                                    "constant",
                                    epochs,
                                    batch,
                                ),
                            );
                            ArmOutcome::of(&run, lr, epochs, targets, higher, cost + steps)
                        }
                    }
                }
            };
            row.push(outcome);
        }
        out.push(row);
    }
    Ok(out)
}

/// Trainings `run_arms` makes per seed (for the progress count).
pub(super) fn trainings(arms: &[Arm], budgets: usize) -> usize {
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
pub(super) fn grid_best(
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
