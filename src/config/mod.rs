//! Configuration shared by the CLI, config files and the library, with every default in
//! one place. Each struct deserialises from TOML/JSON with unknown keys rejected, and
//! [`SuggestConfig::validate`] turns bad values into errors naming the flag. The choices
//! (task, head, pooling, backend, optimizer) live in `kinds.rs`, the range test's own
//! configuration in `range_test.rs`; everything is used from here.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod kinds;
mod range_test;

pub use kinds::{Backend, BinaryHead, OptimizerKind, Pooling, TaskKind};
pub use range_test::{CurveKind, MAX_PLANNED_STEPS, Ramp, RangeTestConfig};

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
