//! Flag groups shared by the subcommands, and their conversion into configs.

use std::path::PathBuf;

use clap::Args;

use crate::analysis::Method;
use crate::config::{
    Backend, BinaryHead, CurveKind, OptimizerConfig, OptimizerKind, Pooling, Ramp, SuggestConfig,
    TaskKind, defaults,
};
use crate::report::TableFormat;

/// `--method`: one rule, or `all` (every rule reported; the suggestion is knee's, and the
/// run fails only if no rule answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodArg {
    /// This rule's answer is the suggestion.
    One(Method),
    /// Every rule.
    All,
}

impl MethodArg {
    /// Whether a curve's suggestions answer this request: the chosen rule found an LR, or
    /// (with `all`) any rule did; otherwise the no-suggestion error (exit code 3).
    pub(crate) fn answered(self, suggestions: &crate::analysis::Suggestions) -> crate::Result<()> {
        let chosen = suggestions.chosen();
        let answered = match self {
            MethodArg::All => suggestions.all.iter().any(|s| s.lr.is_some()),
            MethodArg::One(_) => chosen.lr.is_some(),
        };
        if answered {
            return Ok(());
        }
        Err(crate::Error::NoSuggestion {
            method: chosen.method.name(),
            reason: chosen.reason.clone().unwrap_or_default(),
        })
    }
}

pub(crate) fn parse_method(text: &str) -> Result<MethodArg, String> {
    if text == "all" {
        return Ok(MethodArg::All);
    }
    Method::ALL
        .iter()
        .find(|m| m.name() == text)
        .map(|&m| MethodArg::One(m))
        .ok_or_else(|| {
            let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
            format!("expected one of {}, all", names.join(", "))
        })
}

/// Where the data comes from and how it is prepared.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Built-in dataset (digits, breast_cancer) or a CSV/Parquet file.
    #[arg(long, default_value = defaults::DATA)]
    pub data: String,
    /// Target column.
    #[arg(long, default_value = defaults::TARGET)]
    pub target: String,
    /// Feature columns (comma-separated; default: every other column).
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// Columns to leave out, e.g. IDs (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Force the task (default: inferred from the target).
    #[arg(long, value_enum)]
    pub task: Option<TaskKind>,
    /// Do not z-score the features.
    #[arg(long)]
    pub no_standardize: bool,
    /// Train,validation[,test] fractions, summing to 1 [default: 0.8,0.2; sweep: 0.8,0.1,0.1].
    #[arg(long, value_delimiter = ',')]
    pub split: Vec<f64>,
    /// Drop rows with NaN, infinite, empty or NA cells instead of failing.
    #[arg(long)]
    pub drop_na: bool,
    /// Mini-batch size.
    #[arg(long, default_value_t = defaults::BATCH_SIZE)]
    pub batch_size: usize,
    /// Keep each epoch's last short batch, as PyTorch's, Keras' and Burn's loaders do
    /// [default: dropped, as fastai's training loader does].
    #[arg(long)]
    pub keep_last_batch: bool,
    /// Column of token ids per row (Parquet list of integers, or CSV text of integers
    /// separated by spaces): trains a sequence model; other columns are features only
    /// if --features names them.
    #[arg(long, value_name = "COL")]
    pub tokens: Option<String>,
    /// Pad or truncate sequences to this many tokens, keeping the first [default: the
    /// longest sequence, at most 512].
    #[arg(long)]
    pub seq_len: Option<usize>,
    /// Token ids run from 0 to VOCAB - 1 [default: the largest id in the data, plus one].
    #[arg(long)]
    pub vocab: Option<usize>,
}

/// The built-in model.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Hidden layer widths of the MLP (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "128")]
    pub hidden: Vec<usize>,
    /// Dropout after each hidden layer.
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f64,
    /// Head for two-class data: one logit with BCE, or two logits with cross-entropy.
    #[arg(long, value_enum, default_value_t = BinaryHead::Bce)]
    pub binary_head: BinaryHead,
    /// Width of the token embedding (with --tokens).
    #[arg(long, default_value_t = defaults::EMBED_DIM)]
    pub embed_dim: usize,
    /// Pooling of the token embeddings over a sequence, padding masked (with --tokens).
    #[arg(long, value_enum, default_value_t = Pooling::MeanMax)]
    pub pooling: Pooling,
}

/// The optimizer.
#[derive(Debug, Clone, Args)]
pub struct OptimArgs {
    /// Optimizer.
    #[arg(long, value_enum, default_value_t = OptimizerKind::Adamw)]
    pub optimizer: OptimizerKind,
    /// Weight decay (default: Burn's, 1e-4 for AdamW, none for Adam and SGD).
    #[arg(long)]
    pub weight_decay: Option<f64>,
    /// SGD momentum (default: none; Burn's dampening is 0.1).
    #[arg(long)]
    pub momentum: Option<f64>,
    /// Clip each parameter's gradient to this L2 norm.
    #[arg(long)]
    pub clip_norm: Option<f64>,
}

