//! A data file read in blocks of rows rather than whole. A CSV file: each block of whole records
//! (the header put in front) is parsed by polars and its columns copied into the table's f32
//! buffer before the next is read, so the peak holds the table and one block, not the
//! file's text and a parsed copy of all of it. Records are cut at newlines outside quotes.
//! The types are inferred per block and every value is read as a number, so the table is
//! the one a whole-file read gives (tested). A Parquet file is read the same way, a few whole
//! row groups at a time ([`load_parquet`]).

use std::io::Read;
use std::path::Path;

use polars::prelude::{ParquetReader, PolarsError, SerReader};

use super::Table;
use super::columns::{extract, finish};
use super::extracted::Extracted;
use super::frame::{BUILTIN, one_line, parse_csv_as, read_error};
use crate::config::DataConfig;
use crate::error::{Error, Result};

/// Bytes read at a time.
pub const BLOCK: usize = 16 << 20;

/// Rows of a Parquet file read at a time (whole row groups: at least one, and more while
/// they add up to fewer than this).
pub const PARQUET_ROWS: usize = 65_536;

/// A data file: CSV (any extension but Parquet's) or Parquet; `None` for a built-in dataset.
pub(super) enum DataFile<'a> {
    Csv(&'a Path),
    Parquet(&'a Path),
}

/// The kind of data file `data` names.
pub(super) fn data_file(data: &str) -> Option<DataFile<'_>> {
    let path = Path::new(data);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if BUILTIN.iter().any(|(name, _)| *name == data) {
        None
    } else if ext == "parquet" || ext == "pq" {
        Some(DataFile::Parquet(path))
    } else {
        Some(DataFile::Csv(path))
    }
}

/// Loads a Parquet file a few whole row groups at a time (at least `rows` rows per read,
/// unless the file ends), so the peak holds the table and one read's columns.
pub(super) fn load_parquet(path: &Path, config: &DataConfig, rows: usize) -> Result<Table> {
    let bad = |e: PolarsError| Error::DataFormat {
        path: path.into(),
        format: "Parquet",
        message: one_line(&e.to_string()),
    };
    let open = || std::fs::File::open(path).map_err(|e| read_error(path, e));
    let mut reader = ParquetReader::new(open()?);
    let metadata = reader.get_metadata().map_err(bad)?.clone();
    // Row-group-aligned reads: a slice inside a group decodes the whole group.
    let mut reads: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    let mut len = 0;
    for group in &metadata.row_groups {
        len += group.num_rows();
        if len >= rows {
            reads.push((start, len));
            start += len;
            len = 0;
        }
    }
    if len > 0 || reads.is_empty() {
        reads.push((start, len));
    }
    let mut table: Option<Extracted> = None;
    for (offset, len) in reads {
        let mut reader = ParquetReader::new(open()?);
        reader.set_metadata(metadata.clone());
        let df = reader
            .with_slice(Some((offset, len)))
            .finish()
            .map_err(bad)?;
        let part = extract(&df, config, offset)?;
        match table.as_mut() {
            None => table = Some(part),
            Some(t) => t.append(part, &config.data, &config.target)?,
        }
    }
    finish(table.expect("at least one read"), config)
}

/// The end of the last whole record in `buf` (just past a newline outside quotes), given
/// that `buf` starts at a record's start.
fn last_record_end(buf: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut end = None;
    for (i, &b) in buf.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => end = Some(i + 1),
            _ => {}
        }
    }
    end
}

