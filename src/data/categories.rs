//! Text feature columns: each block of a file reads such a column's cells, later blocks
//! merge theirs in, and the finished table either reads the column as numbers (every cell is
//! one, as with padded numbers or `Inf`, which polars leaves as text) or one-hot encodes it as
//! categories: one 0/1 feature per category, sorted, named `column=value`.

use std::collections::HashMap;

use polars::prelude::*;

use crate::error::{Error, Result};

/// A text feature column with more distinct values than this is refused (an identifier or
/// free text, not a category), unless every value is a number.
pub(crate) const MAX_CATEGORIES: usize = 50;

/// Whether a frame's column is text: a string column with a non-empty cell (a block whose
/// cells are all empty holds only missing values, whatever type it was read as).
pub(super) fn is_text(col: &Column) -> bool {
    col.str()
        .is_ok_and(|s| s.iter().any(|c| c.is_some_and(|c| !c.is_empty())))
}

/// A cell read as a number, as Rust reads one (surrounding spaces, `inf` and `nan` allowed).
fn number(cell: &str) -> Option<f64> {
    cell.trim().parse().ok()
}

/// A text feature column, read so far.
#[derive(Debug)]
pub(super) struct TextColumn {
    /// Its position among the selected features.
    pub(super) position: usize,
    cells: Cells,
}

#[derive(Debug)]
enum Cells {
    /// Its values in order of first appearance, each one's index there, and each row's value
    /// (`None`: an empty cell).
    Categories {
        levels: Vec<String>,
        index: HashMap<String, u32>,
        codes: Vec<Option<u32>>,
    },
    /// More than [`MAX_CATEGORIES`] distinct values, every one a number: each row's (`None`:
    /// an empty cell).
    Numbers(Vec<Option<f64>>),
}

/// Where an error is: the file and the column.
pub(super) struct Place<'a> {
    pub(super) source: &'a str,
    pub(super) column: &'a str,
}

impl Place<'_> {
    fn error(&self, message: String) -> Error {
        Error::Data {
            source_name: self.source.into(),
            message: format!("feature column '{}' {message}", self.column),
        }
    }

    fn too_many(&self) -> Error {
        self.error(format!(
            "is text with more than {MAX_CATEGORIES} distinct values, too many to encode as \
             categories; leave it out with --ignore {}",
            self.column
        ))
    }

    fn not_a_number(&self, cell: &str, row: usize) -> Error {
        self.error(format!(
            "holds numbers, but its cell '{cell}' in data row {} is not one; correct it, write \
             a missing value as NA, or leave the column out with --ignore {}",
            row + 1,
            self.column
        ))
    }
}

impl TextColumn {
    /// A column of `rows` empty cells: the rows of blocks where it held nothing.
    pub(super) fn empty(position: usize, rows: usize) -> Self {
        TextColumn {
            position,
            cells: Cells::Categories {
                levels: Vec::new(),
                index: HashMap::new(),
                codes: vec![None; rows],
            },
        }
    }

    /// Reads a block's column (a string column) whose first row is row `offset` of the file,
    /// marking rows with an empty cell in `bad_rows`; returns it with the number of empty
    /// cells and the first one's row (in the block).
    pub(super) fn read(
        col: &Column,
        position: usize,
        offset: usize,
        bad_rows: &mut [bool],
        place: &Place,
    ) -> Result<(Self, usize, usize)> {
        let mut text = TextColumn::empty(position, 0);
        let (mut count, mut first) = (0, 0);
        for (r, cell) in col.str().expect("a string column").iter().enumerate() {
            match cell.filter(|s| !s.is_empty()) {
                Some(cell) => text.push(Some(cell), offset + r, place)?,
                None => {
                    if count == 0 {
                        first = r;
                    }
                    count += 1;
                    bad_rows[r] = true;
                    text.push(None, offset + r, place)?;
                }
            }
        }
        Ok((text, count, first))
    }

    /// Rows read so far.
    pub(super) fn rows(&self) -> usize {
        match &self.cells {
            Cells::Categories { codes, .. } => codes.len(),
            Cells::Numbers(v) => v.len(),
        }
    }

    /// The row (in the file) of the first non-empty cell.
    pub(super) fn first_value_row(&self) -> Option<usize> {
        match &self.cells {
            Cells::Categories { codes, .. } => codes.iter().position(Option::is_some),
            Cells::Numbers(v) => v.iter().position(Option::is_some),
        }
    }

