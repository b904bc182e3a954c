//! Values of the validation and test parts far outside what the training part spans: the
//! model extrapolates there, and a loss measured on those parts follows those few rows
//! (heavy-tailed counts, or a column constant in the training part that another part does
//! not share).

use serde::{Deserialize, Serialize};

use super::{Prepared, Standardizer};

/// How many of the training part's standard deviations a value must lie from the training
/// mean to count as far outside. No training value can lie further than `sqrt(rows - 1)` of
/// them, and Chebyshev's inequality leaves at most 1 in 10,000 values of any distribution
/// this far out: the training part has seen nothing like such a value.
pub const FAR_OUTSIDE_SDS: f64 = 100.0;

/// The farthest value of the validation and test parts, when it is far outside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FarOutside {
    /// The part it is in: `validation` or `test`.
    pub part: String,
    /// Its feature column.
    pub column: String,
    /// Its distance from the training mean, in training standard deviations (a column
    /// constant in the training part counts in its own units, as standardisation leaves it).
    pub sds: f64,
    /// Rows of the validation and test parts with a value beyond [`FAR_OUTSIDE_SDS`].
    pub rows: usize,
}

impl FarOutside {
    /// One line for a summary.
    pub fn line(&self) -> String {
        let rows = match self.rows {
            1 => "1 row lies".to_string(),
            n => format!("{n} rows lie"),
        };
        format!(
            "{rows} beyond {FAR_OUTSIDE_SDS:.0} standard deviations of the training part (the farthest: {:.0} in \
             column '{}', {} part): the model extrapolates there, and a loss measured on that part follows \
             those rows (a log transform tames heavy-tailed counts)",
            self.sds, self.column, self.part
        )
    }
}

/// The farthest value of the non-training parts of `data` from the training part's mean, in
/// its standard deviations, when it lies beyond [`FAR_OUTSIDE_SDS`]; `None` otherwise, and
/// for data without feature columns.
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
    let mut worst: Option<(f64, usize, usize)> = None;
    let mut rows = 0;
    for (part, part_rows) in data.parts.iter().enumerate().skip(1) {
        for &r in part_rows {
            let row = &features[r * width..(r + 1) * width];
            let mut far = false;
            for (c, &x) in row.iter().enumerate() {
                let sds = ((x as f64 - stats.mean[c]) / stats.scale[c]).abs();
                far |= sds > FAR_OUTSIDE_SDS;
                if sds.is_finite() && worst.is_none_or(|w| sds > w.0) {
                    worst = Some((sds, c, part));
                }
            }
            rows += usize::from(far);
        }
    }
    let (sds, c, part) = worst.filter(|w| w.0 > FAR_OUTSIDE_SDS)?;
    Some(FarOutside {
        part: if part == 1 { "validation" } else { "test" }.into(),
        column: data.table.feature_names[c].clone(),
        sds,
        rows,
    })
}
