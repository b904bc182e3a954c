//! Range-test curves saved by other tools, read into LRs and the losses as saved: CSV or
//! Parquet with an LR and a loss column (common names accepted), or JSON with two arrays
//! (`{"lr": [...], "loss": [...]}` as torch-lr-finder's history and Lightning's results are
//! saved, `{"lrs": [...], "losses": [...]}` as fastai's recorder). Errors name the file and
//! the column.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::{numeric, read_frame};
use crate::error::{Error, Result};

/// Accepted names of the LR column (or JSON key), in order of preference.
pub const LR_NAMES: [&str; 5] = ["lr", "lrs", "learning_rate", "learning_rates", "LR"];
/// Accepted names of the loss column (or JSON key), in order of preference.
pub const LOSS_NAMES: [&str; 4] = ["loss", "losses", "train_loss", "training_loss"];

/// A saved curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedCurve {
    /// The LR column (or key) that was read.
    pub lr_column: String,
    /// The loss column (or key) that was read.
    pub loss_column: String,
    /// LRs, in file order.
    pub lrs: Vec<f64>,
    /// Losses as saved (NaN for empty or null cells).
    #[serde(with = "crate::nullable::vec")]
    pub losses: Vec<f64>,
}

/// Reads a saved curve; JSON is recognised by its extension or its first character.
pub fn read_curve(path: &Path) -> Result<SavedCurve> {
    let bytes = std::fs::read(path).map_err(|e| Error::DataRead {
        path: path.into(),
        message: e.to_string(),
    })?;
    let json = path.extension().is_some_and(|e| e == "json")
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let curve = if json {
        from_json(path, &bytes)?
    } else {
        from_table(path)?
    };
    if curve.lrs.len() != curve.losses.len() {
        return Err(Error::DataFormat {
            path: path.into(),
            format: "JSON",
            message: format!(
                "'{}' has {} values and '{}' {}",
                curve.lr_column,
                curve.lrs.len(),
                curve.loss_column,
                curve.losses.len()
            ),
        });
    }
    Ok(curve)
}

fn pick<'a>(names: &[&'a str], has: impl Fn(&str) -> bool) -> Option<&'a str> {
    names.iter().copied().find(|n| has(n))
}

fn not_found(path: &Path, what: &str, names: &[&str], found: &[String]) -> Error {
    Error::Data {
        source_name: path.display().to_string(),
        message: format!(
            "no {what} column (looked for {}); it has: {}",
            names.join(", "),
            found.join(", ")
        ),
    }
}

fn from_table(path: &Path) -> Result<SavedCurve> {
    let source = path.display().to_string();
    let df = read_frame(&source)?;
    let columns: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let has = |n: &str| columns.iter().any(|c| c == n);
    let lr = pick(&LR_NAMES, has).ok_or_else(|| not_found(path, "LR", &LR_NAMES, &columns))?;
    let loss =
        pick(&LOSS_NAMES, has).ok_or_else(|| not_found(path, "loss", &LOSS_NAMES, &columns))?;
    let values = |name: &str| -> Result<Vec<f64>> {
        Ok(numeric(&df, &source, name)?
            .into_iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect())
    };
    Ok(SavedCurve {
        lrs: values(lr)?,
        losses: values(loss)?,
        lr_column: lr.into(),
        loss_column: loss.into(),
    })
}

fn from_json(path: &Path, bytes: &[u8]) -> Result<SavedCurve> {
    let bad = |message: String| Error::DataFormat {
        path: path.into(),
        format: "JSON",
        message,
    };
    let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("{e}")))?;
    let object = doc.as_object().ok_or_else(|| {
        bad("expected an object of arrays, e.g. {\"lr\": [...], \"loss\": [...]}".into())
    })?;
    let keys: Vec<String> = object.keys().cloned().collect();
    let has = |n: &str| object.contains_key(n);
    let lr = pick(&LR_NAMES, has).ok_or_else(|| not_found(path, "LR", &LR_NAMES, &keys))?;
    let loss = pick(&LOSS_NAMES, has).ok_or_else(|| not_found(path, "loss", &LOSS_NAMES, &keys))?;
    let values = |key: &str| -> Result<Vec<f64>> {
        let array = object[key]
            .as_array()
            .ok_or_else(|| bad(format!("'{key}' is not an array")))?;
        array
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                serde_json::Value::Null => Ok(f64::NAN),
                v => v
                    .as_f64()
                    .ok_or_else(|| bad(format!("'{key}' value {} is not a number: {v}", i + 1))),
            })
            .collect()
    };
    Ok(SavedCurve {
        lrs: values(lr)?,
        losses: values(loss)?,
        lr_column: lr.into(),
        loss_column: loss.into(),
    })
}

/// What `lrfind analyze` found in a saved curve; written as its `lr_find.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The file read.
    pub source: String,
    /// The tool that wrote it, with the version its format and smoothing were checked
    /// against.
    pub from: String,
    /// The smoothing undone to recover the raw loss.
    pub smoothing: crate::analysis::foreign::Smoothing,
    /// The LR column (or key) read.
    pub lr_column: String,
    /// The loss column (or key) read.
    pub loss_column: String,
    /// The ramp recognised from the LRs.
    pub ramp: crate::analysis::foreign::RampFit,
    /// The ramp in words.
    pub ramp_text: String,
    /// The reported suggestion.
    pub chosen: crate::analysis::Suggestion,
    /// The curve (raw losses recovered), every rule's answer and the planned training.
    pub result: crate::finder::RangeTestResult,
}
