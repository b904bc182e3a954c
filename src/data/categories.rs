//! Text feature columns as categories: each block of a file reads such a column's cells as
//! category codes, later blocks merge theirs in, and the finished table one-hot encodes the
//! column: one 0/1 feature per category, sorted, named `column=value`.

use std::collections::HashMap;

use polars::prelude::*;

use crate::error::{Error, Result};

/// A text feature column with more distinct values than this is refused: an identifier or
/// free text, not a category.
pub(crate) const MAX_CATEGORIES: usize = 50;

/// Whether a frame's column is text to read as categories: a string column with at least one
/// cell (a block whose cells are all empty reads as text but holds only missing values).
pub(super) fn is_text(col: &Column) -> bool {
    col.dtype().is_string() && col.null_count() < col.len()
}

/// A text feature column, read so far.
#[derive(Debug)]
pub(super) struct TextColumn {
    /// Its position among the selected features.
    pub(super) position: usize,
    /// Its categories, in order of first appearance.
    levels: Vec<String>,
    /// Each category's index in `levels`.
    index: HashMap<String, u32>,
    /// Each row's category (an index into `levels`; `None`: an empty cell).
    codes: Vec<Option<u32>>,
}

impl TextColumn {
    /// Reads a block's column (a string column), marking rows with an empty cell in
    /// `bad_rows`; returns it with the number of empty cells and the first one's row.
    pub(super) fn read(
        col: &Column,
        position: usize,
        bad_rows: &mut [bool],
    ) -> (Self, usize, usize) {
        let mut text = TextColumn::empty(position, 0);
        let (mut count, mut first) = (0, 0);
        for (r, cell) in col.str().expect("a string column").iter().enumerate() {
            let code = cell.filter(|s| !s.is_empty()).map(|s| text.code(s));
            if code.is_none() {
                if count == 0 {
                    first = r;
                }
                count += 1;
                bad_rows[r] = true;
            }
            text.codes.push(code);
        }
        (text, count, first)
    }

    /// A column of `rows` empty cells: the rows of blocks where it held nothing.
    pub(super) fn empty(position: usize, rows: usize) -> Self {
        TextColumn {
            position,
            levels: Vec::new(),
            index: HashMap::new(),
            codes: vec![None; rows],
        }
    }

    /// Appends a later block's rows of the same column.
    pub(super) fn append(&mut self, more: TextColumn) {
        let map: Vec<u32> = more.levels.iter().map(|l| self.code(l)).collect();
        self.codes
            .extend(more.codes.into_iter().map(|c| c.map(|c| map[c as usize])));
    }

    /// Rows read so far.
    pub(super) fn rows(&self) -> usize {
        self.codes.len()
    }

    fn code(&mut self, value: &str) -> u32 {
        if let Some(&i) = self.index.get(value) {
            return i;
        }
        let i = self.levels.len() as u32;
        self.levels.push(value.to_string());
        self.index.insert(value.to_string(), i);
        i
    }
}

/// A table's features with its text columns one-hot encoded.
pub(super) struct Encoded {
    /// Feature names, a text column's as `column=value` per category.
    pub(super) names: Vec<String>,
    /// Row-major features.
    pub(super) features: Vec<f32>,
    /// Each text column's name and number of categories.
    pub(super) columns: Vec<(String, usize)>,
}

/// A text column's categories sorted, with each code's place among them.
struct Sorted {
    levels: Vec<String>,
    place: Vec<usize>,
    codes: Vec<Option<u32>>,
}

/// The one-hot encoding of a finished table's text columns: `features` holds the kept rows
/// (`keep`: their rows in the file, which the columns' codes index), `names.len()` wide, with
/// each text column's slot unused.
pub(super) fn one_hot(
    names: &[String],
    features: &[f32],
    keep: &[usize],
    text: Vec<TextColumn>,
    source: &str,
) -> Result<Encoded> {
    let width = names.len();
    // Per feature position: None for a number, else the text column's categories.
    let mut columns: Vec<Option<Sorted>> = (0..width).map(|_| None).collect();
    let mut encoded = Vec::new();
    for t in text {
        let name = &names[t.position];
        if t.levels.len() > MAX_CATEGORIES {
            return Err(Error::Data {
                source_name: source.into(),
                message: format!(
                    "feature column '{name}' is text with {} distinct values, too many to \
                     encode as categories (at most {MAX_CATEGORIES}); leave it out with --ignore {name}",
                    t.levels.len()
                ),
            });
        }
        let mut order: Vec<usize> = (0..t.levels.len()).collect();
        order.sort_by(|&a, &b| t.levels[a].cmp(&t.levels[b]));
        let mut place = vec![0; order.len()];
        for (p, &i) in order.iter().enumerate() {
            place[i] = p;
        }
        let sorted: Vec<String> = order.iter().map(|&i| t.levels[i].clone()).collect();
        encoded.push((name.clone(), sorted.len()));
        columns[t.position] = Some(Sorted {
            levels: sorted,
            place,
            codes: t.codes,
        });
    }
    let mut new_names = Vec::new();
    for (name, column) in names.iter().zip(&columns) {
        match column {
            None => new_names.push(name.clone()),
            Some(c) => new_names.extend(c.levels.iter().map(|l| format!("{name}={l}"))),
        }
    }
    let new_width = new_names.len();
    let mut out = Vec::with_capacity(keep.len() * new_width);
    for (k, &r) in keep.iter().enumerate() {
        for (j, column) in columns.iter().enumerate() {
            match column {
                None => out.push(features[k * width + j]),
                Some(c) => {
                    let hot = c.codes[r].map(|code| c.place[code as usize]);
                    out.extend((0..c.levels.len()).map(|l| if hot == Some(l) { 1.0 } else { 0.0 }));
                }
            }
        }
    }
    Ok(Encoded {
        names: new_names,
        features: out,
        columns: encoded,
    })
}
