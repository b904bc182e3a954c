//! Scoring suggestion rules against a grid of real trainings (`lrfind evaluate`), pure:
//! the grid's best LR and good interval from the mean final validation loss over seeds, a
//! suggestion's distance outside that interval in decades, and its regret (the validation
//! loss lost by training at the suggestion instead of the best grid LR).

use serde::{Deserialize, Serialize};

/// Good interval: LRs whose mean validation loss is within this fraction of the best's.
pub const GOOD_FRACTION: f64 = 0.10;

/// The grid's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSummary {
    /// LRs, ascending.
    pub lrs: Vec<f64>,
    /// Mean final validation loss over seeds (infinite when a seed diverged; `null` in
    /// JSON, read back as NaN).
    #[serde(with = "crate::nullable::vec")]
    pub mean_loss: Vec<f64>,
    /// Index of the best LR (lowest mean loss).
    pub best: usize,
    /// The good interval: contiguous LRs around the best within [`GOOD_FRACTION`].
    pub interval: (f64, f64),
}

/// Summarises a grid: `losses[seed][i]` is seed's final validation loss at `lrs[i]`
/// (non-finite for diverged runs). `None` when no LR has a finite mean.
pub fn grid_summary(lrs: &[f64], losses: &[Vec<f64>]) -> Option<GridSummary> {
    let n = losses.len().max(1) as f64;
    let mean_loss: Vec<f64> = (0..lrs.len())
        .map(|i| {
            let vals: Vec<f64> = losses.iter().map(|s| s[i]).collect();
            if vals.iter().all(|v| v.is_finite()) {
                vals.iter().sum::<f64>() / n
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let best = (0..lrs.len())
        .filter(|&i| mean_loss[i].is_finite())
        .min_by(|&a, &b| mean_loss[a].total_cmp(&mean_loss[b]))?;
    let ok = |i: usize| mean_loss[i] <= mean_loss[best] * (1.0 + GOOD_FRACTION);
    let lo = (0..best)
        .rev()
        .take_while(|&i| ok(i))
        .last()
        .unwrap_or(best);
    let hi = (best + 1..lrs.len())
        .take_while(|&i| ok(i))
        .last()
        .unwrap_or(best);
    Some(GridSummary {
        lrs: lrs.to_vec(),
        mean_loss,
        best,
        interval: (lrs[lo], lrs[hi]),
    })
}

/// Decades between `lr` and the interval (0 inside).
pub fn decades_outside(lr: f64, interval: (f64, f64)) -> f64 {
    if lr < interval.0 {
        (interval.0 / lr).log10()
    } else if lr > interval.1 {
        (lr / interval.1).log10()
    } else {
        0.0
    }
}

/// The regret of training at `lr`: the mean validation loss interpolated on the grid in
/// log-LR, minus the best's. Outside the grid: the nearest end's regret plus the distance
/// beyond it in decades (a penalty that grows the further the rule strays).
pub fn regret(lr: f64, g: &GridSummary) -> f64 {
    let best = g.mean_loss[g.best];
    let (first, last) = (g.lrs[0], *g.lrs.last().expect("non-empty grid"));
    if lr <= first {
        return g.mean_loss[0] - best + (first / lr).log10();
    }
    if lr >= last {
        return g.mean_loss[g.lrs.len() - 1] - best + (lr / last).log10();
    }
    let i = g
        .lrs
        .iter()
        .position(|&x| x >= lr)
        .expect("inside the grid");
    let (x0, x1) = (g.lrs[i - 1].log10(), g.lrs[i].log10());
    let t = (lr.log10() - x0) / (x1 - x0);
    let (y0, y1) = (g.mean_loss[i - 1], g.mean_loss[i]);
    let y = if t == 0.0 {
        y0
    } else if t == 1.0 {
        y1
    } else {
        y0 + t * (y1 - y0)
    };
    y - best
}

/// Spread of positive values in decades (max over min); 0 for fewer than two.
pub fn spread_decades(values: &[f64]) -> f64 {
    let logs: Vec<f64> = values
        .iter()
        .filter(|v| **v > 0.0)
        .map(|v| v.log10())
        .collect();
    if logs.len() < 2 {
        return 0.0;
    }
    logs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - logs.iter().copied().fold(f64::INFINITY, f64::min)
}

/// Geometric mean of positive values.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = values
        .iter()
        .filter(|v| **v > 0.0)
        .map(|v| v.ln())
        .collect();
    (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
}

/// How a rule that declines to answer is scored: as a miss of this many decades (a clear
/// miss: four times the quarter decade a suggestion must land within), so refusing never
/// scores better than a poor answer.
pub const REFUSAL_DECADES: f64 = 1.0;

/// Decades outside the interval of each answer, a refusal (`None`) scored as
/// [`REFUSAL_DECADES`].
pub fn scored_outside(answers: &[Option<f64>], interval: (f64, f64)) -> Vec<f64> {
    answers
        .iter()
        .map(|a| a.map_or(REFUSAL_DECADES, |lr| decades_outside(lr, interval)))
        .collect()
}

/// The LRs to add around `best` so that the grid has `per_decade` points per decade within
/// one decade of it: the points `first * 10^(k / per_decade)` inside `[best / 10, best * 10]`
/// and inside the grid's own range, minus those the grid already has. Sorted.
pub fn refine_lrs(grid: &[f64], best: f64, per_decade: usize) -> Vec<f64> {
    let (Some(&first), Some(&last)) = (grid.first(), grid.last()) else {
        return Vec::new();
    };
    if per_decade == 0 || best <= 0.0 {
        return Vec::new();
    }
    let pd = per_decade as f64;
    let near = |a: f64, b: f64| ((a / b).log10()).abs() < 1e-6;
    let centre = (best / first).log10() * pd;
    let (lo, hi) = ((centre - pd).ceil() as i64, (centre + pd).floor() as i64);
    (lo.max(0)..=hi)
        .map(|k| first * 10f64.powf(k as f64 / pd))
        .map(|x| {
            let digits = 11 - x.log10().floor() as i32;
            let f = 10f64.powi(digits);
            (x * f).round() / f
        })
        .filter(|&x| x <= last * (1.0 + 1e-9) && !grid.iter().any(|&g| near(g, x)))
        .collect()
}

/// A percentile bootstrap interval for the mean of `values`: the `level` (e.g. 0.9) central
/// interval of the means of `resamples` resamples with replacement, from a fixed seed (the
/// same values give the same interval). `None` for an empty sample.
pub fn bootstrap_mean(
    values: &[f64],
    level: f64,
    resamples: usize,
    seed: u64,
) -> Option<(f64, f64)> {
    if values.is_empty() || resamples == 0 {
        return None;
    }
    let mut rng = crate::rng::Rng::new(seed, 0xB007);
    let n = values.len();
    let means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| values[rng.below(n)]).sum::<f64>() / n as f64)
        .collect();
    Some(percentile_interval(means, level))
}

/// The central `level` interval of resampled means (at least one).
fn percentile_interval(mut means: Vec<f64>, level: f64) -> (f64, f64) {
    means.sort_by(f64::total_cmp);
    let last = means.len() - 1;
    let tail = (1.0 - level) / 2.0;
    let at = |q: f64| means[((q * last as f64).round() as usize).min(last)];
    (at(tail), at(1.0 - tail))
}

/// The `level` bootstrap interval of the mean of every value in `groups`, resampling whole
/// groups (e.g. datasets) with replacement rather than values; a group weighs by its
/// values, so the mean is the one over values. When the values of a group move together
/// (one dataset's seeds and lengths), it is the honest interval for which groups happened
/// to be sampled, usually wider than [`bootstrap_mean`]'s over the values. `None` without
/// a value.
pub fn cluster_bootstrap_mean(
    groups: &[Vec<f64>],
    level: f64,
    resamples: usize,
    seed: u64,
) -> Option<(f64, f64)> {
    let groups: Vec<&Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).collect();
    if groups.is_empty() || resamples == 0 {
        return None;
    }
    let mut rng = crate::rng::Rng::new(seed, 0xC105);
    let n = groups.len();
    let means: Vec<f64> = (0..resamples)
        .map(|_| {
            let (mut sum, mut count) = (0.0, 0usize);
            for _ in 0..n {
                let g = groups[rng.below(n)];
                sum += g.iter().sum::<f64>();
                count += g.len();
            }
            sum / count as f64
        })
        .collect();
    Some(percentile_interval(means, level))
}

