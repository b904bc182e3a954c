//! The recipes section of `evaluate.md` (`evaluate --arms`): per budget, the grid's best and
//! every arm side by side, from the numbers in [`BudgetScore::arms`].

use std::fmt::Write as _;

use crate::analysis::conclusion::lr_text;
use crate::evaluate::{ArmOutcome, BudgetScore};

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Geometric mean of the LRs used, "–" when none ran.
fn lr_of(seeds: &[ArmOutcome]) -> String {
    let lrs: Vec<f64> = seeds.iter().filter_map(|o| o.lr).collect();
    match lrs.len() {
        0 => "–".into(),
        n => lr_text((lrs.iter().map(|l| l.ln()).sum::<f64>() / n as f64).exp()),
    }
}

/// One table row: mean final loss and metric over the seeds that finished, regret against
/// `bar` (mean and range; a refusal or a divergence is counted and left out of the mean),
/// epochs to each target, mean cost, verdict counts.
fn row(name: &str, seeds: &[ArmOutcome], bar: f64, classification: bool, targets: usize) -> String {
    let ok: Vec<&ArmOutcome> = seeds.iter().filter(|o| o.val_loss.is_finite()).collect();
    let losses: Vec<f64> = ok.iter().map(|o| o.val_loss).collect();
    let metrics: Vec<f64> = ok.iter().map(|o| o.val_metric).collect();
    let regrets: Vec<f64> = losses.iter().map(|l| l - bar).collect();
    let failed = seeds.len() - ok.len();
    let regret = match mean(&regrets) {
        None => "–".into(),
        Some(m) => {
            let lo = regrets.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = regrets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{m:+.4} [{lo:+.4}, {hi:+.4}]")
        }
    };
    let metric = match (mean(&metrics), classification) {
        (None, _) => "–".into(),
        (Some(m), true) => format!("{:.1} %", 100.0 * m),
        (Some(m), false) => format!("{m:.4}"),
    };
    let epochs: Vec<String> = (0..targets)
        .map(|t| {
            let reached: Vec<f64> = seeds
                .iter()
                .filter_map(|o| o.epochs_to_target.get(t).copied().flatten())
                .map(|e| e as f64)
                .collect();
            match mean(&reached) {
                None => format!("– (0/{})", seeds.len()),
                Some(m) => format!("{m:.1} ({}/{})", reached.len(), seeds.len()),
            }
        })
        .collect();
    let cost = mean(
        &seeds
            .iter()
            .map(|o| o.cost_steps as f64)
            .collect::<Vec<_>>(),
    )
    .map_or("–".into(), |c| format!("{c:.0}"));
    let mut verdicts: Vec<(String, usize)> = Vec::new();
    for o in seeds {
        let v = o.verdict.map_or("no suggestion", |v| v.text()).to_string();
        match verdicts.iter_mut().find(|(k, _)| *k == v) {
            Some((_, n)) => *n += 1,
            None => verdicts.push((v, 1)),
        }
    }
    let verdicts: Vec<String> = verdicts.iter().map(|(v, n)| format!("{v} {n}")).collect();
    format!(
        "| {name} | {} | {} | {metric} | {regret}{} | {} | {cost} | {} |",
        lr_of(seeds),
        mean(&losses).map_or("–".into(), |l| format!("{l:.4}")),
        if failed > 0 {
            format!(" ({failed} without a finished run)")
        } else {
            String::new()
        },
        epochs.join(" | "),
        verdicts.join(", ")
    )
}

/// The recipes table of one budget, and which recipe came closest to the bar.
pub(super) fn arms_md(out: &mut String, classification: bool, targets: &[f64], b: &BudgetScore) {
    let Some(best) = &b.grid_best else {
        return;
    };
    let bar = b.grid.mean_loss[b.grid.best];
    let level = |t: f64| {
        if classification {
            format!("epochs to {:.0} %", 100.0 * t)
        } else {
            format!("epochs to MSE {t}")
        }
    };
    let _ = writeln!(
        out,
        "### Recipes at {} epoch(s): range test or learning-rate-free?\n",
        b.epochs
    );
    let mut header = vec![
        "recipe".to_string(),
        "LR".into(),
        "final val loss".into(),
        if classification {
            "final accuracy"
        } else {
            "final MSE"
        }
        .into(),
        "regret vs the grid's best".into(),
    ];
    header.extend(targets.iter().map(|&t| level(t)));
    header.extend(["optimizer steps".into(), "verdicts".into()]);
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    let _ = writeln!(
        out,
        "{}",
        row(
            "grid's best (the bar)",
            &best.seeds,
            bar,
            classification,
            targets.len()
        )
    );
    for a in &b.arms {
        let _ = writeln!(
            out,
            "{}",
            row(a.arm.name(), &a.seeds, bar, classification, targets.len())
        );
    }
    let mean_loss = |seeds: &[ArmOutcome]| {
        let ok: Vec<f64> = seeds
            .iter()
            .map(|o| o.val_loss)
            .filter(|l| l.is_finite())
            .collect();
        // A recipe that failed on a seed cannot be the closest.
        (ok.len() == seeds.len()).then(|| mean(&ok)).flatten()
    };
    let closest = b
        .arms
        .iter()
        .filter_map(|a| Some((a, mean_loss(&a.seeds)?)))
        .min_by(|x, y| x.1.total_cmp(&y.1));
    let _ = writeln!(out);
    for a in &b.arms {
        let _ = writeln!(out, "- *{}*: {}.", a.arm.name(), a.arm.text());
    }
    let _ = writeln!(
        out,
        "- *grid's best*: the grid's constant LR with the lowest mean validation loss, {}, at the cost of every grid \
         training; *regret*: the recipe's final validation loss minus the bar's mean, {bar:.4} (mean [min, max] over seeds); \
         *optimizer steps* include the range test's.",
        lr_text(best.lr)
    );
    if let Some((a, l)) = closest {
        let _ = writeln!(
            out,
            "\n**Closest to the bar**: *{}*, mean final validation loss {l:.4} (regret {:+.4}).\n",
            a.arm.name(),
            l - bar
        );
    }
}
