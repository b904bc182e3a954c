//! Exporters that turn results into bytes (JSON, CSV, text), and one writer that writes
//! files atomically: to a temporary name in the same folder, renamed when complete.

mod arms;
mod compare;
mod evaluate;
mod logs;
mod sweep;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::conclusion::count_text;
use crate::analysis::confidence::Confidence;
use crate::analysis::rules::KNEE_REFERENCE_TRAINING_STEPS;
use crate::analysis::{Method, Suggestions};
use crate::config::{CurveKind, SuggestConfig};
use crate::error::{Error, Result};
use crate::finder::{RangeTestResult, Stop, ValidationCurve};
use crate::pipeline::{DataSummary, Repeats, SuggestRun};

pub use compare::{compare_csv, compare_json, compare_md, runs_md, schedule_csv};
pub use evaluate::{evaluate_json, evaluate_md, model_evaluation_md};
pub use logs::{logs_csv, logs_json, logs_md};
pub use sweep::{sweep_csv, sweep_json, sweep_md};

/// What the suggestion means, printed and written with it.
pub const MEANING: &str = "the LR to train with at a constant rate (a 1cycle schedule of the same length peaks best at about twice it)";

/// File format of tables and histories (`lr_find`, `compare`, `sweep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum TableFormat {
    /// Comma-separated text.
    #[default]
    Csv,
    /// Apache Parquet (columns typed as the CSV's are inferred; empty cells are nulls).
    Parquet,
}

impl TableFormat {
    /// The file extension: `csv` or `parquet`.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

/// Writes a table made by one of the CSV exporters as `dir/stem.csv` or `dir/stem.parquet`
/// (converted from the CSV, so both forms hold the same values); returns the file name.
pub fn write_table(dir: &Path, stem: &str, csv: &[u8], format: TableFormat) -> Result<String> {
    let name = format!("{stem}.{}", format.extension());
    let bytes = match format {
        TableFormat::Csv => csv.to_vec(),
        #[cfg(not(feature = "tables"))]
        TableFormat::Parquet => {
            return Err(Error::option(
                "format",
                "Parquet output needs lrfind's `tables` feature",
            ));
        }
        #[cfg(feature = "tables")]
        TableFormat::Parquet => {
            let path = dir.join(&name);
            let mut df = crate::data::parse_csv(csv, &path)?;
            let mut out = Vec::new();
            polars::prelude::ParquetWriter::new(&mut out)
                .finish(&mut df)
                .map_err(|e| Error::output(&path, e))?;
            out
        }
    };
    write_atomic(&dir.join(&name), &bytes)?;
    Ok(name)
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, renamed when complete.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_name(path);
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::output(path, e)
        })
}

/// The temporary name used while `path` is being written (hidden, same folder and extension).
pub fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("tmp");
    path.with_file_name(format!(".{name}.partial-{}.{ext}", std::process::id()))
}

