//! `compare`: short full trainings of several settings, side by side, from the same initial
//! weights and the same data order, with convergence verdicts and time to target.
//!
//! Every run reseeds the device and its batcher, so its result does not depend on which ran
//! before it. A run that hits a NaN or infinite loss, or whose epoch's mean training loss
//! exceeds [`EXPLOSION_FACTOR`] times its first step's loss, is marked diverged and ends;
//! the others go on.

mod setting;
mod spec;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use setting::{LrSpec, Setting};
pub use spec::CompareSpec;
pub(crate) use spec::epochs_in_range;

use crate::analysis::convergence::{Verdict, epochs_to_target, verdict};
use burn::tensor::Device;

use crate::config::{OptimizerConfig, SuggestConfig};
use crate::data::{Batch, Batcher, Prepared};
use crate::error::{Error, Result};
use crate::model::{Head, Mlp};
use crate::pipeline::{self, DataSummary};
use crate::schedule::{Chain, Plateau, Timeline};
use crate::train::{self, Evaluation};

/// A run has exploded when an epoch's mean training loss exceeds this many times its first
/// step's loss.
pub const EXPLOSION_FACTOR: f64 = 2.0;

/// A setting with every value decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved {
    /// Name in tables and legends.
    pub name: String,
    /// The optimizer.
    pub optimizer: OptimizerConfig,
    /// Base (peak) LR.
    pub lr: f64,
    /// The schedule chain.
    pub schedule: Chain,
    /// The schedule in text form.
    pub schedule_text: String,
    /// Epochs.
    pub epochs: usize,
    /// Batch size.
    pub batch_size: usize,
}

impl Resolved {
    /// Decides a setting's values: `auto` becomes `suggested`, absent epochs and batch size
    /// take the common values.
    pub fn new(
        s: &Setting,
        suggested: Option<f64>,
        epochs: usize,
        batch_size: usize,
    ) -> Result<Self> {
        let lr = match s.lr {
            LrSpec::Value(v) => v,
            LrSpec::Auto => suggested.ok_or_else(|| {
                Error::option(
                    "--lr",
                    format!(
                        "setting '{}' asks for the suggested LR, but there is none",
                        s.name
                    ),
                )
            })?,
        };
        let (epochs, batch_size) = (
            s.epochs.unwrap_or(epochs),
            s.batch_size.unwrap_or(batch_size),
        );
        if epochs == 0 || batch_size == 0 {
            return Err(Error::option(
                "--epochs",
                format!(
                    "setting '{}': epochs and batch size must be at least 1",
                    s.name
                ),
            ));
        }
        Ok(Resolved {
            name: s.name.clone(),
            optimizer: s.optimizer_config(),
            lr,
            schedule_text: s.schedule.to_text(),
            schedule: s.schedule.clone(),
            epochs,
            batch_size,
        })
    }
}

/// One epoch of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch's steps.
    pub train_loss: f64,
    /// Validation loss after the epoch.
    pub val_loss: f64,
    /// Validation accuracy (classification) or MSE in target units (regression).
    pub val_metric: f64,
    /// LR of the epoch's last step.
    pub lr: f64,
    /// Seconds since the run started.
    pub seconds: f64,
}

/// What one run recorded, and its summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The setting.
    pub setting: Resolved,
    /// Validation loss and metric of the initial weights.
    pub initial: Evaluation,
    /// LR of every step.
    pub step_lrs: Vec<f64>,
    /// Training loss of every step.
    pub step_losses: Vec<f64>,
    /// Steps per epoch.
    pub steps_per_epoch: usize,
    /// Per-epoch records.
    pub epochs: Vec<EpochRecord>,
    /// Whether the run diverged (and ended early).
    pub diverged: bool,
    /// Whether a stop request ended the run before its last epoch (such runs are left out
    /// of comparisons and sweeps).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Wall time of the run.
    pub seconds: f64,
    /// Verdict, targets and speed-ups.
    pub summary: Summary,
}

/// A run's summary against the targets and the baseline (the first setting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The convergence verdict.
    pub verdict: Verdict,
    /// Epochs to reach each target (None: not reached).
    pub epochs_to_target: Vec<Option<usize>>,
    /// Seconds to reach each target.
    pub seconds_to_target: Vec<Option<f64>>,
    /// Baseline epochs / this run's epochs, per target.
    pub speedup_epochs: Vec<Option<f64>>,
    /// Baseline seconds / this run's seconds, per target.
    pub speedup_seconds: Vec<Option<f64>>,
    /// Best validation metric.
    pub best_metric: Option<f64>,
    /// Final validation metric.
    pub final_metric: Option<f64>,
    /// Final validation loss.
    pub final_val_loss: Option<f64>,
}