    /// Appends a later block's rows of the same column.
    pub(super) fn append(&mut self, more: TextColumn, place: &Place) -> Result<()> {
        let start = self.rows();
        match more.cells {
            Cells::Categories { levels, codes, .. } => {
                for (r, code) in codes.into_iter().enumerate() {
                    let cell = code.map(|c| levels[c as usize].as_str());
                    self.push(cell, start + r, place)?;
                }
            }
            Cells::Numbers(values) => {
                // As a whole read would: more values than categories, not all numbers.
                self.make_numbers(place).map_err(|_| place.too_many())?;
                let Cells::Numbers(v) = &mut self.cells else {
                    unreachable!("just made numbers")
                };
                v.extend(values);
            }
        }
        Ok(())
    }

    /// Appends one cell of row `row` (of the file).
    fn push(&mut self, cell: Option<&str>, row: usize, place: &Place) -> Result<()> {
        if let Cells::Categories {
            levels,
            index,
            codes,
        } = &mut self.cells
        {
            let Some(cell) = cell else {
                codes.push(None);
                return Ok(());
            };
            if let Some(&i) = index.get(cell) {
                codes.push(Some(i));
                return Ok(());
            }
            if levels.len() < MAX_CATEGORIES {
                let i = levels.len() as u32;
                levels.push(cell.to_string());
                index.insert(cell.to_string(), i);
                codes.push(Some(i));
                return Ok(());
            }
            // One value too many for a category: numbers, or refused.
            if number(cell).is_none() {
                return Err(place.too_many());
            }
        }
        self.make_numbers(place).map_err(|_| place.too_many())?;
        let Cells::Numbers(v) = &mut self.cells else {
            unreachable!("just made numbers")
        };
        match cell {
            None => v.push(None),
            Some(c) => v.push(Some(number(c).ok_or_else(|| place.not_a_number(c, row))?)),
        }
        Ok(())
    }

    /// Turns the column's categories into numbers, when every one is a number.
    fn make_numbers(&mut self, place: &Place) -> Result<()> {
        if let Cells::Categories { levels, codes, .. } = &self.cells {
            self.cells = Cells::Numbers(numbers_of(levels, codes, place, 0)?);
        }
        Ok(())
    }

    /// The column as numbers when every value is one, or (at least half of its values being
    /// numbers) an error naming the first cell that is not (its first row being row `offset`
    /// of the file); `None`: a column of categories.
    pub(super) fn numbers(&self, place: &Place, offset: usize) -> Result<Option<Vec<Option<f64>>>> {
        match &self.cells {
            Cells::Numbers(v) => Ok(Some(v.clone())),
            Cells::Categories { levels, codes, .. } => {
                let numeric = levels.iter().filter(|l| number(l).is_some()).count();
                if numeric == 0 || 2 * numeric < levels.len() {
                    return Ok(None);
                }
                numbers_of(levels, codes, place, offset).map(Some)
            }
        }
    }
}

/// Each row's category as a number (`None`: an empty cell), or an error naming the first row
/// whose value is not one (the codes' first row being row `offset` of the file).
fn numbers_of(
    levels: &[String],
    codes: &[Option<u32>],
    place: &Place,
    offset: usize,
) -> Result<Vec<Option<f64>>> {
    let values: Vec<Option<f64>> = levels.iter().map(|l| number(l)).collect();
    codes
        .iter()
        .enumerate()
        .map(|(row, c)| match c {
            None => Ok(None),
            Some(c) => values[*c as usize]
                .map(Some)
                .ok_or_else(|| place.not_a_number(&levels[*c as usize], offset + row)),
        })
        .collect()
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

/// A column's categories seen in the kept rows, sorted, with each code's place among them.
struct Sorted {
    levels: Vec<String>,
    place: Vec<Option<usize>>,
    codes: Vec<Option<u32>>,
}

/// The one-hot encoding of a finished table's category columns (`text`, in position order):
/// `features` holds the kept rows (`keep`: their rows in the file, which the columns' codes
/// index), `names.len()` wide, with each text column's slot unused. A category seen only in
/// dropped rows gets no feature.
pub(super) fn one_hot(
    names: &[String],
    features: &[f32],
    keep: &[usize],
    text: Vec<TextColumn>,
) -> Encoded {
    let width = names.len();
    // Per feature position: None for a number, else the column's categories.
    let mut columns: Vec<Option<Sorted>> = (0..width).map(|_| None).collect();
    let mut encoded = Vec::new();
    for t in text {
        let Cells::Categories { levels, codes, .. } = t.cells else {
            unreachable!("numbers are read as numbers before encoding")
        };
        let mut seen = vec![false; levels.len()];
        for &r in keep {
            if let Some(c) = codes[r] {
                seen[c as usize] = true;
            }
        }
        let mut order: Vec<usize> = (0..levels.len()).filter(|&i| seen[i]).collect();
        order.sort_by(|&a, &b| levels[a].cmp(&levels[b]));
        let mut place = vec![None; levels.len()];
        for (p, &i) in order.iter().enumerate() {
            place[i] = Some(p);
        }
        let sorted: Vec<String> = order.iter().map(|&i| levels[i].clone()).collect();
        encoded.push((names[t.position].clone(), sorted.len()));
        columns[t.position] = Some(Sorted {
            levels: sorted,
            place,
            codes,
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
                    let hot = c.codes[r].and_then(|code| c.place[code as usize]);
                    out.extend((0..c.levels.len()).map(|l| if hot == Some(l) { 1.0 } else { 0.0 }));
                }
            }
        }
    }
    Encoded {
        names: new_names,
        features: out,
        columns: encoded,
    }
}

