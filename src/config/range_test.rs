//! The range test's configuration ([`RangeTestConfig`]): the ramp, the stop, the smoothing,
//! the rule, the validation curve and the planned training's length, with its checks.

use serde::{Deserialize, Serialize};

use super::{MAX_ITERS, defaults};
use crate::analysis::Method;
use crate::error::{Error, Result};

/// Longest planned training accepted, in epochs or steps (a larger number is a typo).
pub const MAX_PLANNED_STEPS: usize = 1_000_000_000;

/// How the LR grows during the range test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Ramp {
    /// Geometric: equal steps in log LR (fastai, torch-lr-finder's default).
    #[default]
    Exp,
    /// Arithmetic: equal steps in LR.
    Linear,
}

/// The range test itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RangeTestConfig {
    /// First LR of the ramp.
    pub start_lr: f64,
    /// Last LR of the ramp.
    pub end_lr: f64,
    /// Number of iterations (one optimizer step each).
    pub iters: usize,
    /// Exponential or linear ramp.
    pub ramp: Ramp,
    /// Divergence factor (see [`crate::finder::diverged`]); 0 disables the stop.
    pub diverge: f64,
    /// EMA factor of fastai's smoothing.
    pub smooth: f64,
    /// The rule whose answer is the suggestion.
    pub method: Method,
    /// Micro-batches per iteration: one optimizer step and one LR step per this many
    /// batches, gradients and loss averaged over them (gradient accumulation).
    pub accumulation_steps: usize,
    /// Evaluate the validation loss every this many iterations (0: no validation curve).
    /// Needs a validation function ([`crate::finder::Hooks::validate`]).
    pub val_every: usize,
    /// The curve whose suggestion is reported: the training loss (fastai's test) or the
    /// validation loss (Smith's original test).
    pub suggest_on: CurveKind,
    /// The planned training's length in epochs, when the suggestion should be the constant
    /// LR for it (`knee` reads it; needs `batches_per_epoch`). At most one of `epochs` and
    /// `steps`.
    pub epochs: Option<usize>,
    /// The planned training's length in optimizer steps (after `accumulation_steps`).
    pub steps: Option<usize>,
    /// Batches in one epoch of the planned training (turns `epochs` into steps); the
    /// built-in pipeline sets it from the data.
    pub batches_per_epoch: Option<usize>,
}

/// Which recorded curve the suggestion is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum CurveKind {
    /// The smoothed training loss of every iteration.
    #[default]
    Training,
    /// The validation loss, evaluated every `val_every` iterations.
    Validation,
}

impl Default for RangeTestConfig {
    fn default() -> Self {
        Self {
            start_lr: defaults::START_LR,
            end_lr: defaults::END_LR,
            iters: defaults::ITERS,
            ramp: Ramp::Exp,
            diverge: defaults::DIVERGE,
            smooth: defaults::SMOOTH,
            method: Method::Knee,
            accumulation_steps: 1,
            val_every: 0,
            suggest_on: CurveKind::Training,
            epochs: None,
            steps: None,
            batches_per_epoch: None,
        }
    }
}

impl RangeTestConfig {
    /// Checks the values; errors name the field (a library user's words; the command line's
    /// [`super::SuggestConfig::validate`] names the flags instead).
    pub fn validate(&self) -> Result<()> {
        if !(self.start_lr > 0.0 && self.start_lr.is_finite()) {
            return Err(Error::option(
                "start_lr",
                format!("must be a positive number, got {}", self.start_lr),
            ));
        }
        if !(self.end_lr.is_finite() && self.start_lr < self.end_lr) {
            return Err(Error::option(
                "start_lr",
                format!(
                    "must be below `end_lr` ({} is not below {})",
                    self.start_lr, self.end_lr
                ),
            ));
        }
        if self.iters > MAX_ITERS {
            return Err(Error::at_most(
                "iters",
                MAX_ITERS,
                "each iteration is a training step; the curve is kept in memory",
                self.iters,
            ));
        }
        if self.iters < defaults::MIN_ITERS {
            return Err(Error::option(
                "iters",
                format!(
                    "must be at least {}, got {}",
                    defaults::MIN_ITERS,
                    self.iters
                ),
            ));
        }
        if !(self.diverge == 0.0 || self.diverge > 1.0) {
            return Err(Error::option(
                "diverge",
                format!("must be above 1 (or 0 to disable), got {}", self.diverge),
            ));
        }
        if !(0.0..1.0).contains(&self.smooth) {
            return Err(Error::option(
                "smooth",
                format!("must be in [0, 1), got {}", self.smooth),
            ));
        }
        if self.accumulation_steps == 0 {
            return Err(Error::option("accumulation_steps", "must be at least 1"));
        }
        match (self.epochs, self.steps) {
            (Some(_), Some(_)) => {
                return Err(Error::option(
                    "steps",
                    "give the training length once: `epochs` or `steps`, not both",
                ));
            }
            (Some(0), _) => return Err(Error::option("epochs", "must be at least 1")),
            (_, Some(0)) => return Err(Error::option("steps", "must be at least 1")),
            (Some(e), _) if e > MAX_PLANNED_STEPS => {
                return Err(Error::option(
                    "epochs",
                    format!("must be at most {MAX_PLANNED_STEPS}"),
                ));
            }
            (_, Some(s)) if s > MAX_PLANNED_STEPS => {
                return Err(Error::option(
                    "steps",
                    format!("must be at most {MAX_PLANNED_STEPS}"),
                ));
            }
            _ => {}
        }
        if self.suggest_on == CurveKind::Validation && self.val_every == 0 {
            return Err(Error::option(
                "suggest_on",
                "the validation curve needs `val_every` K (evaluate every K iterations)",
            ));
        }
        Ok(())
    }

    /// The planned training's length in optimizer steps: `steps`, or `epochs` times the
    /// optimizer steps of an epoch (`batches_per_epoch / accumulation_steps`, at least 1).
    pub fn planned_steps(&self) -> Option<usize> {
        self.steps.or_else(|| {
            let per_epoch = (self.batches_per_epoch? / self.accumulation_steps.max(1)).max(1);
            Some(self.epochs? * per_epoch)
        })
    }

    /// The LR of iteration `i` (0-based) of the ramp.
    pub fn lr_at(&self, i: usize) -> f64 {
        let t = if self.iters > 1 {
            i as f64 / (self.iters - 1) as f64
        } else {
            0.0
        };
        match self.ramp {
            Ramp::Exp => self.start_lr * (self.end_lr / self.start_lr).powf(t),
            Ramp::Linear => self.start_lr + (self.end_lr - self.start_lr) * t,
        }
    }
}
