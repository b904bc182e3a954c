//! Exports of an [`Evaluation`]: `evaluate.json` and `evaluate.md` (the grid, every rule's
//! score, confidence against regret, and the conclusion).

use std::fmt::Write as _;

use crate::analysis::Method;
use crate::analysis::conclusion::{count_text, lr_text};
use crate::analysis::confidence::Confidence;
use crate::analysis::evaluation;
use crate::evaluate::{BudgetScore, EvaluationPlan, ModelEvaluation};
use crate::pipeline::evaluate::Evaluation;

/// `evaluate.json`.
pub fn evaluate_json(e: &Evaluation) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(e).expect("serialisable");
    v.push(b'\n');
    v
}

fn opt_lr(v: Option<f64>) -> String {
    v.map_or("–".into(), lr_text)
}

fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.3}"),
        Some(_) => "inf".into(),
        None => "–".into(),
    }
}

/// `evaluate.md`.
pub fn evaluate_md(e: &Evaluation, plot_file: &str) -> String {
    let s = &e.spec;
    let mut out = format!(
        "# How good are the suggestions? {} · {}\n\n",
        e.data.source, e.model
    );
    let _ = writeln!(
        out,
        "{} seed(s) from {}; range test of {} iterations ({:.0e} to {:.0e}); {}; optimizer {}, {}, {} per \
         epoch.\n",
        s.plan.seeds,
        s.config.seed,
        s.config.range_test.iters,
        s.config.range_test.start_lr,
        s.config.range_test.end_lr,
        grid_text(&s.plan, &e.lrs, &e.budgets),
        crate::train::describe_optimizer(&s.config.optimizer),
        e.data.batch_text(s.config.data.batch_size),
        count_text(e.steps_per_epoch, "step"),
    );
    if let Some(first) = e.far_outside.first() {
        let seeds: Vec<String> = e.far_outside.iter().map(|f| f.seed.to_string()).collect();
        let _ = writeln!(
            out,
            "**Warning**, on the splits of seed(s) {} (seed {}'s shown): {}.\n",
            seeds.join(", "),
            first.seed,
            first.far.line()
        );
    }
    let _ = writeln!(out, "![grid and suggestions]({plot_file})\n");
    let scores = Scores {
        budgets: &e.budgets,
        plan: &s.plan,
        method: s.config.range_test.method,
        classification: e.data.task.num_classes() > 0,
        confidence: &e.confidence,
        first_seed: s.config.seed,
        seeds_field: "--seeds",
    };
    scores_md(&mut out, &scores);
    out
}

/// The evaluation of a model of your own ([`crate::evaluate::evaluate_models`]) in the
/// words and tables of `evaluate.md`: `name` titles it, `plot_file` is the figure it shows
/// (e.g. written by `plot::evaluation`).
pub fn model_evaluation_md(e: &ModelEvaluation, name: &str, plot_file: &str) -> String {
    let mut out = format!("# How good are the suggestions? {name}\n\n");
    let _ = writeln!(
        out,
        "{} seed(s); range test of {} iterations; {}; {} per epoch.\n",
        e.plan.seeds,
        e.range_tests.first().map_or(0, |r| r.num_it),
        grid_text(&e.plan, &e.lrs, &e.budgets),
        count_text(e.steps_per_epoch, "step"),
    );
    let _ = writeln!(out, "![grid and suggestions]({plot_file})\n");
    let confidence = e.confidence();
    let scores = Scores {
        budgets: &e.budgets,
        plan: &e.plan,
        method: e.method,
        classification: e.higher_is_better,
        confidence: &confidence,
        first_seed: 0,
        seeds_field: "plan.seeds",
    };
    scores_md(&mut out, &scores);
    out
}

/// The grid in words: its LRs (`lrs`, after refinement), how it was refined, the budgets.
fn grid_text(plan: &EvaluationPlan, lrs: &[f64], budgets: &[BudgetScore]) -> String {
    let budgets: Vec<String> = budgets
        .iter()
        .map(|b| format!("{} ({})", b.epochs, count_text(b.steps, "step")))
        .collect();
    format!(
        "a grid of {} constant LRs from {} to {} ({} coarse, refined to {} per decade within a decade of each \
         budget's best), trained from the same initial weights per seed and scored after {} epoch(s)",
        lrs.len(),
        lr_text(lrs[0]),
        lr_text(*lrs.last().expect("grid")),
        plan.lrs.len(),
        plan.refine_per_decade,
        budgets.join(", "),
    )
}

/// What the tables of `evaluate.md` read, whichever model was evaluated.
struct Scores<'a> {
    budgets: &'a [BudgetScore],
    plan: &'a EvaluationPlan,
    /// The chosen rule.
    method: Method,
    /// Accuracy (higher is better) rather than MSE.
    classification: bool,
    /// Each seed's range test's confidence.
    confidence: &'a [Confidence],
    /// The first seed's number, as the seeds are named.
    first_seed: u64,
    /// Where the reader sets the number of seeds.
    seeds_field: &'static str,
}

/// Every budget's section, the footnote on distances, and the confidence table.
fn scores_md(out: &mut String, e: &Scores) {
    for b in e.budgets {
        budget_md(out, e, b);
        super::arms::arms_md(out, e.classification, &e.plan.targets, b);
    }
    *out += "Distances are in decades outside the good interval (0 inside), with a refusal counted as a miss of ";
    let _ = write!(
        out,
        "{} decade(s); [a, b] is a {:.0} % bootstrap interval of the mean over seeds. Regret is the mean validation loss at \
         the suggestion (interpolated on the grid in log-LR; outside the grid, the nearest end plus the decades beyond it) \
         minus the best's.\n\n",
        evaluation::REFUSAL_DECADES,
        100.0 * evaluation::BOOTSTRAP_LEVEL
    );
    confidence_md(out, e);
}

