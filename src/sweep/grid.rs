//! The sweep's grid: LRs (a list, or a range with points per decade) crossed with
//! optimizers, batch sizes and standardisation, enumerated in one fixed order, and the
//! slice of it one shard runs.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::config::OptimizerKind;
use crate::error::{Error, Result};

/// The factors of a sweep; every combination is one configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// Learning rates, ascending.
    pub lrs: Vec<f64>,
    /// Optimizers.
    pub optimizers: Vec<OptimizerKind>,
    /// Batch sizes.
    pub batch_sizes: Vec<usize>,
    /// Standardise the features (true), or not.
    pub standardize: Vec<bool>,
}

/// One configuration of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Position in the grid's order (0-based).
    pub index: usize,
    /// Index of its group (the factors other than the LR) in [`Grid::groups`].
    pub group: usize,
    /// Learning rate.
    pub lr: f64,
    /// Optimizer.
    pub optimizer: OptimizerKind,
    /// Batch size.
    pub batch_size: usize,
    /// Standardised features.
    pub standardize: bool,
}

impl Grid {
    /// Checks the grid; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        if self.lrs.is_empty() {
            return Err(Error::option("--lrs", "the grid has no learning rates"));
        }
        if let Some(bad) = self.lrs.iter().find(|&&lr| !(lr.is_finite() && lr > 0.0)) {
            return Err(Error::option(
                "--lrs",
                format!("learning rates must be positive numbers, got {bad}"),
            ));
        }
        if self.lrs.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::option(
                "--lrs",
                "learning rates must be distinct and ascending",
            ));
        }
        if self.optimizers.is_empty() {
            return Err(Error::option("--optimizers", "give at least one optimizer"));
        }
        if let Some(o) = twice(&self.optimizers) {
            return Err(Error::option(
                "--optimizers",
                format!("{} is listed twice", o.name()),
            ));
        }
        if let Some(b) = twice(&self.batch_sizes) {
            return Err(Error::option(
                "--batch-sizes",
                format!("{b} is listed twice"),
            ));
        }
        if let Some(s) = twice(&self.standardize) {
            return Err(Error::option(
                "--standardize",
                format!("{} is listed twice", if *s { "on" } else { "off" }),
            ));
        }
        if self.batch_sizes.is_empty() || self.batch_sizes.contains(&0) {
            return Err(Error::option(
                "--batch-sizes",
                "give one or more batch sizes of at least 1",
            ));
        }
        if self.standardize.is_empty() {
            return Err(Error::option("--standardize", "give on, off or both"));
        }
        Ok(())
    }

    /// The groups (factor combinations other than the LR), in grid order:
    /// standardisation, then optimizer, then batch size.
    pub fn groups(&self) -> Vec<(bool, OptimizerKind, usize)> {
        let mut out = Vec::new();
        for &s in &self.standardize {
            for &o in &self.optimizers {
                for &b in &self.batch_sizes {
                    out.push((s, o, b));
                }
            }
        }
        out
    }

    /// Every configuration, groups in [`Grid::groups`] order and LRs ascending within each.
    pub fn points(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for (group, (standardize, optimizer, batch_size)) in self.groups().into_iter().enumerate() {
            for &lr in &self.lrs {
                out.push(Point {
                    index: out.len(),
                    group,
                    lr,
                    optimizer,
                    batch_size,
                    standardize,
                });
            }
        }
        out
    }

    /// A label for each group naming only the factors that vary ("" when none does).
    pub fn group_labels(&self) -> Vec<String> {
        self.groups()
            .into_iter()
            .map(|(s, o, b)| {
                let mut parts = Vec::new();
                if self.optimizers.len() > 1 {
                    parts.push(o.name().to_string());
                }
                if self.batch_sizes.len() > 1 {
                    parts.push(format!("batch {b}"));
                }
                if self.standardize.len() > 1 {
                    parts.push(if s { "standardized" } else { "raw features" }.to_string());
                }
                parts.join(", ")
            })
            .collect()
    }
}

/// The first value listed twice.
fn twice<T: PartialEq>(items: &[T]) -> Option<&T> {
    items
        .iter()
        .enumerate()
        .find(|(i, x)| items[..*i].contains(x))
        .map(|(_, x)| x)
}

