//! The column of row names that R's `write.csv` writes first (a blank header; `rownames` in
//! the Rdatasets collection) and pandas' `to_csv` writes as its index (`Unnamed: 0` once read
//! back): a row's name or number is no property of the row, and in a file sorted by class it
//! gives the label away, so it is left out of the features unless `--features` names it.

/// The headers a column of row names goes by.
const NAMES: [&str; 3] = ["", "rownames", "Unnamed: 0"];

/// Whether a column of this header holds the rows' names.
pub(super) fn is_row_names(header: &str) -> bool {
    NAMES.contains(&header.trim())
}
