//! `compare --logs`: trainings another framework ran, read from their logs
//! ([`crate::logs`]), judged with the same verdicts and timed to the same targets as
//! `compare`'s own runs.
//!
//! What a log cannot give stays empty: no initial loss (the verdict is
//! [`verdict_logged`]), no wall time unless the log records one, no targets when the logs
//! share no accuracy. The targets are levels of the validation accuracy when every log has
//! it, else of the training accuracy when every log has that.

use serde::{Deserialize, Serialize};

use super::{add_speedups, check_targets};
use crate::analysis::convergence::verdict_logged;
use crate::error::{Error, Result};
use crate::logs::{Role, TrainingLog};
use crate::run::{EXPLOSION_FACTOR, Summary};

/// One log with its summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedRun {
    /// The log, per epoch.
    pub log: TrainingLog,
    /// The curve the verdict judged: validation loss, or training loss when the log has no
    /// validation loss; `None` when it has neither.
    pub verdict_on: Option<Role>,
    /// Verdict, epochs (and seconds, when logged) to each target, speed-ups against the
    /// first log, best and final accuracy, final validation loss.
    pub summary: Summary,
}

/// Everything `compare --logs` produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogComparison {
    /// Accuracy levels timed.
    pub targets: Vec<f64>,
    /// The accuracy the targets are levels of; `None` when the logs share none.
    pub target_metric: Option<Role>,
    /// The roles every log has.
    pub common: Vec<Role>,
    /// One per log, in the order given (the first is the baseline).
    pub runs: Vec<LoggedRun>,
}

/// Summarises logs side by side. Errors when there is no log, or when two or more logs
/// share no loss or accuracy.
pub fn compare_logs(logs: Vec<TrainingLog>, targets: &[f64]) -> Result<LogComparison> {
    check_targets("targets", targets, false)?;
    if logs.is_empty() {
        return Err(Error::option("--logs", "give at least one NAME=PATH"));
    }
    let judged = [Role::Loss, Role::ValLoss, Role::Accuracy, Role::ValAccuracy];
    let common: Vec<Role> = judged
        .into_iter()
        .filter(|r| logs.iter().all(|l| l.has(*r)))
        .collect();
    if logs.len() > 1 && common.is_empty() {
        let has = |l: &TrainingLog| {
            let roles: Vec<&str> = judged
                .iter()
                .filter(|r| l.has(**r))
                .map(|r| r.name())
                .collect();
            format!(
                "{} has {}",
                l.path,
                if roles.is_empty() {
                    "none".into()
                } else {
                    roles.join(", ")
                }
            )
        };
        return Err(Error::option(
            "--logs",
            format!(
                "the logs have no loss or accuracy in common ({}); name metrics with --metric ROLE=NAME",
                logs.iter().map(has).collect::<Vec<_>>().join("; ")
            ),
        ));
    }
    let target_metric = [Role::ValAccuracy, Role::Accuracy]
        .into_iter()
        .find(|r| common.contains(r));
    // Without an accuracy in common there is nothing to time.
    let targets = if target_metric.is_some() {
        targets
    } else {
        &[]
    };
    let mut runs: Vec<LoggedRun> = logs
        .into_iter()
        .map(|log| summarise(log, targets, target_metric))
        .collect();
    add_speedups(runs.iter_mut().map(|r| &mut r.summary));
    Ok(LogComparison {
        targets: targets.to_vec(),
        target_metric,
        common,
        runs,
    })
}

fn summarise(log: TrainingLog, targets: &[f64], target_metric: Option<Role>) -> LoggedRun {
    let verdict_on = [Role::ValLoss, Role::Loss]
        .into_iter()
        .find(|r| log.has(*r));
    let losses: Vec<f64> = verdict_on
        .map(|r| log.series(r).into_iter().map(|(_, v)| v).collect())
        .unwrap_or_default();
    let diverged = diverged(&log);
    let metric = target_metric.map(|r| log.series(r)).unwrap_or_default();
    let reached = |t: f64| metric.iter().find(|(_, v)| *v >= t).map(|(e, _)| *e);
    let seconds_at = |epoch: usize| {
        log.epochs
            .iter()
            .find(|e| e.epoch == epoch)
            .and_then(|e| e.seconds)
    };
    let epochs_to_target: Vec<Option<usize>> = targets.iter().map(|&t| reached(t)).collect();
    let summary = Summary {
        verdict: verdict_logged(&losses, diverged),
        seconds_to_target: epochs_to_target.iter().map(|e| seconds_at((*e)?)).collect(),
        epochs_to_target,
        speedup_epochs: Vec::new(),
        speedup_seconds: Vec::new(),
        best_metric: metric.iter().map(|m| m.1).reduce(f64::max),
        final_metric: metric.last().map(|m| m.1),
        final_val_loss: log.series(Role::ValLoss).last().map(|l| l.1),
    };
    LoggedRun {
        log,
        verdict_on,
        summary,
    }
}

/// A log diverged when a loss is not finite, or an epoch's training loss exceeds
/// [`EXPLOSION_FACTOR`] times the first logged one (the first step's when steps are logged),
/// as `compare` judges its own runs.
fn diverged(log: &TrainingLog) -> bool {
    let train = log.series(Role::Loss);
    let not_finite = train
        .iter()
        .chain(&log.series(Role::ValLoss))
        .any(|(_, v)| !v.is_finite());
    let first = log
        .step_losses
        .first()
        .map(|s| s.1)
        .or(train.first().map(|t| t.1));
    let exploded = first.is_some_and(|f| {
        f.is_finite() && f > 0.0 && train.iter().any(|(_, v)| *v > EXPLOSION_FACTOR * f)
    });
    not_finite || exploded
}
