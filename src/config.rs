//! Configuration shared by the CLI, config files and the library, with every default in
//! one place. Each struct deserialises from TOML/JSON with unknown keys rejected, and
//! [`SuggestConfig::validate`] turns bad values into errors naming the flag.

use serde::{Deserialize, Serialize};

use crate::analysis::Method;
use crate::error::{Error, Result};

/// Defaults, documented once. `--help` and README quote these.
pub mod defaults {
    /// Built-in dataset used when `--data` is not given.
    pub const DATA: &str = "digits";
    /// Target column.
    pub const TARGET: &str = "label";
    /// Train / validation fractions.
    pub const SPLIT: [f64; 2] = [0.8, 0.2];
    /// Mini-batch size.
    pub const BATCH_SIZE: usize = 64;
    /// Hidden layer widths of the MLP.
    pub const HIDDEN: [usize; 1] = [128];
    /// Width of the token embedding of the sequence model (`--tokens`).
    pub const EMBED_DIM: usize = 64;
    /// Longest `--seq-len` taken by default (the longest sequence, at most this).
    pub const MAX_DEFAULT_SEQ_LEN: usize = 512;
    /// First LR of the ramp.
    pub const START_LR: f64 = 1e-7;
    /// Last LR of the ramp.
    pub const END_LR: f64 = 10.0;
    /// Iterations of the range test.
    pub const ITERS: usize = 300;
    /// Fewest iterations accepted.
    pub const MIN_ITERS: usize = 20;
    /// Stop when the smoothed loss exceeds this many times the best (see [`crate::finder`]).
    pub const DIVERGE: f64 = 4.0;
    /// fastai's EMA factor.
    pub const SMOOTH: f64 = 0.98;
    /// Seed for weights, shuffling and splits.
    pub const SEED: u64 = 0;
    /// `sweep`: train / validation / test fractions.
    pub const SWEEP_SPLIT: [f64; 3] = [0.8, 0.1, 0.1];
    /// `sweep`: LR range when neither `--lrs` nor `--lr-range` is given.
    pub const SWEEP_LR_RANGE: &str = "1e-5:1";
    /// `sweep`: LR grid points per decade.
    pub const SWEEP_PER_DECADE: usize = 1;
    /// `sweep`: epochs per configuration.
    pub const SWEEP_EPOCHS: usize = 3;
    /// `sweep`: probability at or above which a binary model predicts the positive class.
    pub const THRESHOLD: f64 = 0.5;
}

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

/// Most range-test iterations accepted: each is a training step and the curve is kept in
/// memory; a million steps is hours even for a small model.
pub const MAX_ITERS: usize = 1_000_000;
/// Most worker threads accepted (more than any machine has cores; each thread reserves a
/// stack).
pub const MAX_THREADS: usize = 1024;
/// Longest `--seq-len` accepted (a batch holds batch size x this many embeddings).
pub const MAX_SEQ_LEN: usize = 65_536;
/// Largest `--vocab` accepted (the embedding holds one row per id).
pub const MAX_VOCAB: usize = 50_000_000;
/// Widest `--embed-dim` accepted.
pub const MAX_EMBED_DIM: usize = 65_536;
/// Most values an embedding may hold (token ids x `--embed-dim`: 4 GB of f32, about 16 GB
/// with its gradient and AdamW's two moments).
pub const MAX_EMBEDDING: usize = 1_000_000_000;
/// Most embedding values one batch may hold (`--batch-size` x sequence length x
/// `--embed-dim`: 8 GB of f32 before the backward pass).
pub const MAX_BATCH_EMBEDDINGS: usize = 1 << 31;

/// Most epochs a compare or sweep run accepts: one record per epoch is kept, reported and
/// drawn, and a hundred thousand epochs is already days of training.
pub const MAX_EPOCHS: usize = 100_000;

/// Checks a number of epochs: within 1..=[`MAX_EPOCHS`], or the error naming `flag`.
pub fn check_epochs(flag: &'static str, epochs: usize) -> Result<()> {
    match epochs_problem(epochs) {
        Some(problem) => Err(Error::option(flag, problem)),
        None => Ok(()),
    }
}

/// What is wrong with a number of epochs, if anything.
pub(crate) fn epochs_problem(epochs: usize) -> Option<String> {
    if epochs == 0 {
        Some("must be at least 1".into())
    } else if epochs > MAX_EPOCHS {
        Some(format!(
            "must be at most {MAX_EPOCHS} (one record per epoch is kept and drawn), got {epochs}"
        ))
    } else {
        None
    }
}

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

