//! Exports of a [`Comparison`]: `compare.json`, `compare.csv` (long format) and
//! `compare.md` (the side-by-side table, written to be pasted into a pull request).

use std::fmt::Write as _;

use crate::pipeline::Comparison;
use crate::run::{Run, Summary};

/// `compare.json`: everything, machine-readable.
pub fn compare_json(c: &Comparison) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(c).expect("serialisable");
    v.push(b'\n');
    v
}

/// `compare.csv`: one row per step; the per-epoch columns are filled on each epoch's last step.
pub fn compare_csv(c: &Comparison) -> Vec<u8> {
    let mut s =
        String::from("setting,step,epoch,lr,train_loss,epoch_train_loss,val_loss,val_metric\n");
    for run in &c.runs {
        let name = csv_field(&run.setting.name);
        for (step, (lr, loss)) in run.step_lrs.iter().zip(&run.step_losses).enumerate() {
            let epoch = step / run.steps_per_epoch + 1;
            let end = (step + 1) % run.steps_per_epoch == 0;
            let rec = run.epochs.get(epoch - 1).filter(|_| end);
            let cols = rec.map_or(",,".to_string(), |e| {
                format!("{},{},{}", e.train_loss, e.val_loss, e.val_metric)
            });
            let _ = writeln!(s, "{name},{step},{epoch},{lr},{loss},{cols}");
        }
    }
    s.into_bytes()
}

pub(super) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn pct_or_value(higher_is_better: bool, v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(v) if higher_is_better => format!("{:.1} %", 100.0 * v),
        Some(v) => format!("{v:.4}"),
    }
}

fn level(higher_is_better: bool, t: f64) -> String {
    if higher_is_better {
        format!("{:.0} %", 100.0 * t)
    } else {
        format!("MSE {t}")
    }
}

/// One row of the side-by-side table.
pub(super) struct TableRow<'a> {
    /// The leading columns (setting, optimizer, ... or log, format, ...).
    pub lead: Vec<String>,
    /// The run's summary.
    pub summary: &'a Summary,
    /// Wall time, when known.
    pub seconds: Option<f64>,
    /// The verdict as printed.
    pub verdict: String,
}

/// The side-by-side table `compare` and `compare --logs` print: the leading columns, then
/// epochs and speed-up to each target, best and final metric, final validation loss, wall
/// time and verdict. A value nobody measured prints as `–`.
pub(super) fn summary_table(
    s: &mut String,
    lead: &[&str],
    rows: &[TableRow],
    targets: &[f64],
    higher_is_better: bool,
    metric: &str,
) {
    let mut header: Vec<String> = lead.iter().map(|h| h.to_string()).collect();
    header.extend(
        targets
            .iter()
            .map(|&t| format!("epochs to {}", level(higher_is_better, t))),
    );
    header.extend(targets.iter().map(|&t| {
        format!(
            "speed-up to {}",
            if higher_is_better {
                level(true, t)
            } else {
                t.to_string()
            }
        )
    }));
    header.extend([
        format!("best {metric}"),
        format!("final {metric}"),
        "final val loss".into(),
        "wall time".into(),
        "verdict".into(),
    ]);
    let _ = writeln!(s, "| {} |", header.join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(header.len()));
    for r in rows {
        let sm = r.summary;
        let mut row = r.lead.clone();
        row.extend(
            sm.epochs_to_target
                .iter()
                .map(|e| e.map_or("not reached".into(), |e| e.to_string())),
        );
        row.extend(
            (0..targets.len()).map(|i| match sm.speedup_epochs.get(i).copied().flatten() {
                Some(x) => format!("{x:.2}x"),
                None => "–".into(),
            }),
        );
        row.extend([
            pct_or_value(higher_is_better, sm.best_metric),
            pct_or_value(higher_is_better, sm.final_metric),
            sm.final_val_loss.map_or("–".into(), |l| format!("{l:.4}")),
            r.seconds.map_or("–".into(), |t| format!("{t:.2} s")),
            r.verdict.clone(),
        ]);
        let _ = writeln!(s, "| {} |", row.join(" | ").replace('\n', " "));
    }
}

/// The table of trained settings: setting, optimizer, LR and schedule, then the summary.
fn setting_table(s: &mut String, runs: &[Run], targets: &[f64], higher: bool, metric: &str) {
    let rows: Vec<TableRow> = runs
        .iter()
        .map(|run| TableRow {
            lead: vec![
                run.setting.name.clone(),
                crate::train::describe_optimizer(&run.setting.optimizer),
                format!("{:.2e}", run.setting.lr),
                format!("`{}`", run.setting.schedule_text),
            ],
            summary: &run.summary,
            seconds: Some(run.seconds),
            verdict: run.summary.verdict.text().to_string(),
        })
        .collect();
    summary_table(
        s,
        &["setting", "optimizer", "LR", "schedule"],
        &rows,
        targets,
        higher,
        metric,
    );
}

