//! Class balance of a binary training set: undersample the majority class without
//! replacement, or oversample the minority with replacement (both seeded), to reach a
//! positive proportion. Only the training part is ever resampled.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// Random stream reserved for resampling.
const RESAMPLE_STREAM: u64 = 3;

/// How to reach the target proportion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Resample {
    /// Drop rows of the class that is too frequent (without replacement).
    #[default]
    Under,
    /// Repeat rows of the class that is too rare (with replacement).
    Over,
}

/// Resamples `rows` (training rows, labels 0/1) to a positive proportion `target` in (0, 1).
/// Returns the new row list (sorted by row, then shuffled by the batcher later).
pub fn resample(
    rows: &[usize],
    labels: &[usize],
    target: f64,
    how: Resample,
    seed: u64,
) -> Vec<usize> {
    let mut rng = Rng::new(seed, RESAMPLE_STREAM);
    let (mut pos, mut neg): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&r| labels[r] == 1);
    if pos.is_empty() || neg.is_empty() {
        return rows.to_vec();
    }
    // The class below its target share is the "rare" one; the other is the "common" one.
    let pos_is_rare = (pos.len() as f64 / rows.len() as f64) < target;
    let rare_share = if pos_is_rare { target } else { 1.0 - target };
    let (rare, common) = if pos_is_rare {
        (&mut pos, &mut neg)
    } else {
        (&mut neg, &mut pos)
    };
    match how {
        Resample::Under => {
            let want = (rare.len() as f64 * (1.0 - rare_share) / rare_share).round() as usize;
            rng.shuffle(common);
            common.truncate(want.clamp(1, common.len()));
        }
        Resample::Over => {
            let want = (common.len() as f64 * rare_share / (1.0 - rare_share)).round() as usize;
            let originals = rare.clone();
            while rare.len() < want {
                rare.push(originals[rng.below(originals.len())]);
            }
        }
    }
    let mut out: Vec<usize> = pos.into_iter().chain(neg).collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_undersampling_and_oversampling() {
        let labels: Vec<usize> = (0..100).map(|i| usize::from(i < 20)).collect();
        let rows: Vec<usize> = (0..100).collect();
        let under = resample(&rows, &labels, 0.5, Resample::Under, 1);
        assert_eq!(under.len(), 40);
        assert_eq!(under.iter().filter(|&&r| labels[r] == 1).count(), 20);
        let mut dedup = under.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), 40, "without replacement");
        let over = resample(&rows, &labels, 0.5, Resample::Over, 1);
        assert_eq!(over.len(), 160);
        assert_eq!(over.iter().filter(|&&r| labels[r] == 1).count(), 80);
        assert_eq!(
            resample(&rows, &labels, 0.5, Resample::Under, 1),
            under,
            "seeded"
        );
    }
}