/// Everything `compare` produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The common configuration (data, model, seed, backend, range test).
    pub config: SuggestConfig,
    /// The data.
    pub data: DataSummary,
    /// The model.
    pub model: String,
    /// "accuracy" or "mse".
    pub metric: String,
    /// Whether a higher metric is better.
    pub higher_is_better: bool,
    /// Targets (accuracy levels, or validation MSE levels for regression).
    pub targets: Vec<f64>,
    /// The range test's suggestion, when one was used for `auto`.
    pub suggested_lr: Option<f64>,
    /// One run per setting, in the order given (the first is the baseline).
    pub runs: Vec<Run>,
    /// Settings that did not run because a stop request (Ctrl-C, SIGTERM) came first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_run: Vec<String>,
}

/// Progress of a comparison, for the progress bar.
#[derive(Debug, Clone)]
pub struct CompareProgress<'a> {
    /// Setting name.
    pub setting: &'a str,
    /// Index of the setting.
    pub index: usize,
    /// 1-based epoch just finished.
    pub epoch: usize,
    /// Epochs planned.
    pub epochs: usize,
    /// Current LR.
    pub lr: f64,
}

/// What every run of a comparison or a sweep shares: the data (its training part is
/// trained on), the head, the fixed validation batches and the seed.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    /// The prepared data; [`Prepared::train`] rows are trained on.
    pub data: &'a Prepared,
    /// The model's head.
    pub head: Head,
    /// Validation batches, on a device without autodiff.
    pub valid: &'a [Batch],
    /// Device for training (with autodiff).
    pub device: &'a Device,
    /// Seed of the batch order (the device is reseeded with it too).
    pub seed: u64,
    /// Targets to time (accuracy levels, or MSE levels for regression).
    pub targets: &'a [f64],
    /// When set (e.g. by a signal handler), the run stops after the current step.
    pub stop: Option<&'a AtomicBool>,
}

/// Trains one setting from `initial` and returns its record and the trained model.
/// `on_epoch(epoch, lr)` is called after every epoch. The device is reseeded first, so the
/// result does not depend on what ran before.
pub fn train_run(
    ctx: &RunContext,
    initial: &Mlp,
    setting: &Resolved,
    mut on_epoch: impl FnMut(usize, f64),
) -> (Run, Mlp) {
    let (head, data) = (ctx.head, ctx.data);
    let scale = data.target_scale.1;
    ctx.device.seed(ctx.seed);
    let mut batches = Batcher::new(
        data,
        data.train(),
        setting.batch_size,
        head.targets(),
        ctx.device,
        ctx.seed,
    );
    let spe = batches.batches_per_epoch().max(1);
    let timeline = Timeline {
        total_steps: spe * setting.epochs,
        steps_per_epoch: spe,
    };
    let mut plateau = setting.schedule.plateau().cloned().map(Plateau::new);
    let mut optim = train::optimizer(&setting.optimizer);
    let mut model = initial.clone();
    let forward = |m: &Mlp, x| m.forward(x);
    let mut loss_fn = |m: &Mlp, b: &Batch| head.loss(m.forward(b.inputs.clone()), b);
    let start_eval = train::evaluate(&model, forward, head, ctx.valid, scale);
    let started = Instant::now();
    let (mut step_lrs, mut step_losses, mut epochs) = (Vec::new(), Vec::new(), Vec::new());
    let mut diverged = false;
    let mut interrupted = false;
    'epochs: for epoch in 1..=setting.epochs {
        let mut sum = 0.0;
        for _ in 0..spe {
            if ctx.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
                interrupted = true;
                break 'epochs;
            }
            let step = step_lrs.len();
            let scheduled = setting.lr * setting.schedule.factor(step, &timeline);
            let lr = plateau.as_ref().map_or(scheduled, |p| p.apply(scheduled));
            let batch = batches.next().expect("batcher cycles forever");
            let (next, loss) = train::step(model, &mut optim, lr, &batch, &mut loss_fn);
            model = next;
            step_lrs.push(lr);
            step_losses.push(loss);
            sum += loss;
            if !loss.is_finite() {
                diverged = true;
                break 'epochs;
            }
        }
        let train_loss = sum / spe as f64;
        let eval = train::evaluate(&model, forward, head, ctx.valid, scale);
        if let Some(p) = plateau.as_mut() {
            p.observe(eval.loss);
        }
        let lr = *step_lrs.last().unwrap_or(&setting.lr);
        epochs.push(EpochRecord {
            epoch,
            train_loss,
            val_loss: eval.loss,
            val_metric: eval.metric,
            lr,
            seconds: started.elapsed().as_secs_f64(),
        });
        on_epoch(epoch, lr);
        if !eval.loss.is_finite() || train_loss > EXPLOSION_FACTOR * step_losses[0] {
            diverged = true;
            break;
        }
    }
    let higher_is_better = head != Head::Regression;
    let run = Run {
        setting: setting.clone(),
        initial: start_eval,
        step_lrs,
        step_losses,
        steps_per_epoch: spe,
        summary: summarise(
            start_eval.loss,
            &epochs,
            diverged,
            ctx.targets,
            higher_is_better,
        ),
        epochs,
        diverged,
        interrupted,
        seconds: started.elapsed().as_secs_f64(),
    };
    (run, model)
}

