//! Loading a table from a CSV or Parquet file (read in blocks, [`super::chunked`]), or from a
//! built-in dataset compiled into the binary (read whole, [`super::frame`]), with the task
//! inferred from the target column ([`super::columns`]).

use super::Table;
use super::chunked::{BLOCK, DataFile, PARQUET_ROWS, data_file, load_csv, load_parquet};
use super::columns::table_from_frame;
use super::frame::read_frame;
use crate::config::DataConfig;
use crate::error::Result;

/// Loads the table named by `config.data` (a built-in name or a file path).
pub fn load(config: &DataConfig) -> Result<Table> {
    match data_file(&config.data) {
        Some(DataFile::Csv(path)) => return load_csv(path, config, BLOCK),
        Some(DataFile::Parquet(path)) => return load_parquet(path, config, PARQUET_ROWS),
        None => {}
    }
    let df = read_frame(&config.data)?;
    table_from_frame(&df, config)
}
