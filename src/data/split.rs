//! The project's one split function (seeded, stratified for classification) and
//! z-score standardisation with statistics from the training part only.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Table, Task};
use crate::config::DataConfig;
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Random stream reserved for splitting (other uses of the seed take other streams).
const SPLIT_STREAM: u64 = 1;

/// Splits row indices `0..rows` into parts of the given fractions (train, validation,
/// optional test), seeded. With `labels`, each class is split in the same proportions
/// (stratified); part sizes are rounded by largest remainder so they add up. Each part is
/// returned in shuffled order.
pub fn split_indices(
    rows: usize,
    labels: Option<&[usize]>,
    fractions: &[f64],
    seed: u64,
) -> Vec<Vec<usize>> {
    let mut rng = Rng::new(seed, SPLIT_STREAM);
    let mut parts = vec![Vec::new(); fractions.len()];
    let groups: Vec<Vec<usize>> = match labels {
        Some(labels) => {
            let k = labels.iter().copied().max().map_or(0, |m| m + 1);
            let mut g = vec![Vec::new(); k];
            for (row, &label) in labels.iter().enumerate() {
                g[label].push(row);
            }
            g
        }
        None => vec![(0..rows).collect()],
    };
    for mut group in groups {
        rng.shuffle(&mut group);
        let mut start = 0;
        for (part, size) in parts.iter_mut().zip(part_sizes(group.len(), fractions)) {
            part.extend_from_slice(&group[start..start + size]);
            start += size;
        }
    }
    for part in &mut parts {
        rng.shuffle(part);
    }
    parts
}

/// Sizes of each part of `n` items, by largest remainder (ties to the earlier part).
fn part_sizes(n: usize, fractions: &[f64]) -> Vec<usize> {
    let exact: Vec<f64> = fractions.iter().map(|f| f * n as f64).collect();
    let mut sizes: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..fractions.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut left = n - sizes.iter().sum::<usize>();
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        sizes[i] += 1;
        left -= 1;
    }
    sizes
}

/// Per-feature mean and standard deviation from the training rows. A constant column gets a
/// scale of 1, so it maps to zero instead of dividing by zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Per-feature mean.
    pub mean: Vec<f64>,
    /// Per-feature scale (standard deviation, or 1 for constant columns).
    pub scale: Vec<f64>,
}

impl Standardizer {
    /// Statistics of `rows` of a row-major matrix with `width` columns.
    pub fn fit(features: &[f32], width: usize, rows: &[usize]) -> Self {
        let n = rows.len().max(1) as f64;
        let mut mean = vec![0.0; width];
        for &r in rows {
            for (m, &x) in mean.iter_mut().zip(&features[r * width..(r + 1) * width]) {
                *m += x as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut var = vec![0.0; width];
        for &r in rows {
            for ((v, &x), m) in var
                .iter_mut()
                .zip(&features[r * width..(r + 1) * width])
                .zip(&mean)
            {
                *v += (x as f64 - m).powi(2);
            }
        }
        let scale = var
            .iter()
            .map(|v| {
                let sd = (v / n).sqrt();
                if sd > 1e-12 { sd } else { 1.0 }
            })
            .collect();
        Self { mean, scale }
    }

    /// Standardises one row in place.
    pub fn apply(&self, row: &mut [f32]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
            *x = ((*x as f64 - m) / s) as f32;
        }
    }
}

/// A dataset ready to train on: the table's rows split, and the standardiser the batches
/// apply to each row's features as they are built (so the table's features stay shared,
/// never copied per setting).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The table (features as read; a regression target standardised).
    pub table: Table,
    /// Row indices of the training, validation and (optional) test parts.
    pub parts: Vec<Vec<usize>>,
    /// The feature standardiser, when standardisation is on.
    pub standardizer: Option<Standardizer>,
    /// Mean and scale of a regression target (training rows), so losses can be reported
    /// in the target's units; `(0, 1)` for classification.
    pub target_scale: (f64, f64),
    /// Whether batchers over this data keep each epoch's last short batch
    /// ([`DataConfig::keep_last_batch`]).
    pub keep_last_batch: bool,
}

impl Prepared {
    /// Training row indices.
    pub fn train(&self) -> &[usize] {
        &self.parts[0]
    }

    /// Optimizer steps in one epoch over the training part at `batch_size`
    /// ([`batches_per_epoch`]).
    pub fn batches_per_epoch(&self, batch_size: usize) -> usize {
        batches_per_epoch(self.train().len(), batch_size, self.keep_last_batch)
    }

