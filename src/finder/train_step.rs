//! The range test on a model that implements Burn's `TrainStep` (feature `learner`): the
//! user's own training step supplies the loss and the gradients, so no loss closure is
//! needed ([`RangeTest::run_train_step`]).
//!
//! `TrainStep::step` runs the backward pass itself and hides the loss inside its output.
//! lrfind reads the loss through Burn's own `LossMetric` (the output must implement
//! `Adaptor<LossInput>`, as it already does for a `Learner` with a loss metric), right
//! after the step returns and before the optimizer steps, on the calling thread; a loss
//! that is not finite drops the step's gradients, so the test stops on it without moving the
//! weights, as with a loss closure.

use burn::data::dataloader::Progress;
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::train::metric::{Adaptor, LossInput, LossMetric, Metric, MetricMetadata, Numeric};
use burn::train::{TrainOutput, TrainStep};

use super::source::{BatchSource, Cycled};
use super::{Hooks, RangeTest, RangeTestResult, range_test_with};
use crate::error::{Error, Result};
use crate::optim::Stepper;
use crate::train::Gradients;

/// The loss a `TrainStep` output carries, read through Burn's `LossMetric` (the mean over
/// the batch); NaN when it cannot be read.
pub fn step_loss<O: Adaptor<LossInput>>(output: &O) -> f64 {
    let mut metric = LossMetric::new();
    let metadata = MetricMetadata {
        progress: Progress {
            items_processed: 0,
            items_total: 0,
            unit: None,
        },
        iteration: None,
        lr: None,
    };
    match metric.update(&output.adapt(), &metadata) {
        Ok(_) => metric.value().map_or(f64::NAN, |v| v.current()),
        Err(_) => f64::NAN,
    }
}

/// The [`Gradients`] of a model's own training step. One batch per optimizer step:
/// `TrainStep` returns the gradients of its own loss, which cannot be divided for
/// accumulation ([`RangeTest::run_train_step`] refuses `accumulation_steps` above 1).
struct StepGradients;

impl<M, B> Gradients<M, B> for StepGradients
where
    M: TrainStep<Input = B>,
    M::Output: Adaptor<LossInput>,
    B: Clone,
{
    fn gradients(
        &mut self,
        model: &M,
        batch: &B,
        divide_by: f64,
    ) -> (f64, Option<GradientsParams>) {
        debug_assert_eq!(
            divide_by, 1.0,
            "the TrainStep path takes one batch per step"
        );
        let TrainOutput { grads, item } = model.step(batch.clone());
        let loss = step_loss(&item);
        (loss, loss.is_finite().then_some(grads))
    }
}

impl RangeTest {
    /// Runs the test on a model that implements Burn's `TrainStep` (on an autodiff device;
    /// left unchanged, BatchNorm statistics included), with a fresh `optimizer` and the
    /// batches of `train` (cycled, as in [`Self::run`]): the model's own training step gives
    /// the loss and the gradients, so the test needs no loss closure. One batch per
    /// optimizer step (`accumulation_steps` 1) and no validation-loss mode: for those, give a
    /// loss closure ([`Self::run`], [`Self::run_validated`]).
    ///
    /// ```no_run
    /// # fn demo<M, B: Clone>(model: &M, batches: &Vec<B>) -> lrfind::Result<()>
    /// # where M: burn::module::Module + burn::train::TrainStep<Input = B>,
    /// #       M::Output: burn::train::metric::Adaptor<burn::train::metric::LossInput> {
    /// use burn::optim::AdamWConfig;
    /// use lrfind::finder::RangeTest;
    ///
    /// // `model` implements TrainStep (e.g. returning a ClassificationOutput).
    /// let result = RangeTest::new().epochs(10).run_train_step(model, AdamWConfig::new().init(), batches)?;
    /// println!("suggested LR {:?}", result.chosen().lr);
    /// # Ok(())
    /// # }
    /// ```
    pub fn run_train_step<'a, M, B, S>(
        &self,
        model: &M,
        optimizer: impl Into<Stepper>,
        train: S,
    ) -> Result<RangeTestResult>
    where
        M: Module + TrainStep<Input = B>,
        M::Output: Adaptor<LossInput>,
        B: Clone,
        S: BatchSource<'a, B>,
    {
        let mut config = self.config().clone();
        if config.accumulation_steps > 1 {
            return Err(Error::option(
                "accumulation_steps",
                "a TrainStep model takes one batch per optimizer step (its step returns the gradients of its own loss); give a loss closure to accumulate",
            ));
        }
        if config.val_every > 0 {
            return Err(Error::option(
                "val_every",
                "the validation-loss mode needs a loss closure (RangeTest::run_validated)",
            ));
        }
        if config.epochs.is_some() && config.batches_per_epoch.is_none() {
            config.batches_per_epoch = train.batches_per_pass();
        }
        let mut batches = Cycled::new(train);
        let result = range_test_with(
            model,
            optimizer,
            batches.by_ref(),
            &mut StepGradients,
            &config,
            Hooks::default(),
        );
        if let Some(e) = batches.error.take() {
            return Err(e);
        }
        result
    }
}
