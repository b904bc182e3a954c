//! lrfind's integration tests, in one test binary (each binary links Burn and polars again).

mod cli;
mod compare;
mod fixtures;
mod library;
mod metrics;
mod properties;

/// A temporary folder removed on drop (std only: a dev-dependency such as `tempfile` would
/// turn on features of shared crates and make `cargo test` and `cargo run` build polars twice).
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// A new empty folder under the system's temporary folder.
    pub fn new() -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("lrfind-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary folder");
        TempDir(dir)
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
