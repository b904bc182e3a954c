//! Reading a `--tokens` column from a parsed frame into ragged id runs: a Parquet list of
//! integers per cell, or a text cell of integers separated by spaces (or written as a list,
//! `[3, 17, 42]`). Every id is checked (a non-negative integer, below `--vocab` when given),
//! an empty sequence is refused, and a column may not mix list cells with plain ones; each
//! error names the column and the row (counted from 1, as the other data errors are).

use polars::prelude::*;

use super::frame::{missing, one_line};
use super::tokens::Ragged;
use crate::config::MAX_VOCAB;
use crate::error::{Error, Result};

/// How a column writes its sequences (a file must use one form throughout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A list per cell (Parquet lists, or text like `[3, 17, 42]`).
    List = 0,
    /// Ids separated by spaces (or a single integer).
    Plain = 1,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::List => "a list",
            Form::Plain => "plain ids",
        }
    }
}

/// A token column as read so far.
#[derive(Debug, Default)]
pub(super) struct TokenColumn {
    /// The column's name.
    pub column: String,
    /// The ids and each row's length.
    pub ragged: Ragged,
    /// The first row (0-based in the file) written in each form: list, plain.
    first: [Option<usize>; 2],
    /// Rows whose cell is missing (0-based in the file).
    pub missing: Vec<usize>,
}

impl TokenColumn {
    /// Appends a later block of the same file.
    pub(super) fn append(&mut self, more: TokenColumn) {
        for (a, b) in self.first.iter_mut().zip(more.first) {
            *a = a.or(b);
        }
        self.ragged.append(more.ragged);
        self.missing.extend(more.missing);
    }

    fn note(&mut self, form: Form, row: usize) {
        self.first[form as usize].get_or_insert(row);
    }

    /// Refuses a column that writes some sequences as lists and others not (checked once the
    /// whole column is read, so a file read in blocks gives the same error).
    pub(super) fn check_one_form(&self, source: &str) -> Result<()> {
        let [Some(list), Some(plain)] = self.first else {
            return Ok(());
        };
        let (a, b) = if list < plain {
            ((Form::List, list), (Form::Plain, plain))
        } else {
            ((Form::Plain, plain), (Form::List, list))
        };
        Err(Error::Data {
            source_name: source.into(),
            message: format!(
                "column '{}' mixes list and non-list cells (row {} is {}, row {} is {})",
                self.column,
                a.1 + 1,
                a.0.name(),
                b.1 + 1,
                b.0.name()
            ),
        })
    }
}

/// Checks ids and shifts them by one (0 is the model's padding id).
struct Ids<'a> {
    source: &'a str,
    column: &'a str,
    vocab: Option<usize>,
}

impl Ids<'_> {
    fn bad(&self, row: usize, message: String) -> Error {
        Error::Data {
            source_name: self.source.into(),
            message: format!("column '{}', row {}: {message}", self.column, row + 1),
        }
    }

    fn check(&self, id: u64, row: usize) -> Result<u32> {
        let limit = self.vocab.unwrap_or(MAX_VOCAB) as u64;
        if id >= limit {
            return Err(self.bad(
                row,
                match self.vocab {
                    Some(v) => format!("token id {id} is not below --vocab {v}"),
                    None => format!("token id {id} is beyond the largest vocabulary ({MAX_VOCAB})"),
                },
            ));
        }
        Ok(id as u32 + 1)
    }

    fn text(&self, token: &str, row: usize) -> Result<u32> {
        match token.parse::<u64>() {
            Ok(id) => self.check(id, row),
            Err(_) => Err(self.bad(
                row,
                format!("token '{token}' is not a non-negative integer"),
            )),
        }
    }

    fn number(&self, v: Option<f64>, row: usize) -> Result<u32> {
        match v {
            Some(x) if x >= 0.0 && x.fract() == 0.0 && x.is_finite() => self.check(x as u64, row),
            Some(x) => Err(self.bad(row, format!("token {x} is not a non-negative integer"))),
            None => Err(self.bad(row, "a token is missing".into())),
        }
    }
}

