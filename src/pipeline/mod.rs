//! The built-in pipeline: the MLP on a table, a client of the library like a user's own
//! program. For `lrfind suggest`: load and prepare the data, build the MLP and optimizer from
//! the config, and run the range test through [`crate::finder::range_test`]; for the runs,
//! the MLP's training run ([`train_run`], over [`crate::run::train_model`]) and `compare` on
//! the MLP ([`compare()`], over the settings of [`crate::compare`]).

mod compare;
pub mod evaluate;
mod mlp_run;
pub mod sweep;

pub use compare::{CompareProgress, Comparison, compare};
pub use mlp_run::{RunContext, train_run};

use std::time::{Duration, Instant};

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::analysis::evaluation::{geometric_mean, spread_decades};
use crate::config::{Backend, SuggestConfig};
use crate::data::{self, Batcher, Prepared, Task};
use crate::error::{Error, Result};
use crate::finder::{self, Hooks, RangeTestResult};
use crate::model::{Head, Mlp};
use crate::train;

/// The device for a backend, with autodiff (training needs gradients).
pub fn device(backend: Backend) -> Device {
    plain_device(backend).autodiff()
}

/// The device for a backend, without autodiff (evaluation).
#[allow(deprecated)] // burn-ndarray is deprecated upstream but still asked for by users
pub fn plain_device(backend: Backend) -> Device {
    match backend {
        Backend::Flex => Device::flex(),
        Backend::Ndarray => Device::ndarray(),
        #[cfg(feature = "wgpu")]
        Backend::Wgpu => Device::wgpu(Default::default()),
    }
}

/// What the data looked like, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// File path or built-in name.
    pub source: String,
    /// Rows used (after dropping bad rows).
    pub rows: usize,
    /// Feature columns.
    pub features: Vec<String>,
    /// The task, with class names for classification.
    pub task: Task,
    /// Rows in the training, validation and (optional) test parts.
    pub split_rows: Vec<usize>,
    /// Rows dropped by `drop_na`.
    pub dropped_rows: usize,
    /// Whether features were standardised.
    pub standardized: bool,
    /// The text feature columns, one-hot encoded: each one's name and number of categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_hot: Vec<(String, usize)>,
    /// Columns of row names left out of the features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub row_names: Vec<String>,
    /// The farthest value of the validation and test parts from the training part, when it
    /// lies beyond [`data::FAR_OUTSIDE_SDS`] of its standard deviations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub far_outside: Option<data::FarOutside>,
    /// The token sequences, for sequence data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<SequenceSummary>,
}

/// What the token sequences of sequence data looked like, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceSummary {
    /// The `--tokens` column.
    pub column: String,
    /// Tokens per row after padding or truncation.
    pub seq_len: usize,
    /// Token ids run from 0 to `vocab - 1`.
    pub vocab: usize,
    /// Lengths as read, and rows truncated.
    pub stats: data::TokenStats,
}

impl SequenceSummary {
    /// One line, e.g. "tokens 'seq': 32 per row (read 5 to 40, mean 21.3; 12 rows cut to 32), 100 ids".
    pub fn line(&self) -> String {
        let s = &self.stats;
        let cut = match s.truncated {
            0 => String::new(),
            n => format!("; {n} rows cut to {}", self.seq_len),
        };
        format!(
            "tokens '{}': {} per row (read {} to {}, mean {:.1}{cut}), {} ids",
            self.column, self.seq_len, s.shortest, s.longest, s.mean, self.vocab
        )
    }
}

impl DataSummary {
    /// The rows of one training batch when `requested` was asked for ([`data::batch_rows`]).
    pub fn batch_rows(&self, requested: usize) -> usize {
        data::batch_rows(requested, self.split_rows.first().copied().unwrap_or(0))
    }

    /// For each of `sizes` (sorted, once each) that exceeds the training part, the sentence
    /// a report prints: "Batch size 500 exceeds the training part: each of its batches is
    /// the whole part (120 rows)."
    pub fn whole_part_batches(&self, sizes: impl IntoIterator<Item = usize>) -> Vec<String> {
        let mut sizes: Vec<usize> = sizes.into_iter().collect();
        sizes.sort_unstable();
        sizes.dedup();
        (sizes.into_iter())
            .filter_map(|b| {
                let rows = self.batch_rows(b);
                (rows < b).then(|| {
                    format!(
                        "Batch size {b} exceeds the training part: each of its batches is the whole part ({rows} rows)."
                    )
                })
            })
            .collect()
    }