/// Creates the output folder if needed and checks it can be written, before any work.
pub fn prepare_output_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e))?;
    let probe = dir.join(format!(".lrfind-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| Error::output(dir, e))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// `lr_find.csv`: one row per iteration; the validation columns are filled on the
/// iterations where the validation loss was evaluated.
pub fn lr_find_csv(result: &RangeTestResult) -> Vec<u8> {
    let mut s =
        String::from("iteration,lr,loss,smoothed_loss,val_loss,val_smoothed_loss,centered_loss\n");
    let centered = crate::analysis::rules::knee_curve(&result.lrs, &result.losses);
    let mut val = result
        .validation
        .iter()
        .flat_map(|v| {
            (0..v.iterations.len()).map(move |j| (v.iterations[j], v.losses[j], v.smoothed[j]))
        })
        .peekable();
    for (i, centered) in centered.iter().enumerate() {
        let cols = match val.next_if(|v| v.0 == i) {
            Some((_, loss, smooth)) => format!("{loss},{smooth}"),
            None => ",".into(),
        };
        let c = if centered.is_finite() {
            centered.to_string()
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "{i},{},{},{},{cols},{c}",
            result.lrs[i], result.losses[i], result.smoothed[i]
        );
    }
    s.into_bytes()
}

/// One rule's entry in `lr_find.json`.
#[derive(Debug, Serialize)]
pub struct SuggestionEntry {
    /// The LR (inside the tested range), or null.
    pub lr: Option<f64>,
    /// The curve point the rule used, or null.
    pub index: Option<usize>,
    /// Whether `lr` was clamped to the tested range.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub clamped: bool,
    /// The exact value before clamping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_lr: Option<f64>,
    /// Why the rule cannot apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The chosen suggestion in `lr_find.json`.
#[derive(Debug, Serialize)]
pub struct Chosen {
    /// The curve it was read from.
    pub curve: CurveKind,
    /// The rule.
    pub method: Method,
    /// Its LR, or null when it found none.
    pub lr: Option<f64>,
    /// Its curve index, or null.
    pub index: Option<usize>,
    /// What the LR is for.
    pub meaning: &'static str,
    /// The training length the LR is for, in optimizer steps (null: the rule does not read
    /// the training length).
    pub training_steps: Option<f64>,
    /// That length in words: stated with --epochs/--steps, or knee's reference length.
    pub training: String,
}

/// The training the chosen LR is for: (optimizer steps, in words). Only `knee` reads the
/// planned length; without one its answer is for its reference length.
pub fn training_for(run: &SuggestRun) -> (Option<f64>, String) {
    let r = &run.result;
    if r.suggested().chosen_method != Method::Knee {
        return (
            None,
            "any training length (this rule does not read it)".into(),
        );
    }
    let rt = &run.config.range_test;
    match (r.planned_steps, rt.epochs) {
        (Some(t), Some(e)) => (
            Some(t as f64),
            format!(
                "a training of {} ({e} epoch(s) of {})",
                count_text(t, "optimizer step"),
                count_text(t / e.max(1), "step")
            ),
        ),
        (Some(t), None) => (
            Some(t as f64),
            format!("a training of {}", count_text(t, "optimizer step")),
        ),
        (None, _) => (
            Some(KNEE_REFERENCE_TRAINING_STEPS),
            format!(
                "a training of about {KNEE_REFERENCE_TRAINING_STEPS} optimizer steps (knee's reference; \
                 give --epochs or --steps for yours: shorter trainings want a higher LR, longer ones a lower)"
            ),
        ),
    }
}

/// Where and how the curve diverged.
#[derive(Debug, Serialize)]
pub struct Divergence {
    /// Whether the test stopped on divergence.
    pub diverged: bool,
    /// The iteration it diverged at.
    pub index: Option<usize>,
    /// Its LR.
    pub lr: Option<f64>,
}

/// Wall times (the only part of `lr_find.json` that changes between identical runs).
#[derive(Debug, Serialize)]
pub struct Timing {
    /// Seconds in the training loop.
    pub train_seconds: f64,
    /// Milliseconds per iteration in the training loop.
    pub ms_per_iteration: f64,
    /// Seconds from building the model to the analysed result.
    pub total_seconds: f64,
}

/// The whole `lr_find.json` document.
#[derive(Debug, Serialize)]
pub struct LrFindDocument<'a> {
    /// lrfind's version.
    pub lrfind_version: &'static str,
    /// The full configuration used.
    pub config: &'a SuggestConfig,
    /// The data.
    pub data: &'a DataSummary,
    /// Model, loss and optimizer descriptions.
    pub model: &'a str,
    /// The loss.
    pub loss: &'a str,
    /// The optimizer.
    pub optimizer: &'a str,
    /// Iterations run (of `config.range_test.iters` planned).
    pub iterations: usize,
    /// How the test stopped.
    pub stop: &'a Stop,
    /// Divergence.
    pub divergence: Divergence,
    /// Every rule on the training curve, by name.
    pub suggestions: BTreeMap<&'static str, SuggestionEntry>,
    /// The validation curve (with `val_every`): iterations, LRs, losses, smoothed losses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<&'a ValidationCurve>,
    /// The chosen suggestion.
    pub chosen: Chosen,
    /// How far the chosen curve's suggestion can be trusted.
    pub confidence: &'a Confidence,
    /// With `--repeats`: every seed's suggestion and their agreement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats: Option<&'a Repeats>,
    /// Wall times.
    pub timing: Timing,
}

/// Each rule's entry, by name.
fn entries(suggestions: &Suggestions) -> BTreeMap<&'static str, SuggestionEntry> {
    suggestions
        .all
        .iter()
        .map(|s| {
            let entry = SuggestionEntry {
                lr: s.lr,
                index: s.index,
                clamped: s.clamped,
                exact_lr: s.exact_lr,
                reason: s.reason.clone(),
            };
            (s.method.name(), entry)
        })
        .collect()
}

/// Builds the `lr_find.json` document of a run.
pub fn lr_find_document(run: &SuggestRun) -> LrFindDocument<'_> {
    let r = &run.result;
    let chosen = r.chosen();
    let div_index = match r.stop {
        Stop::Diverged { index } | Stop::NonFinite { index } => Some(index),
        _ => None,
    };
    let secs = r.train_time.as_secs_f64();
    let (training_steps, training) = training_for(run);
    LrFindDocument {
        lrfind_version: env!("CARGO_PKG_VERSION"),
        config: &run.config,
        data: &run.data,
        model: &run.model,
        loss: &run.loss,
        optimizer: &run.optimizer,
        iterations: r.iterations(),
        stop: &r.stop,
        divergence: Divergence {
            diverged: div_index.is_some(),
            index: div_index,
            lr: div_index.map(|i| r.lrs[i]),
        },
        suggestions: entries(&r.suggestions),
        validation: r.validation.as_ref(),
        chosen: Chosen {
            curve: r.suggested_curve(),
            method: chosen.method,
            lr: chosen.lr,
            index: chosen.index,
            meaning: MEANING,
            training_steps,
            training,
        },
        confidence: &r.suggested().confidence,
        repeats: run.repeats.as_ref(),
        timing: Timing {
            train_seconds: secs,
            ms_per_iteration: 1e3 * secs / r.iterations().max(1) as f64,
            total_seconds: run.total_time.as_secs_f64(),
        },
    }
}

