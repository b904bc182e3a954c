//! Schedule-Free AdamW (Defazio et al., 2024), as `schedulefree` 1.4.1's `AdamWScheduleFree`
//! implements it. The model's weights are `y`, where gradients are taken; the optimizer keeps
//! `z`, the plain AdamW-like iterate, and the weights to evaluate are the average
//! `x = y + (1 - 1/b1) (z - y)` ([`ScheduleFreeAdamW::eval_weights`]).
//!
//! Per step `k` (from 0), with `lr_k = lr min(1, (k+1)/warmup_steps)` and
//! `lr_max = max(lr_max, lr_k)`: the weight `w = (k+1)^r lr_max^weight_lr_power` enters
//! `c = w / sum w`; each parameter takes `v = b2 v + (1 - b2) g^2`,
//! `u = g / (sqrt(v / (1 - b2^(k+1))) + eps) + wd y`, `y = y + c (z - y)`,
//! `y += lr_k (b1 (1 - c) - 1) u` and `z -= lr_k u`.
//!
//! A model with BatchNorm must have its running statistics recomputed at `x` before it is
//! evaluated (train-mode forward passes over some training batches, without stepping):
//! the statistics gathered during training belong to `y`.

use std::collections::HashMap;

use burn::grad_clipping::{GradientClipping, GradientClippingConfig};
use burn::module::{Module, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use super::{gather, replace};

/// Schedule-Free AdamW's settings; the defaults are the reference's (its LR, 0.0025, is the
/// base LR given to [`ScheduleFreeAdamW::step`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleFreeConfig {
    /// `(b1, b2)`: the interpolation between `x` and `z`, and the second moment's decay.
    pub betas: (f64, f64),
    /// Added to the denominator.
    pub eps: f64,
    /// Weight decay, applied at `y`.
    pub weight_decay: f64,
    /// Steps of linear warm-up.
    pub warmup_steps: usize,
    /// Polynomial weighting of the average (`(k+1)^r`).
    pub r: f64,
    /// The average's weighting by the largest LR so far (`lr_max^power`).
    pub weight_lr_power: f64,
    /// Clips each parameter's gradient to this norm first.
    pub clip_norm: Option<f64>,
}

/// Schedule-Free AdamW's default LR.
pub const SCHEDULE_FREE_LR: f64 = 0.0025;

impl Default for ScheduleFreeConfig {
    fn default() -> Self {
        ScheduleFreeConfig {
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            warmup_steps: 0,
            r: 0.0,
            weight_lr_power: 2.0,
            clip_norm: None,
        }
    }
}

impl ScheduleFreeConfig {
    /// A fresh optimizer.
    pub fn init(&self) -> ScheduleFreeAdamW {
        ScheduleFreeAdamW {
            config: *self,
            clip: self
                .clip_norm
                .map(|c| GradientClippingConfig::Norm(c as f32).init()),
            k: 0,
            weight_sum: 0.0,
            lr_max: -1.0,
            state: HashMap::new(),
        }
    }
}

/// One parameter's state, flattened.
#[derive(Clone)]
struct State {
    z: Tensor<1>,
    v: Tensor<1>,
}

/// The Schedule-Free AdamW optimizer over a whole module.
#[derive(Clone)]
pub struct ScheduleFreeAdamW {
    config: ScheduleFreeConfig,
    clip: Option<GradientClipping>,
    k: usize,
    weight_sum: f64,
    lr_max: f64,
    state: HashMap<ParamId, State>,
}

impl ScheduleFreeAdamW {
    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.k
    }

    /// One step at base LR `lr`; the model's weights are `y` before and after.
    pub fn step<M: Module>(&mut self, lr: f64, model: M, grads: GradientsParams) -> M {
        let c = self.config;
        let (b1, b2) = c.betas;
        let k = self.k;
        let warm = if k < c.warmup_steps {
            (k + 1) as f64 / c.warmup_steps as f64
        } else {
            1.0
        };
        let lr_k = lr * warm;
        let bc2 = 1.0 - b2.powi((k + 1) as i32);
        self.lr_max = self.lr_max.max(lr_k);
        let weight = ((k + 1) as f64).powf(c.r) * self.lr_max.powf(c.weight_lr_power);
        self.weight_sum += weight;
        let ck = if self.weight_sum == 0.0 {
            0.0
        } else {
            weight / self.weight_sum
        };
        let mut updates = HashMap::new();
        for (id, y, g) in gather(&model, &grads, self.clip.as_ref()) {
            let st = self.state.entry(id).or_insert_with(|| State {
                z: y.clone(),
                v: y.zeros_like(),
            });
            st.v = st.v.clone().mul_scalar(b2) + (g.clone() * g.clone()).mul_scalar(1.0 - b2);
            let mut u = g / (st.v.clone().div_scalar(bc2).sqrt().add_scalar(c.eps));
            if c.weight_decay != 0.0 {
                u = u + y.clone().mul_scalar(c.weight_decay);
            }
            let y = y.clone() + (st.z.clone() - y).mul_scalar(ck);
            let y = y + u.clone().mul_scalar(lr_k * (b1 * (1.0 - ck) - 1.0));
            st.z = st.z.clone() - u.mul_scalar(lr_k);
            updates.insert(id, y);
        }
        self.k += 1;
        replace(model, updates)
    }

    /// The weights to evaluate, `x = y + (1 - 1/b1) (z - y)`, from the training weights `y`
    /// (the model as [`step`](Self::step) leaves it). Before the first step, `y` itself.
    pub fn eval_weights<M: Module>(&self, model: M) -> M {
        let w = 1.0 - 1.0 / self.config.betas.0;
        let mut updates = HashMap::new();
        let mut collect = Collect {
            state: &self.state,
            out: &mut updates,
            w,
        };
        model.visit(&mut collect);
        replace(model, updates)
    }
}

/// `x` of every parameter with a state.
struct Collect<'a> {
    state: &'a HashMap<ParamId, State>,
    out: &'a mut HashMap<ParamId, Tensor<1>>,
    w: f64,
}

impl burn::module::ModuleVisitor for Collect<'_> {
    fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
        let Some(st) = self.state.get(&param.id) else {
            return;
        };
        let y = param.val().inner();
        let n = y.shape().num_elements();
        let y = y.reshape([n]);
        let x = y.clone() + (st.z.clone() - y).mul_scalar(self.w);
        self.out.insert(param.id, x);
    }
}

/// The BatchNorm recalibration Schedule-Free needs: the running statistics a model with
/// BatchNorm gathered during training belong to `y`, so before evaluating at `x`
/// ([`ScheduleFreeAdamW::eval_weights`]) run `forward` on training batches in training mode
/// (`model` and `batches` on the autodiff device), without stepping: each pass moves every
/// BatchNorm's running mean and variance toward `x`'s batch statistics by its momentum (Burn's
/// default 0.1: about 30 batches bring them within 5 % of where they are going). Returns the
/// model with its updated statistics. A model without BatchNorm is returned as it was.
/// Burn's running statistics are shared between clones of a module, so those of the training
/// model `eval_weights` was given move too; its next training passes move them back toward
/// `y`'s by the same momentum.
pub fn recalibrate_batchnorm<M: Module, B>(
    model: M,
    batches: impl IntoIterator<Item = B>,
    mut forward: impl FnMut(&M, &B),
) -> M {
    for batch in batches {
        forward(&model, &batch);
    }
    model
}
