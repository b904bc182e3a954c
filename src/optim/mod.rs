//! The optimizer a training step drives ([`Stepper`]): one of Burn's, or one of the two
//! learning-rate-free optimizers lrfind owns, [`Prodigy`] and [`ScheduleFreeAdamW`].
//!
//! Burn's `Optimizer` steps one tensor at a time. Prodigy's step size `d` is a sum over all
//! parameters computed before any of them moves, and Schedule-Free keeps a second copy of
//! every weight and is evaluated at a third; so both are steppers over the whole module:
//! they visit the gradients by parameter id, then map the module to its new weights. For the
//! same reason neither can be handed to Burn's `Learner`, which takes a `ModuleOptimizer`.
//!
//! Both follow their authors' PyTorch packages (`prodigyopt` 1.1.2, `schedulefree` 1.4.1)
//! and are tested against numbers those produce (`tests/fixtures/lr_free/`).

mod prodigy;
mod schedule_free;

use std::collections::HashMap;

use burn::grad_clipping::GradientClipping;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::Tensor;

pub use prodigy::{Prodigy, ProdigyConfig};
pub use schedule_free::{
    SCHEDULE_FREE_LR, ScheduleFreeAdamW, ScheduleFreeConfig, recalibrate_batchnorm,
};

/// The optimizer of a training step.
#[derive(Clone)]
pub enum Stepper {
    /// One of Burn's optimizers (SGD, Adam, AdamW, ...).
    Burn(ModuleOptimizer),
    /// Prodigy.
    Prodigy(Prodigy),
    /// Schedule-Free AdamW.
    ScheduleFree(ScheduleFreeAdamW),
}

impl From<ModuleOptimizer> for Stepper {
    fn from(o: ModuleOptimizer) -> Self {
        Stepper::Burn(o)
    }
}

impl From<Prodigy> for Stepper {
    fn from(o: Prodigy) -> Self {
        Stepper::Prodigy(o)
    }
}

impl From<ScheduleFreeAdamW> for Stepper {
    fn from(o: ScheduleFreeAdamW) -> Self {
        Stepper::ScheduleFree(o)
    }
}

impl Stepper {
    /// One optimizer step at `lr` (for Prodigy a multiplier of its own step size, 1 by
    /// default; for Schedule-Free its base LR).
    pub fn step<M: Module>(&mut self, lr: f64, model: M, grads: GradientsParams) -> M {
        match self {
            Stepper::Burn(o) => o.step(lr, model, grads),
            Stepper::Prodigy(o) => o.step(lr, model, grads),
            Stepper::ScheduleFree(o) => o.step(lr, model, grads),
        }
    }

    /// The weights to evaluate: Schedule-Free's averaged `x`; the model itself for the others.
    /// A model with BatchNorm also needs its statistics recomputed at `x`
    /// ([`recalibrate_batchnorm`]); lrfind's own MLP has none.
    pub fn eval_weights<M: Module>(&self, model: M) -> M {
        match self {
            Stepper::ScheduleFree(o) => o.eval_weights(model),
            _ => model,
        }
    }
}

/// A parameter's new value, keeping whether it requires gradients.
fn restore<const D: usize>(original: &Tensor<D>, inner: Tensor<D>) -> Tensor<D> {
    let t = Tensor::from_inner(inner);
    if original.is_require_grad() {
        t.require_grad()
    } else {
        t
    }
}

/// Each parameter that has a gradient, flattened (without autodiff), with its gradient
/// flattened and clipped, in module order.
struct Gather<'a> {
    grads: &'a GradientsParams,
    clip: Option<&'a GradientClipping>,
    out: Vec<(ParamId, Tensor<1>, Tensor<1>)>,
}

impl ModuleVisitor for Gather<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let Some(grad) = self.grads.get::<D>(param.id) else {
            return;
        };
        let grad = match self.clip {
            Some(c) => c.clip_gradient(grad),
            None => grad,
        };
        let n = grad.shape().num_elements();
        let value = param.val().inner();
        self.out
            .push((param.id, value.reshape([n]), grad.reshape([n])));
    }
}

/// The parameters with a gradient, as `(id, flat value, flat clipped gradient)`.
fn gather<M: Module>(
    model: &M,
    grads: &GradientsParams,
    clip: Option<&GradientClipping>,
) -> Vec<(ParamId, Tensor<1>, Tensor<1>)> {
    let mut g = Gather {
        grads,
        clip,
        out: Vec::new(),
    };
    model.visit(&mut g);
    g.out
}

/// Replaces the parameters in `updates` (flat new values by id), keeping the others.
struct Replace {
    updates: HashMap<ParamId, Tensor<1>>,
}

impl ModuleMapper for Replace {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(flat) = self.updates.remove(&param.id) else {
            return param;
        };
        let (id, tensor, mapper) = param.consume();
        let shape = tensor.shape();
        let value = restore(&tensor, flat.reshape(shape));
        Param::from_mapped_value(id, value, mapper)
    }
}

/// The model with the parameters in `updates` replaced.
fn replace<M: Module>(model: M, updates: HashMap<ParamId, Tensor<1>>) -> M {
    model.map(&mut Replace { updates })
}
