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
//!    interval, its worst case-seed, and how many land within a quarter decade; then the
//!    same scores against good intervals set by the median of the seeds'
//!    validation losses instead of their mean (a check of the protocol);
//! 3. `knee`'s constants chosen by leave-one-dataset-out: for each dataset, the constants
//!    that do best on the others, and their score on the held-out one, next to the
//!    in-sample score of the constants chosen on everything;
//! 4. when the range tests recorded a validation curve (`VAL_EVERY=10 bash
//!    scripts/evaluate-cases.sh OUT`), the validation floor of each case beside how its best
//!    LR moves with the length and how far `knee` lands.
//!
//! A case's dataset (its fold) is read from a file `dataset` beside its `evaluate.json`
//! (the case script writes it), else the data source.

use std::collections::BTreeMap;
use std::path::Path;

use lrfind::analysis::Method;
use lrfind::analysis::confidence::{MEMORISING_FLOOR, PLATEAU_FLOOR, Regime, loss_floor};
use lrfind::analysis::evaluation::spearman;
use lrfind::analysis::evaluation::{
    BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, REFUSAL_DECADES, bootstrap_mean, cluster_bootstrap_mean,
    decades_outside, grid_summary, scored_outside,
};
use lrfind::analysis::rules::{KNEE, KneeParams, knee_point, knee_with};
use lrfind::analysis::suggest::tested_range;
use lrfind::pipeline::evaluate::Evaluation;

/// A named feature of a point's range test.
type Predictor<'a> = (&'static str, &'a dyn Fn(&Point) -> f64);

/// The candidate constants of `knee` scored by leave-one-dataset-out.
const FALLS: [f64; 5] = [0.75, 0.8, 0.85, 0.9, 0.95];
const EXPONENTS: [f64; 7] = [0.4, 0.5, 0.6, 0.67, 0.75, 0.85, 1.0];
const REFERENCES: [f64; 8] = [25.0, 35.0, 50.0, 70.0, 100.0, 140.0, 200.0, 280.0];
/// The cap in the leave-one-dataset-out search: none, or at the smoothed minimum's LR.
const CAPS: [Option<f64>; 2] = [None, Some(0.0)];
/// Caps further below the minimum (decades), tried with the other constants frozen.
const MARGINS: [f64; 6] = [0.0, 0.125, 0.25, 0.375, 0.5, 0.75];

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
    knee_lr(p, params, 1).map_or(REFUSAL_DECADES, |lr| {
        decades_outside(lr, p.case.eval.budgets[p.budget].grid.interval)
    })
}

/// `knee`'s answer with `params` at one point, clamped to the tested range, asked for at
/// least `min_steps` (None: refused).
fn knee_lr(p: &Point, params: &KneeParams, min_steps: usize) -> Option<f64> {
    let b = &p.case.eval.budgets[p.budget];
    let curve = p.case.eval.range_tests[p.seed]
        .suggested_rule_curve()
        .planned(Some(b.steps.max(min_steps)));
    knee_with(&curve, params).ok().map(|pick| {
        let (lo, hi) = tested_range(curve.lrs);
        pick.lr.clamp(lo, hi)
    })
}