/// The table of runs trained on a model of your own ([`crate::compare::compare_models`]),
/// under `title`: the same columns as `compare.md`'s, the first run the baseline.
pub fn runs_md(title: &str, runs: &[Run], targets: &[f64], higher_is_better: bool) -> String {
    let mut s = format!(
        "# {title}

"
    );
    let metric = if higher_is_better { "accuracy" } else { "MSE" };
    let _ = writeln!(
        s,
        "Every setting starts from the same initial weights; the first is the baseline. *epochs to X*: the first \
         epoch whose validation {metric} reaches X; *verdict*: see lrfind's README (\"Verdicts\").\n"
    );
    setting_table(&mut s, runs, targets, higher_is_better, metric);
    s
}

/// `compare.md`: the table, the plot and how to read them.
pub fn compare_md(c: &Comparison, plot_file: &str) -> String {
    let mut s = String::new();
    let metric = if c.higher_is_better {
        "accuracy"
    } else {
        "MSE"
    };
    let _ = writeln!(s, "# Training settings compared on {}\n", c.data.source);
    if !c.not_run.is_empty() {
        let _ = writeln!(
            s,
            "**Incomplete: interrupted.** Not run: {}. The table holds the settings that finished.\n",
            c.not_run.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "{} rows ({} train / {} validation), {}, seed {}. Every setting starts from the same initial weights \
         and sees the same batches in the same order. The first setting is the baseline.\n",
        c.data.rows,
        c.data.split_rows.first().unwrap_or(&0),
        c.data.split_rows.get(1).unwrap_or(&0),
        c.model,
        c.config.seed
    );
    if let Some(far) = &c.data.far_outside {
        let _ = writeln!(s, "**Warning**: {}.\n", far.line());
    }
    for line in (c.data).whole_part_batches(c.runs.iter().map(|r| r.setting.batch_size)) {
        let _ = writeln!(s, "{line}\n");
    }
    if let Some(lr) = c.suggested_lr {
        let _ = writeln!(s, "`auto` LR = the range test's suggestion, {lr:.2e}.\n");
    }
    setting_table(&mut s, &c.runs, &c.targets, c.higher_is_better, metric);
    let _ = writeln!(s, "\n![training curves]({plot_file})\n");
    let _ = writeln!(s, "## Reading the table\n");
    let _ = writeln!(
        s,
        "- *epochs to X*: the first epoch whose validation {metric} reaches X; *speed-up*: the baseline's epochs \
         to X divided by this setting's, `–` where either never reached X (wall-time ratios are in `compare.json`).\n\
         - *verdict* (validation loss per epoch, last quarter of the run): **converged** flat at the end; \
         **still improving** fell more than 2 % over the last quarter; **oscillating** swung more than 10 % without \
         net progress; **stalled** never got 5 % below the initial loss (LR too low); **diverged** NaN, infinity or \
         an epoch's training loss above twice the first step's."
    );
    if let Some(best) = best_run(c) {
        let _ = writeln!(
            s,
            "\n**Conclusion.** Best final validation {metric}: *{}* ({}, {}).",
            best.setting.name,
            pct_or_value(c.higher_is_better, best.summary.final_metric),
            best.summary.verdict.text()
        );
    }
    s
}

fn best_run(c: &Comparison) -> Option<&Run> {
    let key = |r: &&Run| {
        let m = r
            .summary
            .final_metric
            .filter(|m| m.is_finite() && !r.diverged);
        m.map(|m| if c.higher_is_better { m } else { -m })
            .unwrap_or(f64::NEG_INFINITY)
    };
    c.runs.iter().max_by(|a, b| key(a).total_cmp(&key(b)))
}

/// `lrfind schedule --csv`: one row per step, one column per schedule.
pub fn schedule_csv(names: &[String], curves: &[Vec<f64>]) -> Vec<u8> {
    let mut s = String::from("step");
    for n in names {
        s += ",";
        s += &csv_field(n);
    }
    s += "\n";
    for t in 0..curves.first().map_or(0, Vec::len) {
        let _ = write!(s, "{t}");
        for c in curves {
            let _ = write!(s, ",{}", c[t]);
        }
        s += "\n";
    }
    s.into_bytes()
}