/// Loads a CSV file `block` bytes at a time.
pub(super) fn load_csv(path: &Path, config: &DataConfig, block: usize) -> Result<Table> {
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; block.max(1)];
    let mut header: Option<Vec<u8>> = None;
    let mut table: Option<Extracted> = None;
    let mut rows = 0;
    let mut eof = false;
    while !eof {
        let n = file.read(&mut chunk).map_err(|e| read_error(path, e))?;
        eof = n == 0;
        buf.extend_from_slice(&chunk[..n]);
        if header.is_none() {
            match buf.iter().position(|&b| b == b'\n') {
                Some(i) => header = Some(buf.drain(..=i).collect()),
                None if eof => header = Some(std::mem::take(&mut buf)),
                None => continue,
            }
        }
        let end = if eof {
            Some(buf.len())
        } else {
            last_record_end(&buf)
        };
        let Some(end) = end.filter(|&e| buf[..e].iter().any(|b| !b.is_ascii_whitespace())) else {
            continue;
        };
        let mut bytes = header.clone().unwrap_or_default();
        if !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        bytes.extend(buf.drain(..end));
        // Columns read as text so far stay text in every later block.
        let mut text: Vec<&str> = config.tokens.as_deref().into_iter().collect();
        if let Some(t) = &table {
            text.extend(t.text_names());
        }
        let df = parse_csv_as(&bytes, path, &text)?;
        drop(bytes);
        let part = extract(&df, config, rows)?;
        rows += df.height();
        match table.as_mut() {
            None => table = Some(part),
            Some(t) => t.append(part, &config.data, &config.target)?,
        }
    }
    match table {
        Some(t) => finish(t, config),
        // A header and no data: the error a whole-file read gives.
        None => parse_csv_as(
            &header.unwrap_or_default(),
            path,
            &config.tokens.as_deref().into_iter().collect::<Vec<_>>(),
        )
        .and_then(|df| finish(extract(&df, config, 0)?, config)),
    }
}

#[cfg(test)]
mod tests {
    use super::last_record_end;

    #[test]
    fn records_end_at_newlines_outside_quotes() {
        assert_eq!(last_record_end(b"1,2\n3,4\n5,"), Some(8));
        assert_eq!(last_record_end(b"1,\"a\nb\"\n2,\"c\n"), Some(8));
        assert_eq!(last_record_end(b"1,2"), None);
    }
}

#[cfg(test)]
mod same_as_whole {
    use super::load_csv;
    use crate::config::DataConfig;
    use crate::data::columns::table_from_frame;
    use crate::data::frame::{parse_csv, parse_csv_as};