/// Checks the levels whose times a comparison reports: positive numbers, and accuracy
/// levels (classification) at most 1.
pub fn check_targets(targets: &[f64], regression: bool) -> Result<()> {
    if let Some(t) = targets.iter().find(|t| !(t.is_finite() && **t > 0.0)) {
        return Err(Error::option(
            "--targets",
            format!("levels must be positive numbers, got {t}"),
        ));
    }
    if let Some(t) = targets.iter().find(|t| **t > 1.0).filter(|_| !regression) {
        return Err(Error::option(
            "--targets",
            format!("accuracy levels must be in (0, 1], got {t}"),
        ));
    }
    Ok(())
}

/// Trains every setting from the same initial weights and data order and summarises.
pub fn compare(
    config: &SuggestConfig,
    data: &Prepared,
    settings: &[Resolved],
    targets: &[f64],
    suggested_lr: Option<f64>,
    stop: Option<&AtomicBool>,
    mut on_epoch: impl FnMut(&CompareProgress),
) -> Result<Comparison> {
    let device = pipeline::device(config.backend);
    let head = Head::for_task(&data.table.task, config.model.binary_head);
    check_targets(targets, head == Head::Regression)?;
    let inputs = data.table.width();
    device.seed(config.seed);
    let initial = Mlp::new(inputs, &config.model, head, &device);
    let valid = pipeline::eval_batches(data, data.valid(), head, config.backend);
    if valid.is_empty() {
        return Err(Error::option(
            "--split",
            "compare needs a validation part (the second --split fraction)",
        ));
    }
    let ctx = RunContext {
        data,
        head,
        valid: &valid,
        device: &device,
        seed: config.seed,
        targets,
        stop,
    };
    let mut runs = Vec::with_capacity(settings.len());
    let mut not_run = Vec::new();
    for (index, setting) in settings.iter().enumerate() {
        if !not_run.is_empty() {
            not_run.push(setting.name.clone());
            continue;
        }
        let (run, _) = train_run(&ctx, &initial, setting, |epoch, lr| {
            on_epoch(&CompareProgress {
                setting: &setting.name,
                index,
                epoch,
                epochs: setting.epochs,
                lr,
            })
        });
        if run.interrupted {
            not_run.push(setting.name.clone());
        } else {
            runs.push(run);
        }
    }
    add_speedups(&mut runs);
    let higher_is_better = head != Head::Regression;
    Ok(Comparison {
        config: config.clone(),
        data: DataSummary::of(data),
        model: initial.describe(inputs),
        metric: if higher_is_better { "accuracy" } else { "mse" }.into(),
        higher_is_better,
        targets: targets.to_vec(),
        suggested_lr,
        runs,
        not_run,
    })
}

fn summarise(
    initial_loss: f64,
    epochs: &[EpochRecord],
    diverged: bool,
    targets: &[f64],
    higher: bool,
) -> Summary {
    let losses: Vec<f64> = epochs.iter().map(|e| e.val_loss).collect();
    let metrics: Vec<f64> = epochs.iter().map(|e| e.val_metric).collect();
    let reached: Vec<Option<usize>> = targets
        .iter()
        .map(|&t| epochs_to_target(&metrics, t, higher))
        .collect();
    let finite = metrics.iter().copied().filter(|m| m.is_finite());
    Summary {
        verdict: verdict(initial_loss, &losses, diverged),
        seconds_to_target: reached
            .iter()
            .map(|r| r.map(|e| epochs[e - 1].seconds))
            .collect(),
        epochs_to_target: reached,
        speedup_epochs: Vec::new(),
        speedup_seconds: Vec::new(),
        best_metric: if higher {
            finite.reduce(f64::max)
        } else {
            finite.reduce(f64::min)
        },
        final_metric: metrics.last().copied(),
        final_val_loss: losses.last().copied(),
    }
}

/// Speed-up against the first run: ratio of epochs (and of seconds) to each target.
fn add_speedups(runs: &mut [Run]) {
    let Some(base) = runs.first().map(|r| r.summary.clone()) else {
        return;
    };
    for run in runs.iter_mut() {
        let s = &mut run.summary;
        s.speedup_epochs = base
            .epochs_to_target
            .iter()
            .zip(&s.epochs_to_target)
            .map(|(b, r)| Some((*b)? as f64 / (*r)? as f64))
            .collect();
        s.speedup_seconds = base
            .seconds_to_target
            .iter()
            .zip(&s.seconds_to_target)
            .map(|(b, r)| Some((*b)? / (*r)?))
            .collect();
    }
}