/// Where the data comes from and how it is prepared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// A built-in dataset name (`digits`, `breast_cancer`) or a CSV/Parquet path.
    pub data: String,
    /// The target column.
    pub target: String,
    /// Feature columns; empty means every other numeric column.
    pub features: Vec<String>,
    /// Columns to leave out (IDs).
    pub ignore: Vec<String>,
    /// Force the task instead of inferring it.
    pub task: Option<TaskKind>,
    /// z-score features (statistics from the training part only).
    pub standardize: bool,
    /// Train, validation and optional test fractions; must sum to 1.
    pub split: Vec<f64>,
    /// Drop rows with NaN, infinite, empty or NA cells instead of failing.
    pub drop_na: bool,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Keep each epoch's last short batch (PyTorch's, Keras' and Burn's loaders do), or drop
    /// it (fastai's training loader does; the default) so that every step sees `batch_size`
    /// rows.
    pub keep_last_batch: bool,
    /// A column holding each row's token ids (a Parquet list of integers, or a CSV text of
    /// integers separated by spaces); switches the built-in model to a sequence model.
    /// The other columns are then features only if `features` names them.
    pub tokens: Option<String>,
    /// Pad or truncate every sequence to this many tokens, keeping the first (default: the
    /// longest sequence, at most [`defaults::MAX_DEFAULT_SEQ_LEN`]).
    pub seq_len: Option<usize>,
    /// Token ids run from 0 to `vocab - 1` (default: the largest id in the data, plus one).
    pub vocab: Option<usize>,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            data: defaults::DATA.into(),
            target: defaults::TARGET.into(),
            features: Vec::new(),
            ignore: Vec::new(),
            task: None,
            standardize: true,
            split: defaults::SPLIT.to_vec(),
            drop_na: false,
            batch_size: defaults::BATCH_SIZE,
            keep_last_batch: false,
            tokens: None,
            seq_len: None,
            vocab: None,
        }
    }
}

/// The built-in MLP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    /// Hidden layer widths (ReLU after each).
    pub hidden: Vec<usize>,
    /// Dropout probability after each hidden layer (0 = none).
    pub dropout: f64,
    /// Head for two-class problems.
    pub binary_head: BinaryHead,
    /// Width of the token embedding (sequence data only).
    pub embed_dim: usize,
    /// Pooling of the token embeddings (sequence data only).
    pub pooling: Pooling,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            hidden: defaults::HIDDEN.to_vec(),
            dropout: 0.0,
            binary_head: BinaryHead::Bce,
            embed_dim: defaults::EMBED_DIM,
            pooling: Pooling::MeanMax,
        }
    }
}

/// The optimizer. Unset values take Burn's defaults (see README for how they differ from
/// PyTorch's).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OptimizerConfig {
    /// sgd, adam or adamw.
    pub optimizer: OptimizerKind,
    /// Weight decay (AdamW: decoupled, Burn's default 1e-4; Adam/SGD: L2 penalty, default none).
    pub weight_decay: Option<f64>,
    /// SGD momentum (none by default; Burn's dampening is 0.1 where PyTorch's is 0).
    pub momentum: Option<f64>,
    /// Clip the gradient of each parameter tensor to this L2 norm.
    pub clip_norm: Option<f64>,
}

impl OptimizerConfig {
    /// Checks the values; errors name the fields (`weight_decay: must be non-negative`), and
    /// the command line says the same with its flags.
    pub fn validate(&self) -> Result<()> {
        if self.weight_decay.is_some_and(|w| w.is_nan() || w < 0.0) {
            return Err(Error::option("weight_decay", "must be non-negative"));
        }
        if self.momentum.is_some_and(|w| !(0.0..1.0).contains(&w)) {
            return Err(Error::option("momentum", "must be in [0, 1)"));
        }
        if self.momentum.is_some() && self.optimizer != OptimizerKind::Sgd {
            return Err(Error::option("momentum", "applies to `optimizer` sgd only"));
        }
        if self.clip_norm.is_some_and(|w| w.is_nan() || w <= 0.0) {
            return Err(Error::option("clip_norm", "must be positive"));
        }
        Ok(())
    }
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
    /// [`SuggestConfig::validate`] names the flags instead).
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

/// The command-line flag of each library field ([`RangeTestConfig`], [`OptimizerConfig`],
/// [`crate::evaluate::EvaluationPlan`]).
const FIELD_FLAGS: [(&str, &str); 22] = [
    ("weight_decay", "--weight-decay"),
    ("momentum", "--momentum"),
    ("clip_norm", "--clip-norm"),
    ("optimizer", "--optimizer"),
    ("start_lr", "--start-lr"),
    ("end_lr", "--end-lr"),
    ("iters", "--iters"),
    ("diverge", "--diverge"),
    ("smooth", "--smooth"),
    ("accumulation_steps", "--accumulation-steps"),
    ("epochs", "--epochs"),
    ("steps", "--steps"),
    ("suggest_on", "--suggest-on"),
    ("val_every", "--val-every"),
    ("method", "--method"),
    ("seeds", "--seeds"),
    ("lrs", "--grid-range"),
    ("refine_per_decade", "--refine"),
    ("epochs_list", "--epochs-list"),
    ("iters_list", "--iters-list"),
    ("arms", "--arms"),
    ("targets", "--targets"),
];

/// A library error naming a field ([`RangeTestConfig`], [`OptimizerConfig`],
/// [`crate::evaluate::EvaluationPlan`], the evaluation's own) in the command line's words:
/// the field and every field quoted in the message (`` `end_lr` ``) become their flags.
pub(crate) fn with_flags(e: Error) -> Error {
    match e {
        Error::InvalidOption { flag, message } => {
            let flag_of = |field: &str| {
                FIELD_FLAGS
                    .iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, flag)| *flag)
            };
            let message = FIELD_FLAGS.iter().fold(message, |m, (field, flag)| {
                m.replace(&format!("`{field}`"), flag)
            });
            Error::InvalidOption {
                flag: flag_of(flag).unwrap_or(flag),
                message,
            }
        }
        other => other,
    }
}

