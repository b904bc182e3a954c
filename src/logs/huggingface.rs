//! Hugging Face `Trainer`'s `trainer_state.json`: `log_history` is a list of records, each
//! with a fractional `epoch` and a `step`. Training records (`loss`, `learning_rate`,
//! `grad_norm`) come every `logging_steps`; evaluation records (`eval_loss`,
//! `eval_accuracy`, ...) at each evaluation; the last record sums the training up
//! (`train_runtime`, `train_loss`) and gives the wall time instead of a point.
//!
//! A record at fractional epoch `x` belongs to epoch `ceil(x)` (an evaluation at the end of
//! epoch 2 is logged at `2.0`).

use std::path::Path;

use super::{LogFormat, Metric, Point, RawLog};
use crate::error::{Error, Result};

/// Keys that describe a record rather than measure the training.
const NOT_METRICS: [&str; 3] = ["epoch", "step", "total_flos"];

pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<RawLog> {
    let bad = |message: String| Error::DataFormat {
        path: path.into(),
        format: "trainer_state.json",
        message,
    };
    let doc: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
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
        let step = record.get("step").and_then(|v| v.as_u64());
        for (key, value) in record {
            if NOT_METRICS.contains(&key.as_str())
                || key.ends_with("_runtime")
                || key.ends_with("_per_second")
            {
                continue;
            }
            let Some(value) = value.as_f64() else {
                continue;
            };
            let point = Point {
                epoch: (epoch.ceil() as usize).max(1),
                step,
                value,
                weight: 1.0,
                wall: None,
            };
            match metrics.iter_mut().find(|m| m.name == *key) {
                Some(m) => m.points.push(point),
                None => metrics.push(Metric {
                    name: key.clone(),
                    points: vec![point],
                }),
            }
        }
    }
    Ok(RawLog {
        format: LogFormat::HuggingFace,
        metrics,
        seconds,
        note: None,
    })
}
