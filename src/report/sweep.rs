//! Exports of a [`Sweep`]: `sweep.json` (everything), `sweep.csv` (one row per
//! configuration × split, every metric a column) and `sweep.md` (summary table, one
//! section per configuration, conclusion).

use std::fmt::Write as _;

use super::compare::csv_field;
use crate::analysis::conclusion::lr_text;
use crate::data::Task;
use crate::metrics::{ClassStats, Report};
use crate::pipeline::sweep::{ConfigResult, Sweep};
use crate::sweep::{Metrics, SplitReport};

/// `sweep.json`: everything, machine-readable.
pub fn sweep_json(s: &Sweep) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(s).expect("serialisable");
    v.push(b'\n');
    v
}

fn classes(s: &Sweep) -> &[String] {
    match &s.data.task {
        Task::Classification { classes } => classes,
        Task::Regression => &[],
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// `sweep.csv`: one row per configuration and split.
pub fn sweep_csv(s: &Sweep) -> Vec<u8> {
    let names = classes(s);
    let mut header: Vec<String> = [
        "index",
        "group",
        "lr",
        "optimizer",
        "batch_size",
        "batch_rows",
        "standardize",
        "epochs",
        "split",
        "rows",
        "loss",
        "verdict",
        "accuracy",
        "macro_precision",
        "macro_recall",
        "macro_f1",
        "weighted_precision",
        "weighted_recall",
        "weighted_f1",
        "roc_auc",
        "mse",
        "mae",
        "r2",
        "seconds",
    ]
    .map(String::from)
    .to_vec();
    for stat in ["precision", "recall", "f1", "support"] {
        header.extend(names.iter().map(|c| csv_field(&format!("{stat}_{c}"))));
    }
    for t in names {
        header.extend(
            names
                .iter()
                .map(|p| csv_field(&format!("confusion_{t}_{p}"))),
        );
    }
    let mut out = header.join(",") + "\n";
    for r in &s.results {
        for split in &r.splits {
            let p = &r.point;
            let mut row = vec![
                p.index.to_string(),
                csv_field(&s.groups[p.group]),
                p.lr.to_string(),
                p.optimizer.name().into(),
                p.batch_size.to_string(),
                // The rows each batch held: the whole training part when it has fewer.
                s.data.batch_rows(p.batch_size).to_string(),
                p.standardize.to_string(),
                r.run.epochs.len().to_string(),
                split.split.clone(),
                split.rows.to_string(),
                split.loss.to_string(),
                csv_field(&r.outcome.verdict_text()),
            ];
            match &split.metrics {
                Metrics::Classification {
                    report, roc_auc, ..
                } => {
                    let (m, w) = (&report.macro_avg, &report.weighted_avg);
                    row.extend(
                        [
                            report.accuracy,
                            m.precision,
                            m.recall,
                            m.f1,
                            w.precision,
                            w.recall,
                            w.f1,
                        ]
                        .map(|v| v.to_string()),
                    );
                    row.extend([opt(*roc_auc), String::new(), String::new(), String::new()]);
                }
                Metrics::Regression { mse, mae, r2 } => {
                    row.extend(std::iter::repeat_n(String::new(), 8));
                    row.extend([mse, mae, r2].map(|v| v.to_string()));
                }
            }
            row.push(r.run.seconds.to_string());
            if let Some(report) = split.report() {
                let stats =
                    |f: fn(&ClassStats) -> String| report.classes.iter().map(f).collect::<Vec<_>>();
                row.extend(stats(|c| c.precision.to_string()));
                row.extend(stats(|c| c.recall.to_string()));
                row.extend(stats(|c| c.f1.to_string()));
                row.extend(stats(|c| c.support.to_string()));
                row.extend(report.confusion.iter().flatten().map(|n| n.to_string()));
            }
            let _ = writeln!(out, "{}", row.join(","));
        }
    }
    out.into_bytes()
}

fn num(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        Some(_) => "NaN".into(),
        None => "–".into(),
    }
}

/// The columns naming a configuration's factors (only those that vary).
fn factor_cells(s: &Sweep, r: &ConfigResult) -> Vec<String> {
    let g = &s.spec.grid;
    let mut cells = vec![lr_text(r.point.lr)];
    if g.optimizers.len() > 1 {
        cells.push(r.point.optimizer.name().into());
    }
    if g.batch_sizes.len() > 1 {
        let (b, rows) = (r.point.batch_size, s.data.batch_rows(r.point.batch_size));
        cells.push(if rows < b {
            format!("{b} ({rows} rows)")
        } else {
            b.to_string()
        });
    }
    if g.standardize.len() > 1 {
        cells.push(if r.point.standardize { "on" } else { "off" }.into());
    }
    cells
}

fn factor_header(s: &Sweep) -> Vec<String> {
    let g = &s.spec.grid;
    let mut h = vec!["LR".to_string()];
    if g.optimizers.len() > 1 {
        h.push("optimizer".into());
    }
    if g.batch_sizes.len() > 1 {
        h.push("batch".into());
    }
    if g.standardize.len() > 1 {
        h.push("standardize".into());
    }
    h
}

fn table_row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

fn table_head(cells: &[String]) -> String {
    table_row(cells) + &format!("|{}\n", "---|".repeat(cells.len()))
}

fn class_report_md(report: &Report, names: &[String]) -> String {
    let mut s = table_head(&["class", "precision", "recall", "F1", "support"].map(String::from));
    let line = |name: &str, c: &ClassStats| {
        table_row(&[
            name.to_string(),
            format!("{:.4}", c.precision),
            format!("{:.4}", c.recall),
            format!("{:.4}", c.f1),
            c.support.to_string(),
        ])
    };
    for (name, c) in names.iter().zip(&report.classes) {
        s += &line(name, c);
    }
    s += &table_row(&[
        "accuracy".into(),
        String::new(),
        String::new(),
        format!("{:.4}", report.accuracy),
        report.macro_avg.support.to_string(),
    ]);
    s += &line("macro avg", &report.macro_avg);
    s += &line("weighted avg", &report.weighted_avg);
    s += "\nConfusion matrix (rows: true class, columns: predicted):\n\n";
    let mut head = vec![String::new()];
    head.extend(names.iter().cloned());
    s += &table_head(&head);
    for (name, row) in names.iter().zip(&report.confusion) {
        let mut cells = vec![format!("**{name}**")];
        cells.extend(row.iter().map(|n| n.to_string()));
        s += &table_row(&cells);
    }
    s
}

fn split_md(split: &SplitReport, names: &[String]) -> String {
    let mut s = format!(
        "**{}** ({} rows): loss {:.4}",
        split.split, split.rows, split.loss
    );
    match &split.metrics {
        Metrics::Classification {
            report, roc_auc, ..
        } => {
            let _ = writeln!(s, ", ROC-AUC {}\n", num(*roc_auc, 4));
            s += &class_report_md(report, names);
        }
        Metrics::Regression { mse, mae, r2 } => {
            let _ = writeln!(s, ", MSE {mse:.4}, MAE {mae:.4}, R² {r2:.4}");
        }
    }
    s + "\n"
}

/// `sweep.md`: the summary table, one section per configuration, and the conclusion.
/// Holds no wall times, so the same seed gives the same file.
pub fn sweep_md(s: &Sweep, plot_file: &str) -> String {
    let names = classes(s);
    let spec = &s.spec;
    let mut out = format!(
        "# LR sweep on {}: {} configurations, {} epoch(s) each\n\n",
        s.data.source,
        s.results.len(),
        spec.epochs
    );
    if s.incomplete {
        let _ = writeln!(
            out,
            "**Incomplete: interrupted** after {} of the grid's {} configurations; the conclusion \
             reads only those.\n",
            s.results.len(),
            spec.grid.points().len()
        );
    }
    let split_rows: Vec<String> = s
        .data
        .split_rows
        .iter()
        .zip(crate::sweep::SPLITS)
        .map(|(n, name)| format!("{n} {name}"))
        .collect();
    let _ = writeln!(
        out,
        "{} rows ({}), split seeded{} (seed {}). Model {}, loss {}, optimizer {}. Every configuration \
         starts from the same initial weights and sees the same batch order; the LR is constant.",
        s.data.rows,
        split_rows.join(" / "),
        if names.is_empty() {
            ""
        } else {
            " and stratified"
        },
        spec.config.seed,
        s.model,
        s.loss,
        crate::train::describe_optimizer(&spec.config.optimizer)
    );
    if let Some(far) = &s.data.far_outside {
        let _ = writeln!(out, "\n**Warning**: {}.", far.line());
    }
    for line in (s.data).whole_part_batches(spec.grid.batch_sizes.iter().copied()) {
        let _ = writeln!(out, "\n{line}");
    }
    if let Some(b) = &s.balance {
        let counts = |c: &[usize]| {
            names
                .iter()
                .zip(c)
                .map(|(n, c)| format!("'{n}' {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = write!(out, "\nTraining set (rows per class): {}", b.action);
        if b.before == b.after {
            let _ = writeln!(out, " ({}).", counts(&b.after));
        } else {
            let _ = writeln!(out, ": {} (was {}).", counts(&b.after), counts(&b.before));
        }
        if names.len() == 2 {
            let _ = writeln!(
                out,
                "\nA row is predicted '{}' when its probability is at least {}.",
                names[1], spec.threshold
            );
        }
    }
    if spec.mark_suggestion {
        let _ = writeln!(
            out,
            "\nRange test (first value of each factor): {}.",
            s.suggestion.map_or("no suggestion".into(), |lr| format!(
                "suggests {}",
                lr_text(lr)
            ))
        );
    }
    out += "\n";
    let mut head = vec!["#".to_string()];
    head.extend(factor_header(s));
    let regression = names.is_empty();
    let metric_cols: &[&str] = if regression {
        &["val loss", "val MSE", "val MAE", "val R²", "verdict"]
    } else {
        &["val loss", "accuracy", "macro-F1", "ROC-AUC", "verdict"]
    };
    head.extend(metric_cols.iter().map(|c| c.to_string()));
    out += &table_head(&head);
    let promising = &s.conclusion.promising;
    for r in &s.results {
        let i = r.point.index;
        let mut mark = (i + 1).to_string();
        if s.conclusion.best == Some(i) {
            mark += " ★";
        } else if promising.contains(&i) {
            mark += " ·";
        }
        let mut cells = vec![mark];
        cells.extend(factor_cells(s, r));
        let v = r.split("validation");
        cells.push(num(v.map(|v| v.loss), 4));
        match v.map(|v| &v.metrics) {
            Some(Metrics::Regression { mse, mae, r2 }) => {
                cells.extend([num(Some(*mse), 4), num(Some(*mae), 4), num(Some(*r2), 4)]);
            }
            _ => {
                cells.push(num(v.and_then(SplitReport::accuracy), 4));
                cells.push(num(v.and_then(SplitReport::macro_f1), 4));
                cells.push(num(v.and_then(SplitReport::roc_auc), 4));
            }
        }
        cells.push(r.outcome.verdict_text());
        out += &table_row(&cells);
    }
    out += "\n★ recommended, · promising (validation loss within 10 % of the best).\n";
    let _ = writeln!(out, "\n![sweep]({plot_file})\n");
    out += "## Configurations\n\n";
    for r in &s.results {
        let label = &s.groups[r.point.group];
        let _ = writeln!(
            out,
            "### {}. LR {}{}\n",
            r.point.index + 1,
            lr_text(r.point.lr),
            if label.is_empty() {
                String::new()
            } else {
                format!(", {label}")
            }
        );
        let losses: Vec<String> = std::iter::once(r.run.initial.loss)
            .chain(r.run.epochs.iter().map(|e| e.val_loss))
            .map(|l| num(Some(l), 4))
            .collect();
        let _ = writeln!(
            out,
            "Verdict: {}. Validation loss by epoch (0 = initial weights): {}.\n",
            r.outcome.verdict_text(),
            losses.join(" → ")
        );
        for split in &r.splits {
            out += &split_md(split, names);
        }
    }
    out += "## Conclusion\n\n";
    for line in &s.conclusion.lines {
        let _ = writeln!(out, "- {line}");
    }
    out
}