/// One budget's section: the grid's verdict, every rule's score, the conclusion.
fn budget_md(out: &mut String, e: &Scores, b: &BudgetScore) {
    let g = &b.grid;
    let _ = writeln!(
        out,
        "## {} epoch(s), {}\n\nGrid: best LR **{}** (mean final validation loss {:.4}); good interval **{} to {}** (within 10 %).\n",
        b.epochs,
        count_text(b.steps, "optimizer step"),
        lr_text(g.lrs[g.best]),
        g.mean_loss[g.best],
        lr_text(g.interval.0),
        lr_text(g.interval.1)
    );
    let iters: Vec<String> = e.plan.iters_list.iter().map(|i| i.to_string()).collect();
    let _ = writeln!(
        out,
        "| rule | suggestion (geometric mean) | per seed | decades outside: mean [interval] / max | refusals | regret (mean) | spread across seeds | by iterations ({}) | spread across iterations |",
        iters.join(" / ")
    );
    *out += "|---|---|---|---|---|---|---|---|---|\n";
    for r in &b.rules {
        let per: Vec<String> = r.suggestions.iter().map(|v| opt_lr(*v)).collect();
        let by: Vec<String> = r.by_iters.iter().map(|v| opt_lr(*v)).collect();
        let max_out = r.outside.iter().copied().reduce(f64::max);
        let interval = r
            .outside_interval
            .map_or(String::new(), |(a, b)| format!(" [{a:.2}, {b:.2}]"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {}{} / {} | {} | {} | {:.2} | {} | {:.2} |",
            r.method.name(),
            opt_lr(r.geometric_mean),
            per.join(", "),
            num(r.mean_outside()),
            interval,
            num(max_out),
            r.refusals,
            num(r.mean_regret()),
            r.seed_spread,
            by.join(" / "),
            r.iters_spread
        );
    }
    *out += "\n";
    if let Some((best, d)) = b
        .rules
        .iter()
        .filter_map(|r| Some((r, r.mean_outside()?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
    {
        let _ = writeln!(
            out,
            "- Closest to the good interval: **{}** ({:.2} decades outside on average).",
            best.method.name(),
            d
        );
    }
    let chosen = e.method;
    if let Some(r) = b.rules.iter().find(|r| r.method == chosen) {
        let verdict = match r.mean_outside() {
            Some(0.0) => "inside the good interval on every seed".to_string(),
            Some(d) if d <= 0.25 => {
                format!("within a quarter of a decade of the interval ({d:.2} on average)")
            }
            Some(d) => format!("{d:.2} decades outside the interval on average"),
            None => "gave no answer".to_string(),
        };
        let _ = writeln!(
            out,
            "- The chosen rule, **{}**, is {verdict}.",
            chosen.name()
        );
    }
    let missing: Vec<&str> = b
        .rules
        .iter()
        .filter(|r| r.refusals > 0)
        .map(|r| r.method.name())
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "- Rules that gave no answer on some seed (counted as misses): {}.",
            missing.join(", ")
        );
    }
    *out += "\n";
}

/// Each seed's confidence beside the regret of its chosen suggestion at every budget, and
/// whether the one tracks the other.
fn confidence_md(out: &mut String, e: &Scores) {
    let heads: Vec<String> = e
        .budgets
        .iter()
        .map(|b| format!("regret at {} epoch(s)", b.epochs))
        .collect();
    let _ = writeln!(
        out,
        "## Confidence\n\n| seed | curve score | loss floor | level | {} |\n|---|---|---|---|{}",
        heads.join(" | "),
        "---|".repeat(heads.len())
    );
    for (k, c) in e.confidence.iter().enumerate() {
        let regrets: Vec<String> = e
            .budgets
            .iter()
            .map(|b| num(b.chosen_regret.get(k).copied().flatten()))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {:.2} | {} | {:?} | {} |",
            e.first_seed + k as u64,
            c.score,
            c.floor.zip(c.regime).map_or("–".into(), |(f, r)| format!(
                "{:.1} % ({})",
                100.0 * f,
                r.name()
            )),
            c.level,
            regrets.join(" | ")
        );
    }
    // One verdict per length: each seed's confidence against its regret at that length (the
    // seeds, not seed-length pairs, are the independent samples).
    *out += "\n";
    for b in e.budgets {
        let (conf, reg): (Vec<f64>, Vec<f64>) = e
            .confidence
            .iter()
            .zip(&b.chosen_regret)
            .filter_map(|(c, r)| Some((c.score, (*r)?)))
            .unzip();
        let (verdict, rho) = evaluation::tracks(&conf, &reg);
        let rho = rho.map_or(
            "undefined (fewer than two seeds, or one column constant)".to_string(),
            |r| format!("{r:.2}"),
        );
        let _ = writeln!(
            out,
            "- Does the confidence track the regret at {} epoch(s)? {} (Spearman's rho over {} seed(s): {rho}; tracking means rho <= -0.5).",
            b.epochs,
            match verdict {
                Some(true) => "Yes".to_string(),
                Some(false) => "No".to_string(),
                None => format!(
                    "Too few seeds to judge (needs {}; run with more {})",
                    evaluation::TRACKING_MIN_PAIRS,
                    e.seeds_field
                ),
            },
            conf.len()
        );
    }
}
