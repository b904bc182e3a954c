//! One training run: a resolved setting (optimizer, LR, schedule, epochs, batch size)
//! trained from given initial weights on the training part, evaluated on fixed validation
//! batches after every epoch, with its verdict and times to target. The one loop that
//! `compare`, `sweep` and `evaluate` share ([`train_model`], for any model;
//! [`train_models`] runs several settings from the same weights on fresh batch sources;
//! [`crate::pipeline::train_run`] is the client for the built-in MLP on tables).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::analysis::convergence::{Verdict, epochs_to_target, verdict};
use crate::config::OptimizerConfig;
use crate::error::{Error, Result};
use crate::finder::{BatchSource, Cycled};
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

/// What a training run needs besides the model and the setting, for any model and batch
/// type: the batches, the loss, the evaluation, the targets.
pub struct Loop<'a, M, B> {
    /// Batches, epoch after epoch (at least `steps_per_epoch` x the setting's epochs).
    pub batches: &'a mut dyn Iterator<Item = B>,
    /// Optimizer steps (batches) in one epoch.
    pub steps_per_epoch: usize,
    /// A batch's mean loss (on the autodiff device).
    pub loss: &'a mut dyn FnMut(&M, &B) -> burn::tensor::Tensor<1>,
    /// Validation loss and metric of a model (accuracy, or MSE for regression).
    pub evaluate: &'a mut dyn FnMut(&M) -> Evaluation,
    /// Targets to time (accuracy levels, or MSE levels when `higher_is_better` is false).
    pub targets: &'a [f64],
    /// Whether a higher metric is better (accuracy) or a lower one (MSE).
    pub higher_is_better: bool,
    /// When set (e.g. by a signal handler), the run stops after the current step.
    pub stop: Option<&'a AtomicBool>,
    /// Called after every optimizer step with the steps done and the run's total (for
    /// progress bars).
    pub on_step: Option<&'a mut dyn FnMut(usize, usize)>,
}

/// Trains `setting` from `initial` (the one loop of every run, for any model) and returns its
/// record and the trained model (for Schedule-Free AdamW, its averaged weights, at which it
/// is also evaluated every epoch). `on_epoch(epoch, lr)` is called after every epoch. A run
/// whose batches run out before its last epoch ends there, as if stopped.
pub fn train_model<M: burn::module::Module, B>(
    initial: &M,
    setting: &Resolved,
    mut l: Loop<'_, M, B>,
    mut on_epoch: impl FnMut(usize, f64),
) -> (Run, M) {
    let spe = l.steps_per_epoch.max(1);
    let timeline = Timeline {
        total_steps: spe * setting.epochs,
        steps_per_epoch: spe,
    };
    let mut plateau = setting.schedule.plateau().cloned().map(Plateau::new);
    let mut optim = train::optimizer(&setting.optimizer);
    // A clone shares `initial`'s BatchNorm running statistics (Burn's clones do);
    // [`train_models`] puts them back between runs.
    let mut model = initial.clone();
    let start_eval = (l.evaluate)(&model);
    let started = Instant::now();
    let (mut step_lrs, mut step_losses, mut epochs) = (Vec::new(), Vec::new(), Vec::new());
    let mut diverged = false;
    let mut interrupted = false;
    'epochs: for epoch in 1..=setting.epochs {
        let mut sum = 0.0;
        for _ in 0..spe {
            if l.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
                interrupted = true;
                break 'epochs;
            }
            let step = step_lrs.len();
            let scheduled = setting.lr * setting.schedule.factor(step, &timeline);
            let lr = plateau.as_ref().map_or(scheduled, |p| p.apply(scheduled));
            let Some(batch) = l.batches.next() else {
                interrupted = true;
                break 'epochs;
            };
            let (next, loss) = train::step(model, &mut optim, lr, &batch, &mut l.loss);
            model = next;
            step_lrs.push(lr);
            step_losses.push(loss);
            sum += loss;
            if let Some(f) = l.on_step.as_mut() {
                f(step_lrs.len(), timeline.total_steps);
            }
            if !loss.is_finite() {
                diverged = true;
                break 'epochs;
            }
        }
        let train_loss = sum / spe as f64;
        // Schedule-Free AdamW is evaluated at its averaged weights; the others as they are.
        let eval = (l.evaluate)(&optim.eval_weights(model.clone()));
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
            l.targets,
            l.higher_is_better,
        ),
        epochs,
        diverged,
        interrupted,
        seconds: started.elapsed().as_secs_f64(),
    };
    (run, optim.eval_weights(model))
}

/// Trains every setting from the same `initial` weights, each on a fresh source from
/// `batches(setting)` (cycled pass after pass; an epoch is one pass, counted by reading the
/// source once more when it does not know its length), evaluated after every epoch: what
/// `compare`, `sweep` and `evaluate` on a model of your own share. Every setting's optimizer
/// and epochs are checked first (errors name the field and the setting); a source that fails
/// to read, or runs out before a run's last epoch, ends the whole call with an error. Each
/// run starts from `initial`'s BatchNorm running statistics, which `initial` keeps.
/// `trained(run, model)` sees each trained model (e.g. for predictions) before it is dropped.
#[allow(clippy::too_many_arguments)]
pub fn train_models<'a, M, B, S>(
    initial: &M,
    settings: &[Resolved],
    mut batches: impl FnMut(&Resolved) -> S,
    loss: &mut dyn FnMut(&M, &B) -> burn::tensor::Tensor<1>,
    evaluate: &mut dyn FnMut(&M) -> Evaluation,
    targets: &[f64],
    higher_is_better: bool,
    trained: &mut dyn FnMut(&Run, &M),
) -> Result<Vec<Run>>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    for setting in settings {
        setting.optimizer.validate().map_err(|e| match e {
            Error::InvalidOption { flag, message } => {
                Error::option(flag, format!("setting '{}': {message}", setting.name))
            }
            other => other,
        })?;
        if setting.epochs == 0 {
            return Err(Error::option(
                "epochs",
                format!("setting '{}': must be at least 1", setting.name),
            ));
        }
    }
    // Burn's clones share BatchNorm running statistics: every run starts from the ones
    // `initial` has now, and `initial` gets them back at the end.
    let _ = initial.valid();
    let snapshot = initial.clone().into_record();
    let restore = |model: M| {
        let _ = model.valid();
        drop(model);
        let _ = initial.clone().load_record(snapshot.clone());
    };
    let mut runs = Vec::with_capacity(settings.len());
    for setting in settings {
        let source = batches(setting);
        let steps_per_epoch = match source.batches_per_pass() {
            Some(n) => n,
            None => batches(setting).pass().count(),
        };
        if steps_per_epoch == 0 {
            return Err(Error::option(
                "batches",
                format!("setting '{}': the batch source is empty", setting.name),
            ));
        }
        let mut cycled = Cycled::new(source);
        let l = Loop {
            batches: &mut cycled,
            steps_per_epoch,
            loss: &mut *loss,
            evaluate: &mut *evaluate,
            targets,
            higher_is_better,
            stop: None,
            on_step: None,
        };
        let (run, model) = train_model(initial, setting, l, |_, _| {});
        trained(&run, &model);
        restore(model);
        if let Some(e) = cycled.error {
            return Err(e);
        }
        if run.interrupted {
            return Err(Error::option(
                "batches",
                format!(
                    "setting '{}': the batch source ran out after {} of {} epochs",
                    setting.name,
                    run.epochs.len(),
                    setting.epochs
                ),
            ));
        }
        runs.push(run);
    }
    Ok(runs)
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
