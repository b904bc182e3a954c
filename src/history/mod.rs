//! Saved results read back without retraining: a range test's `lr_find.csv`, compare's
//! `compare.csv` and sweep's `sweep.csv` (or their Parquet forms), recognised by their
//! columns. `lrfind plot` draws figures from these.

#[cfg(feature = "tables")]
mod read;

#[cfg(feature = "tables")]
pub use read::read;

/// A range test's history.
#[derive(Debug, Clone, PartialEq)]
pub struct LrFindHistory {
    /// LR of each iteration.
    pub lrs: Vec<f64>,
    /// Raw training loss.
    pub losses: Vec<f64>,
    /// Smoothed training loss as saved (fastai's EMA).
    pub smoothed: Vec<f64>,
    /// The centered smoothing `knee` reads (`centered_loss`; computed from the raw loss
    /// for histories saved without it).
    pub centered: Vec<f64>,
    /// Validation points `(lr, loss)`, when the test recorded them.
    pub validation: Vec<(f64, f64)>,
}

/// One setting of a saved comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRunHistory {
    /// Setting name.
    pub name: String,
    /// LR of every step.
    pub lrs: Vec<f64>,
    /// Training loss of every step.
    pub losses: Vec<f64>,
    /// `(epoch, validation loss, validation metric)` per epoch.
    pub epochs: Vec<(f64, f64, f64)>,
}

/// One row of a saved sweep table (a configuration on one split).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// Group label ("" when no factor but the LR varies).
    pub group: String,
    /// Learning rate.
    pub lr: f64,
    /// Split name.
    pub split: String,
    /// Loss.
    pub loss: f64,
    /// Accuracy (classification) or MSE (regression).
    pub metric: f64,
    /// Whether `metric` is accuracy.
    pub accuracy: bool,
}

/// A saved result of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum History {
    /// `lr_find.csv`.
    LrFind(LrFindHistory),
    /// `compare.csv`.
    Compare(Vec<CompareRunHistory>),
    /// `sweep.csv`.
    Sweep(Vec<SweepRow>),
}
