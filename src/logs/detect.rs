//! Which format a log is, told from the file or folder, and the one call that reads it.
//!
//! A folder holding `trainer_state.json` is Hugging Face's; one holding `metrics.csv`
//! Lightning's; one with `train/epoch-N/` or `valid/epoch-N/` Burn's; one with
//! `version_N/` folders (Lightning's `name/version_N/` layout) is read at its highest `N`
//! (the output says so); one with `events.out.tfevents.*` files (in it or in its
//! subfolders) TensorBoard's. A file named `events.out.tfevents.*` is TensorBoard's, a JSON
//! file Hugging Face's `trainer_state.json`, anything else a CSV.

use std::path::{Path, PathBuf};

use super::{RawLog, Role, TrainingLog, burn, csv, huggingface, tfevents};
use crate::error::{Error, Result};

/// Reads the log at `path` under `name`, with `--metric` overrides.
pub fn read(name: &str, path: &Path, overrides: &[(Role, String)]) -> Result<TrainingLog> {
    let raw = read_raw(name, path)?;
    TrainingLog::from_metrics(name, &path.display().to_string(), raw, overrides)
}

fn unreadable(path: &Path, message: impl ToString) -> Error {
    Error::InputRead {
        path: path.into(),
        what: "training log (--logs)",
        message: message.to_string(),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| unreadable(path, e))
}

fn read_raw(name: &str, path: &Path) -> Result<RawLog> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, e))?;
    if meta.is_dir() {
        return read_dir(name, path);
    }
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    if file_name.starts_with("events.out.tfevents") {
        return tfevents::read(&tfevents::files(path));
    }
    let bytes = read_file(path)?;
    let json = path.extension().is_some_and(|e| e == "json")
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if json {
        huggingface::read(path, &bytes)
    } else {
        csv::read(path, &bytes)
    }
}

fn read_dir(name: &str, dir: &Path) -> Result<RawLog> {
    for (file, json) in [("trainer_state.json", true), ("metrics.csv", false)] {
        let p = dir.join(file);
        if p.is_file() {
            let bytes = read_file(&p)?;
            return if json {
                huggingface::read(&p, &bytes)
            } else {
                csv::read(&p, &bytes)
            };
        }
    }
    if burn::is_artifact_dir(dir) {
        return burn::read(dir);
    }
    let mut versions: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, e))?
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            Some((n.strip_prefix("version_")?.parse().ok()?, e.path()))
        })
        .collect();
    versions.sort();
    if let Some((n, latest)) = versions.last() {
        let mut raw = read_dir(name, latest)?;
        if versions.len() > 1 {
            raw.note = Some(format!(
                "read version_{n}, the latest of {} versions",
                versions.len()
            ));
        }
        return Ok(raw);
    }
    let events = tfevents::files(dir);
    if !events.is_empty() {
        return tfevents::read(&events);
    }
    Err(Error::option(
        "--logs",
        format!(
            "{name}={}: no training log in this folder (looked for trainer_state.json, metrics.csv, version_N/, train/epoch-N/ and events.out.tfevents.* files)",
            dir.display()
        ),
    ))
}
