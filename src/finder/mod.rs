//! The LR range test: train a copy of the model for a few hundred steps while the LR grows
//! from `start_lr` to `end_lr`, record the loss, stop when it diverges, and analyse the curve.
//!
//! ```text
//! for i in 0..iters:
//!     lr = ramp(i);  loss = step(model, next k batches, lr);  record (lr, loss, ema(loss))
//!     every val_every iterations: record the validation loss (Smith's original test)
//!     stop if loss is NaN/inf, or ema > best + (diverge - 1) * max(best, 5% of first ema)
//! suggestions = every rule on the training curve, and on the validation curve
//! ```
//!
//! With `accumulation_steps = k`, one iteration is k micro-batches, one optimizer step and
//! one LR step; its loss is their mean. The divergence rule watches the curve the
//! suggestion is read from (`suggest_on`).
//!
//! The model passed in is left as it was, BatchNorm running statistics included: Burn shares
//! running statistics between clones, so they are restored from a snapshot afterwards.

mod builder;
#[cfg(feature = "learner")]
mod learner;
mod source;
#[cfg(feature = "learner")]
mod train_step;

pub use builder::{NoValidation, RangeTest};
#[cfg(feature = "learner")]
pub use learner::{LearnerRangeTest, RampScheduler};
pub(crate) use source::Cycled;
pub use source::{BatchSource, Passes};
#[cfg(feature = "learner")]
pub use train_step::step_loss;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use burn::module::Module;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::analysis::rules::Curve;
use crate::analysis::smoothing::DebiasedEma;
use crate::analysis::{Method, Suggestion, Suggestions, suggest_all};
use crate::config::{CurveKind, RangeTestConfig};
use crate::error::{Error, Result};
use crate::optim::Stepper;
use crate::train;

/// Below this fraction of the first smoothed loss, the divergence threshold stops
/// shrinking with the best loss, so curves that approach zero do not "diverge" on noise.
pub const DIVERGE_FLOOR: f64 = 0.05;

/// Whether the smoothed loss has diverged: it exceeds `factor` times the best smoothed loss
/// so far, measured from the best with a floor of 5 % of the first smoothed loss:
/// `smoothed > best + (factor - 1) * max(best, 0.05 * first)`. For losses well above zero
/// this is fastai's and torch-lr-finder's rule (`smoothed > factor * best`). A factor of 0
/// disables the rule; a non-finite loss always counts as divergence.
pub fn diverged(smoothed: f64, best: f64, first: f64, factor: f64) -> bool {
    if !smoothed.is_finite() {
        return true;
    }
    factor > 0.0 && smoothed > best + (factor - 1.0) * best.abs().max(DIVERGE_FLOOR * first.abs())
}

/// Why the range test stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Stop {
    /// Every planned iteration ran.
    Completed,
    /// The loss became NaN or infinite at `index`.
    NonFinite {
        /// Iteration of the non-finite loss.
        index: usize,
    },
    /// The smoothed loss passed the divergence threshold at `index`.
    Diverged {
        /// Iteration that passed the threshold.
        index: usize,
    },
    /// The user interrupted (Ctrl-C) after `index` iterations.
    Interrupted {
        /// Iterations completed.
        index: usize,
    },
    /// The batch source ran out after `index` iterations.
    DataExhausted {
        /// Iterations completed.
        index: usize,
    },
}

impl Stop {
    /// Whether the curve ended by diverging.
    pub fn is_divergence(&self) -> bool {
        matches!(self, Stop::NonFinite { .. } | Stop::Diverged { .. })
    }
}

/// The recorded curve, every rule's suggestion and how the test ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeTestResult {
    /// LR of each iteration.
    pub lrs: Vec<f64>,
    /// Raw training loss of each iteration.
    #[serde(with = "crate::nullable::vec")]
    pub losses: Vec<f64>,
    /// fastai-smoothed loss of each iteration.
    #[serde(with = "crate::nullable::vec")]
    pub smoothed: Vec<f64>,
    /// Planned iterations.
    pub num_it: usize,
    /// How the test ended.
    pub stop: Stop,
    /// Every rule's answer on the training curve, and the chosen one.
    pub suggestions: Suggestions,
    /// The validation curve, when the test evaluated one.
    pub validation: Option<ValidationCurve>,
    /// The curve the reported suggestion comes from.
    pub suggest_on: CurveKind,
    /// Optimizer steps of the training the suggestions are for (None: not stated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_steps: Option<usize>,
    /// Time spent in the training loop (validation passes included).
    #[serde(with = "secs")]
    pub train_time: Duration,
}

