//! The training step: forward, loss, backward and one optimizer step at a given LR, and
//! the optimizer built from its config.

use std::borrow::Borrow;

use burn::grad_clipping::GradientClippingConfig;
use burn::module::Module;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, GradientsAccumulator, GradientsParams, SgdConfig};
use burn::tensor::Tensor;

use crate::config::{OptimizerConfig, OptimizerKind};
use crate::data::Batch;
use crate::model::Head;
use crate::optim::{ProdigyConfig, ScheduleFreeConfig, Stepper};

/// Builds the optimizer a config describes. Unset values keep Burn's defaults (the
/// reference implementations' for Prodigy and Schedule-Free AdamW).
pub fn optimizer(config: &OptimizerConfig) -> Stepper {
    let clip = config
        .clip_norm
        .map(|c| GradientClippingConfig::Norm(c as f32));
    let decay = config
        .weight_decay
        .map(|w| WeightDecayConfig::new(w as f32));
    match config.optimizer {
        OptimizerKind::Sgd => SgdConfig::new()
            .with_weight_decay(decay)
            .with_momentum(
                config
                    .momentum
                    .map(|m| MomentumConfig::new().with_momentum(m)),
            )
            .with_gradient_clipping(clip)
            .init()
            .into(),
        OptimizerKind::Adam => AdamConfig::new()
            .with_weight_decay(decay)
            .with_grad_clipping(clip)
            .init()
            .into(),
        OptimizerKind::Adamw => {
            let mut c = AdamWConfig::new().with_grad_clipping(clip);
            if let Some(w) = config.weight_decay {
                c = c.with_weight_decay(w as f32);
            }
            c.init().into()
        }
        OptimizerKind::Prodigy => ProdigyConfig {
            weight_decay: config.weight_decay.unwrap_or(0.0),
            clip_norm: config.clip_norm,
            ..ProdigyConfig::default()
        }
        .init()
        .into(),
        OptimizerKind::ScheduleFreeAdamw => ScheduleFreeConfig {
            weight_decay: config.weight_decay.unwrap_or(0.0),
            clip_norm: config.clip_norm,
            ..ScheduleFreeConfig::default()
        }
        .init()
        .into(),
    }
}

/// What "the LR" means for the learning-rate-free optimizers, for outputs that name an LR.
pub fn lr_note(kind: OptimizerKind) -> Option<&'static str> {
    match kind {
        OptimizerKind::Prodigy => Some(
            "Prodigy: the LR is a multiplier of the step size Prodigy estimates itself; its default is 1",
        ),
        OptimizerKind::ScheduleFreeAdamw => Some(
            "Schedule-Free AdamW: the LR of its z sequence, used without a schedule; its default is 2.5e-3",
        ),
        _ => None,
    }
}

/// A short description, e.g. "AdamW (wd 1e-4)".
pub fn describe_optimizer(config: &OptimizerConfig) -> String {
    let mut s = match config.optimizer {
        OptimizerKind::Sgd => "SGD".to_string(),
        OptimizerKind::Adam => "Adam".to_string(),
        OptimizerKind::Adamw => "AdamW".to_string(),
        OptimizerKind::Prodigy => "Prodigy".to_string(),
        OptimizerKind::ScheduleFreeAdamw => "Schedule-Free AdamW".to_string(),
    };
    let mut extras = Vec::new();
    if let Some(w) = config.weight_decay {
        extras.push(format!("wd {w}"));
    }
    if let Some(m) = config.momentum {
        extras.push(format!("momentum {m}"));
    }
    if let Some(c) = config.clip_norm {
        extras.push(format!("clip {c}"));
    }
    if !extras.is_empty() {
        s += &format!(" ({})", extras.join(", "));
    }
    s
}

/// One training step on a batch: returns the updated model and the batch's loss.
/// A non-finite loss is returned without stepping, so the model stays finite.
pub fn step<M, B, F>(model: M, optim: &mut Stepper, lr: f64, batch: &B, loss_fn: &mut F) -> (M, f64)
where
    M: Module,
    F: FnMut(&M, &B) -> Tensor<1>,
{
    step_accumulated(
        model,
        optim,
        lr,
        std::slice::from_ref(batch),
        &mut loss_gradients(loss_fn),
    )
}

/// A batch's loss under a model and, when the loss is finite, the gradients of the loss
/// divided by the given number (the micro-batches of one accumulated step): what one
/// optimizer step needs, from a loss closure ([`loss_gradients`]) or from a model's own
/// training step (Burn's `TrainStep`, feature `learner`).
pub trait Gradients<M, B> {
    /// The loss value and its gradients (`None` when the loss is not finite: no backward
    /// pass, no step).
    fn gradients(&mut self, model: &M, batch: &B, divide_by: f64)
    -> (f64, Option<GradientsParams>);
}

/// The [`Gradients`] of a loss closure: its value read before the backward pass.
pub struct LossGradients<'f, F>(&'f mut F);

/// The [`Gradients`] of `loss_fn` (a batch's mean loss, `[1]`).
pub fn loss_gradients<F>(loss_fn: &mut F) -> LossGradients<'_, F> {
    LossGradients(loss_fn)
}