/// How `knee` fares on short trainings: its signed error by planned length (above the
/// interval positive), and the frozen rule asked for at least T0 steps (a floor on the
/// length's lift).
fn short_trainings(all: &[Point]) {
    println!("\n## knee on short trainings\n");
    println!(
        "| planned steps | answers | too high | too low | inside | mean signed decades |\n|---|---|---|---|---|---|"
    );
    for (lo, hi) in [
        (1, 2),
        (3, 5),
        (6, 10),
        (11, 40),
        (41, 140),
        (141, usize::MAX),
    ] {
        let signed: Vec<f64> = all
            .iter()
            .filter(|p| (lo..=hi).contains(&p.case.eval.budgets[p.budget].steps))
            .filter_map(|p| {
                let interval = p.case.eval.budgets[p.budget].grid.interval;
                knee_lr(p, &KNEE, 1).map(|lr| {
                    let sign = if lr < interval.0 { -1.0 } else { 1.0 };
                    sign * decades_outside(lr, interval)
                })
            })
            .collect();
        let count = |f: &dyn Fn(f64) -> bool| signed.iter().filter(|&&x| f(x)).count();
        let range = if hi == usize::MAX {
            format!("{lo}+")
        } else {
            format!("{lo} to {hi}")
        };
        println!(
            "| {range} | {} | {} | {} | {} | {:+.3} |",
            signed.len(),
            count(&|x| x > 0.0),
            count(&|x| x < 0.0),
            count(&|x| x == 0.0),
            mean(&signed)
        );
    }
    let budgets = &all[0].case.eval.budgets;
    let heads: Vec<String> = budgets
        .iter()
        .map(|b| format!("{} epoch(s)", b.epochs))
        .collect();
    println!(
        "\n| knee asked for at least T0 steps | mean over all points | {} |\n|---|---|{}",
        heads.join(" | "),
        "---|".repeat(heads.len())
    );
    for t0 in [1, 2, 4, 10, 20] {
        let score = |p: &Point| {
            knee_lr(p, &KNEE, t0).map_or(REFUSAL_DECADES, |lr| {
                decades_outside(lr, p.case.eval.budgets[p.budget].grid.interval)
            })
        };
        let by = |b: Option<usize>| {
            let v: Vec<f64> = all
                .iter()
                .filter(|p| b.is_none_or(|b| p.budget == b))
                .map(score)
                .collect();
            format!("{:.3}", mean(&v))
        };
        let per: Vec<String> = (0..budgets.len()).map(|b| by(Some(b))).collect();
        println!("| {t0} | {} | {} |", by(None), per.join(" | "));
    }
    println!(
        "\n| case | steps | the lift the best LR wants over knee's 140-step LR (decades, mean over seeds) | the lift knee gives |\n|---|---|---|---|"
    );
    let mut seen = std::collections::BTreeSet::new();
    for p in all {
        let b = &p.case.eval.budgets[p.budget];
        if b.steps > 2 || !seen.insert((p.case.name.as_str(), p.budget)) {
            continue;
        }
        let best = b.grid.lrs[b.grid.best];
        let unscaled = KneeParams {
            minimum_margin_decades: None,
            ..KNEE
        };
        let wants: Vec<f64> = p
            .case
            .eval
            .range_tests
            .iter()
            .filter_map(|r| knee_with(&r.suggested_rule_curve().planned(None), &unscaled).ok())
            .map(|pick| (best / pick.lr).log10())
            .collect();
        let gives = KNEE.budget_exponent.unwrap_or(0.0)
            * (KNEE.reference_training_steps / b.steps as f64).log10();
        let wants = if wants.is_empty() {
            "no answer".to_string()
        } else {
            format!("{:+.2}", mean(&wants))
        };
        println!("| {} | {} | {wants} | {gives:+.2} |", p.case.name, b.steps);
    }
}

/// Decades from the point knee read to the smoothed minimum on a point's range test.
fn valley_width(p: &Point) -> f64 {
    let c = p.case.eval.range_tests[p.seed].suggested_rule_curve();
    knee_point(c.lrs, c.raw, &KNEE)
        .map_or(f64::NAN, |k| (c.lrs[k.minimum] / c.lrs[k.index]).log10())
}

/// The loss-floor regime of a point's range test.
fn regime_of(p: &Point) -> Option<Regime> {
    loss_floor(&p.case.eval.range_tests[p.seed].suggested_rule_curve()).and_then(Regime::of)
}