/// The validation loss recorded during a range test, every `val_every` iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationCurve {
    /// Iterations (0-based) after whose step the loss was evaluated.
    pub iterations: Vec<usize>,
    /// The LR of those iterations.
    pub lrs: Vec<f64>,
    /// Validation loss.
    #[serde(with = "crate::nullable::vec")]
    pub losses: Vec<f64>,
    /// Smoothed validation loss (fastai's EMA with factor `smooth^val_every`, so it spans
    /// as many iterations as the training curve's).
    #[serde(with = "crate::nullable::vec")]
    pub smoothed: Vec<f64>,
    /// Planned evaluations.
    pub num_it: usize,
    /// Every rule's answer on this curve.
    pub suggestions: Suggestions,
}

impl ValidationCurve {
    /// The curve as the rules see it; `step_lrs` are the LRs of every optimizer step of the
    /// test (the training curve's `lrs`), which `knee` sums up to each read point.
    pub fn curve<'a>(&'a self, step_lrs: &'a [f64]) -> Curve<'a> {
        Curve {
            lrs: &self.lrs,
            raw: &self.losses,
            smoothed: &self.smoothed,
            num_it: self.num_it,
            step_lrs,
            point_steps: Some(&self.iterations),
            planned_steps: None,
        }
    }
}

impl RangeTestResult {
    /// The curve the reported suggestion comes from: `suggest_on`, when that curve exists.
    pub fn suggested_curve(&self) -> CurveKind {
        match (&self.validation, self.suggest_on) {
            (Some(_), CurveKind::Validation) => CurveKind::Validation,
            _ => CurveKind::Training,
        }
    }

    /// That curve as the rules see it (its suggestions are [`Self::suggested`]).
    pub fn suggested_rule_curve(&self) -> Curve<'_> {
        match (&self.validation, self.suggested_curve()) {
            (Some(v), CurveKind::Validation) => v.curve(&self.lrs).planned(self.planned_steps),
            _ => self.curve(),
        }
    }

    /// The reported suggestion: the chosen rule's answer on [`Self::suggested_curve`]
    /// (the validation curve in validation-loss mode, else the training curve).
    pub fn chosen(&self) -> &Suggestion {
        self.suggested().chosen()
    }

    /// The suggestions of that curve.
    pub fn suggested(&self) -> &Suggestions {
        match (&self.validation, self.suggested_curve()) {
            (Some(v), CurveKind::Validation) => &v.suggestions,
            _ => &self.suggestions,
        }
    }

    /// The result of a curve recorded elsewhere (another tool's range test, read back):
    /// the raw losses at `lrs`, smoothed with fastai's EMA (`smooth`) as lrfind's own
    /// curves are, every rule run on it for a training of `planned_steps`. `num_it` is the
    /// test's planned length (fastai's rules skip its first tenth; at least the curve's
    /// length). It counts as complete: the file says nothing of why the tool stopped.
    ///
    /// # Panics
    /// When `lrs` and `losses` differ in length.
    pub fn from_recorded(
        lrs: Vec<f64>,
        losses: Vec<f64>,
        smooth: f64,
        num_it: usize,
        method: Method,
        planned_steps: Option<usize>,
    ) -> Self {
        assert_eq!(lrs.len(), losses.len(), "one loss per LR");
        let smoothed = crate::analysis::smoothing::ema_debiased(&losses, smooth);
        let n = num_it.max(lrs.len());
        let curve = Curve::training(&lrs, &losses, &smoothed, n).planned(planned_steps);
        let suggestions = suggest_all(&curve, method);
        RangeTestResult {
            lrs,
            losses,
            smoothed,
            num_it: n,
            stop: Stop::Completed,
            suggestions,
            validation: None,
            suggest_on: CurveKind::Training,
            planned_steps,
            train_time: Duration::ZERO,
        }
    }

    /// Iterations run.
    pub fn iterations(&self) -> usize {
        self.lrs.len()
    }

    /// The training curve as the rules see it, for the planned training.
    pub fn curve(&self) -> Curve<'_> {
        Curve::training(&self.lrs, &self.losses, &self.smoothed, self.num_it)
            .planned(self.planned_steps)
    }
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs_f64(f64::deserialize(d)?))
    }
}

/// One recorded iteration, handed to the progress callback.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Iteration index.
    pub iteration: usize,
    /// Planned iterations.
    pub total: usize,
    /// LR used.
    pub lr: f64,
    /// Raw loss.
    pub loss: f64,
    /// Smoothed loss.
    pub smoothed: f64,
}