    /// Validation row indices.
    pub fn valid(&self) -> &[usize] {
        &self.parts[1]
    }

    /// Appends row `r`'s features, standardised when standardisation is on, to `out`.
    pub fn push_features(&self, r: usize, out: &mut Vec<f32>) {
        push_row(
            &self.table.features,
            self.table.width(),
            self.standardizer.as_ref(),
            r,
            out,
        );
    }
}

/// Appends row `r` of row-major `features` (`width` wide) to `out`, standardised by `s`.
pub(super) fn push_row(
    features: &[f32],
    width: usize,
    s: Option<&Standardizer>,
    r: usize,
    out: &mut Vec<f32>,
) {
    let start = out.len();
    out.extend_from_slice(&features[r * width..(r + 1) * width]);
    if let Some(s) = s {
        s.apply(&mut out[start..]);
    }
}

/// The rows of one training batch: `requested`, or the whole training part when it has
/// fewer rows (as PyTorch's loader gives one short batch then; a [`Batcher`](super::Batcher)
/// over fewer rows than its batch size does the same).
pub fn batch_rows(requested: usize, train_rows: usize) -> usize {
    requested.min(train_rows).max(1)
}

/// Batches in one epoch over `rows` rows at `batch_size` ([`batch_rows`]): `ceil(rows /
/// batch)` with the last short batch kept, `floor` with it dropped; at least 1.
pub fn batches_per_epoch(rows: usize, batch_size: usize, keep_last: bool) -> usize {
    let batch = batch_rows(batch_size, rows);
    if keep_last {
        rows.div_ceil(batch)
    } else {
        rows / batch
    }
    .max(1)
}

/// Splits the table and fits the standardiser as `config` says. With a training part
/// smaller than `config.batch_size`, each batch is the whole training part ([`batch_rows`]).
pub fn prepare(mut table: Table, config: &DataConfig, seed: u64) -> Result<Prepared> {
    let labels = table.labels();
    let parts = split_indices(table.rows(), labels.as_deref(), &config.split, seed);
    let width = table.width();
    // A sequence table may have no feature columns: nothing to standardise.
    let standardizer = (config.standardize && width > 0)
        .then(|| Standardizer::fit(&table.features, width, &parts[0]));
    let mut target_scale = (0.0, 1.0);
    if table.task == Task::Regression {
        let values: Vec<f32> = table.target.iter().map(|&v| v as f32).collect();
        let s = Standardizer::fit(&values, 1, &parts[0]);
        target_scale = (s.mean[0], s.scale[0]);
        // The one copy of a shared target: the standardised one this dataset trains on.
        Arc::make_mut(&mut table.target)
            .iter_mut()
            .for_each(|v| *v = (*v - target_scale.0) / target_scale.1);
    }
    Ok(Prepared {
        table,
        parts,
        standardizer,
        target_scale,
        keep_last_batch: config.keep_last_batch,
    })
}

/// Checks that every part of a classification split holds every class.
pub fn check_classes(data: &Prepared) -> Result<()> {
    let Task::Classification { classes } = &data.table.task else {
        return Ok(());
    };
    const PARTS: [&str; 3] = ["training", "validation", "test"];
    for (part, rows) in data.parts.iter().enumerate() {
        for (c, name) in classes.iter().enumerate() {
            if !rows.iter().any(|&r| data.table.target[r] as usize == c) {
                return Err(Error::option(
                    "--split",
                    format!(
                        "the {} part has no rows of class '{name}'; use larger fractions or more data",
                        PARTS[part]
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_split_keeps_class_proportions_and_covers_every_row() {
        let labels: Vec<usize> = (0..100).map(|i| usize::from(i < 30)).collect();
        let parts = split_indices(100, Some(&labels), &[0.8, 0.2], 7);
        assert_eq!(parts[0].len(), 80);
        assert_eq!(parts[1].iter().filter(|&&r| labels[r] == 1).count(), 6);
        let mut all: Vec<usize> = parts.concat();
        all.sort();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn sizes_add_up() {
        assert_eq!(part_sizes(10, &[0.8, 0.1, 0.1]), vec![8, 1, 1]);
        assert_eq!(part_sizes(7, &[0.5, 0.5]).iter().sum::<usize>(), 7);
    }

    #[test]
    fn constant_column_is_guarded() {
        let s = Standardizer::fit(&[1.0, 5.0, 1.0, 7.0], 2, &[0, 1]);
        assert_eq!(s.scale[0], 1.0);
        let mut row = [1.0, 6.0];
        s.apply(&mut row);
        assert_eq!(row, [0.0, 0.0]);
    }
}
