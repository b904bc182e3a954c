//! What one frame, or one block of a file, gives a table ([`Extracted`]: the features, bad
//! cells, text columns, row names, target and tokens as read), and how the blocks of a file
//! read in parts append into one, settling a column that one block read as numbers and
//! another as text.

use super::categories::{Blocks, TextColumn, merge_blocks, numbers_read};
use super::token_cells::TokenColumn;
use crate::error::{Error, Result};

/// The target column as text (for string labels) or numbers.
pub(super) enum RawTarget {
    /// Cells as text (string labels).
    Text(Vec<Option<String>>),
    /// Cells as numbers.
    Numbers(Vec<Option<f64>>),
}

/// What [`super::columns::extract`] took from a frame (or from several chunks of a file, appended).
pub(super) struct Extracted {
    pub(super) feature_names: Vec<String>,
    /// Row-major f32 features (0 in a bad cell and in a text column's slot).
    pub(super) features: Vec<f32>,
    /// The text feature columns, read as categories.
    pub(super) text: Vec<TextColumn>,
    /// Columns of row names left out of the features (`--features` not given).
    pub(super) row_names: Vec<String>,
    /// Rows with an empty, NaN or infinite cell.
    pub(super) bad_rows: Vec<bool>,
    /// Per feature column with bad cells: name, count, first row (0-based, in the file).
    pub(super) bad_columns: Vec<(String, usize, usize)>,
    pub(super) raw_target: RawTarget,
    /// The `--tokens` column, when there is one.
    pub(super) tokens: Option<TokenColumn>,
}

impl Extracted {
    /// The names of the text feature columns read so far (a later block of a CSV file reads
    /// them as text whatever its cells look like).
    pub(super) fn text_names(&self) -> Vec<&str> {
        self.text
            .iter()
            .map(|t| self.feature_names[t.position].as_str())
            .collect()
    }

    /// Appends the rows of a later chunk of the same file.
    pub(super) fn append(&mut self, mut more: Extracted, source: &str, target: &str) -> Result<()> {
        self.settle_kinds(&mut more, source)?;
        merge_blocks(
            &mut self.text,
            std::mem::take(&mut more.text),
            &Blocks {
                names: &self.feature_names,
                bad_before: &self.bad_columns,
                bad_added: &more.bad_columns,
                before: self.bad_rows.len(),
                added: more.bad_rows.len(),
                source,
            },
        )?;
        self.features.extend(more.features);
        self.bad_rows.extend(more.bad_rows);
        for (name, count, first) in more.bad_columns {
            match self.bad_columns.iter_mut().find(|b| b.0 == name) {
                Some(b) => b.1 += count,
                None => self.bad_columns.push((name, count, first)),
            }
        }
        let order: Vec<String> = self.feature_names.clone();
        self.bad_columns
            .sort_by_key(|b| order.iter().position(|n| *n == b.0).unwrap_or(usize::MAX));
        if let (Some(a), Some(b)) = (self.tokens.as_mut(), more.tokens) {
            a.append(b);
        }
        match (&mut self.raw_target, more.raw_target) {
            (RawTarget::Text(a), RawTarget::Text(b)) => a.extend(b),
            (RawTarget::Numbers(a), RawTarget::Numbers(b)) => a.extend(b),
            // A chunk of empty cells reads as numbers: it adds only missing values.
            (RawTarget::Text(a), RawTarget::Numbers(b)) if b.iter().all(Option::is_none) => {
                a.extend(b.iter().map(|_| None))
            }
            (RawTarget::Numbers(a), RawTarget::Text(b)) if a.iter().all(Option::is_none) => {
                let mut t: Vec<Option<String>> = a.iter().map(|_| None).collect();
                t.extend(b);
                self.raw_target = RawTarget::Text(t);
            }
            _ => {
                return Err(Error::Data {
                    source_name: source.into(),
                    message: format!(
                        "target column '{target}' mixes numbers and text (near row {})",
                        self.bad_rows.len() + 1
                    ),
                });
            }
        }
        Ok(())
    }
}

impl Extracted {
    /// A column read as text in one block and as numbers in the other is numbers when the
    /// text side's values all are (`nan`, `Inf` or padded numbers, which polars leaves as
    /// text), as a read of the whole file finds; other such columns are left to
    /// [`merge_blocks`] to refuse.
    fn settle_kinds(&mut self, more: &mut Extracted, source: &str) -> Result<()> {
        let before = self.bad_rows.len();
        more.numbers_where(&self.numeric_with_values(), before, source)?;
        self.numbers_where(&more.numeric_with_values(), 0, source)
    }

    /// The positions of the columns this part holds as numbers with at least one value.
    fn numeric_with_values(&self) -> Vec<usize> {
        let rows = self.bad_rows.len();
        (0..self.feature_names.len())
            .filter(|&p| {
                let name = &self.feature_names[p];
                rows > 0
                    && !self.text.iter().any(|t| t.position == p)
                    && !self.bad_columns.iter().any(|b| b.0 == *name && b.1 == rows)
            })
            .collect()
    }

    /// Reads as numbers this part's text columns at `positions` whose values all are (the
    /// part's first row being row `offset` of the file).
    fn numbers_where(&mut self, positions: &[usize], offset: usize, source: &str) -> Result<()> {
        let (conflict, text): (Vec<_>, Vec<_>) = std::mem::take(&mut self.text)
            .into_iter()
            .partition(|t| positions.contains(&t.position));
        self.text = text;
        let left = numbers_read(
            conflict,
            &self.feature_names,
            &mut self.features,
            &mut self.bad_rows,
            &mut self.bad_columns,
            offset,
            source,
        )?;
        self.text.extend(left);
        self.text.sort_by_key(|t| t.position);
        Ok(())
    }
}