/// Optional hooks into a running range test, for a model of type `M`.
pub struct Hooks<'a, M> {
    /// Called after every iteration.
    pub on_step: Option<&'a mut dyn FnMut(&Progress)>,
    /// When set to true (e.g. by a Ctrl-C handler), the test stops after the current step
    /// and analyses the curve so far.
    pub stop: Option<&'a AtomicBool>,
    /// The validation loss of the model being trained, on a fixed set of batches; called
    /// every [`RangeTestConfig::val_every`] iterations (which must then be at least 1).
    /// Evaluate without gradients, e.g. on `model.valid()`.
    pub validate: Option<&'a mut dyn FnMut(&M) -> f64>,
}

impl<M> Default for Hooks<'_, M> {
    fn default() -> Self {
        Hooks {
            on_step: None,
            stop: None,
            validate: None,
        }
    }
}

/// Runs the range test.
///
/// - `model`: any Burn module on an autodiff device (`device.autodiff()`); left unchanged.
/// - `optimizer`: a fresh optimizer, e.g. `AdamWConfig::new().init()`.
/// - `batches`: the training batches, in order; an iterator that ends stops the test
///   ([`Stop::DataExhausted`]): [`RangeTest`] cycles a slice, a [`Passes`] closure or a Burn
///   `DataLoader` instead. `accumulation_steps` of them make one iteration.
/// - `loss_fn`: the mean loss of a batch under a model, `[1]`.
/// - `hooks`: progress, a stop flag, and the validation function of the validation-loss
///   mode (with `config.val_every`).
///
/// ```no_run
/// use burn::nn::{Linear, LinearConfig};
/// use burn::optim::AdamWConfig;
/// use burn::tensor::{Device, Tensor};
/// use lrfind::{RangeTestConfig, finder, plot};
///
/// let device = Device::flex().autodiff();
/// let model: Linear = LinearConfig::new(4, 1).init(&device);
/// let (x, y) = (Tensor::<2>::ones([8, 4], &device), Tensor::<2>::zeros([8, 1], &device));
/// let batches = std::iter::repeat((x, y));
/// let result = finder::range_test(
///     &model,
///     AdamWConfig::new().init(),
///     batches,
///     |m: &Linear, (x, y): &(Tensor<2>, Tensor<2>)| (m.forward(x.clone()) - y.clone()).powi_scalar(2).mean(),
///     &RangeTestConfig::default(),
///     finder::Hooks::default(),
/// )?;
/// println!("suggested LR: {:?}", result.chosen().lr);
/// plot::lr_find(&result, "my model", Some("lr_find.png".as_ref()), None)?;
/// # Ok::<(), lrfind::Error>(())
/// ```
pub fn range_test<M, B, I, F>(
    model: &M,
    optimizer: impl Into<Stepper>,
    batches: I,
    mut loss_fn: F,
    config: &RangeTestConfig,
    hooks: Hooks<'_, M>,
) -> Result<RangeTestResult>
where
    M: Module,
    I: IntoIterator<Item = B>,
    F: FnMut(&M, &B) -> Tensor<1>,
{
    range_test_with(
        model,
        optimizer,
        batches,
        &mut train::loss_gradients(&mut loss_fn),
        config,
        hooks,
    )
}

