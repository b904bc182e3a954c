//! The pre-registered test of the four cases added last to the evaluate case list
//! (`scripts/evaluate-cases.sh`, README "On data it never saw"): does the geometric mean of
//! `knee` read on the training curve and on the validation curve land closer to the good
//! interval than `knee` on the training curve alone? Not a test; needs range tests that
//! recorded a validation curve (`VAL_EVERY=10 bash scripts/evaluate-cases.sh OUT`).
//!
//! ```text
//! cargo run --release --example hypothesis_check -- OUT/{basicmotions,gunpoint,italypowerdemand,tecator}/evaluate.json
//! ```
//!
//! Prints, per case and length, knee's mean distance on each curve and for their geometric
//! mean, then over all points the means and the paired difference (mean minus training
//! curve) with its 90 % bootstrap interval. A refusal counts as a one-decade miss.

use lrfind::analysis::evaluation::{
    BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, REFUSAL_DECADES, bootstrap_mean, decades_outside,
};
use lrfind::analysis::rules::{Curve, knee};
use lrfind::analysis::suggest::tested_range;
use lrfind::pipeline::evaluate::Evaluation;

/// knee's LR on a curve, clamped to the tested range (None: it declined).
fn knee_lr(curve: &Curve) -> Option<f64> {
    let (lo, hi) = tested_range(curve.lrs);
    knee(curve).ok().map(|p| p.lr.clamp(lo, hi))
}

fn main() {
    let (mut train, mut val, mut both) = (Vec::new(), Vec::new(), Vec::new());
    println!(
        "| case | steps | training curve | validation curve | geometric mean |\n|---|---|---|---|---|"
    );
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let e: Evaluation = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let name = std::path::Path::new(&path)
            .parent()
            .and_then(|d| d.file_name())
            .map_or("?".into(), |n| n.to_string_lossy().into_owned());
        for b in &e.budgets {
            let mut d = [0.0; 3];
            for r in &e.range_tests {
                let v = r.validation.as_ref().unwrap_or_else(|| {
                    panic!("{path}: no validation curve (run with --val-every)")
                });
                let t = knee_lr(&r.curve().planned(Some(b.steps)));
                let w = knee_lr(&v.curve(&r.lrs).planned(Some(b.steps)));
                let g = t.zip(w).map(|(t, w)| (t * w).sqrt());
                let score = |lr: Option<f64>| {
                    lr.map_or(REFUSAL_DECADES, |lr| decades_outside(lr, b.grid.interval))
                };
                let s = [score(t), score(w), score(g)];
                train.push(s[0]);
                val.push(s[1]);
                both.push(s[2]);
                for k in 0..3 {
                    d[k] += s[k] / e.range_tests.len() as f64;
                }
            }
            println!(
                "| {name} | {} | {:.2} | {:.2} | {:.2} |",
                b.steps, d[0], d[1], d[2]
            );
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let diff: Vec<f64> = both.iter().zip(&train).map(|(g, t)| g - t).collect();
    let interval = bootstrap_mean(&diff, BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, 3)
        .map_or("-".into(), |(lo, hi)| format!("[{lo:+.3}, {hi:+.3}]"));
    println!(
        "\nOver {} points: training curve {:.3}, validation curve {:.3}, geometric mean {:.3}; \
         geometric mean minus training curve {:+.3} {interval}",
        train.len(),
        mean(&train),
        mean(&val),
        mean(&both),
        mean(&diff)
    );
}
