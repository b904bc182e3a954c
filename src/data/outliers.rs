//! Values of the validation and test parts far outside what the training part spans, in the
//! units the model receives them (standardised by the training part's statistics): the model
//! extrapolates there, and a loss measured on those parts follows those few rows
//! (heavy-tailed counts are the common cause).

use serde::{Deserialize, Serialize};

use super::{Prepared, Standardizer};

/// How many of the training part's standard deviations a value must lie from the training
/// mean to count as far outside. In a training part of `n` rows no value lies further than
/// `sqrt(n - 1)` of them (100 at 10,001 rows): up to that size, a value beyond 100 is one
/// the training part holds nothing like. (A column constant in the training part keeps its raw differences,
/// as standardisation leaves them, so it counts when those exceed 100.)
pub const FAR_OUTSIDE_SDS: f64 = 100.0;

/// The farthest value of the validation and test parts, when it is far outside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FarOutside {
    /// The part it is in: `validation` or `test`.
    pub part: String,
    /// Its feature column.
    pub column: String,
    /// Its distance from the training mean, in training standard deviations (infinite for
    /// a value too large for f32).
    pub sds: f64,
    /// Rows of the validation and test parts with a value beyond [`FAR_OUTSIDE_SDS`].
    pub rows: usize,
}

impl FarOutside {
    /// One line for a summary.
    pub fn line(&self) -> String {
        let rows = match self.rows {
            1 => "1 row of the validation and test parts lies".to_string(),
            n => format!("{n} rows of the validation and test parts lie"),
        };
        format!(
            "{rows} beyond {FAR_OUTSIDE_SDS:.0} standard deviations of the training part (the farthest: {:.0} in \
             column '{}', {} part): the model extrapolates there, and a loss measured on those parts follows \
             those rows (a log transform tames heavy-tailed counts)",
            self.sds, self.column, self.part
        )
    }
}

/// [`far_outside_of`] the prepared data: its parts after the first, measured by its
/// standardiser (or, with standardisation off, by the training part's statistics).
pub fn far_outside(data: &Prepared) -> Option<FarOutside> {
    let width = data.table.width();
    if width == 0 {
        return None;
    }
    let features = &data.table.features;
    let fitted;
    let stats = match &data.standardizer {
        Some(s) => s,
        None => {
            fitted = Standardizer::fit(features, width, data.train());
            &fitted
        }
    };
    far_outside_of(features, &data.table.feature_names, &data.parts, stats)
}

/// The farthest value of `parts[1..]` (validation, then test) of the row-major `features`
/// (`names.len()` wide) from `stats`' means, in its scales, when it lies beyond
/// [`FAR_OUTSIDE_SDS`]; `None` otherwise. A NaN distance (from a non-finite training
/// statistic) is skipped.
pub fn far_outside_of(
    features: &[f32],
    names: &[String],
    parts: &[Vec<usize>],
    stats: &Standardizer,
) -> Option<FarOutside> {
    let width = names.len();
    let mut worst: Option<(f64, usize, usize)> = None;
    let mut rows = 0;
    for (part, part_rows) in parts.iter().enumerate().skip(1) {
        for &r in part_rows {
            let mut far = false;
            for (c, &x) in features[r * width..(r + 1) * width].iter().enumerate() {
                let sds = ((x as f64 - stats.mean[c]) / stats.scale[c]).abs();
                if sds.is_nan() {
                    continue;
                }
                far |= sds > FAR_OUTSIDE_SDS;
                if worst.is_none_or(|w| sds > w.0) {
                    worst = Some((sds, c, part));
                }
            }
            rows += usize::from(far);
        }
    }
    let (sds, c, part) = worst.filter(|w| w.0 > FAR_OUTSIDE_SDS)?;
    Some(FarOutside {
        part: if part == 1 { "validation" } else { "test" }.into(),
        column: names[c].clone(),
        sds,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two columns; rows 0-3 train, 4-5 validation, 6 test.
    fn case(features: &[f32]) -> Option<FarOutside> {
        let names = vec!["a".to_string(), "b".to_string()];
        let parts = vec![vec![0, 1, 2, 3], vec![4, 5], vec![6]];
        let stats = Standardizer::fit(features, 2, &parts[0]);
        far_outside_of(features, &names, &parts, &stats)
    }

    #[test]
    fn the_farthest_value_beyond_the_limit_is_named_with_its_part_and_rows() {
        // Training: a = 0, 2, 0, 2 (mean 1, sd 1); b constant 5 (scale 1).
        let train = [0.0, 5.0, 2.0, 5.0, 0.0, 5.0, 2.0, 5.0];
        let near = [&train[..], &[50.0, 5.0, 1.0, 5.0, -80.0, 5.0]].concat();
        assert_eq!(case(&near), None, "within 100 sds everywhere");
        // Validation a = 102 (101 sds), test b = 5 + 300 (300, constant column: raw).
        let far = [&train[..], &[102.0, 5.0, 1.0, 5.0, 1.0, 305.0]].concat();
        assert_eq!(
            case(&far),
            Some(FarOutside {
                part: "test".into(),
                column: "b".into(),
                sds: 300.0,
                rows: 2
            })
        );
        // A value too large for f32 is the farthest of all.
        let inf = [&train[..], &[f32::INFINITY, 5.0, 1.0, 5.0, 1.0, 305.0]].concat();
        let f = case(&inf).unwrap();
        assert_eq!(
            (f.part.as_str(), f.column.as_str(), f.rows),
            ("validation", "a", 2)
        );
        assert!(f.sds.is_infinite());
    }
}
