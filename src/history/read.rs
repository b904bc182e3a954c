//! Reading a saved table back (polars): which of the three it is, from its columns, and its
//! values, with errors naming the file and the column.

use std::path::Path;

use polars::prelude::*;

use super::{CompareRunHistory, History, LrFindHistory, SweepRow};
use crate::data::{numeric, one_line, read_frame};
use crate::error::{Error, Result};

fn has(df: &DataFrame, names: &[&str]) -> bool {
    names.iter().all(|n| df.column(n).is_ok())
}

/// A numeric column; an all-empty column (read as text) gives NaNs.
fn floats(df: &DataFrame, source: &str, name: &str) -> Result<Vec<f64>> {
    let col = df.column(name).map_err(|e| Error::Data {
        source_name: source.into(),
        message: one_line(&e.to_string()),
    })?;
    if col.dtype() == &DataType::String && col.null_count() + count_empty(col) == col.len() {
        return Ok(vec![f64::NAN; col.len()]);
    }
    Ok(numeric(df, source, name)?
        .into_iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

fn count_empty(col: &Column) -> usize {
    col.str()
        .map_or(0, |s| s.iter().filter(|v| *v == Some("")).count())
}

fn texts(df: &DataFrame, source: &str, name: &str) -> Result<Vec<String>> {
    let col = df
        .column(name)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|e| Error::Data {
            source_name: source.into(),
            message: format!("column '{name}': {}", one_line(&e.to_string())),
        })?;
    Ok(col
        .str()
        .expect("cast to text")
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect())
}

/// Reads a saved `lr_find`, `compare` or `sweep` table (CSV or Parquet).
pub fn read(path: &Path) -> Result<History> {
    let source = path.display().to_string();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return Err(Error::DataFormat {
            path: path.into(),
            format: "table",
            message: "this is a JSON file; lrfind plot redraws the saved tables (lr_find.csv, compare.csv, \
                      sweep.csv, or their .parquet forms)"
                .into(),
        });
    }
    let df = read_frame(&source)?;
    let s = source.as_str();
    if has(&df, &["iteration", "lr", "loss", "smoothed_loss"]) {
        let val = if has(&df, &["val_loss"]) {
            let lrs = floats(&df, s, "lr")?;
            let v = floats(&df, s, "val_loss")?;
            lrs.into_iter().zip(v).filter(|p| p.1.is_finite()).collect()
        } else {
            Vec::new()
        };
        let (lrs, losses) = (floats(&df, s, "lr")?, floats(&df, s, "loss")?);
        // A figure needs points: a finite loss at a positive LR (the LR axis is logarithmic).
        if lrs.iter().any(|&lr| lr.is_nan() || lr <= 0.0) {
            return Err(Error::Data {
                source_name: source.clone(),
                message: "column 'lr': every learning rate must be a positive number".into(),
            });
        }
        if losses.iter().filter(|l| l.is_finite()).count() < 2 {
            return Err(Error::Data {
                source_name: source.clone(),
                message: "column 'loss': fewer than two finite values, nothing to draw".into(),
            });
        }
        // Histories written before the column existed: the same curve from the raw loss.
        let centered = if has(&df, &["centered_loss"]) {
            floats(&df, s, "centered_loss")?
        } else {
            crate::analysis::rules::knee_curve(&lrs, &losses)
        };
        return Ok(History::LrFind(LrFindHistory {
            smoothed: floats(&df, s, "smoothed_loss")?,
            centered,
            lrs,
            losses,
            validation: val,
        }));
    }
    if has(
        &df,
        &[
            "setting",
            "step",
            "epoch",
            "lr",
            "train_loss",
            "val_loss",
            "val_metric",
        ],
    ) {
        let names = texts(&df, s, "setting")?;
        let (lr, loss) = (floats(&df, s, "lr")?, floats(&df, s, "train_loss")?);
        let (epoch, vl, vm) = (
            floats(&df, s, "epoch")?,
            floats(&df, s, "val_loss")?,
            floats(&df, s, "val_metric")?,
        );
        let mut runs: Vec<CompareRunHistory> = Vec::new();
        for i in 0..names.len() {
            if runs.last().is_none_or(|r| r.name != names[i]) {
                runs.push(CompareRunHistory {
                    name: names[i].clone(),
                    lrs: Vec::new(),
                    losses: Vec::new(),
                    epochs: Vec::new(),
                });
            }
            let run = runs.last_mut().expect("pushed");
            run.lrs.push(lr[i]);
            run.losses.push(loss[i]);
            if vl[i].is_finite() {
                run.epochs.push((epoch[i], vl[i], vm[i]));
            }
        }
        return Ok(History::Compare(runs));
    }
    if has(
        &df,
        &["index", "group", "lr", "split", "loss", "accuracy", "mse"],
    ) {
        let (groups, splits) = (texts(&df, s, "group")?, texts(&df, s, "split")?);
        let (lr, loss) = (floats(&df, s, "lr")?, floats(&df, s, "loss")?);
        let (acc, mse) = (floats(&df, s, "accuracy")?, floats(&df, s, "mse")?);
        let rows = (0..lr.len())
            .map(|i| SweepRow {
                group: groups[i].clone(),
                lr: lr[i],
                split: splits[i].clone(),
                loss: loss[i],
                accuracy: acc[i].is_finite(),
                metric: if acc[i].is_finite() { acc[i] } else { mse[i] },
            })
            .collect();
        return Ok(History::Sweep(rows));
    }
    Err(Error::Data {
        source_name: source,
        message: "not an lr_find, compare or sweep table (its columns do not match any)".into(),
    })
}
