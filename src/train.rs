//! The training step: forward, loss, backward and one optimizer step at a given LR, and
//! the optimizer built from its config.

use burn::grad_clipping::GradientClippingConfig;
use burn::module::Module;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::Tensor;

use crate::config::{OptimizerConfig, OptimizerKind};

/// Builds the optimizer a config describes. Unset values keep Burn's defaults.
pub fn optimizer(config: &OptimizerConfig) -> ModuleOptimizer {
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
            .init(),
        OptimizerKind::Adam => AdamConfig::new()
            .with_weight_decay(decay)
            .with_grad_clipping(clip)
            .init(),
        OptimizerKind::Adamw => {
            let mut c = AdamWConfig::new().with_grad_clipping(clip);
            if let Some(w) = config.weight_decay {
                c = c.with_weight_decay(w as f32);
            }
            c.init()
        }
    }
}

/// A short description, e.g. "AdamW (wd 1e-4)".
pub fn describe_optimizer(config: &OptimizerConfig) -> String {
    let mut s = match config.optimizer {
        OptimizerKind::Sgd => "SGD".to_string(),
        OptimizerKind::Adam => "Adam".to_string(),
        OptimizerKind::Adamw => "AdamW".to_string(),
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
pub fn step<M, B, F>(
    model: M,
    optim: &mut ModuleOptimizer,
    lr: f64,
    batch: &B,
    loss_fn: &mut F,
) -> (M, f64)
where
    M: Module,
    F: FnMut(&M, &B) -> Tensor<1>,
{
    let loss = loss_fn(&model, batch);
    let value = loss.clone().into_scalar::<f64>();
    if !value.is_finite() {
        return (model, value);
    }
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    (optim.step(lr, model, grads), value)
}
