//! Prodigy (Mishchenko and Defazio, 2024): Adam whose step size `d` estimates the distance
//! from the initial weights to the solution, as `prodigyopt` 1.1.2 implements it.
//!
//! Per step, with `lr` the multiplier (1 by default), `bc = sqrt(1 - b2^(k+1)) / (1 - b1^(k+1))`
//! when bias correction is on (else 1) and `dlr = d lr bc`:
//! - over **all** parameters (`p0` the initial weights): the numerator
//!   `n = b3 n + sum (d / d0) dlr <g, p0 - p>`, the moments `m = b1 m + d (1 - b1) g`,
//!   `v = b2 v + d^2 (1 - b2) g^2`, `s = b3 s + (d / d0) dlr g` (`d` in place of `dlr` with
//!   `safeguard_warmup`), and the denominator `sum |s|`;
//! - `d_hat = d_coef n / sum |s|`; while `d` is still `d0` it becomes `max(d, d_hat)`; then
//!   `d_max = max(d_max, d_hat)`, `d = min(d_max, d growth_rate)`;
//! - each parameter: decoupled weight decay `p -= wd dlr p`, then `p -= dlr m / (sqrt(v) + d eps)`.
//!
//! Coupled weight decay (`decouple = false`) adds `wd p` to the gradient first. `b3` defaults
//! to `sqrt(b2)`. The scalars are kept in f64, as the reference keeps them in Python floats.

use std::collections::HashMap;

use burn::grad_clipping::{GradientClipping, GradientClippingConfig};
use burn::module::{Module, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use super::{gather, replace};

/// Prodigy's settings; the defaults are the reference's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProdigyConfig {
    /// `(b1, b2)`: the moments' decay rates.
    pub betas: (f64, f64),
    /// Decay of the numerator and of `s`; `None` is `sqrt(b2)`.
    pub beta3: Option<f64>,
    /// Added to the denominator (times `d`).
    pub eps: f64,
    /// Weight decay.
    pub weight_decay: f64,
    /// Decoupled (AdamW-like) weight decay rather than a gradient penalty.
    pub decouple: bool,
    /// Adam's bias correction in the step size.
    pub use_bias_correction: bool,
    /// Leaves the LR out of `s` (a safeguard against a too-large `d` during warm-up).
    pub safeguard_warmup: bool,
    /// Initial estimate of `d`.
    pub d0: f64,
    /// Multiplies the estimate (`d_coef` 0.5 halves every step).
    pub d_coef: f64,
    /// Most growth of `d` per step (a factor; infinite by default).
    pub growth_rate: f64,
    /// Clips each parameter's gradient to this norm first.
    pub clip_norm: Option<f64>,
}

impl Default for ProdigyConfig {
    fn default() -> Self {
        ProdigyConfig {
            betas: (0.9, 0.999),
            beta3: None,
            eps: 1e-8,
            weight_decay: 0.0,
            decouple: true,
            use_bias_correction: false,
            safeguard_warmup: false,
            d0: 1e-6,
            d_coef: 1.0,
            growth_rate: f64::INFINITY,
            clip_norm: None,
        }
    }
}

impl ProdigyConfig {
    /// A fresh optimizer.
    pub fn init(&self) -> Prodigy {
        Prodigy {
            config: *self,
            clip: self
                .clip_norm
                .map(|c| GradientClippingConfig::Norm(c as f32).init()),
            d: self.d0,
            d_max: self.d0,
            numerator: 0.0,
            k: 0,
            state: HashMap::new(),
        }
    }
}

/// One parameter's state, flattened.
#[derive(Clone)]
struct State {
    p0: Tensor<1>,
    s: Tensor<1>,
    m: Tensor<1>,
    v: Tensor<1>,
}

/// The Prodigy optimizer over a whole module.
#[derive(Clone)]
pub struct Prodigy {
    config: ProdigyConfig,
    clip: Option<GradientClipping>,
    d: f64,
    d_max: f64,
    numerator: f64,
    k: usize,
    state: HashMap<ParamId, State>,
}

impl Prodigy {
    /// The current estimate `d` (the step size before the LR multiplier).
    pub fn d(&self) -> f64 {
        self.d
    }

    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.k
    }

    /// One step at LR multiplier `lr`. A multiplier of 0 (or less) leaves the model as it is,
    /// as the reference skips such a group.
    pub fn step<M: Module>(&mut self, lr: f64, model: M, grads: GradientsParams) -> M {
        let c = self.config;
        if lr.is_nan() || lr <= 0.0 {
            return model;
        }
        let (b1, b2) = c.betas;
        let b3 = c.beta3.unwrap_or(b2.sqrt());
        let bc = if c.use_bias_correction {
            let k = (self.k + 1) as i32;
            (1.0 - b2.powi(k)).sqrt() / (1.0 - b1.powi(k))
        } else {
            1.0
        };
        let d = self.d;
        let dlr = d * lr * bc;
        let ratio = d / c.d0;
        let mut delta = 0.0;
        let mut denom = 0.0;
        let params = gather(&model, &grads, self.clip.as_ref());
        let mut grads_used = Vec::with_capacity(params.len());
        for (id, p, g) in params {
            let g = if !c.decouple && c.weight_decay != 0.0 {
                g + p.clone().mul_scalar(c.weight_decay)
            } else {
                g
            };
            let st = self.state.entry(id).or_insert_with(|| State {
                p0: p.clone(),
                s: p.zeros_like(),
                m: p.zeros_like(),
                v: p.zeros_like(),
            });
            delta += ratio
                * dlr
                * (g.clone() * (st.p0.clone() - p.clone()))
                    .sum()
                    .into_scalar::<f64>();
            st.m = st.m.clone().mul_scalar(b1) + g.clone().mul_scalar(d * (1.0 - b1));
            st.v = st.v.clone().mul_scalar(b2)
                + (g.clone() * g.clone()).mul_scalar(d * d * (1.0 - b2));
            let s_rate = if c.safeguard_warmup { d } else { dlr };
            st.s = st.s.clone().mul_scalar(b3) + g.clone().mul_scalar(ratio * s_rate);
            denom += st.s.clone().abs().sum().into_scalar::<f64>();
            grads_used.push((id, p, g));
        }
        if denom == 0.0 {
            return model;
        }
        self.numerator = b3 * self.numerator + delta;
        let d_hat = c.d_coef * self.numerator / denom;
        let mut d_new = d;
        if d == c.d0 {
            d_new = d_new.max(d_hat);
        }
        self.d_max = self.d_max.max(d_hat);
        d_new = self.d_max.min(d_new * c.growth_rate);
        self.d = d_new;
        let mut updates = HashMap::with_capacity(grads_used.len());
        for (id, p, g) in grads_used {
            let st = &self.state[&id];
            let mut p = p;
            if c.decouple && c.weight_decay != 0.0 {
                p = p.clone() - p.mul_scalar(c.weight_decay * dlr);
            }
            let step = if b1 > 0.0 {
                st.m.clone() / (st.v.clone().sqrt().add_scalar(d_new * c.eps))
            } else {
                g.mul_scalar(d_new) / (st.v.clone().sqrt().add_scalar(d_new * c.eps))
            };
            updates.insert(id, p - step.mul_scalar(dlr));
        }
        self.k += 1;
        replace(model, updates)
    }
}
