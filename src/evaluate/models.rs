//! `evaluate` on a model of your own: for every seed, the range test on a fresh model and a
//! constant-LR grid trained from the same weights as long as the longest budget, refined
//! around each budget's best; then every rule scored against each budget's good interval,
//! exactly as the command line's `evaluate` scores them on the built-in MLP.

use serde::{Deserialize, Serialize};

use super::{BudgetScore, loss_after, score_budget};
use crate::analysis::conclusion::lr_text;
use crate::analysis::evaluation::{grid_summary, refine_lrs};
use crate::config::OptimizerConfig;
use crate::error::{Error, Result};
use crate::finder::{BatchSource, RangeTest, RangeTestResult};
use crate::run::{Resolved, Run, train_models};
use crate::schedule::Chain;
use crate::train::{self, Evaluation};

/// The result of [`evaluate_models`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEvaluation {
    /// The grid's LRs after refinement, ascending.
    pub lrs: Vec<f64>,
    /// Optimizer steps per epoch of the grid's runs.
    pub steps_per_epoch: usize,
    /// Each seed's range test (every rule's curve, so rules can be re-scored).
    pub range_tests: Vec<RangeTestResult>,
    /// Per budget: the grid's good interval and every rule's distance from it.
    pub budgets: Vec<BudgetScore>,
}

/// Evaluates the suggestion rules on your model: for each of `seeds` seeds, `init(seed)`
/// builds the model with that seed's initial weights and `batches(seed)` a fresh source of
/// its training batches (the same batches in the same order at every call for a seed). The
/// range test (`test`, with `optimizer`) and every grid run start from those weights; `loss`
/// is a batch's mean loss and `evaluate` the validation loss and metric of a model. The grid
/// `lrs` (positive, increasing) is trained at a constant LR for the longest of `epochs_list`
/// and read after each listed epoch; `refine_per_decade` adds points around each budget's
/// best (0: none).
#[allow(clippy::too_many_arguments)]
pub fn evaluate_models<'a, M, B, S>(
    seeds: usize,
    mut init: impl FnMut(u64) -> M,
    test: &RangeTest,
    optimizer: &OptimizerConfig,
    mut batches: impl FnMut(u64) -> S,
    loss: impl Fn(&M, &B) -> burn::tensor::Tensor<1>,
    mut evaluate: impl FnMut(&M) -> Evaluation,
    lrs: &[f64],
    epochs_list: &[usize],
    refine_per_decade: usize,
) -> Result<ModelEvaluation>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    optimizer.validate()?;
    if seeds == 0 {
        return Err(Error::option("seeds", "must be at least 1"));
    }
    if epochs_list.is_empty()
        || epochs_list.contains(&0)
        || epochs_list.windows(2).any(|w| w[1] <= w[0])
    {
        return Err(Error::option(
            "epochs_list",
            format!("must be positive and increase, got {epochs_list:?}"),
        ));
    }
    if lrs.is_empty()
        || lrs.iter().any(|lr| !(lr.is_finite() && *lr > 0.0))
        || lrs.windows(2).any(|w| w[1] <= w[0])
    {
        return Err(Error::option(
            "lrs",
            format!("must be positive numbers that increase, got {lrs:?}"),
        ));
    }
    let max_epochs = *epochs_list.last().expect("checked");
    let settings = |lrs: &[f64]| -> Vec<Resolved> {
        lrs.iter()
            .map(|&lr| Resolved {
                name: lr_text(lr),
                optimizer: optimizer.clone(),
                lr,
                schedule: Chain::default(),
                schedule_text: "constant".into(),
                epochs: max_epochs,
                batch_size: 0,
            })
            .collect()
    };
    let mut loss_mut = |m: &M, b: &B| loss(m, b);
    let mut models = Vec::with_capacity(seeds);
    let mut range_tests = Vec::with_capacity(seeds);
    let mut runs: Vec<Vec<Run>> = Vec::with_capacity(seeds);
    for seed in 0..seeds as u64 {
        let model = init(seed);
        range_tests.push(test.run(&model, train::optimizer(optimizer), batches(seed), &loss)?);
        runs.push(grid_runs(
            &model,
            &settings(lrs),
            || batches(seed),
            &mut loss_mut,
            &mut evaluate,
        )?);
        models.push(model);
    }
    // Refine around each budget's best on the coarse grid, on every seed.
    let mut grid: Vec<f64> = lrs.to_vec();
    let mut extra: Vec<f64> = Vec::new();
    for &e in epochs_list {
        let losses = losses_after(&runs, e);
        if let Some(g) = grid_summary(lrs, &losses) {
            for lr in refine_lrs(lrs, g.lrs[g.best], refine_per_decade) {
                if !grid
                    .iter()
                    .chain(&extra)
                    .any(|&x| (x / lr - 1.0).abs() < 1e-9)
                {
                    extra.push(lr);
                }
            }
        }
    }
    if !extra.is_empty() {
        for (seed, (model, seed_runs)) in models.iter().zip(&mut runs).enumerate() {
            seed_runs.extend(grid_runs(
                model,
                &settings(&extra),
                || batches(seed as u64),
                &mut loss_mut,
                &mut evaluate,
            )?);
            seed_runs.sort_by(|a, b| a.setting.lr.total_cmp(&b.setting.lr));
        }
        grid.extend(&extra);
        grid.sort_by(f64::total_cmp);
    }
    let steps_per_epoch = runs[0][0].steps_per_epoch;
    let mut budgets = Vec::with_capacity(epochs_list.len());
    for &epochs in epochs_list {
        let losses = losses_after(&runs, epochs);
        let summary = grid_summary(&grid, &losses).ok_or_else(|| {
            Error::option(
                "lrs",
                format!(
                    "every grid LR diverged within {epochs} epoch(s) on some seed: lower the range"
                ),
            )
        })?;
        budgets.push(score_budget(
            test.config().method,
            epochs,
            epochs * steps_per_epoch,
            losses,
            summary,
            &range_tests,
            &[],
        ));
    }
    Ok(ModelEvaluation {
        lrs: grid,
        steps_per_epoch,
        range_tests,
        budgets,
    })
}

/// One seed's constant-LR runs at `settings`, each on a fresh source of that seed's batches.
fn grid_runs<'a, M, B, S>(
    model: &M,
    settings: &[Resolved],
    mut batches: impl FnMut() -> S,
    loss: &mut dyn FnMut(&M, &B) -> burn::tensor::Tensor<1>,
    evaluate: &mut dyn FnMut(&M) -> Evaluation,
) -> Result<Vec<Run>>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    train_models(
        model,
        settings,
        |_| batches(),
        loss,
        evaluate,
        &[],
        false,
        &mut |_, _| {},
    )
}

/// `[seed][lr]` validation losses after `epochs`.
fn losses_after(runs: &[Vec<Run>], epochs: usize) -> Vec<Vec<f64>> {
    runs.iter()
        .map(|seed| seed.iter().map(|run| loss_after(run, epochs)).collect())
        .collect()
}
