//! The conclusion of an LR sweep, written from the numbers: which configurations failed
//! and how, the recommended LR (lowest validation loss), the promising interval around it
//! (validation loss within 10 % of the best's), and where the range test's suggestion falls.
//!
//! A configuration *fails* when it diverged or stalled (see [`super::convergence`]), predicts
//! only one class on the validation set, or is no better than chance (validation ROC-AUC at
//! most [`CHANCE_AUC`]). Failed configurations are never recommended nor promising.

use serde::{Deserialize, Serialize};

use super::convergence::Verdict;

/// Promising: validation loss at most this fraction above the best configuration's.
pub const PROMISING_FRACTION: f64 = 0.10;
/// No better than chance: validation ROC-AUC at or below this.
pub const CHANCE_AUC: f64 = 0.55;

/// How one configuration ended, as the conclusion sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Learning rate.
    pub lr: f64,
    /// Its group (the factors other than the LR).
    pub group: usize,
    /// Final validation loss (not finite when the run diverged).
    pub val_loss: f64,
    /// The convergence verdict.
    pub verdict: Verdict,
    /// The class it predicts for every validation row, when it predicts only one.
    pub predicts_only: Option<String>,
    /// Validation ROC-AUC at most [`CHANCE_AUC`].
    pub chance: bool,
}

impl Outcome {
    /// Whether the configuration failed (never recommended).
    pub fn failed(&self) -> bool {
        matches!(self.verdict, Verdict::Diverged | Verdict::Stalled)
            || self.predicts_only.is_some()
            || self.chance
            || !self.val_loss.is_finite()
    }

    /// The verdict in words, e.g. "stalled; predicts only class 'benign'".
    pub fn verdict_text(&self) -> String {
        let mut parts = vec![self.verdict.text().to_string()];
        if let Some(class) = &self.predicts_only {
            parts.push(format!("predicts only class '{class}'"));
        }
        if self.chance {
            parts.push("no better than chance".into());
        }
        parts.join("; ")
    }
}

/// Where the range test's suggestion falls on the grid (group 0, whose factors the range
/// test used).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// The suggested LR.
    pub lr: f64,
    /// log10(suggestion / best LR): negative below the best.
    pub decades_from_best: f64,
    /// Signed distance in decades outside the promising interval, 0 inside it.
    pub decades_outside: f64,
}

/// The sweep's conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conclusion {
    /// The recommended configuration (lowest validation loss among those that did not fail).
    pub best: Option<usize>,
    /// Configurations within [`PROMISING_FRACTION`] of the best validation loss.
    pub promising: Vec<usize>,
    /// The promising LRs around the best, contiguous on its group's grid.
    pub interval: Option<(f64, f64)>,
    /// The best configuration of each group.
    pub group_best: Vec<Option<usize>>,
    /// The promising interval of each group (around its own best).
    pub group_interval: Vec<Option<(f64, f64)>>,
    /// Where the range test's suggestion falls, when it was run.
    pub suggestion: Option<Placement>,
    /// The conclusion in sentences.
    pub lines: Vec<String>,
}

