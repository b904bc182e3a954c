//! `compare`: short full trainings of several settings, side by side, from the same initial
//! weights and the same data order, with convergence verdicts and time to target, on any
//! model ([`compare_models`]); the settings (from flags or TOML files) and their checks; and
//! other frameworks' logged trainings judged the same way ([`compare_logs`]). The built-in
//! MLP on tables is one client ([`crate::pipeline::compare`]).
//!
//! A run that hits a NaN or infinite loss, or whose epoch's mean training loss exceeds
//! [`EXPLOSION_FACTOR`](crate::run::EXPLOSION_FACTOR) times its first step's loss, is marked
//! diverged and ends; the others go on.

mod logged;
mod setting;
mod spec;

pub use logged::{LogComparison, LoggedRun, compare_logs};
pub use setting::{LrSpec, Setting};
pub use spec::CompareSpec;

use crate::error::{Error, Result};
use crate::finder::BatchSource;
use crate::run::{Resolved, Run, Summary, train_models};
use crate::train::Evaluation;

/// Checks the levels whose times a comparison reports: positive numbers, and accuracy
/// levels (classification) at most 1; errors name `field`.
pub fn check_targets(field: &'static str, targets: &[f64], regression: bool) -> Result<()> {
    if let Some(t) = targets.iter().find(|t| !(t.is_finite() && **t > 0.0)) {
        return Err(Error::option(
            field,
            format!("levels must be positive numbers, got {t}"),
        ));
    }
    if let Some(t) = targets.iter().find(|t| **t > 1.0).filter(|_| !regression) {
        return Err(Error::option(
            field,
            format!("accuracy levels must be in (0, 1], got {t}"),
        ));
    }
    Ok(())
}

/// `compare` on a model of your own: trains every setting from the same `initial` weights and
/// summarises them side by side, speed-ups against the first. `batches(setting)` gives a
/// fresh source of that setting's training batches (a slice or `Vec`, a [`Passes`]
/// closure, or with the `dataloader` feature a Burn `DataLoader`, borrowed or owned): a
/// factory, so that every run sees the same batches in the same order (build each run a
/// loader with the same shuffle seed and one worker and return it, and seed your device
/// there if the model uses dropout). An epoch is one pass; a source that
/// does not know its length is read once more to count it. `loss` is a batch's mean loss,
/// `evaluate` the validation loss and metric (accuracy, or MSE with `higher_is_better`
/// false) of a model. The settings' batch sizes are the sources' business.
///
/// [`Passes`]: crate::finder::Passes
pub fn compare_models<'a, M, B, S>(
    initial: &M,
    settings: &[Resolved],
    batches: impl FnMut(&Resolved) -> S,
    mut loss: impl FnMut(&M, &B) -> burn::tensor::Tensor<1>,
    mut evaluate: impl FnMut(&M) -> Evaluation,
    targets: &[f64],
    higher_is_better: bool,
) -> Result<Vec<Run>>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    check_targets("targets", targets, !higher_is_better)?;
    let mut runs = train_models(
        initial,
        settings,
        batches,
        &mut loss,
        &mut evaluate,
        targets,
        higher_is_better,
        &mut |_, _| {},
    )?;
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
