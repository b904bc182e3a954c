//! Files as polars frames, the lowest layer of loading: a built-in dataset or a CSV or
//! Parquet file read whole ([`read_frame`]), a block of a data table's CSV with R's missing
//! marker ([`parse_csv_as`]), a column as numbers, and the errors that name the file or
//! column. Other tools' logs and curves are read through it too.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use crate::error::{Error, Result};

/// Built-in datasets: name and CSV text (see `assets/README.md` for sources and licences).
pub const BUILTIN: [(&str, &str); 2] = [
    ("digits", include_str!("../../assets/digits.csv")),
    (
        "breast_cancer",
        include_str!("../../assets/breast_cancer.csv"),
    ),
];

/// Reads a built-in dataset by name, or a CSV or Parquet file (by extension), as a frame.
pub(crate) fn read_frame(data: &str) -> Result<DataFrame> {
    if let Some((_, csv)) = BUILTIN.iter().find(|(name, _)| *name == data) {
        return parse_csv(csv.as_bytes(), Path::new(data));
    }
    let path = Path::new(data);
    let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "parquet" || ext == "pq" {
        ParquetReader::new(Cursor::new(bytes))
            .finish()
            .map_err(|e| Error::DataFormat {
                path: path.into(),
                format: "Parquet",
                message: one_line(&e.to_string()),
            })
    } else {
        parse_csv(&bytes, path)
    }
}

/// A data file that cannot be read (a missing one lists the built-in datasets).
pub(super) fn read_error(path: &Path, e: std::io::Error) -> Error {
    Error::DataRead {
        path: path.into(),
        message: if e.kind() == std::io::ErrorKind::NotFound {
            format!("no such file (built-in datasets are: {})", builtin_names())
        } else {
            e.to_string()
        },
    }
}

/// What a data table's CSV holds for a missing value besides an empty cell: R's `NA`, read as
/// empty, so a numeric column with it stays numeric (with missing cells) instead of turning
/// into text. (pandas writes an empty cell; each marker checked costs polars' parser about
/// 4 % on a numeric file, so the list is R's alone.)
pub(crate) const MISSING_MARKERS: [&str; 1] = ["NA"];

/// Parses CSV bytes (with a header, types inferred from every row).
pub(crate) fn parse_csv(bytes: &[u8], path: &Path) -> Result<DataFrame> {
    parse(bytes, path, &[], false)
}

/// Parses a block of a data table's CSV: [`MISSING_MARKERS`] are empty cells, and the columns
/// named in `text` (those the header has) are read as text whatever their cells look like: a
/// token column is parsed by lrfind's rules, not by type inference, which would read a block
/// of one-token sequences as numbers and accept `3.0` there; a block of a text feature column
/// whose cells look like numbers is still text.
pub(crate) fn parse_csv_as(bytes: &[u8], path: &Path, text: &[&str]) -> Result<DataFrame> {
    parse(bytes, path, text, true)
}

fn parse(bytes: &[u8], path: &Path, text: &[&str], markers: bool) -> Result<DataFrame> {
    let bad = |message: String| Error::DataFormat {
        path: path.into(),
        format: "CSV",
        message,
    };
    if std::str::from_utf8(bytes).is_err() {
        return Err(bad("not UTF-8 text".into()));
    }
    // polars renames a repeated column ("a" becomes "a_duplicated_0"), which would let a
    // duplicated target pass unnoticed: refuse it by name.
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let names: Vec<&str> = std::str::from_utf8(header)
        .unwrap_or_default()
        .trim_end_matches('\r')
        .split(',')
        .map(|n| n.trim().trim_matches('"'))
        .collect();
    if let Some(k) = (0..names.len()).find(|&k| names[..k].contains(&names[k])) {
        return Err(bad(format!(
            "column '{}' appears twice in the header (columns {} and {})",
            names[k],
            names[..k].iter().position(|n| *n == names[k]).unwrap_or(0) + 1,
            k + 1
        )));
    }
    // polars keeps spaces around a header name; the names above are trimmed.
    let forced: Vec<&str> = text
        .iter()
        .copied()
        .filter(|t| names.contains(&t.trim()))
        .collect();
    let overwrite = (!forced.is_empty()).then(|| {
        Arc::new(Schema::from_iter(
            forced
                .iter()
                .map(|t| Field::new((*t).into(), DataType::String)),
        ))
    });
    let nulls = markers
        .then(|| NullValues::AllColumns(MISSING_MARKERS.iter().map(|m| (*m).into()).collect()));
    let df = CsvReadOptions::default()
        .with_parse_options(CsvParseOptions::default().with_null_values(nulls))
        .with_has_header(true)
        .with_infer_schema_length(None)
        .with_schema_overwrite(overwrite)
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| {
            let text = one_line(&e.to_string());
            // polars suggests one of its own options; say what is wrong with the file.
            if text.contains("more fields than defined") {
                bad("a row has more fields than the header".into())
            } else {
                bad(text)
            }
        })?;
    if df.width() < 2 || df.height() == 0 {
        return Err(bad(format!(
            "expected a header and data rows with at least two columns, found {} column(s) and {} row(s)",
            df.width(),
            df.height()
        )));
    }
    Ok(df)
}

/// An error message on one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn builtin_names() -> String {
    BUILTIN
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One column as f64 values (`None` for null cells); errors if it is not numeric.
pub(crate) fn numeric(df: &DataFrame, source: &str, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(numeric_column(df, source, name)?
        .f64()
        .expect("cast to f64")
        .iter()
        .collect())
}

/// One column cast to f64 (an all-empty column, as a block of a file may read, is all
/// missing); errors if it is not numeric.
pub(crate) fn numeric_column(df: &DataFrame, source: &str, name: &str) -> Result<Column> {
    let col = df
        .column(name)
        .map_err(|_| missing(df, source, name, "--features"))?;
    let dtype = col.dtype();
    // A block of a file whose cells in this column are all empty reads as text.
    let all_empty = col.null_count() == col.len()
        || col
            .str()
            .is_ok_and(|s| s.iter().all(|c| c.is_none_or(str::is_empty)));
    if !(dtype.is_primitive_numeric() || dtype.is_bool() || dtype.is_null() || all_empty) {
        return Err(Error::NonNumeric {
            source_name: source.into(),
            column: name.into(),
            dtype: dtype.to_string(),
        });
    }
    let col = if all_empty {
        &Column::full_null(col.name().clone(), col.len(), &DataType::Float64)
    } else {
        col
    };
    col.cast(&DataType::Float64).map_err(|e| Error::Data {
        source_name: source.into(),
        message: format!("column '{name}': {}", one_line(&e.to_string())),
    })
}

pub(super) fn missing(df: &DataFrame, source: &str, column: &str, flag: &'static str) -> Error {
    Error::MissingColumn {
        source_name: source.into(),
        column: column.into(),
        flag,
        available: df
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}
