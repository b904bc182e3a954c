//! `evaluate` on a model of your own: the command line's evaluation (range tests, the
//! refined grid, every rule scored per budget, the recipes of `arms`), with your model, its
//! batches, loss and validation; [`super::runner`] is the evaluation itself.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use super::runner::evaluate_with;
use super::trainer::{Protocol, Trainer};
use super::{BudgetScore, EvaluationPlan};
use crate::analysis::Method;
use crate::analysis::confidence::Confidence;
use crate::config::OptimizerConfig;
use crate::error::Result;
use crate::finder::{BatchSource, RangeTest, RangeTestResult};
use crate::run::{Resolved, Run, train_models};
use crate::train::{self, Evaluation};

/// The result of [`evaluate_models`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEvaluation {
    /// What ran.
    pub plan: EvaluationPlan,
    /// The rule whose suggestion is the chosen one (and the recipes train at).
    pub method: Method,
    /// Whether the validation metric is better higher (accuracy) or lower (MSE).
    pub higher_is_better: bool,
    /// The grid's LRs after refinement, ascending.
    pub lrs: Vec<f64>,
    /// Optimizer steps per epoch of the grid's runs.
    pub steps_per_epoch: usize,
    /// Each seed's range test (every rule's curve, so rules can be re-scored).
    pub range_tests: Vec<RangeTestResult>,
    /// Per budget: the grid's good interval and every rule's distance from it.
    pub budgets: Vec<BudgetScore>,
}

impl ModelEvaluation {
    /// Each seed's range-test confidence (of the suggestion it reports).
    pub fn confidence(&self) -> Vec<Confidence> {
        self.range_tests
            .iter()
            .map(|r| r.suggested().confidence.clone())
            .collect()
    }
}

/// Evaluates the suggestion rules on your model, as the command line's `evaluate` does on
/// its MLP. For each of `plan.seeds` seeds, `init(seed)` builds the model with that seed's
/// initial weights (called once per seed) and `batches(seed)` a fresh source of its training
/// batches (the same batches in the same order at every call for a seed). The range test
/// (`test`, with `optimizer`) and every training start from those weights; `loss` is a
/// batch's mean loss and `evaluate` the validation loss and metric of a model (accuracy, or
/// MSE with `higher_is_better` false: the recipes' targets read it). The grid `plan.lrs` is
/// trained at a constant LR for the longest of `plan.epochs_list` and read after each
/// listed epoch, refined around each budget's best; `plan.iters_list` compares range-test
/// lengths on the first seed, and `plan.arms` trains the recipes beside the grid's best.
/// Errors name the plan's fields.
#[allow(clippy::too_many_arguments)]
pub fn evaluate_models<'a, M, B, S>(
    plan: &EvaluationPlan,
    init: impl FnMut(u64) -> M,
    test: &RangeTest,
    optimizer: &OptimizerConfig,
    batches: impl FnMut(u64) -> S,
    loss: impl Fn(&M, &B) -> burn::tensor::Tensor<1>,
    evaluate: impl FnMut(&M) -> Evaluation,
    higher_is_better: bool,
) -> Result<ModelEvaluation>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
{
    optimizer.validate()?;
    let mut own = Own {
        init,
        test,
        batches,
        loss,
        evaluate,
        higher_is_better,
        models: Vec::new(),
        types: PhantomData,
    };
    let protocol = Protocol {
        plan,
        method: test.config().method,
        optimizer,
        higher_is_better,
    };
    evaluate_with(&mut own, &protocol, &mut |_, _| {})
}

/// A model of your own as the evaluation's [`Trainer`]: the closures, and each seed's
/// initial model once built.
struct Own<'t, M, B, S, I, G, L, E> {
    init: I,
    test: &'t RangeTest,
    batches: G,
    loss: L,
    evaluate: E,
    higher_is_better: bool,
    models: Vec<Option<M>>,
    types: PhantomData<fn(&B) -> S>,
}

impl<M: burn::module::Module, B, S, I, G, L, E> Own<'_, M, B, S, I, G, L, E>
where
    I: FnMut(u64) -> M,
{
    fn model(&mut self, seed: usize) -> M {
        if self.models.len() <= seed {
            self.models.resize_with(seed + 1, || None);
        }
        self.models[seed]
            .get_or_insert_with(|| (self.init)(seed as u64))
            .clone()
    }
}

impl<'a, M, B, S, I, G, L, E> Trainer for Own<'_, M, B, S, I, G, L, E>
where
    M: burn::module::Module,
    S: BatchSource<'a, B>,
    I: FnMut(u64) -> M,
    G: FnMut(u64) -> S,
    L: Fn(&M, &B) -> burn::tensor::Tensor<1>,
    E: FnMut(&M) -> Evaluation,
{
    fn range_test(
        &mut self,
        seed: usize,
        optimizer: &OptimizerConfig,
        iters: Option<usize>,
    ) -> Result<RangeTestResult> {
        let model = self.model(seed);
        let test = match iters {
            Some(n) => self.test.clone().iters(n),
            None => self.test.clone(),
        };
        test.run(
            &model,
            train::optimizer(optimizer),
            (self.batches)(seed as u64),
            &self.loss,
        )
    }

    fn train(&mut self, seed: usize, setting: &Resolved) -> Result<Run> {
        let model = self.model(seed);
        let loss = &self.loss;
        let mut runs = train_models(
            &model,
            std::slice::from_ref(setting),
            |_| (self.batches)(seed as u64),
            &mut |m: &M, b: &B| loss(m, b),
            &mut self.evaluate,
            &[],
            self.higher_is_better,
            &mut |_, _| {},
        )?;
        Ok(runs.remove(0))
    }
}
