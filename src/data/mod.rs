//! Data: loading tables (CSV, Parquet, built-in datasets), inferring the task, the one
//! seeded split function, standardisation, and batching into tensors.
//!
//! The flow is [`load`] (a [`Table`] of f32 features, optional [`Tokens`] and a target) →
//! [`prepare`] (split, and fit the standardiser, into a [`Prepared`] dataset) → [`Batcher`]
//! (mini-batches as tensors, standardised as they are built).

mod batch;
#[cfg(feature = "tables")]
mod categories;
#[cfg(feature = "tables")]
mod chunked;
#[cfg(feature = "tables")]
mod columns;
#[cfg(feature = "tables")]
mod extracted;
#[cfg(feature = "tables")]
mod frame;
#[cfg(feature = "tables")]
mod load;
mod outliers;
mod resample;
#[cfg(feature = "tables")]
mod row_names;
mod split;
#[cfg(feature = "tables")]
mod token_cells;
mod tokens;

pub use batch::{Batch, Batcher, Targets};
#[cfg(feature = "tables")]
pub use frame::BUILTIN;
#[cfg(feature = "tables")]
pub(crate) use frame::{numeric, one_line, parse_csv, read_frame};
#[cfg(feature = "tables")]
pub use load::load;
pub use outliers::{FAR_OUTSIDE_SDS, FarOutside, far_outside, far_outside_of};
pub use resample::{Resample, resample};
pub use split::{
    Prepared, Standardizer, batch_rows, batches_per_epoch, check_classes, prepare, split_indices,
};
pub use tokens::{Ragged, TokenStats, Tokens};

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// What the target is, once the task is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Task {
    /// Predict one of `classes` (sorted distinct target values, as text).
    Classification {
        /// The class names; a label is an index into this list.
        classes: Vec<String>,
    },
    /// Predict a number.
    Regression,
}

impl Task {
    /// Number of classes (0 for regression).
    pub fn num_classes(&self) -> usize {
        match self {
            Task::Classification { classes } => classes.len(),
            Task::Regression => 0,
        }
    }
}

/// A loaded table: row-major f32 features and a target per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file path or built-in name the table came from.
    pub source: String,
    /// Feature column names, in column order.
    pub feature_names: Vec<String>,
    /// Row-major features, `rows × feature_names.len()`, as read (shared: a clone of the
    /// table, or a [`Prepared`] view of it, copies no features).
    pub features: Arc<Vec<f32>>,
    /// The task, with the class names for classification.
    pub task: Task,
    /// Class index per row (classification) or value per row (regression); shared as the
    /// features are.
    pub target: Arc<Vec<f64>>,
    /// Rows dropped by `drop_na`.
    pub dropped_rows: usize,
    /// The text feature columns, one-hot encoded: each one's name and number of categories
    /// (its features are named `column=value`).
    pub one_hot: Vec<(String, usize)>,
    /// Columns of row names left out of the features (R's blank-headed first column or
    /// `rownames`, pandas' `Unnamed: 0`).
    pub row_names: Vec<String>,
    /// Each row's token sequence, when the data has a `--tokens` column (shared, as the
    /// features are).
    pub tokens: Option<Arc<Tokens>>,
}

impl Table {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.target.len()
    }

    /// Number of features.
    pub fn width(&self) -> usize {
        self.feature_names.len()
    }

    /// Class index per row, for classification.
    pub fn labels(&self) -> Option<Vec<usize>> {
        matches!(self.task, Task::Classification { .. })
            .then(|| self.target.iter().map(|&v| v as usize).collect())
    }
}
