//! Pools the `evaluate.json` files of the evaluate case list (`scripts/evaluate-cases.sh`)
//! into the evidence README reports; not a test.
//!
//! ```text
//! cargo run --release --example evaluate_summary -- OUT/*/evaluate.json
//! ```
//!
//! Prints, in Markdown:
//! 1. how the best LR moves with the training length on every case (the budget study);
//! 2. per budget and over all of them, every rule's mean distance outside the good interval
//!    over all case-seeds (a refusal counts as a one-decade miss), with a 90 % bootstrap
//!    interval, its worst case-seed, and how many land within a quarter decade;
//! 3. `knee`'s constants chosen by leave-one-dataset-out: for each dataset, the constants
//!    that do best on the others, and their score on the held-out one, next to the
//!    in-sample score of the constants chosen on everything.
//!
//! A case's dataset (its fold) is read from a file `dataset` beside its `evaluate.json`
//! (the case script writes it), else the data source.

use std::collections::BTreeMap;
use std::path::Path;

use lrfind::analysis::evaluation::spearman;
use lrfind::analysis::evaluation::{
    BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, REFUSAL_DECADES, bootstrap_mean, decades_outside,
};
use lrfind::analysis::rules::{KNEE, KneeParams, knee_point, knee_with};
use lrfind::analysis::suggest::tested_range;
use lrfind::evaluate::Evaluation;

/// A named feature of a point's range test.
type Predictor<'a> = (&'static str, &'a dyn Fn(&Point) -> f64);

/// The candidate constants of `knee` scored by leave-one-dataset-out.
const FALLS: [f64; 5] = [0.75, 0.8, 0.85, 0.9, 0.95];
const EXPONENTS: [f64; 7] = [0.4, 0.5, 0.6, 0.67, 0.75, 0.85, 1.0];
const REFERENCES: [f64; 8] = [25.0, 35.0, 50.0, 70.0, 100.0, 140.0, 200.0, 280.0];

struct Case {
    name: String,
    dataset: String,
    eval: Evaluation,
}

fn load(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let eval: Evaluation =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let dir = path.parent().expect("a file in a folder");
    let name = dir
        .file_name()
        .map_or("?".into(), |n| n.to_string_lossy().into_owned());
    let dataset = std::fs::read_to_string(dir.join("dataset"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| eval.data.source.clone());
    Case {
        name,
        dataset,
        eval,
    }
}

/// One scored point: a case, a seed, a budget.
#[derive(Clone, Copy)]
struct Point<'a> {
    case: &'a Case,
    seed: usize,
    budget: usize,
}

fn points(cases: &[Case]) -> Vec<Point<'_>> {
    let mut out = Vec::new();
    for case in cases {
        for budget in 0..case.eval.budgets.len() {
            for seed in 0..case.eval.range_tests.len() {
                out.push(Point { case, seed, budget });
            }
        }
    }
    out
}

/// Decades outside the interval of `knee` with `params` at one point (refusal: a miss).
fn knee_distance(p: &Point, params: &KneeParams) -> f64 {
    let b = &p.case.eval.budgets[p.budget];
    let r = &p.case.eval.range_tests[p.seed];
    let curve = r.suggested_rule_curve().planned(Some(b.steps));
    match knee_with(&curve, params) {
        Ok(pick) => {
            let (lo, hi) = tested_range(curve.lrs);
            decades_outside(pick.lr.clamp(lo, hi), b.grid.interval)
        }
        Err(_) => REFUSAL_DECADES,
    }
}

