//! What `compare` runs, checked in one place: the common configuration, the settings, the
//! common epochs and the levels to time. Errors name the flag (or the settings file).

use serde::{Deserialize, Serialize};

use super::{LrSpec, Setting, check_targets};
use crate::config::{SuggestConfig, check_epochs, epochs_problem};
use crate::error::{Error, Result};

/// Everything a comparison is asked to run, before the suggested LR is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSpec {
    /// Data, model, optimizer flags, range test, seed and backend.
    pub config: SuggestConfig,
    /// The settings, in the order they are run and reported.
    pub settings: Vec<Setting>,
    /// Epochs of a setting that does not give its own.
    pub epochs: usize,
    /// Validation accuracy (or MSE) levels whose epochs and times are reported.
    pub targets: Vec<f64>,
}

impl CompareSpec {
    /// Checks every value; errors name the flag, or the settings file at fault. Whether an
    /// accuracy level is at most 1 depends on the task, which [`crate::pipeline::compare`] checks
    /// once the data is loaded.
    pub fn validate(&self) -> Result<()> {
        self.config.validate()?;
        check_epochs("--epochs", self.epochs)?;
        check_targets("--targets", &self.targets, true)?;
        if self.settings.is_empty() {
            return Err(Error::option("--setting", "give at least one setting"));
        }
        for (k, s) in self.settings.iter().enumerate() {
            // Settings are told apart by name in every table and figure.
            if self.settings[..k].iter().any(|t| t.name == s.name) {
                return Err(in_setting(
                    s,
                    "--setting",
                    format!(
                        "the setting '{}' is listed twice (settings need distinct names)",
                        s.name
                    ),
                ));
            }
            s.optimizer_config()
                .validate()
                .map_err(|e| in_file(s, crate::config::with_flags(e)))?;
            s.schedule.validate().map_err(|e| in_file(s, e))?;
            if let LrSpec::Value(v) = s.lr
                && !(v.is_finite() && v > 0.0)
            {
                return Err(in_setting(s, "--lr", format!("must be positive, got {v}")));
            }
            if let Some(problem) = s.epochs.and_then(epochs_problem) {
                return Err(in_setting(s, "--epochs", problem));
            }
            if s.batch_size == Some(0) {
                return Err(in_setting(s, "--batch-size", "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// An error of a setting read from a TOML file, prefixed with the file (`--config`).
fn in_file(s: &Setting, e: Error) -> Error {
    match &s.source {
        Some(path) => Error::option("--config", format!("{}: {e}", path.display())),
        None => e,
    }
}

/// An error about one setting: from a TOML file it names the file (`--config`), from a
/// `--setting` spec the flag.
fn in_setting(s: &Setting, flag: &'static str, message: impl Into<String>) -> Error {
    let message = message.into();
    match &s.source {
        Some(path) => Error::option("--config", format!("{}: {message}", path.display())),
        None => Error::option(flag, message),
    }
}
