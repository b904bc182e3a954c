//! Reduce-on-plateau: a multiplier on top of the schedule, lowered by `factor` when the
//! validation loss has not improved for more than `patience` epochs.
//!
//! Fed one validation loss per epoch, it follows PyTorch's `ReduceLROnPlateau` (mode `min`,
//! relative threshold): a loss is an improvement when it is below `best · (1 - threshold)`;
//! after more than `patience` epochs without one, the multiplier is multiplied by `factor`
//! and `cooldown` epochs pass before bad epochs count again. The LR it gives never goes
//! below `min_lr` once a reduction has happened.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

fn default_factor() -> f64 {
    0.1
}
fn default_patience() -> usize {
    10
}
fn default_threshold() -> f64 {
    1e-4
}

/// Reduce-on-plateau parameters (PyTorch's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlateauConfig {
    /// Multiplier applied at each reduction (0.1).
    #[serde(default = "default_factor")]
    pub factor: f64,
    /// Epochs without improvement tolerated before reducing (10).
    #[serde(default = "default_patience")]
    pub patience: usize,
    /// Epochs after a reduction during which bad epochs are not counted (0).
    #[serde(default)]
    pub cooldown: usize,
    /// Relative improvement that counts (1e-4).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Lowest LR a reduction can lead to (0).
    #[serde(default)]
    pub min_lr: f64,
}

impl Default for PlateauConfig {
    fn default() -> Self {
        Self {
            factor: default_factor(),
            patience: default_patience(),
            cooldown: 0,
            threshold: default_threshold(),
            min_lr: 0.0,
        }
    }
}

impl PlateauConfig {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        if !(super::positive(self.factor) && self.factor < 1.0) {
            return Err(Error::option(
                "--setting",
                "plateau: factor must be in (0, 1)",
            ));
        }
        if !(self.threshold >= 0.0 && self.min_lr >= 0.0) {
            return Err(Error::option(
                "--setting",
                "plateau: threshold and min_lr must be non-negative",
            ));
        }
        Ok(())
    }
}

/// The running state of reduce-on-plateau.
#[derive(Debug, Clone, PartialEq)]
pub struct Plateau {
    config: PlateauConfig,
    best: f64,
    bad_epochs: usize,
    cooldown_left: usize,
    multiplier: f64,
}

impl Plateau {
    /// A fresh state (multiplier 1).
    pub fn new(config: PlateauConfig) -> Self {
        Self {
            config,
            best: f64::INFINITY,
            bad_epochs: 0,
            cooldown_left: 0,
            multiplier: 1.0,
        }
    }

    /// Feeds one epoch's validation loss; returns the multiplier from now on.
    pub fn observe(&mut self, loss: f64) -> f64 {
        if loss < self.best * (1.0 - self.config.threshold) {
            self.best = loss;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        if self.cooldown_left > 0 {
            self.cooldown_left -= 1;
            self.bad_epochs = 0;
        }
        if self.bad_epochs > self.config.patience {
            self.multiplier *= self.config.factor;
            self.cooldown_left = self.config.cooldown;
            self.bad_epochs = 0;
        }
        self.multiplier
    }

    /// The current multiplier.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// The LR after applying the multiplier to a scheduled LR (floored at `min_lr` once reduced).
    pub fn apply(&self, scheduled_lr: f64) -> f64 {
        let lr = scheduled_lr * self.multiplier;
        if self.multiplier < 1.0 {
            lr.max(self.config.min_lr)
        } else {
            lr
        }
    }
}