/// The `column` of `df` (whose first row is row `offset` of its file) as ragged token ids.
pub(super) fn read_tokens(
    df: &DataFrame,
    source: &str,
    column: &str,
    offset: usize,
    vocab: Option<usize>,
) -> Result<TokenColumn> {
    let col = df
        .column(column)
        .map_err(|_| missing(df, source, column, "--tokens"))?;
    let ids = Ids {
        source,
        column,
        vocab,
    };
    let mut out = TokenColumn {
        column: column.into(),
        ..TokenColumn::default()
    };
    let empty = |row: usize| ids.bad(row, "the sequence is empty".into());
    let dtype = col.dtype().clone();
    let cast_err = |e: PolarsError| Error::Data {
        source_name: source.into(),
        message: format!("column '{column}': {}", one_line(&e.to_string())),
    };
    if col.null_count() == col.len() {
        // A block whose cells are all empty reads as text or nulls: every row is missing.
        out.missing.extend((0..col.len()).map(|r| offset + r));
        out.ragged.lengths.resize(col.len(), 0);
    } else if dtype.is_string() {
        for (r, cell) in col.str().expect("string column").iter().enumerate() {
            let row = offset + r;
            let Some(cell) = cell else {
                out.missing.push(row);
                out.ragged.lengths.push(0);
                continue;
            };
            let cell = cell.trim();
            let before = out.ragged.values.len();
            if let Some(inner) = cell.strip_prefix('[') {
                out.note(Form::List, row);
                let Some(inner) = inner.strip_suffix(']') else {
                    return Err(ids.bad(row, format!("'{cell}' opens a list it does not close")));
                };
                if !inner.trim().is_empty() {
                    for token in inner.split(',') {
                        out.ragged.values.push(ids.text(token.trim(), row)?);
                    }
                }
            } else {
                out.note(Form::Plain, row);
                for token in cell.split_whitespace() {
                    out.ragged.values.push(ids.text(token, row)?);
                }
            }
            let n = out.ragged.values.len() - before;
            if n == 0 {
                return Err(empty(row));
            }
            out.ragged.lengths.push(n as u32);
        }
    } else if let DataType::List(inner) = &dtype {
        if !(inner.is_primitive_numeric() || inner.is_null()) {
            return Err(not_tokens(source, column, &dtype));
        }
        let cast = col
            .cast(&DataType::List(Box::new(DataType::Float64)))
            .map_err(cast_err)?;
        for (r, cell) in cast
            .list()
            .expect("list column")
            .amortized_iter()
            .enumerate()
        {
            let row = offset + r;
            let Some(cell) = cell else {
                out.missing.push(row);
                out.ragged.lengths.push(0);
                continue;
            };
            out.note(Form::List, row);
            let values = cell.as_ref().f64().expect("cast to f64");
            if values.is_empty() {
                return Err(empty(row));
            }
            for v in values.iter() {
                out.ragged.values.push(ids.number(v, row)?);
            }
            out.ragged.lengths.push(values.len() as u32);
        }
    } else if dtype.is_primitive_numeric() {
        // One integer per cell (a CSV block where every sequence has one token).
        let cast = col.cast(&DataType::Float64).map_err(cast_err)?;
        for (r, v) in cast.f64().expect("cast to f64").iter().enumerate() {
            let row = offset + r;
            if v.is_none() {
                out.missing.push(row);
                out.ragged.lengths.push(0);
                continue;
            }
            out.note(Form::Plain, row);
            out.ragged.values.push(ids.number(v, row)?);
            out.ragged.lengths.push(1);
        }
    } else {
        return Err(not_tokens(source, column, &dtype));
    }
    Ok(out)
}

fn not_tokens(source: &str, column: &str, dtype: &DataType) -> Error {
    Error::Data {
        source_name: source.into(),
        message: format!(
            "column '{column}' (from --tokens) holds {dtype}, not token ids (a list of integers, or integers separated by spaces)"
        ),
    }
}