/// Resamples behind the bootstrap intervals `evaluate` reports.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// Their level.
pub const BOOTSTRAP_LEVEL: f64 = 0.9;

/// Fewest pairs [`tracks`] judges from.
pub const TRACKING_MIN_PAIRS: usize = 5;

/// Spearman's rank correlation of two equally long samples (average ranks for ties; an
/// infinite value, such as the regret of a suggestion where the grid diverged, ranks at its
/// end); `None` for fewer than two pairs, a NaN, or a constant sample.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 || x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let mean = (x.len() as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// 1-based ranks, ties given the mean of the ranks they span.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            out[k] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    out
}

/// Whether the confidence tracks the regret: `Some(true)` when higher confidence goes with
/// lower regret (Spearman's rho at most -0.5) over at least [`TRACKING_MIN_PAIRS`] pairs,
/// `Some(false)` when it does not, `None` when there are too few pairs to judge. Returns
/// rho beside the verdict.
pub fn tracks(confidence: &[f64], regret: &[f64]) -> (Option<bool>, Option<f64>) {
    let rho = spearman(confidence, regret);
    let verdict = (confidence.len() >= TRACKING_MIN_PAIRS)
        .then_some(rho)
        .flatten()
        .map(|r| r <= -0.5);
    (verdict, rho)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> GridSummary {
        let lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0];
        let seeds = vec![
            vec![1.0, 0.50, 0.30, 0.32, f64::NAN],
            vec![1.0, 0.50, 0.30, 0.34, 2.0],
        ];
        grid_summary(&lrs, &seeds).unwrap()
    }

    #[test]
    fn best_and_good_interval_from_mean_losses() {
        let g = grid();
        assert_eq!(g.best, 2);
        assert_eq!(
            g.interval,
            (1e-2, 1e-1),
            "0.33 is within 10 % of 0.30, 0.5 is not"
        );
        assert!(
            g.mean_loss[4].is_infinite(),
            "a diverged seed makes the mean infinite"
        );
    }

    #[test]
    fn distance_and_regret() {
        let g = grid();
        assert_eq!(decades_outside(3e-2, g.interval), 0.0);
        assert!((decades_outside(1e-3, g.interval) - 1.0).abs() < 1e-12);
        assert!((decades_outside(10.0, g.interval) - 2.0).abs() < 1e-12);
        assert!(regret(1e-2, &g).abs() < 1e-12);
        // Halfway (in log) between 1e-3 (0.5) and 1e-2 (0.3): 0.4, regret 0.1.
        assert!((regret(10f64.powf(-2.5), &g) - 0.1).abs() < 1e-12);
        // Below the grid: the first point's regret (0.7) plus one decade.
        assert!((regret(1e-5, &g) - 1.7).abs() < 1e-12);
        assert_eq!(spread_decades(&[1e-3, 1e-2, 3e-3]), 1.0);
        assert!((geometric_mean(&[1e-3, 1e-1]).unwrap() - 1e-2).abs() < 1e-15);
    }

    #[test]
    fn refusals_count_as_misses_and_refinement_fills_a_decade_each_side() {
        assert_eq!(
            scored_outside(&[Some(1e-2), None, Some(1e-4)], (1e-3, 1e-2)),
            vec![0.0, REFUSAL_DECADES, 1.0]
        );
        let grid = [1e-4, 10f64.powf(-3.75), 10f64.powf(-3.5), 1e-3, 1e-2, 1e-1];
        let added = refine_lrs(&grid, 1e-3, 8);
        // 8 per decade from 1e-4 to 1e-2, minus the grid's own points.
        assert_eq!(added.len(), 17 - 5, "{added:?}");
        assert!(added.iter().all(|&x| (1e-4..=1e-2).contains(&x)));
        assert!((added[0] / 10f64.powf(-3.875) - 1.0).abs() < 1e-9);
        // Never beyond the grid's own range.
        assert!(
            refine_lrs(&grid, 1e-1, 8)
                .iter()
                .all(|&x| x <= 1e-1 * (1.0 + 1e-9))
        );
    }

    #[test]
    fn bootstrap_interval_brackets_the_mean_and_narrows_with_more_data() {
        let few: Vec<f64> = (0..10).map(|i| (i % 5) as f64 * 0.1).collect();
        let many: Vec<f64> = (0..200).map(|i| (i % 5) as f64 * 0.1).collect();
        let (a, b) = bootstrap_mean(&few, 0.9, 2000, 1).unwrap();
        let (c, d) = bootstrap_mean(&many, 0.9, 2000, 1).unwrap();
        assert!(a < 0.2 && 0.2 < b, "{a} {b}");
        assert!(c < 0.2 && 0.2 < d, "{c} {d}");
        assert!(d - c < (b - a) / 2.0);
        assert_eq!(bootstrap_mean(&few, 0.9, 2000, 1), Some((a, b)), "seeded");
        assert_eq!(bootstrap_mean(&[], 0.9, 2000, 1), None);
    }

    #[test]
    fn a_cluster_bootstrap_resamples_whole_groups() {
        // Two groups whose values move together: over the values the interval is narrow,
        // over the groups it spans both groups' means.
        let groups = vec![vec![0.0; 20], vec![1.0; 20]];
        let values: Vec<f64> = groups.concat();
        let (a, b) = bootstrap_mean(&values, 0.9, 2000, 3).unwrap();
        assert!(a > 0.3 && b < 0.7, "({a}, {b})");
        assert_eq!(
            cluster_bootstrap_mean(&groups, 0.9, 2000, 3),
            Some((0.0, 1.0))
        );
        // Groups weigh by their values: a resample of one group of 30 zeros and one of 10
        // ones has the mean 0.25 (not 0.5, the mean of the groups' means), and half the
        // resamples are such: the central 40 % is that value alone.
        let uneven = vec![vec![0.0; 30], vec![1.0; 10]];
        assert_eq!(
            cluster_bootstrap_mean(&uneven, 0.4, 2000, 3),
            Some((0.25, 0.25))
        );
        // Identical groups leave no spread; no values, no interval.
        let same = vec![vec![0.2, 0.4]; 5];
        let (lo, hi) = cluster_bootstrap_mean(&same, 0.9, 2000, 3).unwrap();
        assert!((lo - 0.3).abs() < 1e-12 && (hi - 0.3).abs() < 1e-12);
        assert_eq!(cluster_bootstrap_mean(&[vec![]], 0.9, 2000, 3), None);
    }

    #[test]
    fn spearman_ranks_with_ties_and_tracking_verdict() {
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]), Some(1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[9.0, 4.0, 1.0]), Some(-1.0));
        assert_eq!(
            spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]),
            None,
            "constant"
        );
        // Ties share the mean rank: x ranks 1, 2.5, 2.5, 4.
        let rho = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((rho - 0.9486832980505138).abs() < 1e-12, "{rho}");
        // An infinite regret is the largest, not a reason to give up.
        assert_eq!(
            spearman(&[0.9, 0.5, 0.1], &[0.1, 0.2, f64::INFINITY]),
            Some(-1.0)
        );
        let conf = [0.9, 0.8, 0.5, 0.3, 0.1];
        assert_eq!(tracks(&conf, &[0.01, 0.02, 0.1, 0.2, 0.5]).0, Some(true));
        assert_eq!(tracks(&conf, &[0.5, 0.2, 0.1, 0.02, 0.01]).0, Some(false));
        assert_eq!(tracks(&conf[..3], &[0.01, 0.02, 0.1]).0, None, "too few");
    }
}