/// A count and its noun, plural unless one: `1 step`, `5 steps`, `10 optimizer steps`.
pub fn count_text(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// An LR as short text: `1e-3`, `3.16e-3`.
pub fn lr_text(lr: f64) -> String {
    let text = format!("{lr:.2e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    if exponent == "0" {
        mantissa.to_string()
    } else {
        format!("{mantissa}e{exponent}")
    }
}

/// Lowest validation loss among the configurations that did not fail, in `members`.
fn best_of(outcomes: &[Outcome], members: impl Iterator<Item = usize>) -> Option<usize> {
    members
        .filter(|&i| !outcomes[i].failed())
        .min_by(|&a, &b| outcomes[a].val_loss.total_cmp(&outcomes[b].val_loss))
}

fn is_promising(o: &Outcome, best_loss: f64) -> bool {
    !o.failed() && o.val_loss <= best_loss + PROMISING_FRACTION * best_loss.abs()
}

/// The contiguous promising LRs around `best` on its group's grid.
fn interval_around(outcomes: &[Outcome], best: usize) -> (f64, f64) {
    let mut group: Vec<usize> = (0..outcomes.len())
        .filter(|&i| outcomes[i].group == outcomes[best].group)
        .collect();
    group.sort_by(|&a, &b| outcomes[a].lr.total_cmp(&outcomes[b].lr));
    let at = group
        .iter()
        .position(|&i| i == best)
        .expect("best is in its group");
    let ok = |i: usize| is_promising(&outcomes[i], outcomes[best].val_loss);
    let lo = (0..at)
        .rev()
        .take_while(|&p| ok(group[p]))
        .last()
        .unwrap_or(at);
    let hi = (at + 1..group.len())
        .take_while(|&p| ok(group[p]))
        .last()
        .unwrap_or(at);
    (outcomes[group[lo]].lr, outcomes[group[hi]].lr)
}

/// Concludes a sweep. `labels[g]` names group `g` ("" when the grid has one group);
/// `suggestion` is the range test's LR, placed against group 0.
pub fn conclude(outcomes: &[Outcome], labels: &[String], suggestion: Option<f64>) -> Conclusion {
    let name = |i: usize| {
        let label = &labels[outcomes[i].group];
        if label.is_empty() {
            lr_text(outcomes[i].lr)
        } else {
            format!("{} ({label})", lr_text(outcomes[i].lr))
        }
    };
    let list = |idx: &[usize]| idx.iter().map(|&i| name(i)).collect::<Vec<_>>().join(", ");
    let all: Vec<usize> = (0..outcomes.len()).collect();
    let pick = |f: &dyn Fn(&Outcome) -> bool| -> Vec<usize> {
        all.iter().copied().filter(|&i| f(&outcomes[i])).collect()
    };
    let mut lines = Vec::new();
    let failures: [(&str, Vec<usize>); 3] = [
        (
            "Diverged (the loss blew up)",
            pick(&|o| o.verdict == Verdict::Diverged),
        ),
        (
            "Stalled (learned almost nothing: validation loss less than 5 % below the initial)",
            pick(&|o| o.verdict == Verdict::Stalled),
        ),
        (
            "No better than chance (validation ROC-AUC at most 0.55)",
            pick(&|o| o.chance),
        ),
    ];
    for (what, idx) in &failures {
        if !idx.is_empty() {
            lines.push(format!("{what}: {}.", list(idx)));
        }
    }
    let mut only: Vec<&String> = outcomes
        .iter()
        .filter_map(|o| o.predicts_only.as_ref())
        .collect();
    only.sort();
    only.dedup();
    for class in only {
        let idx = pick(&|o| o.predicts_only.as_ref() == Some(class));
        lines.push(format!(
            "Predicts only class '{class}' (collapsed to one class): {}.",
            list(&idx)
        ));
    }

    let groups = labels.len();
    let group_best: Vec<Option<usize>> = (0..groups)
        .map(|g| {
            best_of(
                outcomes,
                all.iter().copied().filter(|&i| outcomes[i].group == g),
            )
        })
        .collect();
    let group_interval: Vec<Option<(f64, f64)>> = group_best
        .iter()
        .map(|b| b.map(|b| interval_around(outcomes, b)))
        .collect();
    let best = best_of(outcomes, all.iter().copied());
    let Some(b) = best else {
        lines.push(format!(
            "All {} configurations failed: none trained to a usable model, so there is no LR to recommend. Widen the LR range, train for more epochs or change the other factors.",
            outcomes.len()
        ));
        if let Some(s) = suggestion {
            lines.push(format!(
                "The range test suggests {}; the grid has no usable LR to compare it with.",
                lr_text(s)
            ));
        }
        return Conclusion {
            best,
            promising: Vec::new(),
            interval: None,
            group_best,
            group_interval,
            suggestion: None,
            lines,
        };
    };
    let ob = &outcomes[b];
    let promising = pick(&|o| is_promising(o, ob.val_loss));
    let interval = interval_around(outcomes, b);
    lines.push(format!(
        "Recommended: LR {}, the lowest validation loss ({:.4}, {}).",
        name(b),
        ob.val_loss,
        ob.verdict.text()
    ));
    let in_group = |i: usize| outcomes[i].group == ob.group;
    if interval.0 < interval.1 {
        lines.push(format!(
            "Promising (validation loss within 10 % of the best): {} to {}.",
            lr_text(interval.0),
            lr_text(interval.1)
        ));
    } else {
        lines.push(format!(
            "Only {} comes within 10 % of the best validation loss on its grid: the optimum is narrow, and a finer grid around it would place it better.",
            lr_text(ob.lr)
        ));
    }
    let others: Vec<usize> = promising
        .iter()
        .copied()
        .filter(|&i| !(in_group(i) && outcomes[i].lr >= interval.0 && outcomes[i].lr <= interval.1))
        .collect();
    if !others.is_empty() {
        lines.push(format!("Also within 10 % of the best: {}.", list(&others)));
    }
    let group_lrs: Vec<f64> = pick(&|o| o.group == ob.group)
        .iter()
        .map(|&i| outcomes[i].lr)
        .collect();
    let (lo, hi) = group_lrs
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if group_lrs.len() > 1 && ob.lr == hi {
        lines.push("The best LR is the highest in the grid: extend the grid upward, a larger LR may train better.".into());
    } else if group_lrs.len() > 1 && ob.lr == lo {
        lines.push("The best LR is the lowest in the grid: extend the grid downward.".into());
    }
    match ob.verdict {
        Verdict::StillImproving => lines.push(format!(
            "At {} the validation loss was still falling at the last epoch: train longer, or start at the top of the promising interval ({}) and decay.",
            lr_text(ob.lr),
            lr_text(interval.1)
        )),
        Verdict::Oscillating => lines.push(format!(
            "At {} the validation loss oscillated: a slightly lower LR or a decaying schedule should steady it.",
            lr_text(ob.lr)
        )),
        _ if interval.1 > ob.lr => lines.push(format!(
            "LRs up to {} train almost as well: start high and decay.",
            lr_text(interval.1)
        )),
        _ => {}
    }
    if groups > 1 {
        let per: Vec<String> = group_best
            .iter()
            .enumerate()
            .map(|(g, gb)| match gb {
                Some(i) => format!("{}: {}", labels[g], lr_text(outcomes[*i].lr)),
                None => format!("{}: none (all failed)", labels[g]),
            })
            .collect();
        lines.push(format!("Best LR per group: {}.", per.join("; ")));
        let logs: Vec<f64> = group_best
            .iter()
            .flatten()
            .map(|&i| outcomes[i].lr.log10())
            .collect();
        let spread = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - logs.iter().copied().fold(f64::INFINITY, f64::min);
        if logs.len() > 1 && spread > 0.0 {
            lines.push(format!(
                "The best LR moves by {spread:.2} decades across groups: choose the LR for the factors you will train with."
            ));
        }
    }
    let placement = suggestion.and_then(|s| {
        let (gb, gi) = (group_best.first().copied().flatten()?, group_interval[0]?);
        let decades_outside = if s < gi.0 {
            (s / gi.0).log10()
        } else if s > gi.1 {
            (s / gi.1).log10()
        } else {
            0.0
        };
        Some(Placement {
            lr: s,
            decades_from_best: (s / outcomes[gb].lr).log10(),
            decades_outside,
        })
    });
    if let Some(p) = placement {
        // "0.93 decades below the grid's best LR", or `at` when the distance is zero.
        let distance = |d: f64, at: &str, what: &str| {
            if d == 0.0 {
                format!("{at} {what}")
            } else {
                let side = if d < 0.0 { "below" } else { "above" };
                format!("{:.2} decades {side} {what}", d.abs())
            }
        };
        let where_interval = distance(p.decades_outside, "inside", "the promising interval");
        let from_best = distance(p.decades_from_best, "on", "the grid's best LR");
        lines.push(format!(
            "The range test suggests {}: {from_best}, {where_interval}.",
            lr_text(p.lr)
        ));
    } else if let Some(s) = suggestion {
        lines.push(format!(
            "The range test suggests {}; the first group has no usable LR to compare it with.",
            lr_text(s)
        ));
    }
    Conclusion {
        best,
        promising,
        interval: Some(interval),
        group_best,
        group_interval,
        suggestion: placement,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(lr: f64, val_loss: f64, verdict: Verdict) -> Outcome {
        Outcome {
            lr,
            group: 0,
            val_loss,
            verdict,
            predicts_only: None,
            chance: false,
        }
    }

    #[test]
    fn lr_text_is_short() {
        assert_eq!(lr_text(1e-3), "1e-3");
        assert_eq!(lr_text(10f64.powf(-2.5)), "3.16e-3");
        assert_eq!(lr_text(1.0), "1");
        assert_eq!(lr_text(2.5), "2.5");
        assert_eq!(lr_text(1e-10), "1e-10");
    }

    /// The write-up of the issue: 1e-7 learns nothing, 1e-3 collapses to the majority
    /// class, 1e-2 diverges, 1e-6 to 1e-4 look promising.
    fn typical() -> Vec<Outcome> {
        let mut v = vec![
            outcome(1e-7, 0.690, Verdict::Stalled),
            outcome(1e-6, 0.300, Verdict::StillImproving),
            outcome(1e-5, 0.280, Verdict::Converged),
            outcome(1e-4, 0.305, Verdict::Converged),
            outcome(1e-3, 0.250, Verdict::Converged),
            outcome(1e-2, f64::NAN, Verdict::Diverged),
        ];
        v[0].predicts_only = Some("benign".into());
        v[4].predicts_only = Some("benign".into());
        v
    }

    #[test]
    fn failed_configurations_are_never_recommended() {
        let c = conclude(&typical(), &[String::new()], None);
        assert_eq!(c.best, Some(2), "1e-3 has the lowest loss but collapsed");
        assert_eq!(c.promising, [1, 2, 3]);
        assert_eq!(c.interval, Some((1e-6, 1e-4)));
        let text = c.lines.join("\n");
        assert!(
            text.contains("Diverged (the loss blew up): 1e-2."),
            "{text}"
        );
        assert!(text.contains("Stalled"), "{text}");
        assert!(
            text.contains("Predicts only class 'benign' (collapsed to one class): 1e-7, 1e-3."),
            "{text}"
        );
        assert!(text.contains("Recommended: LR 1e-5"), "{text}");
        assert!(
            text.contains("Promising (validation loss within 10 % of the best): 1e-6 to 1e-4."),
            "{text}"
        );
    }

    #[test]
    fn interval_stops_at_the_first_gap() {
        let v = vec![
            outcome(1e-4, 0.30, Verdict::Converged),
            outcome(1e-3, 0.50, Verdict::Converged),
            outcome(1e-2, 0.29, Verdict::Converged),
            outcome(1e-1, 0.31, Verdict::Oscillating),
        ];
        let c = conclude(&v, &[String::new()], None);
        assert_eq!(c.best, Some(2));
        assert_eq!(c.interval, Some((1e-2, 1e-1)));
        assert!(
            c.lines
                .iter()
                .any(|l| l == "Also within 10 % of the best: 1e-4."),
            "{:?}",
            c.lines
        );
    }

    #[test]
    fn all_configurations_failed() {
        let mut v = typical();
        v[1].chance = true;
        v[2].verdict = Verdict::Diverged;
        v[3].predicts_only = Some("malignant".into());
        let c = conclude(&v, &[String::new()], Some(3e-4));
        assert_eq!(c.best, None);
        assert!(c.promising.is_empty() && c.interval.is_none() && c.suggestion.is_none());
        assert!(
            c.lines
                .iter()
                .any(|l| l.starts_with("All 6 configurations failed")),
            "{:?}",
            c.lines
        );
        assert!(c.lines.iter().any(|l| {
            l.starts_with("No better than chance (validation ROC-AUC at most 0.55): 1e-6")
        }));
    }

    #[test]
    fn suggestion_is_placed_in_decades() {
        let v = typical();
        let below = conclude(&v, &[String::new()], Some(1e-7))
            .suggestion
            .unwrap();
        assert!((below.decades_from_best + 2.0).abs() < 1e-12);
        assert!((below.decades_outside + 1.0).abs() < 1e-12);
        let inside = conclude(&v, &[String::new()], Some(3e-5))
            .suggestion
            .unwrap();
        assert_eq!(inside.decades_outside, 0.0);
        let c = conclude(&v, &[String::new()], Some(1e-3));
        assert!((c.suggestion.unwrap().decades_outside - 1.0).abs() < 1e-12);
        assert!(
            c.lines.last().unwrap().contains(
                "2.00 decades above the grid's best LR, 1.00 decades above the promising interval"
            ),
            "{:?}",
            c.lines
        );
    }

    #[test]
    fn groups_get_their_own_best() {
        let mut v = vec![
            outcome(1e-3, 0.30, Verdict::Converged),
            outcome(1e-1, 0.40, Verdict::Converged),
            outcome(1e-3, 0.60, Verdict::Converged),
            outcome(1e-1, 0.20, Verdict::Converged),
        ];
        v[2].group = 1;
        v[3].group = 1;
        let labels = ["adam".to_string(), "sgd".to_string()];
        let c = conclude(&v, &labels, None);
        assert_eq!(c.best, Some(3));
        assert_eq!(c.group_best, [Some(0), Some(3)]);
        assert!(
            c.lines
                .iter()
                .any(|l| l == "Best LR per group: adam: 1e-3; sgd: 1e-1."),
            "{:?}",
            c.lines
        );
        assert!(
            c.lines
                .iter()
                .any(|l| l.starts_with("The best LR moves by 2.00 decades"))
        );
    }
}
