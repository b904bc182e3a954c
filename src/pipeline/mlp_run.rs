//! One training run of the built-in MLP on prepared data: the client of
//! [`crate::run::train_model`] that `compare`, `sweep` and `evaluate` use on tables.

use std::sync::atomic::AtomicBool;

use burn::tensor::Device;

use crate::data::{Batch, Batcher, Prepared};
use crate::model::{Head, Mlp};
use crate::run::{Loop, Resolved, Run, train_model};
use crate::train;

/// What every run of a comparison or a sweep shares: the data (its training part is
/// trained on), the head, the fixed validation batches and the seed.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    /// The prepared data; [`Prepared::train`] rows are trained on.
    pub data: &'a Prepared,
    /// The model's head.
    pub head: Head,
    /// Validation batches, on a device without autodiff.
    pub valid: &'a Batcher,
    /// Device for training (with autodiff).
    pub device: &'a Device,
    /// Seed of the batch order (the device is reseeded with it too).
    pub seed: u64,
    /// Targets to time (accuracy levels, or MSE levels for regression).
    pub targets: &'a [f64],
    /// When set (e.g. by a signal handler), the run stops after the current step.
    pub stop: Option<&'a AtomicBool>,
}

/// Trains one setting of the built-in MLP from `initial` on the prepared data (the client of
/// [`train_model`] that `compare`, `sweep` and `evaluate` use on tables), evaluated on the
/// context's validation batches. The device is reseeded first, so the result does not depend
/// on what ran before. `on_step(done, total)` follows the optimizer steps.
pub fn train_run(
    ctx: &RunContext,
    initial: &Mlp,
    setting: &Resolved,
    on_epoch: impl FnMut(usize, f64),
    mut on_step: impl FnMut(usize, usize),
) -> (Run, Mlp) {
    let (head, data) = (ctx.head, ctx.data);
    let scale = data.target_scale.1;
    ctx.device.seed(ctx.seed);
    let mut batches = Batcher::new(
        data,
        data.train(),
        setting.batch_size,
        head.targets(),
        ctx.device,
        ctx.seed,
    );
    let steps_per_epoch = batches.batches_per_epoch().max(1);
    let mut loss = |m: &Mlp, b: &Batch| head.loss(m.forward(b), b);
    let mut evaluate = |m: &Mlp| {
        let batches = ctx.valid.in_order_iter(super::EVAL_BATCH);
        train::evaluate(m, Mlp::forward, head, batches, scale)
    };
    let l = Loop {
        batches: &mut batches,
        steps_per_epoch,
        loss: &mut loss,
        evaluate: &mut evaluate,
        targets: ctx.targets,
        higher_is_better: head != Head::Regression,
        stop: ctx.stop,
        on_step: Some(&mut on_step),
    };
    train_model(initial, setting, l, on_epoch)
}