/// Reads as numbers the text columns whose every value is one, writing them into `features`
/// (`rows × width`, a text column's slot unused) and counting their non-finite cells as bad
/// (`bad_rows`, and per column in `bad_columns`, kept in feature order), for a table or block
/// whose first row is row `offset` of the file; returns the others, the category columns, in
/// position order.
pub(super) fn numbers_read(
    text: Vec<TextColumn>,
    names: &[String],
    features: &mut [f32],
    bad_rows: &mut [bool],
    bad_columns: &mut Vec<(String, usize, usize)>,
    offset: usize,
    source: &str,
) -> Result<Vec<TextColumn>> {
    let width = names.len();
    let mut categories = Vec::new();
    for t in text {
        let name = &names[t.position];
        let Some(values) = t.numbers(
            &Place {
                source,
                column: name,
            },
            offset,
        )?
        else {
            categories.push(t);
            continue;
        };
        let (mut count, mut first) = (0, usize::MAX);
        for (r, v) in values.into_iter().enumerate() {
            match v {
                Some(x) if x.is_finite() => features[r * width + t.position] = x as f32,
                Some(_) => {
                    bad_rows[r] = true;
                    count += 1;
                    first = first.min(r);
                }
                None => {}
            }
        }
        if count > 0 {
            match bad_columns.iter_mut().find(|b| b.0 == *name) {
                Some(b) => {
                    b.1 += count;
                    b.2 = b.2.min(offset + first);
                }
                None => bad_columns.push((name.clone(), count, offset + first)),
            }
        }
    }
    bad_columns.sort_by_key(|b| names.iter().position(|n| *n == b.0).unwrap_or(usize::MAX));
    categories.sort_by_key(|t| t.position);
    Ok(categories)
}

/// What [`merge_blocks`] needs of the blocks read so far and of the next one.
pub(super) struct Blocks<'a> {
    /// The selected features' names.
    pub(super) names: &'a [String],
    /// Bad cells per column so far, and in the next block: (name, count, first row).
    pub(super) bad_before: &'a [(String, usize, usize)],
    pub(super) bad_added: &'a [(String, usize, usize)],
    /// Rows so far, and in the next block.
    pub(super) before: usize,
    pub(super) added: usize,
    /// The file.
    pub(super) source: &'a str,
}

/// Merges the text columns of a later block into those read so far (kept in position order).
/// A column that is text in one block may hold only empty cells in another (read there as
/// missing numbers); one read as numbers in one block and as text in another is refused,
/// naming the row where the kind changes.
pub(super) fn merge_blocks(
    text: &mut Vec<TextColumn>,
    more: Vec<TextColumn>,
    b: &Blocks,
) -> Result<()> {
    let all_missing = |bad: &[(String, usize, usize)], name: &str, rows: usize| {
        rows == 0 || bad.iter().any(|x| x.0 == name && x.1 == rows)
    };
    let mixed = |name: &str, row: usize| Error::Data {
        source_name: b.source.into(),
        message: format!(
            "feature column '{name}' is read as numbers in some rows and as text in others \
             (the kind changes at data row {}); leave it out with --ignore {name}",
            row + 1
        ),
    };
    for t in more {
        let name = &b.names[t.position];
        let place = Place {
            source: b.source,
            column: name,
        };
        match text.iter_mut().find(|s| s.position == t.position) {
            Some(s) => s.append(t, &place)?,
            None if all_missing(b.bad_before, name, b.before) => {
                let mut s = TextColumn::empty(t.position, b.before);
                s.append(t, &place)?;
                text.push(s);
            }
            None => return Err(mixed(name, b.before + t.first_value_row().unwrap_or(0))),
        }
    }
    // In position order, as a whole read finds them.
    text.sort_by_key(|t| t.position);
    for s in text.iter_mut() {
        if s.rows() < b.before + b.added {
            let name = &b.names[s.position];
            if !all_missing(b.bad_added, name, b.added) {
                return Err(mixed(name, b.before));
            }
            let place = Place {
                source: b.source,
                column: name,
            };
            s.append(TextColumn::empty(s.position, b.added), &place)?;
        }
    }
    Ok(())
}
