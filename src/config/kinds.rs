//! The configuration's choices: the task, the binary head, sequence pooling, the backend and
//! the optimizer, each a serde enum (and a clap value with the `cli` feature).

use serde::{Deserialize, Serialize};

/// The task a dataset poses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Predict a class.
    Classification,
    /// Predict a number.
    Regression,
}

/// Head and loss for two-class problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum BinaryHead {
    /// One logit, binary cross-entropy on logits.
    #[default]
    Bce,
    /// Two logits, softmax cross-entropy.
    Ce,
}

/// How the sequence model pools its token embeddings over a sequence (padding masked out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// The mean and the maximum, concatenated.
    #[default]
    MeanMax,
    /// The mean.
    Mean,
    /// The maximum.
    Max,
}

/// The CPU (or GPU) backend that runs the tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// Burn's pure-Rust CPU backend (faster here: see README).
    #[default]
    Flex,
    /// burn-ndarray.
    Ndarray,
    /// burn-wgpu (GPU; build with `--features wgpu`).
    #[cfg(feature = "wgpu")]
    Wgpu,
}

impl Backend {
    /// The backend's name.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::Ndarray => "ndarray",
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => "wgpu",
        }
    }
}

/// The optimizer family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// Stochastic gradient descent (optionally with momentum).
    Sgd,
    /// Adam (weight decay as an L2 penalty added to the gradient).
    Adam,
    /// AdamW (decoupled weight decay).
    #[default]
    Adamw,
    /// Prodigy: Adam that estimates its own step size; the LR is a multiplier of it (1 by
    /// default). Learning-rate-free.
    Prodigy,
    /// Schedule-Free AdamW: no schedule, evaluated at averaged weights (default LR 0.0025).
    #[serde(rename = "schedule-free-adamw")]
    #[cfg_attr(feature = "cli", value(name = "schedule-free-adamw"))]
    ScheduleFreeAdamw,
}

impl OptimizerKind {
    /// The flag value: `sgd`, `adam`, `adamw`, `prodigy` or `schedule-free-adamw`.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adam => "adam",
            OptimizerKind::Adamw => "adamw",
            OptimizerKind::Prodigy => "prodigy",
            OptimizerKind::ScheduleFreeAdamw => "schedule-free-adamw",
        }
    }
}
