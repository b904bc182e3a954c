//! The library's error type. Every variant names the file, column or flag at fault, and
//! its message is one line meant for the user.

use std::path::PathBuf;

/// Errors from loading data, validating options, training and writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A data file is missing or unreadable.
    #[error("{}: cannot read data file: {message}", path.display())]
    DataRead {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// An input other than data (a settings file, a saved result, a folder of parts) is
    /// missing or unreadable.
    #[error("{}: cannot read {what}: {message}", path.display())]
    InputRead {
        /// The file or folder.
        path: PathBuf,
        /// What it was meant to be, e.g. "settings file (--config)".
        what: &'static str,
        /// What the system said.
        message: String,
    },
    /// A stop request (Ctrl-C, SIGTERM) ended a run that has no partial result to write.
    #[error("interrupted: {what}")]
    Interrupted {
        /// What was lost, in words.
        what: String,
    },
    /// A data file could not be parsed.
    #[error("{}: not a valid {format} file: {message}", path.display())]
    DataFormat {
        /// The file.
        path: PathBuf,
        /// CSV or Parquet.
        format: &'static str,
        /// What the parser said.
        message: String,
    },
    /// A column named by an option is not in the data.
    #[error("{source_name}: column '{column}' (from {flag}) not found; columns are: {available}")]
    MissingColumn {
        /// The data file or built-in dataset.
        source_name: String,
        /// The column asked for.
        column: String,
        /// The flag that named it.
        flag: &'static str,
        /// The columns that exist.
        available: String,
    },
    /// A feature column is neither numbers nor text (a date or list column, say).
    #[error(
        "{source_name}: feature column '{column}' is not numeric ({dtype}); leave it out with --ignore {column}"
    )]
    NonNumeric {
        /// The data file or built-in dataset.
        source_name: String,
        /// The column.
        column: String,
        /// Its data type.
        dtype: String,
    },
    /// A column holds NaN, infinite or empty cells (or a missing-value marker such as `NA`).
    #[error(
        "{source_name}: column '{column}' has {count} NaN, infinite, empty or NA cell(s) (first in data row {row}); use --drop-na to drop such rows"
    )]
    BadCells {
        /// The data file or built-in dataset.
        source_name: String,
        /// The column.
        column: String,
        /// How many cells are bad.
        count: usize,
        /// The first bad row (1-based, header excluded).
        row: usize,
    },
    /// The data cannot be used for the task (too few classes, too few rows, ...).
    #[error("{source_name}: {message}")]
    Data {
        /// The data file or built-in dataset.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// An option or config value is out of range or inconsistent.
    #[error("{flag}: {message}")]
    InvalidOption {
        /// The flag or config key.
        flag: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// An output file or folder cannot be written.
    #[error("{}: cannot write output: {message}", path.display())]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// A plot could not be drawn.
    #[error("{}: cannot draw plot: {message}", path.display())]
    Plot {
        /// The file.
        path: PathBuf,
        /// What the plotting library said.
        message: String,
    },
    /// The chosen rule found no suggestion on the curve.
    #[error("no suggestion from '{method}': {reason}")]
    NoSuggestion {
        /// The chosen rule.
        method: &'static str,
        /// Why, and what to try.
        reason: String,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::InvalidOption`].
    pub fn option(flag: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidOption {
            flag,
            message: message.into(),
        }
    }

    /// A value above its limit: `flag: must be at most MAX (why), got VALUE`.
    pub fn at_most(flag: &'static str, max: usize, why: &str, got: usize) -> Self {
        Error::option(flag, format!("must be at most {max} ({why}), got {got}"))
    }

    /// Checks a count given by `flag`: refused when 0 ("must be at least 1") or above `max`
    /// (with the reason `why`).
    pub fn check_count(flag: &'static str, value: usize, max: usize, why: &str) -> Result<()> {
        if value == 0 {
            return Err(Error::option(flag, "must be at least 1"));
        }
        if value > max {
            return Err(Error::at_most(flag, max, why, value));
        }
        Ok(())
    }

    /// Shorthand for [`Error::Output`] from an I/O error.
    pub fn output(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::Output {
            path: path.into(),
            message: err.to_string(),
        }
    }
}
