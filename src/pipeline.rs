//! The built-in pipeline behind `lrfind suggest`: load and prepare the data, build the MLP
//! and optimizer from the config, and run the range test through the library API
//! ([`crate::finder::range_test`]), exactly as a user's own program would.

use std::time::{Duration, Instant};

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::config::{Backend, SuggestConfig};
use crate::data::{self, Batcher, Prepared, Task};
use crate::error::Result;
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
}

impl DataSummary {
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
}

/// Loads and prepares the data a config names (the step that can fail on bad input).
pub fn load_data(config: &SuggestConfig) -> Result<Prepared> {
    config.validate()?;
    let table = data::load(&config.data)?;
    data::prepare(table, &config.data, config.seed)
}

/// Runs the range test of the built-in MLP on prepared data. Reseeds the device first, so
/// the result depends only on the config.
pub fn suggest(config: &SuggestConfig, data: &Prepared, hooks: Hooks) -> Result<SuggestRun> {
    let started = Instant::now();
    let device = device(config.backend);
    device.seed(config.seed);
    let head = Head::for_task(&data.table.task, config.model.binary_head);
    let inputs = data.table.width();
    let model = Mlp::new(inputs, &config.model, head, &device);
    let batches = Batcher::new(
        data,
        data.train(),
        config.data.batch_size,
        head.targets(),
        &device,
        config.seed,
    );
    let result = finder::range_test(
        &model,
        train::optimizer(&config.optimizer),
        batches,
        |m: &Mlp, b: &data::Batch| head.loss(m.forward(b.inputs.clone()), b),
        &config.range_test,
        hooks,
    )?;
    Ok(SuggestRun {
        config: config.clone(),
        data: DataSummary::of(data),
        model: model.describe(inputs),
        loss: head.describe(),
        optimizer: train::describe_optimizer(&config.optimizer),
        result,
        total_time: started.elapsed(),
    })
}