    /// "batch 64", or, where the training part has fewer rows than `requested`, "batch 45
    /// (the whole training part: fewer rows than --batch-size 64)" ([`data::batch_rows`]).
    pub fn batch_text(&self, requested: usize) -> String {
        let rows = self.batch_rows(requested);
        if rows < requested {
            format!(
                "batch {rows} (the whole training part: fewer rows than --batch-size {requested})"
            )
        } else {
            format!("batch {rows}")
        }
    }

    /// Summary of a prepared dataset.
    pub fn of(data: &Prepared) -> Self {
        DataSummary {
            source: data.table.source.clone(),
            rows: data.table.rows(),
            features: data.table.feature_names.clone(),
            task: data.table.task.clone(),
            split_rows: data.parts.iter().map(Vec::len).collect(),
            dropped_rows: data.table.dropped_rows,
            standardized: data.standardizer.is_some(),
            one_hot: data.table.one_hot.clone(),
            row_names: data.table.row_names.clone(),
            far_outside: data::far_outside(data),
            tokens: data.table.tokens.as_ref().map(|t| SequenceSummary {
                column: t.column.clone(),
                seq_len: t.seq_len,
                vocab: t.vocab,
                stats: t.stats,
            }),
        }
    }
}

/// A finished `suggest` run: the config, what was trained, and the range-test result.
#[derive(Debug, Clone)]
pub struct SuggestRun {
    /// The configuration used.
    pub config: SuggestConfig,
    /// The data.
    pub data: DataSummary,
    /// e.g. "MLP 64-128-10".
    pub model: String,
    /// e.g. "10-class cross-entropy".
    pub loss: String,
    /// e.g. "AdamW".
    pub optimizer: String,
    /// The curve and suggestions.
    pub result: RangeTestResult,
    /// Wall time from loading the data to the analysed result.
    pub total_time: Duration,
    /// With `--repeats`: the suggestions of every seed and their agreement.
    pub repeats: Option<Repeats>,
}

/// Range tests repeated over seeds (the initial weights and the batch order change; the
/// data split does not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repeats {
    /// The seeds, the first being the main run's.
    pub seeds: Vec<u64>,
    /// The chosen rule's suggestion per seed.
    pub suggestions: Vec<Option<f64>>,
    /// Their geometric mean.
    pub geometric_mean: Option<f64>,
    /// Their spread (largest over smallest), in decades.
    pub spread_decades: f64,
    /// Set when the spread exceeds half a decade.
    pub warning: Option<String>,
}

/// Spread above which repeated suggestions are flagged, in decades.
pub const REPEAT_SPREAD_WARNING: f64 = 0.5;

/// Most repeats `suggest` accepts: each is a whole range test.
pub const MAX_REPEATS: usize = 1000;

impl Repeats {
    /// Checks a number of repeats (1 is a single run); errors name `--repeats`.
    pub fn check(repeats: usize) -> Result<()> {
        let why = "each repeat is a whole range test";
        Error::check_count("--repeats", repeats, MAX_REPEATS, why)
    }

    /// Summarises the runs of several seeds (the first is the main run).
    pub fn of(runs: &[&RangeTestResult], seeds: &[u64]) -> Self {
        let suggestions: Vec<Option<f64>> = runs.iter().map(|r| r.chosen().lr).collect();
        let answered: Vec<f64> = suggestions.iter().flatten().copied().collect();
        let spread = spread_decades(&answered);
        let missing = suggestions.iter().filter(|s| s.is_none()).count();
        let warning = if spread > REPEAT_SPREAD_WARNING {
            Some(format!(
                "the suggestion moves by {spread:.2} decades across seeds: the curve is not a reliable guide for this model and data"
            ))
        } else if missing > 0 {
            Some(format!(
                "{missing} of {} seeds gave no suggestion",
                runs.len()
            ))
        } else {
            None
        };
        Repeats {
            seeds: seeds.to_vec(),
            geometric_mean: geometric_mean(&answered),
            spread_decades: spread,
            suggestions,
            warning,
        }
    }
}