    /// Loads `text` in blocks of every size from 1 byte up and whole; the tables must agree.
    fn agree(text: &str, config: &DataConfig) {
        let path = std::env::temp_dir().join(format!("lrfind-chunked-{}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let mut config = config.clone();
        config.data = path.display().to_string();
        let tokens: Vec<&str> = config.tokens.as_deref().into_iter().collect();
        let whole = parse_csv_as(text.as_bytes(), &path, &tokens)
            .and_then(|df| table_from_frame(&df, &config));
        for block in [1, 2, 3, 5, 7, 11, 16, 64, 1 << 20] {
            let chunked = load_csv(&path, &config, block);
            match (&whole, &chunked) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "block {block}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "block {block}"),
                _ => panic!("block {block}: {whole:?} vs {chunked:?}"),
            }
        }
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn blocks_of_any_size_give_the_whole_files_table() {
        let config = DataConfig {
            target: "label".into(),
            ..DataConfig::default()
        };
        let text = "a,b,label\n1,2.5,x\n3,,y\n-1,0.25,\"x\"\n2,7,y\n0.5,1e3,x\n";
        // A missing cell is refused by name, at its row...
        agree(text, &config);
        // ...or its row dropped.
        agree(
            text,
            &DataConfig {
                drop_na: true,
                ..config.clone()
            },
        );
        // Numeric labels, quoted fields with a newline in an ignored column.
        let quoted = "a,note,label\n1,\"two\nlines\",0\n2,plain,1\n3,\"x\",0\n4,y,1\n";
        agree(
            quoted,
            &DataConfig {
                ignore: vec!["note".into()],
                ..config.clone()
            },
        );
        // A column that is empty for a whole block: missing values, not text.
        agree(
            "a,b,label\n1,,0\n2,,1\n3,4,0\n5,6,1\n",
            &DataConfig {
                drop_na: true,
                ..config.clone()
            },
        );
        // A text feature column: one-hot encoded, its empty cell refused by name or dropped;
        // a block whose cells look like numbers is still text, one that is empty is missing.
        let text = "a,colour,label\nred,1,x\nblue,2,y\n7,3,x\n,4,y\nred,5,x\n";
        let colour = DataConfig {
            target: "label".into(),
            ignore: vec![],
            ..config.clone()
        };
        agree(text, &colour);
        agree(
            text,
            &DataConfig {
                drop_na: true,
                ..colour.clone()
            },
        );
        agree(
            "c,a,label\n,1,x\n,2,y\nred,3,x\nblue,4,y\n",
            &DataConfig {
                drop_na: true,
                ..colour.clone()
            },
        );
        // Two text columns, the left one found later in a block read: the same order.
        agree(
            "a,b,label\n,red,x\n,blue,y\nup,red,x\ndown,blue,y\nup,red,y\n",
            &DataConfig {
                drop_na: true,
                ..colour.clone()
            },
        );
        // A column of row names (R's, with a blank or `rownames` header: numbers, with gaps
        // after a subset, or text) is left out, also with rows dropped.
        agree(
            "rownames,a,c,label\n1,0.5,red,x\n2,,blue,y\n3,0.1,red,x\n4,0.9,blue,y\n5,0.3,red,y\n",
            &DataConfig {
                drop_na: true,
                ..colour.clone()
            },
        );
        agree(
            "\"\",a,label\n\"1\",0.5,x\n\"2\",0.7,y\n\"3\",0.1,x\n\"4\",0.9,y\n",
            &colour,
        );
        agree(
            "rownames,a,label\n1,0.5,x\n2,0.7,y\n4,0.1,x\n5,0.9,y\n",
            &colour,
        );
        agree(
            "rownames,a,label\nMazda RX4,0.5,x\nFiat 128,0.7,y\nValiant,0.1,x\n",
            &colour,
        );
        // More values than categories: numbers when all are numbers, else refused.
        let mut many = String::from("a,c,label\n");
        for i in 0..60 {
            many += &format!("{i}, {}.5,{}\n", i * 7, ["x", "y"][i % 2]);
        }
        agree(&many, &colour);
        many += "60,n/k,x\n";
        agree(&many, &colour);
        // Numbers in some blocks, numbers polars leaves as text in others: numbers.
        agree("a,b,label\n1,2,x\n2, 3.5,y\n3,4,x\n4, 5,y\n", &config);
        agree("a,b,label\n1, 2,x\n2,3.5,y\n3, 4,x\n4,5,y\n", &config);
        // R's `NA` is a missing cell, as polars reads `nan`: the column stays numeric.
        agree(
            "a,b,label\n1,NA,x\n2,3,y\n3,nan,x\n4,5,x\n",
            &DataConfig {
                drop_na: true,
                ..config.clone()
            },
        );
        agree("a,b,label\n1,NA,x\n2,3,y\n3,4,x\n", &config);
        // A header and no rows.
        agree("a,b,label\n", &config);
        // Token sequences: plain, listed, one per cell in a block, mixed (refused by row).
        let tokens = DataConfig {
            tokens: Some("seq".into()),
            ..config.clone()
        };
        agree("seq,label\n1 2 3,x\n4,y\n5 6,x\n7 8 9 10,y\n", &tokens);
        agree(
            "seq,label\n\"[1, 2]\",x\n[4],y\n\"[5,6]\",x\n[0],y\n",
            &tokens,
        );
        agree("seq,label\n1 2,x\n[4],y\n5 6,x\n7,y\n", &tokens);
        // A block of one-token cells is text too, so `3.0` is refused in any block.
        agree("seq,label\n1 2,x\n4,y\n3.0,x\n7,y\n", &tokens);
        agree(
            "seq,a,label\n1 2,1,x\n,2,y\n5 6,3,x\n7,,y\n",
            &DataConfig {
                features: vec!["a".into()],
                drop_na: true,
                ..tokens.clone()
            },
        );
    }

    #[test]
    fn text_columns_are_categories_or_numbers_and_refused_with_the_cell() {
        let path = std::env::temp_dir().join(format!("lrfind-text-{}.csv", std::process::id()));
        let config = DataConfig {
            target: "label".into(),
            data: path.display().to_string(),
            ..DataConfig::default()
        };
        let dropped = DataConfig {
            drop_na: true,
            ..config.clone()
        };
        std::fs::write(&path, "a,c,label\n1,red,x\n2,blue,y\n3,red,x\n").unwrap();
        let t = load_csv(&path, &config, 1 << 20).unwrap();
        assert_eq!(t.feature_names, ["a", "c=blue", "c=red"]);
        assert_eq!(*t.features, [1., 0., 1., 2., 1., 0., 3., 0., 1.]);
        assert_eq!(t.one_hot, [("c".to_string(), 2)]);
        // Numbers with R's `NA` are numbers with a missing cell, not text categories.
        std::fs::write(&path, "a,c,label\n1,NA,x\n2,5,y\n3,6,x\n").unwrap();
        let t = load_csv(&path, &dropped, 1 << 20).unwrap();
        assert_eq!(t.feature_names, ["a", "c"]);
        assert_eq!(t.dropped_rows, 1);
        assert_eq!(*t.features, [2., 5., 3., 6.]);
        // Read whole, a column with a number and then text is text; read in blocks whose
        // first holds only the number, it is refused by name, not misread.
        std::fs::write(&path, "a,c,label\n1,7,x\n2,blue,y\n3,red,x\n").unwrap();
        assert_eq!(
            load_csv(&path, &config, 1 << 20).unwrap().feature_names,
            ["a", "c=7", "c=blue", "c=red"]
        );
        let e = load_csv(&path, &config, 1).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "feature column 'c' is read as numbers in some rows and as text in others (the kind changes at data row 2); leave it out with --ignore c"
            ),
            "{e}"
        );
        // Numbers polars leaves as text (padded, `Inf`) are numbers, `Inf` a bad cell...
        std::fs::write(&path, "a,c,label\n1, 1.5,x\n2,Inf,y\n3,2,y\n").unwrap();
        let e = load_csv(&path, &config, 1 << 20).unwrap_err().to_string();
        assert!(
            e.contains("column 'c' has 1 NaN, infinite, empty or NA cell(s) (first in data row 2)"),
            "{e}"
        );
        let t = load_csv(&path, &dropped, 1 << 20).unwrap();
        assert_eq!(t.feature_names, ["a", "c"]);
        assert_eq!(*t.features, [1., 1.5, 3., 2.]);
        // ...and numbers with a stray word are refused at the word.
        std::fs::write(&path, "a,c,label\n1,1,x\n2,?,y\n3,2,x\n4,3,y\n").unwrap();
        let e = load_csv(&path, &config, 1 << 20).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "feature column 'c' holds numbers, but its cell '?' in data row 2 is not one; correct it, write a missing value as NA, or leave the column out with --ignore c"
            ),
            "{e}"
        );
        // Row names are left out; named in --features, they are a feature.
        std::fs::write(
            &path,
            "rownames,c,a,label\n1,red,5,x\n2,blue,6,y\n3,red,7,x\n",
        )
        .unwrap();
        let t = load_csv(&path, &config, 1 << 20).unwrap();
        assert_eq!(t.feature_names, ["c=blue", "c=red", "a"]);
        assert_eq!(*t.features, [0., 1., 5., 1., 0., 6., 0., 1., 7.]);
        assert_eq!(t.row_names, ["rownames"]);
        let named = DataConfig {
            features: vec!["rownames".into(), "a".into()],
            ..config.clone()
        };
        let t = load_csv(&path, &named, 1 << 20).unwrap();
        assert_eq!(t.feature_names, ["rownames", "a"]);
        // A category seen only in dropped rows gets no feature.
        std::fs::write(&path, "a,c,label\n1,red,x\n,blue,y\n3,red,x\n4,green,y\n").unwrap();
        let t = load_csv(&path, &dropped, 1 << 20).unwrap();
        assert_eq!(t.feature_names, ["a", "c=green", "c=red"]);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn parquet_read_by_row_groups_gives_the_whole_files_table() {
        use crate::data::frame::read_frame;
        use polars::prelude::*;
        let text = "seq,a,label\n1 2 3,1,x\n4,2,y\n5 6,3,x\n7 8 9 10,4,y\n0,5,x\n11 12,,y\n";
        let mut df = parse_csv(text.as_bytes(), std::path::Path::new("t.csv")).unwrap();
        let path =
            std::env::temp_dir().join(format!("lrfind-groups-{}.parquet", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(2))
            .finish(&mut df)
            .unwrap();
        let config = DataConfig {
            data: path.display().to_string(),
            target: "label".into(),
            tokens: Some("seq".into()),
            features: vec!["a".into()],
            drop_na: true,
            ..DataConfig::default()
        };
        let whole = table_from_frame(&read_frame(&config.data).unwrap(), &config).unwrap();
        assert_eq!(whole.rows(), 5);
        for rows in [1, 2, 3, 4, 100] {
            let by_groups = super::load_parquet(&path, &config, rows).unwrap();
            assert_eq!(by_groups, whole, "{rows} rows per read");
        }
        let _ = std::fs::remove_file(&path);
    }
}
