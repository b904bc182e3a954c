//! A column that only numbers the rows, as R's `write.csv` (`rownames`, or a blank header)
//! and pandas' `to_csv` (`Unnamed: 0` once read back) write one: a row's number is no
//! property of the row, and in a file sorted by class it would give the label away, so such
//! a column is left out of the features unless `--features` names it.

use polars::prelude::*;

/// The names a row-number column goes by.
const NAMES: [&str; 3] = ["rownames", "", "Unnamed: 0"];

/// Whether a feature column of this name may be a row-number column.
pub(super) fn candidate(name: &str) -> bool {
    NAMES.contains(&name.trim())
}

/// The number of the first row (0 or 1) when a block's column, whose first row is row
/// `offset` of the file, holds exactly the rows' numbers; `None` otherwise.
pub(super) fn first_number(col: &Column, offset: usize) -> Option<u8> {
    if !col.dtype().is_primitive_numeric() || col.null_count() > 0 {
        return None;
    }
    let values = col.cast(&DataType::Float64).ok()?;
    let values = values.f64().ok()?;
    [0u8, 1].into_iter().find(|&base| {
        values
            .iter()
            .enumerate()
            .all(|(r, v)| v == Some((offset + r) as f64 + f64::from(base)))
    })
}

/// The features without the columns at `drop` (positions, ascending): names and the
/// row-major values (`names.len()` wide).
pub(super) fn without(
    names: Vec<String>,
    features: Vec<f32>,
    drop: &[usize],
) -> (Vec<String>, Vec<f32>) {
    let width = names.len();
    let kept: Vec<usize> = (0..width).filter(|j| !drop.contains(j)).collect();
    let rows = features.len().checked_div(width).unwrap_or(0);
    let mut out = Vec::with_capacity(rows * kept.len());
    for r in 0..rows {
        out.extend(kept.iter().map(|&j| features[r * width + j]));
    }
    let names = kept.iter().map(|&j| names[j].clone()).collect();
    (names, out)
}
