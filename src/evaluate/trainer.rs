//! What the evaluation ([`super::runner`]) and its recipes ask of a model and its data, seed
//! by seed: the [`Trainer`] its clients implement, and what every seed shares.

use super::EvaluationPlan;
use crate::analysis::Method;
use crate::config::OptimizerConfig;
use crate::error::Result;
use crate::finder::RangeTestResult;
use crate::run::{Resolved, Run};
use crate::schedule;

/// What an evaluation needs of a model and its data, seed by seed (seeds count from 0).
pub(crate) trait Trainer {
    /// The range test of `seed`'s fresh model with a fresh `optimizer`, `iters` iterations
    /// long when given (otherwise as configured).
    fn range_test(
        &mut self,
        seed: usize,
        optimizer: &OptimizerConfig,
        iters: Option<usize>,
    ) -> Result<RangeTestResult>;

    /// Trains `setting` from `seed`'s initial weights on that seed's batches, in their
    /// order (the same at every call).
    fn train(&mut self, seed: usize, setting: &Resolved) -> Result<Run>;
}

/// What every seed of an evaluation shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Protocol<'a> {
    /// Seeds, grid, budgets, range-test lengths, recipes.
    pub plan: &'a EvaluationPlan,
    /// The rule whose suggestion the recipes train at.
    pub method: Method,
    /// The range test's and the grid's optimizer.
    pub optimizer: &'a OptimizerConfig,
    /// Whether the validation metric is better higher (accuracy) or lower (MSE).
    pub higher_is_better: bool,
}

/// A setting of `epochs` epochs at `lr` with the schedule `chain` (a built-in one); the
/// trainer supplies the batches, and their size.
pub(crate) fn setting(
    name: &str,
    optimizer: &OptimizerConfig,
    lr: f64,
    chain: &str,
    epochs: usize,
) -> Resolved {
    Resolved {
        name: name.into(),
        optimizer: optimizer.clone(),
        lr,
        schedule: schedule::parse(chain).expect("a valid built-in chain"),
        schedule_text: chain.into(),
        epochs,
        batch_size: 0,
    }
}