/// Decades from the point knee read to the smoothed minimum on a point's range test.
fn valley_width(p: &Point) -> f64 {
    let c = p.case.eval.range_tests[p.seed].suggested_rule_curve();
    knee_point(c.lrs, c.raw, &KNEE)
        .map_or(f64::NAN, |k| (c.lrs[k.minimum] / c.lrs[k.index]).log10())
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn describe(p: &KneeParams) -> String {
    format!(
        "fall {}, exponent {}, reference {} steps, cap {}",
        p.fall,
        p.budget_exponent.map_or("off".into(), |c| c.to_string()),
        p.reference_training_steps,
        if p.cap_at_minimum { "on" } else { "off" }
    )
}

fn interval(v: &[f64], seed: u64) -> String {
    bootstrap_mean(v, BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, seed)
        .map_or("–".into(), |(a, b)| format!("[{a:.3}, {b:.3}]"))
}

fn main() {
    let cases: Vec<Case> = std::env::args()
        .skip(1)
        .map(|p| load(Path::new(&p)))
        .collect();
    assert!(
        !cases.is_empty(),
        "usage: evaluate_summary OUT/*/evaluate.json"
    );
    let datasets: Vec<String> = cases
        .iter()
        .map(|c| c.dataset.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let all = points(&cases);
    println!(
        "{} cases, {} datasets, {} case-seed-budget points.\n",
        cases.len(),
        datasets.len(),
        all.len()
    );

    // 1. The budget study.
    println!("## How the best LR moves with the training length\n");
    let heads: Vec<String> = cases[0]
        .eval
        .budgets
        .iter()
        .map(|b| format!("{} epoch(s)", b.epochs))
        .collect();
    println!(
        "| case | steps per epoch | best LR at {} | slope d log LR / d log steps |",
        heads.join(" / ")
    );
    println!("|---|---|---|---|");
    for c in &cases {
        let bests: Vec<(f64, f64)> = c
            .eval
            .budgets
            .iter()
            .map(|b| (b.steps as f64, b.grid.lrs[b.grid.best]))
            .collect();
        let slope = if bests.len() > 1 {
            let (x0, y0) = bests[0];
            let (x1, y1) = bests[bests.len() - 1];
            format!("{:.2}", (y1 / y0).log10() / (x1 / x0).log10())
        } else {
            "–".into()
        };
        let text: Vec<String> = bests.iter().map(|(_, lr)| format!("{lr:.2e}")).collect();
        println!(
            "| {} | {} | {} | {slope} |",
            c.name,
            c.eval.steps_per_epoch,
            text.join(" / ")
        );
    }

    // 2. Every rule, pooled.
    let n_budgets = cases[0].eval.budgets.len();
    println!("\n## Every rule over all cases (decades outside the good interval)\n");
    println!(
        "| budget | rule | mean [90 % bootstrap] | worst | within 0.25 | refusals |\n|---|---|---|---|---|---|"
    );
    let methods: Vec<_> = cases[0].eval.budgets[0]
        .rules
        .iter()
        .map(|r| r.method)
        .collect();
    for budget in (0..n_budgets).map(Some).chain([None]) {
        for (m, &method) in methods.iter().enumerate() {
            let mut v = Vec::new();
            let mut refusals = 0;
            for c in &cases {
                for (b, score) in c.eval.budgets.iter().enumerate() {
                    if budget.is_none_or(|x| x == b) {
                        v.extend(&score.rules[m].outside);
                        refusals += score.rules[m].refusals;
                    }
                }
            }
            let label = budget.map_or("all".into(), |b| {
                format!("{} epoch(s)", cases[0].eval.budgets[b].epochs)
            });
            println!(
                "| {label} | {} | {:.3} {} | {:.2} | {}/{} | {refusals} |",
                method.name(),
                mean(&v),
                interval(&v, m as u64),
                v.iter().copied().fold(0.0, f64::max),
                v.iter().filter(|&&d| d <= 0.25).count(),
                v.len()
            );
        }
    }

    // 3. knee's constants by leave-one-dataset-out.
    let mut candidates = vec![KNEE];
    for fall in FALLS {
        for alpha in EXPONENTS {
            for reference in REFERENCES {
                for cap_at_minimum in [false, true] {
                    candidates.push(KneeParams {
                        fall,
                        budget_exponent: Some(alpha),
                        reference_training_steps: reference,
                        cap_at_minimum,
                        ..KNEE
                    });
                }
            }
        }
    }
    // scores[candidate][point]
    let scores: Vec<Vec<f64>> = candidates
        .iter()
        .map(|p| all.iter().map(|pt| knee_distance(pt, p)).collect())
        .collect();
    let best_on = |keep: &dyn Fn(&Point) -> bool| -> usize {
        (0..candidates.len())
            .min_by(|&a, &b| {
                let score = |c: usize| {
                    let v: Vec<f64> = all
                        .iter()
                        .zip(&scores[c])
                        .filter(|(p, _)| keep(p))
                        .map(|(_, s)| *s)
                        .collect();
                    mean(&v)
                };
                score(a).total_cmp(&score(b))
            })
            .expect("candidates")
    };
    let in_sample = best_on(&|_| true);
    println!("\n## knee's constants, leave one dataset out\n");
    println!(
        "Candidates: {} (today's knee, and fall {FALLS:?} x exponent {EXPONENTS:?} x reference {REFERENCES:?} steps \
         x cap at the minimum off/on). Chosen on all datasets: {}.\n",
        candidates.len(),
        describe(&candidates[in_sample])
    );
    println!(
        "| held-out dataset | constants chosen on the others | held-out mean | in-sample mean (constants chosen on all) |\n|---|---|---|---|"
    );
    let mut loo = vec![0.0; all.len()];
    let mut per_dataset = BTreeMap::new();
    for d in &datasets {
        let chosen = best_on(&|p: &Point| &p.case.dataset != d);
        let idx: Vec<usize> = (0..all.len())
            .filter(|&i| &all[i].case.dataset == d)
            .collect();
        for &i in &idx {
            loo[i] = scores[chosen][i];
        }
        let held: Vec<f64> = idx.iter().map(|&i| scores[chosen][i]).collect();
        let ins: Vec<f64> = idx.iter().map(|&i| scores[in_sample][i]).collect();
        per_dataset.insert(d.clone(), (mean(&held), mean(&ins)));
        println!(
            "| {d} | {} | {:.3} | {:.3} |",
            describe(&candidates[chosen]),
            mean(&held),
            mean(&ins)
        );
    }
    let frozen = candidates
        .iter()
        .position(|c| *c == KNEE)
        .map(|i| scores[i].clone())
        .unwrap_or_else(|| all.iter().map(|p| knee_distance(p, &KNEE)).collect());
    println!(
        "\n| over all points | mean [90 % bootstrap] | worst | within 0.25 |\n|---|---|---|---|"
    );
    for (label, v) in [
        ("leave-one-dataset-out", &loo),
        ("in-sample (constants chosen on all)", &scores[in_sample]),
        ("knee as frozen in the code", &frozen),
    ] {
        println!(
            "| {label} | {:.3} {} | {:.2} | {}/{} |",
            mean(v),
            interval(v, 7),
            v.iter().copied().fold(0.0, f64::max),
            v.iter().filter(|&&d| d <= 0.25).count(),
            v.len()
        );
    }
    println!(
        "\n| budget | leave-one-dataset-out: mean [90 % bootstrap] | within 0.25 | knee as frozen |\n|---|---|---|---|"
    );
    for b in 0..n_budgets {
        let pick = |v: &[f64]| -> Vec<f64> {
            all.iter()
                .zip(v)
                .filter(|(p, _)| p.budget == b)
                .map(|(_, d)| *d)
                .collect()
        };
        let (l, f) = (pick(&loo), pick(&frozen));
        println!(
            "| {} epoch(s) | {:.3} {} | {}/{} | {:.3} {} |",
            cases[0].eval.budgets[b].epochs,
            mean(&l),
            interval(&l, 11),
            l.iter().filter(|&&d| d <= 0.25).count(),
            l.len(),
            mean(&f),
            interval(&f, 13)
        );
    }
    // 4. Does anything on the curve predict knee's distance?
    println!(
        "\n## What predicts knee's distance (Spearman's rho over all case-seed-budget points)\n"
    );
    println!(
        "A confidence that tracks has rho well below 0 (higher score, smaller distance); an \
         uncertainty estimate, well above 0.\n"
    );
    println!(
        "| feature of the range test | rho with knee's distance [90 % bootstrap over points] |\n|---|---|"
    );
    let predictors: [Predictor; 6] = [
        ("confidence score", &|p: &Point| {
            p.case.eval.range_tests[p.seed].suggested().confidence.score
        }),
        (
            "decades from knee's point to the minimum (the valley's width)",
            &valley_width,
        ),
        ("spread of knee, steep and torch (decades)", &|p: &Point| {
            p.case.eval.range_tests[p.seed]
                .suggested()
                .confidence
                .spread_decades
                .unwrap_or(f64::NAN)
        }),
        (
            "headroom: decades from the suggestion up to the minimum",
            &|p: &Point| {
                let r = &p.case.eval.range_tests[p.seed];
                let b = &p.case.eval.budgets[p.budget];
                let c = r.suggested_rule_curve().planned(Some(b.steps));
                match (knee_point(c.lrs, c.raw, &KNEE), knee_with(&c, &KNEE)) {
                    (Ok(k), Ok(pick)) => (c.lrs[k.minimum] / pick.lr).log10(),
                    _ => f64::NAN,
                }
            },
        ),
        (
            "spread of knee over the case's 5 seeds at this length (decades)",
            &|p: &Point| {
                let b = &p.case.eval.budgets[p.budget];
                b.rules[0].seed_spread
            },
        ),
        (
            "fall of the smoothed loss (fraction of the start)",
            &|p: &Point| p.case.eval.range_tests[p.seed].suggested().confidence.fall,
        ),
    ];
    for (name, f) in predictors {
        let pairs: Vec<(f64, f64)> = all
            .iter()
            .zip(&frozen)
            .map(|(p, d)| (f(p), *d))
            .filter(|(x, _)| x.is_finite())
            .collect();
        let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        let rho = spearman(&x, &y);
        let mut rng = lrfind::rng::Rng::new(1, 0);
        let mut boots: Vec<f64> = (0..1000)
            .filter_map(|_| {
                let idx: Vec<usize> = (0..pairs.len()).map(|_| rng.below(pairs.len())).collect();
                let bx: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
                let by: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
                spearman(&bx, &by)
            })
            .collect();
        boots.sort_by(f64::total_cmp);
        let q =
            |f: f64| boots[((f * (boots.len() - 1) as f64).round() as usize).min(boots.len() - 1)];
        println!(
            "| {name} | {} [{:.2}, {:.2}] over {} points |",
            rho.map_or("undefined".into(), |r| format!("{r:.2}")),
            q(0.05),
            q(0.95),
            pairs.len()
        );
    }
    println!(
        "\n| valley width (decades) | points | knee's mean distance | within 0.25 |\n|---|---|---|---|"
    );
    for (lo, hi) in [(0.0, 1.0), (1.0, 1.25), (1.25, 1.5), (1.5, 2.0), (2.0, 9.0)] {
        let d: Vec<f64> = all
            .iter()
            .zip(&frozen)
            .filter(|(p, _)| (lo..hi).contains(&valley_width(p)))
            .map(|(_, d)| *d)
            .collect();
        println!(
            "| {lo} to {hi} | {} | {:.3} | {} |",
            d.len(),
            mean(&d),
            d.iter().filter(|&&x| x <= 0.25).count()
        );
    }
    println!("\n| case | budget | knee (frozen) per seed: decades outside |\n|---|---|---|");
    for c in &cases {
        for (b, score) in c.eval.budgets.iter().enumerate() {
            let v: Vec<String> = (0..c.eval.range_tests.len())
                .map(|seed| {
                    format!(
                        "{:.2}",
                        knee_distance(
                            &Point {
                                case: c,
                                seed,
                                budget: b
                            },
                            &KNEE
                        )
                    )
                })
                .collect();
            println!(
                "| {} | {} epoch(s) | {} |",
                c.name,
                score.epochs,
                v.join(" ")
            );
        }
    }
}
