//! lrfind's integration tests, in one test binary (each binary links Burn and polars again).

mod analyze;
mod bad_input;
mod builder;
mod cli;
mod compare;
mod evaluate;
mod examples;
mod fixtures;
mod knee;
mod library;
mod logs;
mod lr_free;
mod metrics;
mod plot;
mod properties;
mod sequences;
mod signals;
mod sweep;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs the `lrfind` binary with `args`.
pub fn lrfind(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrfind"))
        .args(args)
        .output()
        .expect("runs the binary")
}

/// Runs the `lrfind` binary with `args` and asserts that it succeeded.
pub fn lrfind_ok(args: &[&str]) -> Output {
    let o = lrfind(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

/// A run's stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A JSON file, parsed.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Removes wall-time fields (the only ones allowed to differ between identical runs).
pub fn strip_times(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for k in ["seconds", "seconds_to_target", "speedup_seconds"] {
                m.remove(k);
            }
            m.values_mut().for_each(strip_times);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_times),
        _ => {}
    }
}

/// Names of the entries of a folder (none when it does not exist).
pub fn files_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A bad-input case: exit code 1, one line on stderr naming `needle`, nothing in `out`.
pub fn assert_rejected(args: &[&str], out: &Path, needle: &str) {
    let o = lrfind(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line, got {err}"
    );
    assert!(
        err.starts_with("Error: ") && err.contains(needle),
        "{args:?}: expected '{needle}' in {err}"
    );
    assert!(
        files_in(out).is_empty(),
        "{args:?}: left files {:?}",
        files_in(out)
    );
}

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