/// Everything `lrfind suggest` runs with; written in full into `lr_find.json`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SuggestConfig {
    /// Data and batching.
    pub data: DataConfig,
    /// The built-in model.
    pub model: ModelConfig,
    /// The optimizer.
    pub optimizer: OptimizerConfig,
    /// The range test.
    pub range_test: RangeTestConfig,
    /// Seed for weights, shuffling and splits.
    pub seed: u64,
    /// Tensor backend.
    pub backend: Backend,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
}

impl SuggestConfig {
    /// Checks every value; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        self.range_test.validate().map_err(with_flags)?;
        let d = &self.data;
        if d.split.len() < 2 || d.split.len() > 3 || d.split.iter().any(|f| f.is_nan() || *f < 0.0)
        {
            return Err(Error::option(
                "--split",
                "expects 2 or 3 non-negative fractions: train,validation[,test]",
            ));
        }
        let sum: f64 = d.split.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            return Err(Error::option(
                "--split",
                format!("fractions must sum to 1, they sum to {sum}"),
            ));
        }
        if d.split[0] <= 0.0 {
            return Err(Error::option(
                "--split",
                "the training fraction must be positive",
            ));
        }
        if d.batch_size == 0 {
            return Err(Error::option("--batch-size", "must be at least 1"));
        }
        if d.seq_len.is_some() && d.tokens.is_none() || d.vocab.is_some() && d.tokens.is_none() {
            let flag = if d.seq_len.is_some() {
                "--seq-len"
            } else {
                "--vocab"
            };
            return Err(Error::option(
                flag,
                "applies to token sequences (--tokens) only",
            ));
        }
        if let Some(n) = d.seq_len {
            let why = "every batch holds batch size x sequence length token embeddings";
            Error::check_count("--seq-len", n, MAX_SEQ_LEN, why)?;
        }
        if let Some(n) = d.vocab {
            let why = "the embedding holds one row per token id";
            Error::check_count("--vocab", n, MAX_VOCAB, why)?;
        }
        if let Some(t) = &d.tokens {
            if *t == d.target {
                return Err(Error::option(
                    "--tokens",
                    format!("'{t}' is the target column"),
                ));
            }
            if d.features.contains(t) {
                return Err(Error::option(
                    "--features",
                    format!("'{t}' is the --tokens column"),
                ));
            }
        }
        let m = &self.model;
        if m.hidden.contains(&0) {
            return Err(Error::option("--hidden", "layer widths must be at least 1"));
        }
        let why = "the embedding holds this many values per token id";
        Error::check_count("--embed-dim", m.embed_dim, MAX_EMBED_DIM, why)?;
        if d.tokens.is_some() {
            let len = d.seq_len.unwrap_or(defaults::MAX_DEFAULT_SEQ_LEN);
            let values = d.batch_size as u128 * len as u128 * m.embed_dim as u128;
            if values > MAX_BATCH_EMBEDDINGS as u128 {
                return Err(Error::option(
                    "--embed-dim",
                    format!(
                        "a batch would hold {values} embedding values (--batch-size {} x sequence length {len} x --embed-dim {}), more than {MAX_BATCH_EMBEDDINGS}",
                        d.batch_size, m.embed_dim
                    ),
                ));
            }
            if let Some(v) = d.vocab {
                let values = (v as u128 + 1) * m.embed_dim as u128;
                if values > MAX_EMBEDDING as u128 {
                    return Err(Error::option(
                        "--embed-dim",
                        format!(
                            "--vocab {v} x --embed-dim {} make an embedding of {values} values, more than {MAX_EMBEDDING}",
                            m.embed_dim
                        ),
                    ));
                }
            }
        }
        if !(0.0..1.0).contains(&m.dropout) {
            return Err(Error::option(
                "--dropout",
                format!("must be in [0, 1), got {}", m.dropout),
            ));
        }
        self.optimizer.validate().map_err(with_flags)?;
        if let Some(t) = self.threads {
            Error::check_count("--threads", t, MAX_THREADS, "each thread reserves a stack")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_ramp_hits_both_ends() {
        let c = RangeTestConfig {
            iters: 100,
            ..Default::default()
        };
        assert!((c.lr_at(0) - 1e-7).abs() < 1e-20);
        assert!((c.lr_at(99) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn split_must_sum_to_one() {
        let mut c = SuggestConfig::default();
        c.data.split = vec![0.5, 0.2];
        assert!(c.validate().unwrap_err().to_string().starts_with("--split"));
    }
}