impl OptimArgs {
    /// The optimizer config.
    pub fn config(&self) -> OptimizerConfig {
        OptimizerConfig {
            optimizer: self.optimizer,
            weight_decay: self.weight_decay,
            momentum: self.momentum,
            clip_norm: self.clip_norm,
        }
    }
}

/// The range test.
#[derive(Debug, Clone, Args)]
pub struct RangeArgs {
    /// First LR of the ramp.
    #[arg(long, default_value_t = defaults::START_LR)]
    pub start_lr: f64,
    /// Last LR of the ramp.
    #[arg(long, default_value_t = defaults::END_LR)]
    pub end_lr: f64,
    /// Iterations (at least 20, at most 1,000,000).
    #[arg(long, default_value_t = defaults::ITERS)]
    pub iters: usize,
    /// LR ramp shape.
    #[arg(long, value_enum, default_value_t = Ramp::Exp)]
    pub ramp: Ramp,
    /// Stop when the smoothed loss exceeds this many times the best (0: never).
    #[arg(long, default_value_t = defaults::DIVERGE)]
    pub diverge: f64,
    /// EMA factor of the smoothed loss.
    #[arg(long, default_value_t = defaults::SMOOTH)]
    pub smooth: f64,
    /// Suggestion rule reported as the suggestion: knee, valley, steep, minimum, slide, torch, or all.
    #[arg(long, default_value = "knee", value_parser = parse_method)]
    pub method: MethodArg,
    /// Micro-batches per iteration (gradient accumulation: one optimizer and LR step per K batches).
    #[arg(long, default_value_t = 1)]
    pub accumulation_steps: usize,
    /// Also record the validation loss every K iterations (Smith's original test).
    #[arg(long, default_value_t = 0)]
    pub val_every: usize,
    /// The curve the suggestion is read from.
    #[arg(long, value_enum, default_value_t = CurveKind::Training)]
    pub suggest_on: CurveKind,
}

/// Seed, backend, threads and output.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Seed for weights, shuffling and the split.
    #[arg(long, default_value_t = defaults::SEED)]
    pub seed: u64,
    /// Tensor backend.
    #[arg(long, value_enum, default_value_t = Backend::Flex)]
    pub backend: Backend,
    /// Worker threads (default: one per core; at most 1024).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Format of the history or table file (lr_find, compare, sweep).
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
    /// No progress bar or summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The flags every training subcommand shares.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub model: ModelArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub optim: OptimArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub range: RangeArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub run: RunArgs,
}

impl CommonArgs {
    /// The configuration these flags describe (not yet validated).
    pub fn config(&self) -> SuggestConfig {
        let (d, m, o, r, run) = (&self.data, &self.model, &self.optim, &self.range, &self.run);
        let method = match r.method {
            MethodArg::One(m) => m,
            MethodArg::All => Method::Knee,
        };
        let mut c = SuggestConfig {
            optimizer: o.config(),
            seed: run.seed,
            backend: run.backend,
            threads: run.threads,
            ..Default::default()
        };
        c.data.data = d.data.clone();
        c.data.target = d.target.clone();
        c.data.features = d.features.clone();
        c.data.ignore = d.ignore.clone();
        c.data.task = d.task;
        c.data.standardize = !d.no_standardize;
        if !d.split.is_empty() {
            c.data.split = d.split.clone();
        }
        c.data.drop_na = d.drop_na;
        c.data.batch_size = d.batch_size;
        c.data.keep_last_batch = d.keep_last_batch;
        c.data.tokens = d.tokens.clone();
        c.data.seq_len = d.seq_len;
        c.data.vocab = d.vocab;
        c.model.embed_dim = m.embed_dim;
        c.model.pooling = m.pooling;
        c.model.hidden = m.hidden.clone();
        c.model.dropout = m.dropout;
        c.model.binary_head = m.binary_head;
        c.range_test.start_lr = r.start_lr;
        c.range_test.end_lr = r.end_lr;
        c.range_test.iters = r.iters;
        c.range_test.ramp = r.ramp;
        c.range_test.diverge = r.diverge;
        c.range_test.smooth = r.smooth;
        c.range_test.method = method;
        c.range_test.accumulation_steps = r.accumulation_steps;
        c.range_test.val_every = r.val_every;
        c.range_test.suggest_on = r.suggest_on;
        c
    }
}