/// `lr_find.json` as pretty-printed bytes.
pub fn lr_find_json(run: &SuggestRun) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(&lr_find_document(run)).expect("serialisable");
    v.push(b'\n');
    v
}

/// The human summary printed after a run.
pub fn summary_text(run: &SuggestRun) -> String {
    let r = &run.result;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Range test on {} ({} rows, {} features): {}, {}, {}",
        run.data.source,
        run.data.rows,
        run.data.features.len(),
        run.model,
        run.optimizer,
        run.data.batch_text(run.config.data.batch_size)
    );
    if let Some(t) = &run.data.tokens {
        let _ = writeln!(s, "  {}", t.line());
    }
    for name in &run.data.row_names {
        let column = if name.trim().is_empty() {
            "the unnamed column".to_string()
        } else {
            format!("column '{name}'")
        };
        let _ = writeln!(
            s,
            "  {column} holds the rows' names: left out (name it in --features to keep it)"
        );
    }
    if !run.data.one_hot.is_empty() {
        let columns: Vec<String> = run
            .data
            .one_hot
            .iter()
            .map(|(name, k)| format!("{name} ({k})"))
            .collect();
        let _ = writeln!(
            s,
            "  text columns one-hot encoded (categories): {}",
            columns.join(", ")
        );
    }
    if let Some(far) = &run.data.far_outside {
        let _ = writeln!(s, "  warning: {}", far.line());
    }
    let stop = match r.stop {
        Stop::Completed => "completed".to_string(),
        Stop::Diverged { index } => format!("diverged at LR {:.3e}", r.lrs[index]),
        Stop::NonFinite { index } => format!("loss became NaN/infinite at LR {:.3e}", r.lrs[index]),
        Stop::Interrupted { .. } => "interrupted".to_string(),
        Stop::DataExhausted { .. } => "ran out of batches".to_string(),
    };
    let _ = writeln!(s, "{} of {} iterations, {stop}", r.iterations(), r.num_it);
    let suggested = r.suggested();
    let chosen = suggested.chosen();
    let on = match r.suggested_curve() {
        CurveKind::Training => "",
        CurveKind::Validation => ", on the validation curve",
    };
    match chosen.lr {
        Some(lr) => {
            let _ = writeln!(
                s,
                "Suggested LR: {lr:.2e} ({}{on}) = {MEANING}",
                chosen.method.name()
            );
            let _ = writeln!(s, "  for {}", training_for(run).1);
            if let Some(note) = crate::train::lr_note(run.config.optimizer.optimizer) {
                let _ = writeln!(s, "  ({note})");
            }
        }
        None => {
            let _ = writeln!(s, "No suggestion from {}", chosen.method.name());
        }
    }
    let c = &suggested.confidence;
    let _ = writeln!(s, "Confidence: {:?} (curve score {:.2})", c.level, c.score);
    if let (Some(floor), Some(regime), Some(rec), Some(_)) =
        (c.floor, c.regime, c.record, chosen.lr)
    {
        let _ = writeln!(
            s,
            "  loss floor {:.1} % of its start ({}): on the first 20 evaluate cases' curves like this, knee landed within a quarter decade of the best LR {:.0} % of the time (mean {:.2} decades off)",
            100.0 * floor,
            regime.name(),
            100.0 * rec.within_quarter,
            rec.mean_decades
        );
    }
    for w in &c.warnings {
        let _ = writeln!(s, "  warning: {w}");
    }
    if let Some(rep) = &run.repeats {
        let _ = writeln!(
            s,
            "Repeated over {} seeds: geometric mean {}, spread {:.2} decades",
            rep.seeds.len(),
            rep.geometric_mean
                .map_or("none".into(), |v| format!("{v:.2e}")),
            rep.spread_decades
        );
        if let Some(w) = &rep.warning {
            let _ = writeln!(s, "  warning: {w}");
        }
    }
    let _ = writeln!(s, "All methods:");
    for sug in &suggested.all {
        let mark = if sug.method == chosen.method {
            "*"
        } else {
            " "
        };
        match (sug.lr, &sug.reason) {
            (Some(lr), _) => {
                let clamp = if sug.clamped {
                    format!(" (clamped; exact {:.2e})", sug.exact_lr.unwrap_or(lr))
                } else {
                    String::new()
                };
                let _ = writeln!(s, " {mark} {:<13} {lr:.2e}{clamp}", sug.method.name());
            }
            (None, reason) => {
                let _ = writeln!(
                    s,
                    " {mark} {:<13} none: {}",
                    sug.method.name(),
                    reason.as_deref().unwrap_or("")
                );
            }
        }
    }
    s
}
