//! How much the range test's batching moves `knee`'s suggestion (README, "Under PyTorch's
//! batching"): two runs of the case list, one with lrfind's default (each epoch's last short
//! batch dropped) and one with `--keep-last-batch`. Per case, `knee`'s suggestion for the
//! second training length (5 epochs in the case list) from each seed's range test, the
//! dropped run's scaled to the kept run's steps by `(steps ratio)^KNEE_BUDGET_EXPONENT` so
//! that both answer for the same training; then the mean over seeds of the log10 ratio
//! (kept over dropped), and over cases the mean absolute value and the largest.
//!
//! ```text
//! bash scripts/evaluate-cases.sh DROPPED
//! EXTRA=--keep-last-batch bash scripts/evaluate-cases.sh KEPT
//! cargo run --release --example batching_check -- DROPPED KEPT
//! ```
//! A refusal on either side leaves that seed out; a suggestion capped at the smoothed minimum
//! does not scale, so the figure is approximate where the cap binds.

use std::path::Path;

use lrfind::analysis::Method;
use lrfind::analysis::rules::KNEE_BUDGET_EXPONENT;
use lrfind::evaluate::BudgetScore;
use lrfind::pipeline::evaluate::Evaluation;

/// The training length compared: the second of the case list's (1, 5, 20 epochs).
const BUDGET: usize = 1;

fn load(path: &Path) -> Evaluation {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn knee_of(b: &BudgetScore) -> &[Option<f64>] {
    let knee = b.rules.iter().find(|r| r.method == Method::Knee);
    &knee.expect("every rule is scored").suggestions
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dropped, kept] = &args[..] else {
        eprintln!("usage: batching_check DROPPED_DIR KEPT_DIR (each with CASE/evaluate.json)");
        std::process::exit(2);
    };
    let mut names: Vec<String> = std::fs::read_dir(dropped)
        .unwrap_or_else(|e| panic!("{dropped}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| Path::new(kept).join(n).join("evaluate.json").exists())
        .collect();
    names.sort();
    println!("| case | steps dropped / kept | mean log10(kept / dropped) |\n|---|---|---|");
    let mut shifts = Vec::new();
    for name in &names {
        let a = load(&Path::new(dropped).join(name).join("evaluate.json"));
        let b = load(&Path::new(kept).join(name).join("evaluate.json"));
        let (ba, bb) = (&a.budgets[BUDGET], &b.budgets[BUDGET]);
        let scale = (ba.steps as f64 / bb.steps as f64).powf(KNEE_BUDGET_EXPONENT);
        let logs: Vec<f64> = (knee_of(ba).iter().zip(knee_of(bb)))
            .filter_map(|(x, y)| Some((y.as_ref()? / (x.as_ref()? * scale)).log10()))
            .collect();
        if logs.is_empty() {
            continue;
        }
        let shift = logs.iter().sum::<f64>() / logs.len() as f64;
        println!("| {name} | {} / {} | {shift:+.3} |", ba.steps, bb.steps);
        shifts.push((shift.abs(), name));
    }
    let mean = shifts.iter().map(|s| s.0).sum::<f64>() / shifts.len().max(1) as f64;
    let largest = shifts.iter().max_by(|x, y| x.0.total_cmp(&y.0));
    println!(
        "\nOver {} cases: mean |shift| {mean:.3} decades; largest {}",
        shifts.len(),
        largest.map_or("-".into(), |(s, n)| format!("{s:.3} ({n})"))
    );
}