/// Spearman's rho of `x` against `y` over the points where `x` is finite, with a 90 %
/// bootstrap interval over those points.
fn rho_interval(x: &[f64], y: &[f64]) -> String {
    let (x, y): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, _)| a.is_finite())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let rho = spearman(&x, &y);
    let mut rng = lrfind::rng::Rng::new(1, 0);
    let mut boots: Vec<f64> = (0..1000)
        .filter_map(|_| {
            let idx: Vec<usize> = (0..x.len()).map(|_| rng.below(x.len())).collect();
            let bx: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
            let by: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
            spearman(&bx, &by)
        })
        .collect();
    boots.sort_by(f64::total_cmp);
    let q = |f: f64| {
        boots
            .get(((f * (boots.len() as f64 - 1.0)).round() as usize).min(boots.len().max(1) - 1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    format!(
        "{} [{:.2}, {:.2}] over {} points",
        rho.map_or("undefined".into(), |r| format!("{r:.2}")),
        q(0.05),
        q(0.95),
        x.len()
    )
}

/// `knee`'s record per loss-floor regime (the numbers `Regime::record` holds), and the same
/// record computed leave-one-dataset-out: does the record of the other datasets predict the
/// held-out one's distance?
fn regimes(all: &[Point], datasets: &[String], frozen: &[f64]) {
    let regime: Vec<Option<Regime>> = all.iter().map(regime_of).collect();
    let record = |keep: &dyn Fn(usize) -> bool, r: Regime| -> (usize, f64, f64) {
        let d: Vec<f64> = (0..all.len())
            .filter(|&i| keep(i) && regime[i] == Some(r))
            .map(|i| frozen[i])
            .collect();
        let within = d.iter().filter(|&&x| x <= 0.25).count() as f64 / d.len().max(1) as f64;
        (d.len(), mean(&d), within)
    };
    println!("\n## knee's record by loss floor (the confidence's regimes)\n");
    println!(
        "| regime | loss floor | points | datasets | mean distance | within 0.25 | stated in the code |\n|---|---|---|---|---|---|---|"
    );
    for r in Regime::ALL {
        let (n, m, w) = record(&|_| true, r);
        let names: std::collections::BTreeSet<&str> = (0..all.len())
            .filter(|&i| regime[i] == Some(r))
            .map(|i| all[i].case.dataset.as_str())
            .collect();
        let floor = match r {
            Regime::Memorising => format!("below {MEMORISING_FLOOR}"),
            Regime::Fitting => format!("{MEMORISING_FLOOR} to {PLATEAU_FLOOR}"),
            Regime::Plateau => format!("{PLATEAU_FLOOR} and up"),
        };
        let stated = r.record();
        println!(
            "| {} | {floor} | {n} | {} | {m:.3} | {:.1} % | {} points, {:.3}, {:.1} % |",
            r.name(),
            names.into_iter().collect::<Vec<_>>().join(", "),
            100.0 * w,
            stated.points,
            stated.mean_decades,
            100.0 * stated.within_quarter
        );
    }
    // Leave one dataset out: each point's predicted distance is its regime's mean on the
    // other datasets.
    let mut held_out = vec![f64::NAN; all.len()];
    for d in datasets {
        for r in Regime::ALL {
            let (_, m, _) = record(&|i| &all[i].case.dataset != d, r);
            for i in 0..all.len() {
                if &all[i].case.dataset == d && regime[i] == Some(r) {
                    held_out[i] = m;
                }
            }
        }
    }
    println!(
        "\n| the regime's mean distance as a prediction | rho with knee's distance [90 % bootstrap] |\n|---|---|"
    );
    let in_sample: Vec<f64> = (0..all.len())
        .map(|i| regime[i].map_or(f64::NAN, |r| record(&|_| true, r).1))
        .collect();
    println!("| in sample | {} |", rho_interval(&in_sample, frozen));
    println!(
        "| leave-one-dataset-out | {} |",
        rho_interval(&held_out, frozen)
    );
    nested_thresholds(all, datasets, frozen);
    println!(
        "\n| regime | held-out points within 0.25 (per held-out dataset's own record) |\n|---|---|"
    );
    for r in Regime::ALL {
        let per: Vec<String> = datasets
            .iter()
            .filter_map(|d| {
                let (n, m, w) = record(&|i| &all[i].case.dataset == d, r);
                (n > 0).then(|| format!("{d} {:.0} % ({n}, mean {m:.2})", 100.0 * w))
            })
            .collect();
        println!("| {} | {} |", r.name(), per.join("; "));
    }
}

/// The thresholds of the regimes chosen by leave-one-dataset-out as well: for each held-out
/// dataset, the pair (memorising below, plateau from) whose regime means track knee's
/// distance best (Spearman) on the other datasets, and those datasets' means as the
/// held-out points' prediction.
fn nested_thresholds(all: &[Point], datasets: &[String], frozen: &[f64]) {
    const LOW: [f64; 5] = [0.005, 0.01, 0.02, 0.03, 0.05];
    const HIGH: [f64; 5] = [0.1, 0.15, 0.2, 0.3, 0.5];
    let floors: Vec<f64> = all
        .iter()
        .map(|p| {
            loss_floor(&p.case.eval.range_tests[p.seed].suggested_rule_curve()).unwrap_or(f64::NAN)
        })
        .collect();
    let class = |f: f64, (lo, hi): (f64, f64)| -> Option<usize> {
        (f.is_finite() && (0.0..=1.0).contains(&f))
            .then(|| usize::from(f >= lo) + usize::from(f >= hi))
    };
    let means = |keep: &dyn Fn(usize) -> bool, t: (f64, f64)| -> [f64; 3] {
        let mut m = [0.0; 3];
        for (r, slot) in m.iter_mut().enumerate() {
            let d: Vec<f64> = (0..all.len())
                .filter(|&i| keep(i) && class(floors[i], t) == Some(r))
                .map(|i| frozen[i])
                .collect();
            *slot = if d.is_empty() { f64::NAN } else { mean(&d) };
        }
        m
    };
    let fit = |keep: &dyn Fn(usize) -> bool| -> ((f64, f64), [f64; 3]) {
        let mut best = (f64::NEG_INFINITY, (0.0, 0.0), [0.0; 3]);
        for lo in LOW {
            for hi in HIGH {
                let m = means(keep, (lo, hi));
                let (x, y): (Vec<f64>, Vec<f64>) = (0..all.len())
                    .filter(|&i| keep(i))
                    .filter_map(|i| Some((m[class(floors[i], (lo, hi))?], frozen[i])))
                    .filter(|(a, _)| a.is_finite())
                    .unzip();
                let rho = spearman(&x, &y).unwrap_or(f64::NEG_INFINITY);
                if rho > best.0 + 1e-12 {
                    best = (rho, (lo, hi), m);
                }
            }
        }
        (best.1, best.2)
    };
    let (t_all, _) = fit(&|_| true);
    println!(
        "\nThresholds chosen on all datasets (memorising below, plateau from; candidates {LOW:?} x {HIGH:?}): {t_all:?}.\n"
    );
    println!("| held-out dataset | thresholds chosen on the others |\n|---|---|");
    let mut held = vec![f64::NAN; all.len()];
    for d in datasets {
        let keep = |i: usize| &all[i].case.dataset != d;
        let (t, m) = fit(&keep);
        println!("| {d} | {t:?} |");
        for i in (0..all.len()).filter(|&i| !keep(i)) {
            if let Some(r) = class(floors[i], t) {
                held[i] = m[r];
            }
        }
    }
    println!(
        "\n| thresholds and means both chosen leave-one-dataset-out | {} |",
        rho_interval(&held, frozen)
    );
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
        p.minimum_margin_decades
            .map_or("off".into(), |m| if m == 0.0 {
                "at the minimum".to_string()
            } else {
                format!("{m} decades below the minimum")
            })
    )
}

fn interval(v: &[f64], seed: u64) -> String {
    bootstrap_mean(v, BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, seed)
        .map_or("–".into(), |(a, b)| format!("[{a:.3}, {b:.3}]"))
}

/// The 90 % bootstrap interval of the mean resampling whole datasets: `values` paired with
/// the dataset each belongs to. One dataset's seeds, lengths and cases move together, so
/// this is the interval a new dataset would see, wider than [`interval`]'s over points.
fn dataset_interval<'a>(pairs: impl Iterator<Item = (&'a str, f64)>, seed: u64) -> String {
    let mut groups: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (dataset, v) in pairs {
        groups.entry(dataset).or_default().push(v);
    }
    let groups: Vec<Vec<f64>> = groups.into_values().collect();
    cluster_bootstrap_mean(&groups, BOOTSTRAP_LEVEL, BOOTSTRAP_RESAMPLES, seed)
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
        "| budget | rule | mean [90 % bootstrap over points] | [over datasets] | worst | within 0.25 | refusals |\n|---|---|---|---|---|---|---|"
    );
    let methods: Vec<_> = cases[0].eval.budgets[0]
        .rules
        .iter()
        .map(|r| r.method)
        .collect();
    for budget in (0..n_budgets).map(Some).chain([None]) {
        for (m, &method) in methods.iter().enumerate() {
            let mut v = Vec::new();
            let mut of = Vec::new();
            let mut refusals = 0;
            for c in &cases {
                for (b, score) in c.eval.budgets.iter().enumerate() {
                    if budget.is_none_or(|x| x == b) {
                        v.extend(&score.rules[m].outside);
                        of.extend(score.rules[m].outside.iter().map(|_| c.dataset.as_str()));
                        refusals += score.rules[m].refusals;
                    }
                }
            }
            let label = budget.map_or("all".into(), |b| {
                format!("{} epoch(s)", cases[0].eval.budgets[b].epochs)
            });
            println!(
                "| {label} | {} | {:.3} {} | {} | {:.2} | {}/{} | {refusals} |",
                method.name(),
                mean(&v),
                interval(&v, m as u64),
                dataset_interval(of.iter().copied().zip(v.iter().copied()), m as u64),
                v.iter().copied().fold(0.0, f64::max),
                v.iter().filter(|&&d| d <= 0.25).count(),
                v.len()
            );
        }
    }

    // 2b. The protocol checked: good intervals from the median over seeds, and how close a
    // grid search of real trainings on one seed lands.
    median_grid(&cases, &methods);
    one_seed_grid(&cases);
    short_trainings(&all);

    // 3. knee's constants by leave-one-dataset-out.
    let mut candidates = vec![KNEE];
    for fall in FALLS {
        for alpha in EXPONENTS {
            for reference in REFERENCES {
                for minimum_margin_decades in CAPS {
                    candidates.push(KneeParams {
                        fall,
                        budget_exponent: Some(alpha),
                        reference_training_steps: reference,
                        minimum_margin_decades,
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
        "\n| over all points | mean [90 % bootstrap over points] | [over datasets] | worst | within 0.25 |\n|---|---|---|---|---|"
    );
    let of_point = |v: &[f64]| -> Vec<(&str, f64)> {
        all.iter()
            .zip(v)
            .map(|(p, &d)| (p.case.dataset.as_str(), d))
            .collect()
    };
    for (label, v) in [
        ("leave-one-dataset-out", &loo),
        ("in-sample (constants chosen on all)", &scores[in_sample]),
        ("knee as frozen in the code", &frozen),
    ] {
        println!(
            "| {label} | {:.3} {} | {} | {:.2} | {}/{} |",
            mean(v),
            interval(v, 7),
            dataset_interval(of_point(v).into_iter(), 7),
            v.iter().copied().fold(0.0, f64::max),
            v.iter().filter(|&&d| d <= 0.25).count(),
            v.len()
        );
    }
    println!(
        "\n| budget | leave-one-dataset-out: mean [90 % bootstrap over points] | [over datasets] | within 0.25 | knee as frozen | [over datasets] |\n|---|---|---|---|---|---|"
    );
    for b in 0..n_budgets {
        let pick = |v: &[f64]| -> Vec<(&str, f64)> {
            all.iter()
                .zip(v)
                .filter(|(p, _)| p.budget == b)
                .map(|(p, &d)| (p.case.dataset.as_str(), d))
                .collect()
        };
        let (lp, fp) = (pick(&loo), pick(&frozen));
        let values = |p: &[(&str, f64)]| -> Vec<f64> { p.iter().map(|x| x.1).collect() };
        let (l, f) = (values(&lp), values(&fp));
        println!(
            "| {} epoch(s) | {:.3} {} | {} | {}/{} | {:.3} {} | {} |",
            cases[0].eval.budgets[b].epochs,
            mean(&l),
            interval(&l, 11),
            dataset_interval(lp.iter().copied(), 11),
            l.iter().filter(|&&d| d <= 0.25).count(),
            l.len(),
            mean(&f),
            interval(&f, 13),
            dataset_interval(fp.iter().copied(), 13)
        );
    }
    // 3b. The cap moved below the minimum, every other constant as frozen.
    println!(
        "\n## knee's cap moved below the smoothed minimum (other constants frozen)\n\n\
         | cap | mean [90 % bootstrap] | worst | within 0.25 |\n|---|---|---|---|"
    );
    let by_margin: Vec<Vec<f64>> = MARGINS
        .iter()
        .map(|&m| {
            let p = KneeParams {
                minimum_margin_decades: Some(m),
                ..KNEE
            };
            all.iter().map(|pt| knee_distance(pt, &p)).collect()
        })
        .collect();
    let margin_loo: Vec<f64> = (0..all.len())
        .map(|i| {
            let d = &all[i].case.dataset;
            let on_others = |m: usize| {
                let v: Vec<f64> = (0..all.len())
                    .filter(|&j| &all[j].case.dataset != d)
                    .map(|j| by_margin[m][j])
                    .collect();
                mean(&v)
            };
            let m = (0..MARGINS.len())
                .min_by(|&a, &b| on_others(a).total_cmp(&on_others(b)))
                .expect("margins");
            by_margin[m][i]
        })
        .collect();
    for (m, v) in MARGINS.iter().zip(&by_margin) {
        println!(
            "| {m} decades below | {:.3} {} | {:.2} | {}/{} |",
            mean(v),
            interval(v, 17),
            v.iter().copied().fold(0.0, f64::max),
            v.iter().filter(|&&d| d <= 0.25).count(),
            v.len()
        );
    }
    println!(
        "\nThe margin chosen by leave-one-dataset-out (on the other datasets, scored on the \
         held-out one): {:.3} {} over all points.",
        mean(&margin_loo),
        interval(&margin_loo, 19)
    );
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
    let predictors: [Predictor; 7] = [
        (
            "confidence score (how clearly the curve reads)",
            &|p: &Point| p.case.eval.range_tests[p.seed].suggested().confidence.score,
        ),
        (
            "the regime's record: knee's mean distance on curves of the same loss floor",
            &|p: &Point| regime_of(p).map_or(f64::NAN, |r| r.record().mean_decades),
        ),
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
        let x: Vec<f64> = all.iter().map(f).collect();
        println!("| {name} | {} |", rho_interval(&x, &frozen));
    }
    regimes(&all, &datasets, &frozen);
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
    validation_floor(&cases, &all);
}

/// Every rule scored against good intervals set by the median of the seeds' validation
/// losses instead of their mean: one seed whose validation part extrapolates (all_aml,
/// Covid3Month) moves the mean's best LR, not the median's. A diverged seed counts as an
/// infinite loss, so an LR where a minority of seeds diverged can still be best (the mean
/// excludes it); the grid is the one refined around the mean's best.
fn median_grid(cases: &[Case], methods: &[Method]) {
    println!("\n## Good intervals by the median over seeds (the mean sets them above)\n");
    println!(
        "| rule | mean over all points, median-set intervals | mean-set (as above) |\n|---|---|---|"
    );
    for (m, method) in methods.iter().enumerate() {
        let (mut by_median, mut by_mean) = (Vec::new(), Vec::new());
        for c in cases {
            for b in &c.eval.budgets {
                let medians: Vec<f64> = (0..b.grid.lrs.len())
                    .map(|i| {
                        let mut v: Vec<f64> = b
                            .losses
                            .iter()
                            .map(|s| {
                                if s[i].is_finite() {
                                    s[i]
                                } else {
                                    f64::INFINITY
                                }
                            })
                            .collect();
                        v.sort_by(f64::total_cmp);
                        let n = v.len();
                        if n % 2 == 1 {
                            v[n / 2]
                        } else {
                            (v[n / 2 - 1] + v[n / 2]) / 2.0
                        }
                    })
                    .collect();
                if let Some(g) = grid_summary(&b.grid.lrs, &[medians]) {
                    by_median.extend(scored_outside(&b.rules[m].suggestions, g.interval));
                    by_mean.extend(&b.rules[m].outside);
                }
            }
        }
        println!(
            "| {} | {:.3} | {:.3} |",
            method.name(),
            mean(&by_median),
            mean(&by_mean)
        );
    }
}

/// The scale of the protocol's own noise: for each seed, the best LR of its own grid (the
/// exact training at every LR, judged by its own validation loss) scored against the good
/// interval the other seeds' mean sets, beside `knee`'s suggestion on that seed scored the
/// same way. One seed's grid is a noisy estimate of the seeds' best, not a floor: it shows
/// the scale of the spread between seeds.
fn one_seed_grid(cases: &[Case]) {
    println!("\n## A grid search on one seed, against the other seeds' good interval\n");
    println!(
        "| budget | one seed's grid best [90 % bootstrap over points] | [over datasets] | knee on that seed | [over datasets] | points |\n|---|---|---|---|---|---|"
    );
    let knee_index = Method::ALL
        .iter()
        .position(|&m| m == Method::Knee)
        .expect("knee");
    let n_budgets = cases[0].eval.budgets.len();
    for budget in (0..n_budgets).map(Some).chain([None]) {
        let (mut grid, mut knee, mut of) = (Vec::new(), Vec::new(), Vec::new());
        for c in cases {
            for (bi, b) in c.eval.budgets.iter().enumerate() {
                if budget.is_some_and(|x| x != bi) {
                    continue;
                }
                for (seed, own) in b.losses.iter().enumerate() {
                    let others: Vec<Vec<f64>> = (0..b.losses.len())
                        .filter(|&s| s != seed)
                        .map(|s| b.losses[s].clone())
                        .collect();
                    let best = (0..own.len())
                        .filter(|&i| own[i].is_finite())
                        .min_by(|&a, &b| own[a].total_cmp(&own[b]));
                    if let (Some(g), Some(best)) = (grid_summary(&b.grid.lrs, &others), best) {
                        grid.push(decades_outside(b.grid.lrs[best], g.interval));
                        knee.extend(scored_outside(
                            &b.rules[knee_index].suggestions[seed..=seed],
                            g.interval,
                        ));
                        of.push(c.dataset.as_str());
                    }
                }
            }
        }
        let label = budget.map_or("all".into(), |b| {
            format!("{} epoch(s)", cases[0].eval.budgets[b].epochs)
        });
        println!(
            "| {label} | {:.3} {} | {} | {:.3} {} | {} | {} |",
            mean(&grid),
            interval(&grid, 1),
            dataset_interval(of.iter().copied().zip(grid.iter().copied()), 1),
            mean(&knee),
            interval(&knee, 2),
            dataset_interval(of.iter().copied().zip(knee.iter().copied()), 2),
            grid.len()
        );
    }
}

/// The lowest validation loss of a range test's validation curve over its first (NaN
/// without a curve), clamped at 1e-6 so that a loss of 0 has a logarithm.
fn validation_floor_of(c: &Case, seed: usize) -> f64 {
    let Some(v) = &c.eval.range_tests[seed].validation else {
        return f64::NAN;
    };
    let finite: Vec<f64> = v.losses.iter().copied().filter(|l| l.is_finite()).collect();
    match finite.first() {
        Some(&first) if first > 0.0 => {
            (finite.iter().copied().fold(f64::INFINITY, f64::min) / first).max(1e-6)
        }
        _ => f64::NAN,
    }
}

/// knee's distance on a point when it reads the validation curve instead (`None` without
/// one).
fn knee_on_validation(p: &Point) -> Option<f64> {
    let b = &p.case.eval.budgets[p.budget];
    let r = &p.case.eval.range_tests[p.seed];
    let curve = r.validation.as_ref()?.curve(&r.lrs).planned(Some(b.steps));
    Some(match knee_with(&curve, &KNEE) {
        Ok(pick) => {
            let (lo, hi) = tested_range(curve.lrs);
            decades_outside(pick.lr.clamp(lo, hi), b.grid.interval)
        }
        Err(_) => REFUSAL_DECADES,
    })
}

/// Section 4: the validation floor against the best LR's slope and knee's distance, and
/// knee read on the validation curve instead of the training one.
fn validation_floor(cases: &[Case], all: &[Point]) {
    if all
        .iter()
        .all(|p| validation_floor_of(p.case, p.seed).is_nan())
    {
        return;
    }
    println!("\n## The validation floor (range tests with a validation curve)\n");
    println!(
        "| case | validation floor (geometric mean over seeds) | slope of the best LR | knee's mean distance per budget | the same, read on the validation curve |\n|---|---|---|---|---|"
    );
    let (mut floors, mut slopes) = (Vec::new(), Vec::new());
    for c in cases {
        let logs: Vec<f64> = (0..c.eval.range_tests.len())
            .map(|seed| validation_floor_of(c, seed).log10())
            .filter(|l| l.is_finite())
            .collect();
        let floor = mean(&logs);
        let (first, last) = (
            &c.eval.budgets[0],
            &c.eval.budgets[c.eval.budgets.len() - 1],
        );
        let best = |b: &lrfind::evaluate::BudgetScore| b.grid.lrs[b.grid.best];
        let slope =
            (best(last) / best(first)).log10() / (last.steps as f64 / first.steps as f64).log10();
        let per_budget = |distance: &dyn Fn(&Point) -> f64| -> Vec<String> {
            (0..c.eval.budgets.len())
                .map(|budget| {
                    let d: Vec<f64> = (0..c.eval.range_tests.len())
                        .map(|seed| {
                            distance(&Point {
                                case: c,
                                seed,
                                budget,
                            })
                        })
                        .collect();
                    format!("{:.2}", mean(&d))
                })
                .collect()
        };
        let knee = per_budget(&|p| knee_distance(p, &KNEE));
        let on_validation = per_budget(&|p| knee_on_validation(p).unwrap_or(f64::NAN));
        println!(
            "| {} | {:.2e} | {slope:.2} | {} | {} |",
            c.name,
            10f64.powf(floor),
            knee.join(" / "),
            on_validation.join(" / ")
        );
        floors.push(floor);
        slopes.push(slope);
    }
    println!(
        "\nSpearman's rho over cases, the best LR's slope against the log floor: {}",
        rho_interval(&floors, &slopes)
    );
    let point_floor: Vec<f64> = all
        .iter()
        .map(|p| validation_floor_of(p.case, p.seed).log10())
        .collect();
    let distance: Vec<f64> = all.iter().map(|p| knee_distance(p, &KNEE)).collect();
    println!(
        "Spearman's rho over points, knee's distance against the log floor: {}",
        rho_interval(&point_floor, &distance)
    );
    let on_validation: Vec<f64> = all.iter().filter_map(knee_on_validation).collect();
    println!(
        "knee's mean distance over all points: {:.3} {} on the training curve, {:.3} {} on the validation curve",
        mean(&distance),
        interval(&distance, 1),
        mean(&on_validation),
        interval(&on_validation, 1)
    );
    // The same without the dataset whose floor is lowest: does the floor track beyond it?
    let lowest = all
        .iter()
        .zip(&point_floor)
        .filter(|(_, f)| f.is_finite())
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(p, _)| p.case.dataset.clone());
    if let Some(lowest) = lowest {
        let keep: Vec<usize> = (0..all.len())
            .filter(|&i| all[i].case.dataset != lowest)
            .collect();
        let x: Vec<f64> = keep.iter().map(|&i| point_floor[i]).collect();
        let y: Vec<f64> = keep.iter().map(|&i| distance[i]).collect();
        println!(
            "The same without {lowest} (the lowest floor): {}",
            rho_interval(&x, &y)
        );
    }
}
