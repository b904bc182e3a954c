//! Exports of a [`LogComparison`]: `compare.json`, `compare.csv` (one row per log and
//! epoch, empty where the log has no value) and `compare.md` (the same table as `compare`'s,
//! with what each log was read as).

use std::fmt::Write as _;

use super::compare::{TableRow, csv_field, summary_table};
use crate::compare::LogComparison;
use crate::logs::Role;

/// `compare.json` of `compare --logs`: everything, machine-readable.
pub fn logs_json(c: &LogComparison) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(c).expect("serialisable");
    v.push(b'\n');
    v
}

/// `compare.csv` of `compare --logs`: one row per log and epoch.
pub fn logs_csv(c: &LogComparison) -> Vec<u8> {
    let mut s = String::from("log,epoch,loss,val_loss,accuracy,val_accuracy,lr,seconds\n");
    let cell = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for run in &c.runs {
        let name = csv_field(&run.log.name);
        for e in &run.log.epochs {
            let _ = write!(s, "{name},{}", e.epoch);
            for role in Role::ALL {
                let _ = write!(s, ",{}", cell(e.get(role)));
            }
            let _ = writeln!(s, ",{}", cell(e.seconds));
        }
    }
    s.into_bytes()
}

/// `compare.md` of `compare --logs`: what was read, the table, the figure, how to read them.
pub fn logs_md(c: &LogComparison, plot_file: &str) -> String {
    let mut s = String::from("# Training logs compared\n\n");
    let _ = writeln!(
        s,
        "Each log as its framework wrote it; the first is the baseline. Nothing was trained here.\n"
    );
    let _ = writeln!(s, "| log | file | format | epochs | metrics read |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for run in &c.runs {
        let log = &run.log;
        let read: Vec<String> = log
            .matched
            .iter()
            .map(|m| match &m.step_metric {
                Some(step) => format!("{} = `{}` (steps: `{step}`)", m.role.name(), m.metric),
                None => format!("{} = `{}`", m.role.name(), m.metric),
            })
            .collect();
        let mut file = format!("`{}`", log.path);
        if let Some(note) = &log.note {
            let _ = write!(file, " ({note})");
        }
        let _ = writeln!(
            s,
            "| {} | {file} | {} | {} | {} |",
            log.name,
            log.format.text(),
            log.epochs.len(),
            read.join(", ")
        );
    }
    let unmatched: Vec<String> = c
        .runs
        .iter()
        .filter(|r| !r.log.unmatched.is_empty())
        .map(|r| format!("{}: {}", r.log.name, r.log.unmatched.join(", ")))
        .collect();
    if !unmatched.is_empty() {
        let _ = writeln!(
            s,
            "\nNot read (no role; name one with `--metric ROLE=NAME`): {}.",
            unmatched.join("; ")
        );
    }
    // The table's columns say "best accuracy"; the text names which accuracy.
    let (metric, which) = match c.target_metric {
        Some(Role::Accuracy) => ("training accuracy", "training accuracy"),
        _ => ("accuracy", "validation accuracy"),
    };
    let _ = writeln!(s);
    if c.target_metric.is_none() {
        let _ = writeln!(
            s,
            "The logs share no accuracy, so no target is timed and no accuracy is compared.\n"
        );
    }
    let rows: Vec<TableRow> = c
        .runs
        .iter()
        .map(|run| TableRow {
            lead: vec![run.log.name.clone(), run.log.epochs.len().to_string()],
            summary: &run.summary,
            seconds: run.log.seconds,
            verdict: match run.verdict_on {
                Some(Role::Loss) => format!("{} (on training loss)", run.summary.verdict.text()),
                _ => run.summary.verdict.text().to_string(),
            },
        })
        .collect();
    summary_table(&mut s, &["log", "epochs"], &rows, &c.targets, true, metric);
    let _ = writeln!(s, "\n![training curves]({plot_file})\n");
    let _ = writeln!(s, "## Reading the table\n");
    let _ = writeln!(
        s,
        "- *epochs to X*: the first logged epoch whose {which} reaches X (epochs counted from 1); \
         *speed-up*: the baseline's epochs to X divided by this log's, `–` where either never reached X.\n\
         - *wall time*: as the log records it (TensorBoard's event times, Hugging Face's `train_runtime`); `–` when it does not.\n\
         - *verdict*, on the validation loss per epoch (on the training loss when the log has no validation loss), \
         last quarter of the run: **converged** flat at the end; **still improving** fell more than 2 % over the last quarter; \
         **oscillating** swung more than 10 % without net progress; **diverged** a NaN or infinite loss, or an epoch's \
         training loss above twice the first logged one. A log holds no loss of the initial weights, so a run that \
         barely learned cannot be told from one that learned everything in its first epoch: **stalled** is not judged \
         here, and a log of one epoch is **too short to judge**."
    );
    s
}
