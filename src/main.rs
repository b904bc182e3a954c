//! The `lrfind` binary: parse arguments, run, print `Error: ...` and exit.

fn main() {
    std::process::exit(lrfind::cli::main());
}