impl<M: Module, B, F: FnMut(&M, &B) -> Tensor<1>> Gradients<M, B> for LossGradients<'_, F> {
    fn gradients(
        &mut self,
        model: &M,
        batch: &B,
        divide_by: f64,
    ) -> (f64, Option<GradientsParams>) {
        let loss = (self.0)(model, batch);
        let value = loss.clone().into_scalar::<f64>();
        if !value.is_finite() {
            return (value, None);
        }
        let loss = if divide_by == 1.0 {
            loss
        } else {
            loss.div_scalar(divide_by)
        };
        (
            value,
            Some(GradientsParams::from_grads(loss.backward(), model)),
        )
    }
}

/// One optimizer step on several micro-batches (gradient accumulation): each batch's loss
/// is divided by their number before its backward pass, the gradients are summed, and the
/// optimizer steps once. Returns the updated model and the mean loss. A non-finite loss
/// returns the model unchanged.
pub fn step_accumulated<M, B, G>(
    model: M,
    optim: &mut Stepper,
    lr: f64,
    batches: &[B],
    grads: &mut G,
) -> (M, f64)
where
    M: Module,
    G: Gradients<M, B>,
{
    if let [batch] = batches {
        return match grads.gradients(&model, batch, 1.0) {
            (value, Some(g)) => (optim.step(lr, model, g), value),
            (value, None) => (model, value),
        };
    }
    let k = batches.len().max(1) as f64;
    let mut accumulator = GradientsAccumulator::<M>::new();
    let mut total = 0.0;
    for batch in batches {
        let (value, g) = grads.gradients(&model, batch, k);
        let Some(g) = g else {
            return (model, value);
        };
        total += value;
        accumulator.accumulate(&model, g);
    }
    (optim.step(lr, model, accumulator.grads()), total / k)
}

/// Loss and metric of a model on a fixed set of batches.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    /// Mean loss per row.
    pub loss: f64,
    /// Accuracy (classification) or mean squared error in the target's units (regression).
    pub metric: f64,
}

/// A model's raw outputs on a fixed set of batches, row-major, with the targets and the
/// mean loss.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// Outputs, `rows × width` (logits, or standardised values for regression).
    pub outputs: Vec<f32>,
    /// Outputs per row.
    pub width: usize,
    /// Target per row (class index, or standardised value).
    pub labels: Vec<f64>,
    /// Mean loss per row.
    pub loss: f64,
}

/// Runs `forward` on `batches` (a slice, or batches built one at a time, e.g.
/// [`crate::data::Batcher::in_order_iter`]) without gradients and collects outputs and the
/// mean loss. Build the batches on a device without autodiff
/// ([`crate::pipeline::plain_device`]).
pub fn predict<M: Module, B: Borrow<Batch>>(
    model: &M,
    forward: impl Fn(&M, &Batch) -> Tensor<2>,
    head: Head,
    batches: impl IntoIterator<Item = B>,
) -> Predictions {
    let model = model.valid();
    let mut p = Predictions {
        outputs: Vec::new(),
        width: head.outputs(),
        labels: Vec::new(),
        loss: 0.0,
    };
    for b in batches {
        let b = b.borrow();
        let output = forward(&model, b);
        let values: Vec<f32> = output
            .clone()
            .into_data()
            .convert::<f32>()
            .try_into_vec()
            .unwrap_or_default();
        p.outputs.extend(values);
        p.loss += head.loss(output, b).into_scalar::<f64>() * b.len() as f64;
        p.labels.extend_from_slice(&b.labels);
    }
    p.loss /= p.labels.len().max(1) as f64;
    p
}

/// Evaluates `forward` on `batches` without gradients: mean loss, and accuracy or MSE.
/// `target_scale` is the regression target's standard deviation (1 for classification).
pub fn evaluate<M: Module, B: Borrow<Batch>>(
    model: &M,
    forward: impl Fn(&M, &Batch) -> Tensor<2>,
    head: Head,
    batches: impl IntoIterator<Item = B>,
    target_scale: f64,
) -> Evaluation {
    let p = predict(model, forward, head, batches);
    let rows = p.labels.len().max(1) as f64;
    let correct = match head {
        Head::Classes(k) => p
            .outputs
            .chunks(k)
            .zip(&p.labels)
            .filter(|(row, label)| argmax(row) == **label as usize)
            .count(),
        Head::BinaryLogit => p
            .outputs
            .iter()
            .zip(&p.labels)
            .filter(|(o, l)| f64::from(u8::from(**o > 0.0)) == **l)
            .count(),
        Head::Regression => 0,
    };
    let metric = match head {
        Head::Regression => p.loss * target_scale * target_scale,
        _ => correct as f64 / rows,
    };
    Evaluation {
        loss: p.loss,
        metric,
    }
}

/// Index of the largest value (the first on ties).
pub fn argmax(row: &[f32]) -> usize {
    (0..row.len()).fold(0, |best, i| if row[i] > row[best] { i } else { best })
}
