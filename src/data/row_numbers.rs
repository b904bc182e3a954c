//! A column that only numbers the rows, as R's `write.csv` (`rownames`, or a blank header)
//! and pandas' `to_csv` (`Unnamed: 0` once read back) write one: a row's number is no
//! property of the row, and in a file sorted by class it would give the label away, so such
//! a column is left out of the features unless `--features` names it.

use polars::prelude::*;

use super::categories::TextColumn;

/// The names a row-number column goes by.
const NAMES: [&str; 3] = ["rownames", "", "Unnamed: 0"];

/// Each feature column of a block (whose first row is row `offset` of its file) that may
/// number the rows, by name: its position, and the first row's number (0 or 1) when every
/// value in the block is its row's number.
pub(super) fn scan(df: &DataFrame, features: &[String], offset: usize) -> Vec<(usize, Option<u8>)> {
    features
        .iter()
        .enumerate()
        .filter(|(_, n)| NAMES.contains(&n.trim()))
        .map(|(j, n)| (j, df.column(n).ok().and_then(|c| first_number(c, offset))))
        .collect()
}

/// Merges a later block's scan: a column stays a row-number column when it is one there too,
/// counting from the same first number.
pub(super) fn merge(so_far: &mut [(usize, Option<u8>)], later: &[(usize, Option<u8>)]) {
    for (p, first) in so_far.iter_mut() {
        if later.iter().find(|m| m.0 == *p).and_then(|m| m.1) != *first {
            *first = None;
        }
    }
}

/// The finished table's features without its row-number columns (`rows`: the merged scan),
/// the category columns' positions moved up to match; returns the names left out too.
pub(super) fn leave_out(
    names: Vec<String>,
    features: Vec<f32>,
    rows: &[(usize, Option<u8>)],
    categories: &mut [TextColumn],
) -> (Vec<String>, Vec<f32>, Vec<String>) {
    let drop: Vec<usize> = rows
        .iter()
        .filter(|(_, first)| first.is_some())
        .map(|&(p, _)| p)
        .collect();
    if drop.is_empty() {
        return (names, features, Vec::new());
    }
    let left_out = drop.iter().map(|&p| names[p].clone()).collect();
    for t in categories.iter_mut() {
        t.position -= drop.iter().filter(|&&d| d < t.position).count();
    }
    let (names, features) = without(names, features, &drop);
    (names, features, left_out)
}

/// The number of the first row (0 or 1) when a block's column, whose first row is row
/// `offset` of the file, holds exactly the rows' numbers; `None` otherwise.
fn first_number(col: &Column, offset: usize) -> Option<u8> {
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
