//! `lrfind compare` on the built-in MLP and a table: every setting trained from the same
//! initial weights and data order (every run reseeds the device and its batcher, so its
//! result does not depend on which ran before it), with the data and model described.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{DataSummary, RunContext, train_run};
use crate::compare::{add_speedups, check_targets};
use crate::config::SuggestConfig;
use crate::data::Prepared;
use crate::error::{Error, Result};
use crate::model::{Head, Mlp};
use crate::run::{Resolved, Run};

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
    let device = super::device(config.backend);
    let head = Head::for_task(&data.table.task, config.model.binary_head);
    check_targets("--targets", targets, head == Head::Regression)?;
    device.seed(config.seed);
    let initial = Mlp::for_table(&data.table, &config.model, head, &device)?;
    let valid = super::eval_set(data, data.valid(), head, config.backend);
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
        let (run, _) = train_run(
            &ctx,
            &initial,
            setting,
            |epoch, lr| {
                on_epoch(&CompareProgress {
                    setting: &setting.name,
                    index,
                    epoch,
                    epochs: setting.epochs,
                    lr,
                })
            },
            |_, _| {},
        );
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
        model: initial.describe(),
        metric: if higher_is_better { "accuracy" } else { "mse" }.into(),
        higher_is_better,
        targets: targets.to_vec(),
        suggested_lr,
        runs,
        not_run,
    })
}