/// [`range_test`] with the loss and gradients of each batch from any
/// [`train::Gradients`]: a loss closure ([`train::loss_gradients`]), or the model's own
/// training step (Burn's `TrainStep`, `RangeTest::run_train_step` with the feature
/// `learner`).
pub fn range_test_with<M, B, I, G>(
    model: &M,
    optimizer: impl Into<Stepper>,
    batches: I,
    grads: &mut G,
    config: &RangeTestConfig,
    mut hooks: Hooks<'_, M>,
) -> Result<RangeTestResult>
where
    M: Module,
    I: IntoIterator<Item = B>,
    G: train::Gradients<M, B>,
{
    let mut optimizer: Stepper = optimizer.into();
    config.validate()?;
    if config.epochs.is_some() && config.batches_per_epoch.is_none_or(|b| b == 0) {
        return Err(Error::option(
            "batches_per_epoch",
            "the planned training is given in epochs: say how many batches an epoch has (or give steps)",
        ));
    }
    match (config.val_every, hooks.validate.is_some()) {
        (0, true) => {
            return Err(Error::option(
                "val_every",
                "a validation function was given, but val_every is 0",
            ));
        }
        (k, false) if k > 0 => {
            return Err(Error::option(
                "val_every",
                "is set, but no validation function was given (Hooks::validate)",
            ));
        }
        _ => {}
    }
    // `valid()` folds any pending per-thread running-statistic updates into the shared
    // values, so the snapshot holds the model's true state.
    let _ = model.valid();
    let snapshot = model.clone().into_record();
    let started = Instant::now();
    let mut working = model.clone();
    let mut batches = batches.into_iter();
    let mut ema = DebiasedEma::new(config.smooth);
    let (mut lrs, mut losses, mut smoothed) = (Vec::new(), Vec::new(), Vec::new());
    let mut best = f64::INFINITY;
    let every = config.val_every.max(1);
    let mut val_ema = DebiasedEma::new(config.smooth.powi(every as i32));
    let mut val = ValidationCurve {
        iterations: Vec::new(),
        lrs: Vec::new(),
        losses: Vec::new(),
        smoothed: Vec::new(),
        num_it: config.iters / every,
        // Filled in once the curve is complete.
        suggestions: Suggestions {
            all: Vec::new(),
            chosen_method: config.method,
            confidence: Default::default(),
        },
    };
    let mut val_best = f64::INFINITY;
    let on_validation = config.suggest_on == CurveKind::Validation;
    let mut micro = Vec::with_capacity(config.accumulation_steps);
    let mut stop = Stop::Completed;
    for i in 0..config.iters {
        if hooks.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
            stop = Stop::Interrupted { index: i };
            break;
        }
        micro.clear();
        micro.extend(batches.by_ref().take(config.accumulation_steps));
        if micro.len() < config.accumulation_steps {
            stop = Stop::DataExhausted { index: i };
            break;
        }
        let lr = config.lr_at(i);
        let (next, loss) = train::step_accumulated(working, &mut optimizer, lr, &micro, grads);
        working = next;
        let s = ema.push(loss);
        lrs.push(lr);
        losses.push(loss);
        smoothed.push(s);
        if let Some(cb) = hooks.on_step.as_mut() {
            cb(&Progress {
                iteration: i,
                total: config.iters,
                lr,
                loss,
                smoothed: s,
            });
        }
        if !loss.is_finite() {
            stop = Stop::NonFinite { index: i };
            break;
        }
        if let Some(validate) = hooks.validate.as_mut()
            && (i + 1) % every == 0
        {
            // Schedule-Free AdamW is validated at its averaged weights, as it is evaluated.
            let v = validate(&optimizer.eval_weights(working.clone()));
            let vs = val_ema.push(v);
            val.iterations.push(i);
            val.lrs.push(lr);
            val.losses.push(v);
            val.smoothed.push(vs);
            if on_validation && diverged(vs, val_best, val.smoothed[0], config.diverge) {
                stop = Stop::Diverged { index: i };
                break;
            }
            val_best = val_best.min(vs);
        }
        if !on_validation && diverged(s, best, smoothed[0], config.diverge) {
            stop = Stop::Diverged { index: i };
            break;
        }
        best = best.min(s);
    }
    let train_time = started.elapsed();
    // Fold the test's pending running-statistic updates, then restore the state that clones
    // share (BatchNorm running statistics) in the caller's model from the snapshot.
    let _ = working.valid();
    drop(working);
    let _ = model.clone().load_record(snapshot);
    let planned_steps = config.planned_steps();
    let curve = Curve::training(&lrs, &losses, &smoothed, config.iters).planned(planned_steps);
    let suggestions = suggest_all(&curve, config.method);
    let validation = hooks.validate.is_some().then(|| {
        val.suggestions = suggest_all(&val.curve(&lrs).planned(planned_steps), config.method);
        val
    });
    Ok(RangeTestResult {
        lrs,
        losses,
        smoothed,
        num_it: config.iters,
        stop,
        suggestions,
        validation,
        suggest_on: config.suggest_on,
        planned_steps,
        train_time,
    })
}

#[cfg(test)]
mod tests {
    use super::diverged;

    #[test]
    fn divergence_matches_fastai_for_ordinary_losses() {
        assert!(!diverged(3.9, 1.0, 2.3, 4.0));
        assert!(diverged(4.1, 1.0, 2.3, 4.0));
    }

    #[test]
    fn divergence_has_a_floor_near_zero() {
        // best 1e-6: fastai's rule would fire at 4e-6; the floor keeps small noise from stopping.
        assert!(!diverged(1e-3, 1e-6, 2.3, 4.0));
        assert!(diverged(0.5, 1e-6, 2.3, 4.0));
        assert!(diverged(f64::NAN, 1.0, 2.3, 4.0));
        assert!(!diverged(100.0, 1.0, 2.3, 0.0));
    }
}
