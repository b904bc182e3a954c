//! A Burn `Learner` artifact folder as Burn 0.22's `FileMetricLogger` writes it:
//! `train/epoch-N/<Metric>.log` and `valid/epoch-N/<Metric>.log` (spaces in the metric's
//! name become `_`), one line per iteration: the value, or `value,count` (the batch's
//! mean and its row count), and at the end of the epoch `value,final` (the epoch's value as
//! Burn aggregates it).
//!
//! Each file gives two metrics: `split/Name` from its `final` lines (the epoch's value) and
//! `split/Name_step` from its iteration lines (the curve; the `_step` suffix is lrfind's, so
//! the role table pairs them as it pairs Lightning's). A file without a `final` line gives
//! the count-weighted mean of its iterations (the last one for the LR). Burn's `Accuracy`
//! metric is in percent; it is divided by 100.

use std::path::Path;

use super::{LogFormat, Metric, Point, RawLog, push_points};
use crate::error::{Error, Result};

/// Whether `dir` looks like a Burn artifact folder.
pub(super) fn is_artifact_dir(dir: &Path) -> bool {
    ["train", "valid"].iter().any(|split| {
        std::fs::read_dir(dir.join(split)).is_ok_and(|r| {
            r.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("epoch-"))
        })
    })
}

pub(super) fn read(dir: &Path) -> Result<RawLog> {
    let mut metrics: Vec<Metric> = Vec::new();
    for split in ["train", "valid"] {
        let Ok(entries) = std::fs::read_dir(dir.join(split)) else {
            continue;
        };
        let mut epochs: Vec<(usize, std::path::PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                Some((name.strip_prefix("epoch-")?.parse().ok()?, e.path()))
            })
            .collect();
        epochs.sort();
        let mut step = 0u64;
        for (epoch, folder) in epochs {
            let mut files: Vec<_> = std::fs::read_dir(&folder)
                .map(|r| r.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            files.sort();
            let mut longest = 0;
            for file in files
                .iter()
                .filter(|f| f.extension().is_some_and(|x| x == "log"))
            {
                let stem = file
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let percent = stem.eq_ignore_ascii_case("accuracy");
                let text = std::fs::read_to_string(file).map_err(|e| Error::InputRead {
                    path: file.clone(),
                    what: "training log (--logs)",
                    message: e.to_string(),
                })?;
                let mut steps = Vec::new();
                let mut finals = Vec::new();
                for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
                    let entry = parse_line(line).ok_or_else(|| Error::DataFormat {
                        path: file.clone(),
                        format: "Burn metric log",
                        message: format!(
                            "line {}: expected 'value', 'value,count' or 'value,final', got '{line}'",
                            i + 1
                        ),
                    })?;
                    let point = |value: f64, weight: f64, step: Option<u64>| Point {
                        epoch,
                        step,
                        value: if percent { value / 100.0 } else { value },
                        weight,
                        wall: None,
                    };
                    match entry {
                        Entry::Iteration(v, count) => {
                            let at = step + steps.len() as u64;
                            steps.push(point(v, count, Some(at)));
                        }
                        Entry::Final(v) => finals.push(point(v, 1.0, None)),
                    }
                }
                longest = longest.max(steps.len());
                push_points(&mut metrics, &format!("{split}/{stem}_step"), steps);
                push_points(&mut metrics, &format!("{split}/{stem}"), finals);
            }
            step += longest as u64;
        }
    }
    Ok(RawLog {
        format: LogFormat::Burn,
        metrics,
        seconds: None,
        note: None,
    })
}

/// One line of a Burn metric log.
#[derive(Debug, PartialEq)]
enum Entry {
    /// An iteration's value and its count.
    Iteration(f64, f64),
    /// The epoch's value.
    Final(f64),
}

/// `value`, `value,count` or `value,final`.
fn parse_line(line: &str) -> Option<Entry> {
    let mut parts = line.trim().split(',');
    let value: f64 = parts.next()?.parse().ok()?;
    let entry = match parts.next() {
        None => Entry::Iteration(value, 1.0),
        Some("final") => Entry::Final(value),
        Some(c) => Entry::Iteration(value, c.parse::<usize>().ok()? as f64),
    };
    parts.next().is_none().then_some(entry)
}

#[cfg(test)]
mod tests {
    use super::{Entry, parse_line};

    #[test]
    fn the_three_line_forms() {
        assert_eq!(parse_line("0.5"), Some(Entry::Iteration(0.5, 1.0)));
        assert_eq!(parse_line("2.25,64"), Some(Entry::Iteration(2.25, 64.0)));
        assert_eq!(parse_line("1.5,final"), Some(Entry::Final(1.5)));
        assert_eq!(parse_line("x,3"), None);
        assert_eq!(parse_line("1,2,3"), None);
    }
}
