//! A table from parsed columns: the features selected by `--features` / `--ignore` copied
//! straight into one row-major f32 buffer (text columns as categories, one-hot encoded when
//! the table is finished: [`super::categories`]), bad cells (empty, NaN, infinite) counted per
//! column and refused by name or dropped, the target read as text or numbers and the task
//! inferred. A file read in blocks ([`super::chunked`]) appends each block's columns.

use std::sync::Arc;

use polars::prelude::*;

use super::categories::{Place, TextColumn, is_text, numbers_read, one_hot};
use super::extracted::{Extracted, RawTarget};
use super::frame::{missing, numeric, numeric_column};
use super::row_names::is_row_names;
use super::token_cells::read_tokens;
use super::{Table, Task};
use crate::config::{DataConfig, TaskKind, defaults};
use crate::error::{Error, Result};

/// An integer-valued target with at most this many distinct values is a class label.
const MAX_INFERRED_CLASSES: usize = 50;

/// The table of a whole frame (a built-in dataset).
pub(super) fn table_from_frame(df: &DataFrame, config: &DataConfig) -> Result<Table> {
    finish(extract(df, config, 0)?, config)
}

/// The selected feature columns and the target of a frame whose first row is row `offset`
/// of its file, checked but not yet filtered.
pub(super) fn extract(df: &DataFrame, config: &DataConfig, offset: usize) -> Result<Extracted> {
    let source = config.data.as_str();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let target_col = df
        .column(&config.target)
        .map_err(|_| missing(df, source, &config.target, "--target"))?;
    for col in &config.ignore {
        if !names.contains(col) {
            return Err(missing(df, source, col, "--ignore"));
        }
    }
    let tokens_col = config.tokens.as_deref();
    if let Some(t) = tokens_col
        && !names.iter().any(|n| n == t)
    {
        return Err(missing(df, source, t, "--tokens"));
    }
    // With token sequences the other columns are features only when named.
    // Without --features, every other column but the rows' names.
    let chosen = |n: &&String| **n != config.target && !config.ignore.contains(n);
    let row_names: Vec<String> = if config.features.is_empty() && tokens_col.is_none() {
        names
            .iter()
            .filter(chosen)
            .filter(|n| is_row_names(n))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let feature_names: Vec<String> = if config.features.is_empty() && tokens_col.is_none() {
        names
            .iter()
            .filter(chosen)
            .filter(|n| !is_row_names(n))
            .cloned()
            .collect()
    } else {
        for f in &config.features {
            if !names.contains(f) {
                return Err(missing(df, source, f, "--features"));
            }
            if *f == config.target {
                return Err(Error::option(
                    "--features",
                    format!("'{f}' is the target column"),
                ));
            }
        }
        config
            .features
            .iter()
            .filter(|f| !config.ignore.contains(f))
            .cloned()
            .collect()
    };
    if feature_names.is_empty() && tokens_col.is_none() {
        return Err(Error::Data {
            source_name: source.into(),
            message: "no feature columns left (check --features and --ignore)".into(),
        });
    }
    // The features go straight into one row-major f32 buffer, a column at a time (no
    // per-cell Option<f64> copy of the table), with each column's bad cells counted.
    let rows = df.height();
    let width = feature_names.len();
    let mut features = vec![0f32; rows * width];
    let mut bad_rows = vec![false; rows];
    let mut bad_columns: Vec<(String, usize, usize)> = Vec::new();
    let mut text = Vec::new();
    for (j, name) in feature_names.iter().enumerate() {
        let (count, first) = match df.column(name) {
            Ok(col) if is_text(col) => {
                let place = Place {
                    source,
                    column: name,
                };
                let (column, count, first) =
                    TextColumn::read(col, j, offset, &mut bad_rows, &place)?;
                text.push(column);
                (count, first)
            }
            _ => fill_column(df, source, name, &mut features, j, width, &mut bad_rows)?,
        };
        if count > 0 {
            bad_columns.push((name.clone(), count, offset + first));
        }
    }
    let raw_target = if target_col.dtype().is_string() {
        RawTarget::Text(
            target_col
                .str()
                .expect("string column")
                .iter()
                .map(|s| s.map(str::to_string))
                .collect(),
        )
    } else {
        RawTarget::Numbers(numeric(df, source, &config.target)?)
    };
    for (r, bad) in bad_rows.iter_mut().enumerate() {
        *bad |= target_is_bad(&raw_target, r);
    }
    let tokens = match tokens_col {
        Some(t) => {
            let column = read_tokens(df, source, t, offset, config.vocab)?;
            if let Some(&first) = column.missing.first() {
                bad_columns.push((t.to_string(), column.missing.len(), first));
                column
                    .missing
                    .iter()
                    .for_each(|&r| bad_rows[r - offset] = true);
            }
            Some(column)
        }
        None => None,
    };
    Ok(Extracted {
        feature_names,
        features,
        text,
        row_names,
        bad_rows,
        bad_columns,
        raw_target,
        tokens,
    })
}

fn target_is_bad(raw: &RawTarget, r: usize) -> bool {
    match raw {
        RawTarget::Text(t) => t[r].as_deref().is_none_or(str::is_empty),
        RawTarget::Numbers(v) => !v[r].is_some_and(f64::is_finite),
    }
}

/// Bad rows refused (naming the first column with a bad cell) or dropped; the task inferred.
pub(super) fn finish(e: Extracted, config: &DataConfig) -> Result<Table> {
    let source = config.data.as_str();
    let Extracted {
        feature_names,
        mut features,
        text,
        row_names,
        mut bad_rows,
        mut bad_columns,
        raw_target,
        tokens,
    } = e;
    let rows = bad_rows.len();
    let width = feature_names.len();
    if let Some(t) = &tokens {
        t.check_one_form(source)?;
    }

    // Text columns whose every value is a number (padded, say, or `Inf`) are numbers; the
    // others are categories, encoded below.
    let categories = numbers_read(
        text,
        &feature_names,
        &mut features,
        &mut bad_rows,
        &mut bad_columns,
        0,
        source,
    )?;

    // Rows with NaN, infinite or empty cells: an error naming the first such column, or dropped.
    let keep: Vec<usize> = (0..rows).filter(|&r| !bad_rows[r]).collect();
    if keep.len() < rows && !config.drop_na {
        let (column, count, first) = bad_columns.into_iter().next().unwrap_or_else(|| {
            let bad: Vec<usize> = (0..rows)
                .filter(|&r| target_is_bad(&raw_target, r))
                .collect();
            (config.target.clone(), bad.len(), bad[0])
        });
        return Err(Error::BadCells {
            source_name: source.into(),
            column,
            count,
            row: first + 1,
        });
    }
    if keep.len() < rows {
        // Compact in place: kept rows move up, in order.
        for (to, &from) in keep.iter().enumerate() {
            if to != from {
                features.copy_within(from * width..(from + 1) * width, to * width);
            }
        }
        features.truncate(keep.len() * width);
        features.shrink_to_fit();
    }
    let (feature_names, features, encoded) = if categories.is_empty() {
        (feature_names, features, Vec::new())
    } else {
        let e = one_hot(&feature_names, &features, &keep, categories);
        (e.names, e.features, e.columns)
    };
    let (task, target) = infer_task(&raw_target, &keep, config.task, source)?;
    let tokens = tokens.map(|t| {
        // Stored ids are the data's plus one, so the largest stored id is the vocabulary.
        let vocab = config
            .vocab
            .unwrap_or_else(|| t.ragged.values.iter().copied().max().unwrap_or(1) as usize);
        t.ragged.pad(
            &t.column,
            &keep,
            config.seq_len,
            defaults::MAX_DEFAULT_SEQ_LEN,
            vocab,
        )
    });
    Ok(Table {
        source: source.into(),
        feature_names,
        features: Arc::new(features),
        task,
        target: Arc::new(target),
        dropped_rows: rows - keep.len(),
        one_hot: encoded,
        row_names,
        tokens: tokens.map(Arc::new),
    })
}

/// Writes feature column `name` into column `j` of the row-major `features` (`width` wide) as
/// f32, marking rows whose cell is empty, NaN or infinite in `bad_rows`; returns how many
/// such cells the column has and the first one's row (0-based).
fn fill_column(
    df: &DataFrame,
    source: &str,
    name: &str,
    features: &mut [f32],
    j: usize,
    width: usize,
    bad_rows: &mut [bool],
) -> Result<(usize, usize)> {
    let cast = numeric_column(df, source, name)?;
    let (mut count, mut first) = (0, 0);
    for (r, v) in cast.f64().expect("cast to f64").iter().enumerate() {
        match v.filter(|x| x.is_finite()) {
            Some(x) => features[r * width + j] = x as f32,
            None => {
                if count == 0 {
                    first = r;
                }
                count += 1;
                bad_rows[r] = true;
            }
        }
    }
    Ok((count, first))
}

/// A string target, or an integer-valued one with at most 50 distinct values, is
/// classification; otherwise regression. `forced` overrides.
fn infer_task(
    raw: &RawTarget,
    keep: &[usize],
    forced: Option<TaskKind>,
    source: &str,
) -> Result<(Task, Vec<f64>)> {
    let data_err = |message: String| Error::Data {
        source_name: source.into(),
        message,
    };
    let (kind, classes, labels): (TaskKind, Vec<String>, Vec<f64>) = match raw {
        RawTarget::Text(t) => {
            if forced == Some(TaskKind::Regression) {
                return Err(Error::option(
                    "--task",
                    "regression needs a numeric target column",
                ));
            }
            let mut classes: Vec<String> = keep
                .iter()
                .map(|&r| t[r].clone().unwrap_or_default())
                .collect();
            classes.sort();
            classes.dedup();
            let labels = keep
                .iter()
                .map(|&r| {
                    classes
                        .binary_search(t[r].as_ref().expect("kept"))
                        .expect("present") as f64
                })
                .collect();
            (TaskKind::Classification, classes, labels)
        }
        RawTarget::Numbers(v) => {
            let values: Vec<f64> = keep.iter().map(|&r| v[r].expect("kept")).collect();
            let mut distinct = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let integral = values.iter().all(|x| x.fract() == 0.0);
            let kind = forced.unwrap_or(if integral && distinct.len() <= MAX_INFERRED_CLASSES {
                TaskKind::Classification
            } else {
                TaskKind::Regression
            });
            match kind {
                TaskKind::Regression => (kind, Vec::new(), values),
                TaskKind::Classification => {
                    let labels = values
                        .iter()
                        .map(|x| {
                            distinct
                                .binary_search_by(|d| d.total_cmp(x))
                                .expect("present") as f64
                        })
                        .collect();
                    (
                        kind,
                        distinct.iter().map(|d| format!("{d}")).collect(),
                        labels,
                    )
                }
            }
        }
    };
    match kind {
        TaskKind::Regression => Ok((Task::Regression, labels)),
        TaskKind::Classification => {
            if classes.len() < 2 {
                return Err(data_err(format!(
                    "the target has {} class(es); classification needs at least two",
                    classes.len()
                )));
            }
            Ok((Task::Classification { classes }, labels))
        }
    }
}
