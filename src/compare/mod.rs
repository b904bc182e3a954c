//! `compare`: short full trainings of several settings, side by side, from the same initial
//! weights and the same data order, with convergence verdicts and time to target.
//!
//! Every run reseeds the device and its batcher, so its result does not depend on which ran
//! before it. A run that hits a NaN or infinite loss, or whose epoch's mean training loss
//! exceeds [`EXPLOSION_FACTOR`](crate::run::EXPLOSION_FACTOR) times its first step's loss, is marked diverged and ends;
//! the others go on.

mod logged;
mod setting;
mod spec;

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

pub use logged::{LogComparison, LoggedRun, compare_logs};
pub use setting::{LrSpec, Setting};
pub use spec::CompareSpec;

use crate::config::SuggestConfig;
use crate::data::Prepared;
use crate::error::{Error, Result};
use crate::finder::{BatchSource, Cycled};
use crate::model::{Head, Mlp};
use crate::pipeline::{self, DataSummary};
use crate::run::{Loop, Resolved, Run, RunContext, Summary, train_model, train_run};
use crate::train::Evaluation;

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
    add_speedups(runs.iter_mut().map(|r| &mut r.summary));
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

/// `compare` on a model of your own: trains every setting from the same `initial` weights and
/// summarises them side by side, speed-ups against the first. `batches(setting)` gives a
/// fresh source of that setting's training batches (a slice or `Vec`, a [`Passes`]
/// closure, or with the `dataloader` feature a Burn `DataLoader`): a factory, so that every
/// run sees the same batches in the same order (build each run a loader with the same seed,
/// and seed your device there if the model uses dropout). An epoch is one pass; a source that
/// does not know its length is read once more to count it. `loss` is a batch's mean loss,
/// `evaluate` the validation loss and metric (accuracy, or MSE with `higher_is_better`
/// false) of a model. The settings' batch sizes are the sources' business.
///
/// [`Passes`]: crate::finder::Passes
pub fn compare_models<'a, M, B, S>(
    initial: &M,
    settings: &[Resolved],
    mut batches: impl FnMut(&Resolved) -> S,
    mut loss: impl FnMut(&M, &B) -> burn::tensor::Tensor<1>,
    mut evaluate: impl FnMut(&M) -> Evaluation,
    targets: &[f64],
    higher_is_better: bool,
) -> Result<Vec<Run>>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    check_targets(targets, !higher_is_better)?;
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
            loss: &mut loss,
            evaluate: &mut evaluate,
            targets,
            higher_is_better,
            stop: None,
        };
        let (run, _) = train_model(initial, setting, l, |_, _| {});
        if let Some(e) = cycled.error {
            return Err(e);
        }
        runs.push(run);
    }
    add_speedups(runs.iter_mut().map(|r| &mut r.summary));
    Ok(runs)
}

/// Speed-up against the first run: ratio of epochs (and of seconds) to each target.
pub(crate) fn add_speedups<'a>(summaries: impl Iterator<Item = &'a mut Summary>) {
    let mut summaries = summaries.peekable();
    let Some(base) = summaries.peek().map(|s| (**s).clone()) else {
        return;
    };
    for s in summaries {
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
