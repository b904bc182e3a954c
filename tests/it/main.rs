//! lrfind's integration tests, in one test binary (each binary links Burn and polars again).

mod cli;
mod fixtures;
mod library;
mod properties;
