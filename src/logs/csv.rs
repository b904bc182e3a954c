//! CSV training logs: Keras' `CSVLogger` (a row per epoch, epochs from 0), Lightning's
//! `CSVLogger` `metrics.csv` (sparse rows: per-step metrics on some, per-epoch metrics on
//! others, an `epoch` and a `step` column on all), and any CSV with an `epoch` column.
//!
//! A row with a step but no epoch (Lightning's `LearningRateMonitor` writes its `lr-*`
//! rows so) takes the epoch of the latest row at or before its step that has one.
//!
//! Epochs counted from 0 (the first row's epoch is 0, as Keras and Lightning write them) are
//! shifted to count from 1. Every other numeric column is a metric, including one whose cells
//! Python wrote as `nan` or `inf` (which polars reads as text); other text columns are left
//! out.

use std::path::Path;

use super::{LogFormat, Metric, Point, RawLog};
use crate::data::{numeric, parse_csv};
use crate::error::{Error, Result};

/// Reads a CSV log (Lightning's `metrics.csv` is told by its sparse rows or its name).
pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<RawLog> {
    let source = path.display().to_string();
    let df = parse_csv(bytes, path)?;
    let columns: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let find = |name: &str| columns.iter().find(|c| c.eq_ignore_ascii_case(name));
    let bad = |message: String| Error::Data {
        source_name: source.clone(),
        message,
    };
    let epoch_col = find("epoch").ok_or_else(|| {
        bad(format!(
            "not a training log: no 'epoch' column (columns: {})",
            columns.join(", ")
        ))
    })?;
    let mut epochs = numeric(&df, &source, epoch_col)?;
    let steps = match find("step") {
        Some(c) => Some(numeric(&df, &source, c)?),
        None => None,
    };
    if let Some(steps) = &steps {
        fill_epochs_from_steps(&mut epochs, steps);
    }
    let whole = |v: f64| v.is_finite() && v >= 0.0 && v.fract() == 0.0;
    if let Some(row) = epochs.iter().position(|e| e.is_some_and(|e| !whole(e))) {
        return Err(bad(format!(
            "column '{epoch_col}' row {}: an epoch must be a whole number, got {}",
            row + 1,
            epochs[row].unwrap_or_default()
        )));
    }
    let first = epochs
        .iter()
        .flatten()
        .copied()
        .fold(f64::INFINITY, f64::min);
    if !first.is_finite() {
        return Err(bad(format!("column '{epoch_col}' has no values")));
    }
    let shift = if first == 0.0 { 1 } else { 0 };
    let mut metrics = Vec::new();
    let mut sparse = false;
    for name in &columns {
        if Some(name) == find("epoch") || Some(name) == find("step") {
            continue;
        }
        let Some(values) = column_values(&df, &source, name)? else {
            continue;
        };
        let mut points = Vec::new();
        for (row, value) in values.iter().enumerate() {
            let (Some(value), Some(epoch)) = (value, epochs[row]) else {
                sparse |= value.is_none();
                continue;
            };
            points.push(Point {
                epoch: epoch as usize + shift,
                step: steps
                    .as_ref()
                    .and_then(|s| s[row])
                    .filter(|s| whole(*s))
                    .map(|s| s as u64),
                value: *value,
                weight: 1.0,
                wall: None,
            });
        }
        if !points.is_empty() {
            metrics.push(Metric {
                name: name.clone(),
                points,
            });
        }
    }
    let lightning =
        steps.is_some() && (sparse || path.file_name().is_some_and(|n| n == "metrics.csv"));
    let keras = steps.is_none() && shift == 1 && find("loss").is_some();
    Ok(RawLog {
        format: if lightning {
            LogFormat::LightningCsv
        } else if keras {
            LogFormat::KerasCsv
        } else {
            LogFormat::PlainCsv
        },
        metrics,
        seconds: None,
        note: None,
    })
}

/// A column's values: numeric columns as they are; a text column when every non-empty cell is
/// a number as Python writes it (`nan`, `inf`, `-inf` included); `None` for other columns.
fn column_values(
    df: &polars::prelude::DataFrame,
    source: &str,
    name: &str,
) -> Result<Option<Vec<Option<f64>>>> {
    let Ok(col) = df.column(name) else {
        return Ok(None);
    };
    let dtype = col.dtype();
    if dtype.is_primitive_numeric() || dtype.is_null() {
        return numeric(df, source, name).map(Some);
    }
    let Ok(text) = col.str() else {
        return Ok(None);
    };
    let parsed: Option<Vec<Option<f64>>> = text
        .iter()
        .map(|cell| match cell.map(str::trim) {
            None | Some("") => Some(None),
            Some(c) => c.parse::<f64>().ok().map(Some),
        })
        .collect();
    Ok(parsed)
}

/// Gives a row with a step but no epoch the epoch of the latest row, at or before its step,
/// that has one (the first such row's when none comes before).
fn fill_epochs_from_steps(epochs: &mut [Option<f64>], steps: &[Option<f64>]) {
    let mut known: Vec<(f64, f64)> = epochs
        .iter()
        .zip(steps)
        .filter_map(|(e, s)| Some(((*s)?, (*e)?)))
        .collect();
    known.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    if known.is_empty() {
        return;
    }
    for (e, s) in epochs.iter_mut().zip(steps) {
        if let (None, Some(s)) = (*e, s) {
            let i = known.partition_point(|k| k.0 <= *s);
            *e = Some(known[i.saturating_sub(1)].1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fill_epochs_from_steps;

    #[test]
    fn rows_without_an_epoch_take_it_from_their_step() {
        let mut epochs = [None, Some(0.0), None, Some(0.0), Some(1.0), None];
        let steps = [
            Some(9.0),
            Some(9.0),
            Some(44.0),
            Some(44.0),
            Some(49.0),
            Some(54.0),
        ];
        fill_epochs_from_steps(&mut epochs, &steps);
        assert_eq!(
            epochs,
            [
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(1.0),
                Some(1.0)
            ]
        );
    }
}
