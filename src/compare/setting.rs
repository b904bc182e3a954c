//! A training setting: everything that defines one run (optimizer, LR, schedule, epochs,
//! batch size), from a TOML file (`--config`, unknown keys are errors) or from a schedule
//! spec on top of the common flags (`--setting`).

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};

use crate::config::{OptimizerConfig, OptimizerKind};
use crate::error::{Error, Result};
use crate::run::Resolved;
use crate::schedule::{self, Chain};

/// An LR: a number, or `auto` (the range test's suggestion).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum LrSpec {
    /// The range test's suggestion.
    #[default]
    Auto,
    /// This LR.
    Value(f64),
}

impl LrSpec {
    /// Parses `auto` or a positive number; `flag` names the source in errors.
    pub fn parse(text: &str, flag: &'static str) -> Result<Self> {
        if text.trim() == "auto" {
            return Ok(LrSpec::Auto);
        }
        match text.trim().parse::<f64>() {
            Ok(v) if v > 0.0 && v.is_finite() => Ok(LrSpec::Value(v)),
            _ => Err(Error::option(
                flag,
                format!("expects 'auto' or a positive number, got '{text}'"),
            )),
        }
    }
}

impl Serialize for LrSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LrSpec::Auto => s.serialize_str("auto"),
            LrSpec::Value(v) => s.serialize_f64(*v),
        }
    }
}

impl<'de> Deserialize<'de> for LrSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(v) if v > 0.0 => Ok(LrSpec::Value(v)),
            Raw::Text(t) if t == "auto" => Ok(LrSpec::Auto),
            _ => Err(serde::de::Error::custom(
                "lr must be a positive number or \"auto\"",
            )),
        }
    }
}

/// A schedule given as text (`"warmup(epochs=3)+cosine"`) or as a list of tables.
fn chain_from_text_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Chain, D::Error> {
    // Through a TOML value rather than an untagged enum, so that a bad list entry is
    // reported by what is wrong with it (serde's untagged enums only say that no form fit).
    use serde::de::Error as _;
    match toml::Value::deserialize(d)? {
        toml::Value::String(t) => schedule::parse(&t).map_err(D::Error::custom),
        list @ toml::Value::Array(_) => {
            let c: Chain = list.try_into().map_err(|e: toml::de::Error| {
                D::Error::custom(format!("schedule: {}", e.message()))
            })?;
            c.validate().map(|_| c).map_err(D::Error::custom)
        }
        other => Err(D::Error::custom(format!(
            "schedule: expected a chain as text or a list of {{ name = ... }} tables, got {}",
            other.type_str()
        ))),
    }
}

/// One training setting. In TOML:
/// ```toml
/// name = "new"
/// optimizer = "adamw"
/// lr = 5e-3                # or "auto"
/// weight_decay = 1e-4
/// clip_norm = 1.0
/// schedule = "warmup(epochs=3)+exp(gamma=0.96,per=epoch)+plateau(patience=3,cooldown=2)"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Name in tables and legends (default: the schedule's text).
    #[serde(default)]
    pub name: String,
    /// sgd, adam or adamw.
    #[serde(default)]
    pub optimizer: OptimizerKind,
    /// Weight decay (Burn's default when absent).
    #[serde(default)]
    pub weight_decay: Option<f64>,
    /// SGD momentum.
    #[serde(default)]
    pub momentum: Option<f64>,
    /// Gradient clipping by norm.
    #[serde(default)]
    pub clip_norm: Option<f64>,
    /// Base (peak) LR.
    #[serde(default)]
    pub lr: LrSpec,
    /// The schedule chain (constant when absent).
    #[serde(default, deserialize_with = "chain_from_text_or_list")]
    pub schedule: Chain,
    /// Epochs (the common `--epochs` when absent).
    #[serde(default)]
    pub epochs: Option<usize>,
    /// Batch size (the common `--batch-size` when absent).
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// The TOML file it was read from (None: a `--setting` spec); names the file in errors.
    #[serde(skip)]
    pub source: Option<std::path::PathBuf>,
}

impl Setting {
    /// A setting from a schedule spec on top of the common optimizer flags and LR.
    pub fn from_spec(spec: &str, optimizer: &OptimizerConfig, lr: LrSpec) -> Result<Self> {
        let schedule = schedule::parse(spec)?;
        Ok(Setting {
            name: spec.trim().to_string(),
            optimizer: optimizer.optimizer,
            weight_decay: optimizer.weight_decay,
            momentum: optimizer.momentum,
            clip_norm: optimizer.clip_norm,
            lr,
            schedule,
            epochs: None,
            batch_size: None,
            source: None,
        })
    }

    /// Reads a setting from a TOML file; the name defaults to the file's stem.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::InputRead {
            path: path.into(),
            what: "settings file (--config)",
            message: e.to_string(),
        })?;
        let mut s: Setting = toml::from_str(&text).map_err(|e| {
            Error::option(
                "--config",
                format!("{}: {}", path.display(), e.message().replace('\n', " ")),
            )
        })?;
        if s.name.is_empty() {
            s.name = path
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or("setting")
                .to_string();
        }
        s.source = Some(path.to_path_buf());
        Ok(s)
    }

    /// Decides every value: `auto` becomes `suggested`, absent epochs and batch size take
    /// the common values.
    pub fn resolve(
        &self,
        suggested: Option<f64>,
        epochs: usize,
        batch_size: usize,
    ) -> Result<Resolved> {
        let s = self;
        let lr = match s.lr {
            LrSpec::Value(v) => v,
            LrSpec::Auto => suggested.ok_or_else(|| {
                Error::option(
                    "--lr",
                    format!(
                        "setting '{}' asks for the suggested LR, but there is none",
                        s.name
                    ),
                )
            })?,
        };
        let (epochs, batch_size) = (
            s.epochs.unwrap_or(epochs),
            s.batch_size.unwrap_or(batch_size),
        );
        if epochs == 0 || batch_size == 0 {
            return Err(Error::option(
                "--epochs",
                format!(
                    "setting '{}': epochs and batch size must be at least 1",
                    s.name
                ),
            ));
        }
        Ok(Resolved {
            name: s.name.clone(),
            optimizer: s.optimizer_config(),
            lr,
            schedule_text: s.schedule.to_text(),
            schedule: s.schedule.clone(),
            epochs,
            batch_size,
        })
    }

    /// The optimizer part as an [`OptimizerConfig`].
    pub fn optimizer_config(&self) -> OptimizerConfig {
        OptimizerConfig {
            optimizer: self.optimizer,
            weight_decay: self.weight_decay,
            momentum: self.momentum,
            clip_norm: self.clip_norm,
        }
    }
}
