//! Hugging Face `Trainer`'s `trainer_state.json`: `log_history` is a list of records, each
//! with a fractional `epoch` and a `step`. Training records (`loss`, `learning_rate`,
//! `grad_norm`) come every `logging_steps`; evaluation records (`eval_loss`,
//! `eval_accuracy`, ...) at each evaluation; the last record sums the training up
//! (`train_runtime`, `train_loss`) and gives the wall time instead of a point.
//!
//! A record at fractional epoch `x` belongs to epoch `ceil(x)` (an evaluation at the end of
//! epoch 2 is logged at `2.0`); one at epoch 0 (an evaluation before training) is left out.
//! Python's `json` writes a NaN or infinite loss as the bare words `NaN`, `Infinity`,
//! `-Infinity`, which are not JSON: they are read as a NaN value (the run diverged).

use std::path::Path;

use super::{LogFormat, Metric, Point, RawLog, push_points};
use crate::error::{Error, Result};

/// Keys that describe a record rather than measure the training.
const NOT_METRICS: [&str; 3] = ["epoch", "step", "total_flos"];

pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<RawLog> {
    let bad = |message: String| Error::DataFormat {
        path: path.into(),
        format: "trainer_state.json",
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".into()))?;
    let doc: serde_json::Value = serde_json::from_str(&python_numbers_as_null(text))
        .map_err(|e| bad(format!("not JSON: {e}")))?;
    let history = doc
        .get("log_history")
        .and_then(|h| h.as_array())
        .ok_or_else(|| bad("no 'log_history' list".into()))?;
    let mut metrics: Vec<Metric> = Vec::new();
    let mut seconds = None;
    for (i, record) in history.iter().enumerate() {
        let record = record
            .as_object()
            .ok_or_else(|| bad(format!("log_history[{i}] is not an object")))?;
        if let Some(t) = record.get("train_runtime").and_then(|v| v.as_f64()) {
            seconds = Some(t);
            continue;
        }
        let epoch = record
            .get("epoch")
            .and_then(|v| v.as_f64())
            .filter(|e| e.is_finite() && *e >= 0.0)
            .ok_or_else(|| bad(format!("log_history[{i}] has no epoch")))?;
        if epoch == 0.0 {
            // An evaluation before training (`eval_on_start`): not an epoch of it.
            continue;
        }
        let step = record.get("step").and_then(|v| v.as_u64());
        for (key, value) in record {
            if NOT_METRICS.contains(&key.as_str())
                || key.ends_with("_runtime")
                || key.ends_with("_per_second")
            {
                continue;
            }
            let value = match value {
                serde_json::Value::Null => f64::NAN,
                v => match v.as_f64() {
                    Some(x) => x,
                    None => continue,
                },
            };
            let point = Point {
                epoch: (epoch.ceil() as usize).max(1),
                step,
                value,
                weight: 1.0,
                wall: None,
            };
            push_points(&mut metrics, key, vec![point]);
        }
    }
    Ok(RawLog {
        format: LogFormat::HuggingFace,
        metrics,
        seconds,
        note: None,
    })
}

/// The text with Python's bare `NaN`, `Infinity` and `-Infinity` (outside strings) replaced
/// by `null`.
fn python_numbers_as_null(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(word) = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| rest.starts_with(w))
        {
            out.push_str("null");
            rest = &rest[word.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::python_numbers_as_null;

    #[test]
    fn python_non_numbers_become_null_outside_strings() {
        assert_eq!(
            python_numbers_as_null(
                r#"{"loss": NaN, "x": -Infinity, "s": "NaN \" Infinity", "y": Infinity}"#
            ),
            r#"{"loss": null, "x": null, "s": "NaN \" Infinity", "y": null}"#
        );
    }
}
