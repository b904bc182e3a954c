//! `sweep` on a model of your own: one setting trained at every LR of a grid, from the same
//! initial weights and the same batches, concluded as the command line's sweep concludes
//! (the recommended LR, the promising interval, where a suggestion falls). The command's
//! per-split classification reports need the built-in MLP's predictions and stay with it.

use serde::{Deserialize, Serialize};

use super::SplitReport;
#[cfg(doc)]
use super::split_report;
use crate::analysis::conclusion::{CHANCE_AUC, Conclusion, Outcome, conclude, lr_text};
use crate::error::{Error, Result};
use crate::finder::BatchSource;
use crate::run::{Resolved, Run, train_models};
use crate::train::Evaluation;

/// The result of [`sweep_models`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSweep {
    /// Every grid point's run, in LR order (the setting's name is its LR).
    pub runs: Vec<Run>,
    /// How each run ended, as the conclusion sees it.
    pub outcomes: Vec<Outcome>,
    /// Per run, the per-split reports of [`sweep_models_reported`] (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<Vec<SplitReport>>,
    /// The range test's suggestion that the conclusion places, when given.
    pub suggestion: Option<f64>,
    /// The recommended LR, the promising interval and the conclusion in sentences.
    pub conclusion: Conclusion,
}

impl ModelSweep {
    /// The recommended LR (the lowest final validation loss among the runs that neither
    /// diverged nor stalled).
    pub fn best_lr(&self) -> Option<f64> {
        self.conclusion.best.map(|i| self.outcomes[i].lr)
    }
}

/// Trains `setting` (its optimizer, schedule and epochs; its LR is replaced) at every LR of
/// `lrs` from the same `initial` weights and concludes. `batches`, `loss` and `evaluate`
/// are those of [`crate::compare::compare_models`]: a factory of fresh batch sources (the
/// same batches in the same order for every LR), a batch's mean loss, and the validation
/// loss and metric of a model. `suggestion` (e.g. the range test's) is placed on the grid.
/// `lrs` must be positive and increase.
pub fn sweep_models<'a, M, B, S>(
    initial: &M,
    setting: &Resolved,
    lrs: &[f64],
    batches: impl FnMut(&Resolved) -> S,
    loss: impl FnMut(&M, &B) -> burn::tensor::Tensor<1>,
    evaluate: impl FnMut(&M) -> Evaluation,
    suggestion: Option<f64>,
) -> Result<ModelSweep>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    let mut sweep = sweep_models_reported(
        initial,
        setting,
        lrs,
        batches,
        loss,
        evaluate,
        suggestion,
        |_| Vec::new(),
    )?;
    sweep.reports.clear();
    Ok(sweep)
}

/// [`sweep_models`] with the command line's full report per split: `report(model)` gives
/// the trained model's [`SplitReport`]s (e.g. [`crate::train::predict`] on each split, then
/// [`split_report`]). As in the command's sweep, a run whose validation report predicts only
/// one class, or whose validation ROC-AUC is at most chance, is never recommended.
#[allow(clippy::too_many_arguments)]
pub fn sweep_models_reported<'a, M, B, S>(
    initial: &M,
    setting: &Resolved,
    lrs: &[f64],
    batches: impl FnMut(&Resolved) -> S,
    mut loss: impl FnMut(&M, &B) -> burn::tensor::Tensor<1>,
    mut evaluate: impl FnMut(&M) -> Evaluation,
    suggestion: Option<f64>,
    mut report: impl FnMut(&M) -> Vec<SplitReport>,
) -> Result<ModelSweep>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    if lrs.is_empty() {
        return Err(Error::option("lrs", "the grid is empty"));
    }
    if let Some(lr) = lrs.iter().find(|lr| !(lr.is_finite() && **lr > 0.0)) {
        return Err(Error::option(
            "lrs",
            format!("LRs must be positive numbers, got {lr}"),
        ));
    }
    if let Some(w) = lrs.windows(2).find(|w| w[1] <= w[0]) {
        return Err(Error::option(
            "lrs",
            format!("LRs must increase, got {} after {}", w[1], w[0]),
        ));
    }
    let settings: Vec<Resolved> = lrs
        .iter()
        .map(|&lr| Resolved {
            name: lr_text(lr),
            lr,
            ..setting.clone()
        })
        .collect();
    let mut reports = Vec::with_capacity(settings.len());
    let runs = train_models(
        initial,
        &settings,
        batches,
        &mut loss,
        &mut evaluate,
        &[],
        false,
        &mut |_, model| reports.push(report(model)),
    )?;
    let outcomes: Vec<Outcome> = runs
        .iter()
        .zip(&reports)
        .map(|(run, reports)| {
            let valid = reports.iter().find(|r| r.split == "validation");
            Outcome {
                lr: run.setting.lr,
                group: 0,
                val_loss: run.summary.final_val_loss.unwrap_or(f64::NAN),
                verdict: run.summary.verdict,
                predicts_only: valid
                    .and_then(|r| r.report())
                    .and_then(|r| r.predicts_only())
                    .map(|c| c.to_string()),
                chance: valid
                    .and_then(|r| r.roc_auc())
                    .is_some_and(|auc| auc <= CHANCE_AUC),
            }
        })
        .collect();
    let conclusion = conclude(&outcomes, &[String::new()], suggestion);
    Ok(ModelSweep {
        runs,
        outcomes,
        reports,
        suggestion,
        conclusion,
    })
}