/// Loads and prepares the data a config names (the step that can fail on bad input).
#[cfg(feature = "tables")]
pub fn load_data(config: &SuggestConfig) -> Result<Prepared> {
    config.validate()?;
    let table = data::load(&config.data)?;
    data::prepare(table, &config.data, config.seed)
}

/// Batch size of evaluation passes (results do not depend on it).
pub const EVAL_BATCH: usize = 512;

/// The given rows for evaluation, on the backend's device without autodiff: iterate them
/// with `in_order_iter(EVAL_BATCH)`, which builds one batch at a time.
pub fn eval_set(data: &Prepared, rows: &[usize], head: Head, backend: Backend) -> Batcher {
    let plain = plain_device(backend);
    Batcher::new(data, rows, EVAL_BATCH, head.targets(), &plain, 0)
}

/// Batches in one epoch of the training a user plans on `data` at `batch_size`: every
/// training row once, the last batch short (`ceil(rows / batch)`, at least 1).
pub fn planned_batches_per_epoch(data: &Prepared, batch_size: usize) -> usize {
    data::batches_per_epoch(data.train().len(), batch_size, true)
}

/// Runs the range test of the built-in MLP on prepared data. Reseeds the device first, so
/// the result depends only on the config. With `val_every`, the validation loss on the
/// validation part is recorded too (unless `hooks` bring their own validation function).
pub fn suggest(
    config: &SuggestConfig,
    data: &Prepared,
    hooks: Hooks<'_, Mlp>,
) -> Result<SuggestRun> {
    let started = Instant::now();
    let device = device(config.backend);
    device.seed(config.seed);
    let head = Head::for_task(&data.table.task, config.model.binary_head);
    let model = Mlp::for_table(&data.table, &config.model, head, &device)?;
    let batches = Batcher::new(
        data,
        data.train(),
        config.data.batch_size,
        head.targets(),
        &device,
        config.seed,
    );
    let valid = if config.range_test.val_every > 0 && hooks.validate.is_none() {
        eval_set(data, data.valid(), head, config.backend)
    } else {
        eval_set(data, &[], head, config.backend)
    };
    if config.range_test.val_every > 0 && valid.is_empty() && hooks.validate.is_none() {
        return Err(crate::Error::option(
            "--val-every",
            "the validation curve needs a validation part (the second --split fraction)",
        ));
    }
    let mut validate =
        |m: &Mlp| train::evaluate(m, Mlp::forward, head, valid.in_order_iter(EVAL_BATCH), 1.0).loss;
    // The caller's hooks, with the built-in validation function when it has none (the
    // casts shorten the trait objects' lifetimes to this function's).
    let hooks = Hooks {
        validate: match hooks.validate {
            Some(v) => Some(v as &mut dyn FnMut(&Mlp) -> f64),
            None if !valid.is_empty() => Some(&mut validate),
            None => None,
        },
        on_step: hooks
            .on_step
            .map(|f| f as &mut dyn FnMut(&finder::Progress)),
        stop: hooks.stop,
    };
    // An epoch of the planned training is a pass over the training part with its last short
    // batch kept, as PyTorch's, Keras' and Burn's loaders make it (and `analyze --epochs`
    // counts it); lrfind's own runs (which drop that batch unless `keep_last_batch`) give
    // their own step counts.
    let mut range_test = config.range_test.clone();
    range_test
        .batches_per_epoch
        .get_or_insert(planned_batches_per_epoch(data, config.data.batch_size));
    let result = finder::range_test(
        &model,
        train::optimizer(&config.optimizer),
        batches,
        |m: &Mlp, b: &data::Batch| head.loss(m.forward(b), b),
        &range_test,
        hooks,
    )?;
    Ok(SuggestRun {
        config: config.clone(),
        data: DataSummary::of(data),
        model: model.describe(),
        loss: head.describe(),
        optimizer: train::describe_optimizer(&config.optimizer),
        result,
        total_time: started.elapsed(),
        repeats: None,
    })
}