/// Parses `--lrs` values: positive numbers, returned ascending.
pub fn parse_lrs(items: &[String]) -> Result<Vec<f64>> {
    let mut lrs = Vec::with_capacity(items.len());
    for item in items {
        let lr: f64 = item
            .trim()
            .parse()
            .map_err(|_| Error::option("--lrs", format!("'{item}' is not a number")))?;
        if !(lr.is_finite() && lr > 0.0) {
            return Err(Error::option(
                "--lrs",
                format!("learning rates must be positive, got {item}"),
            ));
        }
        lrs.push(lr);
    }
    lrs.sort_by(f64::total_cmp);
    if lrs.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::option("--lrs", "a learning rate is listed twice"));
    }
    Ok(lrs)
}

/// LRs from `lo` to `hi` (both included when `hi` lies on the grid) with `per_decade`
/// points per decade, equally spaced in log LR: `lo * 10^(k / per_decade)`. Errors name
/// `flag`, the option the range came from.
pub fn lr_range(text: &str, per_decade: usize, flag: &'static str) -> Result<Vec<f64>> {
    let bad = || {
        Error::option(
            flag,
            format!("expected LOW:HIGH, e.g. 1e-6:1, got '{text}'"),
        )
    };
    let (lo, hi) = text.split_once(':').ok_or_else(bad)?;
    let (lo, hi): (f64, f64) = (
        lo.trim().parse().map_err(|_| bad())?,
        hi.trim().parse().map_err(|_| bad())?,
    );
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Err(Error::option(
            flag,
            format!("needs 0 < LOW < HIGH, got '{text}'"),
        ));
    }
    if per_decade == 0 {
        return Err(Error::option("--per-decade", "must be at least 1"));
    }
    let steps = ((hi / lo).log10() * per_decade as f64 + 1e-9).floor() as usize;
    if steps > 10_000 {
        return Err(Error::option(
            "--per-decade",
            format!(
                "the grid would have {} LRs; at most 10,000 (each is a whole training)",
                steps + 1
            ),
        ));
    }
    Ok((0..=steps)
        .map(|k| round_sig(lo * 10f64.powf(k as f64 / per_decade as f64)))
        .collect())
}

/// Rounds to 12 significant digits, so 1e-6 · 10^3 prints as 1e-3.
fn round_sig(x: f64) -> f64 {
    let digits = 11 - x.abs().log10().floor() as i32;
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// `--shard i/n`: the i-th (0-based) of n slices of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, 0-based.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl Shard {
    /// Parses `i/n` with `0 <= i < n`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::option("--shard", format!("{why}, got '{text}'"));
        let (i, n) = text.split_once('/').ok_or_else(|| bad("expected I/N"))?;
        let index: usize = i
            .trim()
            .parse()
            .map_err(|_| bad("I must be a whole number"))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| bad("N must be a whole number"))?;
        if count == 0 || index >= count {
            return Err(bad("needs 0 <= I < N"));
        }
        Ok(Shard { index, count })
    }

    /// The configurations (grid positions) of this slice of `total`: contiguous, sizes
    /// differing by at most one, every position in exactly one slice.
    pub fn range(&self, total: usize) -> Range<usize> {
        (self.index * total / self.count)..((self.index + 1) * total / self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_whole_decades() {
        assert_eq!(
            lr_range("1e-6:1", 1, "--lr-range").unwrap(),
            [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
        );
        let two = lr_range("1e-3:1e-1", 2, "--lr-range").unwrap();
        assert_eq!(two.len(), 5);
        assert!((two[1] - 10f64.powf(-2.5)).abs() < 1e-13);
        assert_eq!(two[4], 1e-1);
        assert!(lr_range("1:1e-3", 1, "--lr-range").is_err());
        assert!(lr_range("1e-3", 1, "--lr-range").is_err());
    }

    #[test]
    fn shards_partition_the_grid() {
        for total in 0..30 {
            for count in 1..8 {
                let mut seen = Vec::new();
                for index in 0..count {
                    seen.extend(Shard { index, count }.range(total));
                }
                assert_eq!(seen, (0..total).collect::<Vec<_>>(), "{total} in {count}");
            }
        }
        assert!(Shard::parse("3/3").is_err());
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
    }

    #[test]
    fn lrs_are_parsed_and_checked() {
        let ok = parse_lrs(&["1e-3".into(), "1e-5".into()]).unwrap();
        assert_eq!(ok, [1e-5, 1e-3]);
        let err = parse_lrs(&["1e-3".into(), "fast".into()]).unwrap_err();
        assert_eq!(err.to_string(), "--lrs: 'fast' is not a number");
        assert!(parse_lrs(&["-1".into()]).is_err());
        assert!(parse_lrs(&["1e-3".into(), "0.001".into()]).is_err());
    }
}
