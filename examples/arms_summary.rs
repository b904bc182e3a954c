//! Pools `lrfind evaluate --arms` results over cases: per training length, each recipe's
//! final validation loss relative to the grid's best on every case, and over all cases its
//! mean with a bootstrap interval, how often it came closest, how often it failed, and its
//! cost in optimizer steps.
//!
//! ```text
//! ARMS=prodigy,schedule-free-adamw,schedule-free-suggested bash scripts/evaluate-cases.sh OUT
//! cargo run --release --example arms_summary -- OUT/*/evaluate.json
//! ```

use std::path::Path;

use lrfind::analysis::evaluation::{BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, bootstrap_mean};
use lrfind::evaluate::ArmOutcome;
use lrfind::pipeline::evaluate::Evaluation;

/// A recipe's result on one case at one budget.
struct Cell {
    /// Mean over seeds of `loss / bar - 1` (seeds that finished).
    excess: Option<f64>,
    /// Seeds without a finished run (no suggestion, or diverged).
    failed: usize,
    /// Mean over seeds of accuracy minus the bar's mean (classification only).
    accuracy: Option<f64>,
    /// Mean optimizer steps.
    cost: f64,
}

fn cell(seeds: &[ArmOutcome], bar: f64, bar_accuracy: Option<f64>) -> Cell {
    let excess: Vec<f64> = seeds
        .iter()
        .filter(|o| o.val_loss.is_finite())
        .map(|o| o.val_loss / bar - 1.0)
        .collect();
    let accuracy: Vec<f64> = seeds
        .iter()
        .filter(|o| o.val_loss.is_finite())
        .filter_map(|o| Some(o.val_metric - bar_accuracy?))
        .collect();
    Cell {
        accuracy: (!accuracy.is_empty())
            .then(|| accuracy.iter().sum::<f64>() / accuracy.len() as f64),
        failed: seeds.len() - excess.len(),
        excess: (!excess.is_empty()).then(|| excess.iter().sum::<f64>() / excess.len() as f64),
        cost: seeds.iter().map(|o| o.cost_steps as f64).sum::<f64>() / seeds.len().max(1) as f64,
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{:+.1} %", 100.0 * x))
}

fn main() {
    let mut cases: Vec<(String, Evaluation)> = Vec::new();
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let text = std::fs::read(path).unwrap_or_else(|e| panic!("{arg}: {e}"));
        let e: Evaluation = serde_json::from_slice(&text)
            .unwrap_or_else(|e| panic!("{arg}: not evaluate.json: {e}"));
        if e.budgets.iter().all(|b| b.arms.is_empty()) {
            eprintln!("{arg}: no arms (run evaluate with --arms); left out");
            continue;
        }
        let name = path
            .parent()
            .and_then(|p| p.file_name())
            .map_or(arg.clone(), |n| n.to_string_lossy().into_owned());
        cases.push((name, e));
    }
    let Some((_, first)) = cases.first() else {
        eprintln!("usage: arms_summary OUT/*/evaluate.json (from evaluate --arms)");
        std::process::exit(2);
    };
    let arms: Vec<&str> = first.budgets[0].arms.iter().map(|a| a.arm.name()).collect();
    println!("## Recipes against the grid's best\n");
    println!(
        "Final validation loss of each recipe relative to the grid's best constant LR on the same seeds \
         (mean over seeds of loss / best - 1; 0 % is the bar, lower is better); `!k`: k seeds without a \
         finished run (no suggestion, or diverged), left out of the mean.\n"
    );
    for (b, budget) in first.budgets.iter().enumerate() {
        println!("### {} epoch(s)\n", budget.epochs);
        println!(
            "| case | steps | grid's best LR | {} | closest |",
            arms.join(" | ")
        );
        println!("|---|---|---|{}---|", "---|".repeat(arms.len()));
        let mut pooled: Vec<Vec<f64>> = vec![Vec::new(); arms.len()];
        let mut pooled_accuracy: Vec<Vec<f64>> = vec![Vec::new(); arms.len()];
        let mut wins = vec![0usize; arms.len()];
        let mut fails = vec![0usize; arms.len()];
        let mut cost = vec![0.0f64; arms.len()];
        let mut steps = 0.0;
        for (name, e) in &cases {
            let Some(bs) = e.budgets.get(b) else { continue };
            let Some(best) = &bs.grid_best else { continue };
            let bar = bs.grid.mean_loss[bs.grid.best];
            let bar_accuracy = (e.data.task.num_classes() > 0).then(|| {
                best.seeds.iter().map(|o| o.val_metric).sum::<f64>() / best.seeds.len() as f64
            });
            let cells: Vec<Option<Cell>> = arms
                .iter()
                .map(|name| {
                    let a = bs.arms.iter().find(|a| a.arm.name() == *name)?;
                    Some(cell(&a.seeds, bar, bar_accuracy))
                })
                .collect();
            let closest = (0..cells.len())
                .filter_map(|i| Some((i, cells[i].as_ref()?)))
                .filter(|(_, c)| c.failed == 0)
                .filter_map(|(i, c)| Some((i, c.excess?)))
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .map(|(i, _)| i);
            if let Some(i) = closest {
                wins[i] += 1;
            }
            steps += bs.steps as f64;
            let shown: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let Some(c) = c else {
                        return "–".to_string();
                    };
                    if let Some(x) = c.excess {
                        pooled[i].push(x);
                    }
                    if let Some(x) = c.accuracy {
                        pooled_accuracy[i].push(x);
                    }
                    fails[i] += c.failed;
                    cost[i] += c.cost;
                    let mark = if c.failed > 0 {
                        format!(" !{}", c.failed)
                    } else {
                        String::new()
                    };
                    format!("{}{mark}", pct(c.excess))
                })
                .collect();
            println!(
                "| {name} | {} | {:.2e} | {} | {} |",
                bs.steps,
                best.lr,
                shown.join(" | "),
                closest.map_or("–", |i| arms[i])
            );
        }
        println!(
            "\nPooled over {} cases ({:.0} % bootstrap intervals over cases):\n",
            cases.len(),
            100.0 * BOOTSTRAP_LEVEL
        );
        println!(
            "| recipe | mean excess loss | interval | accuracy vs the bar (points, {} classification cases) | interval | closest on | seeds failed | optimizer steps (x one training) |",
            pooled_accuracy[0].len()
        );
        println!("|---|---|---|---|---|---|---|---|");
        for (i, arm) in arms.iter().enumerate() {
            let m = (!pooled[i].is_empty())
                .then(|| pooled[i].iter().sum::<f64>() / pooled[i].len() as f64);
            let iv = bootstrap_mean(&pooled[i], BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, i as u64)
                .map_or("–".into(), |(a, b)| {
                    format!("[{}, {}]", pct(Some(a)), pct(Some(b)))
                });
            let points = |v: f64| format!("{:+.1}", 100.0 * v);
            let acc = &pooled_accuracy[i];
            let acc_mean = (!acc.is_empty()).then(|| acc.iter().sum::<f64>() / acc.len() as f64);
            let acc_iv = bootstrap_mean(acc, BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, 100 + i as u64)
                .map_or("–".into(), |(a, b)| {
                    format!("[{}, {}]", points(a), points(b))
                });
            println!(
                "| {arm} | {} | {iv} | {} | {acc_iv} | {} of {} | {} | {:.2} |",
                pct(m),
                acc_mean.map_or("–".into(), points),
                wins[i],
                cases.len(),
                fails[i],
                cost[i] / steps.max(1.0)
            );
        }
        println!();
    }
}
