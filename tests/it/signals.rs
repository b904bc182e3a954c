//! Stop requests (Ctrl-C, SIGTERM): the runs keep what finished and say they are
//! incomplete; the binary exits 130 or 143 and leaves no temporary file.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lrfind::config::SuggestConfig;
use lrfind::data::Resample;
use lrfind::pipeline::sweep::{self, SweepSpec};
use lrfind::sweep::Grid;

use crate::{files_in, read_json, stderr};

/// A stop request during the second configuration keeps the first, marks the part
/// incomplete, and `merge` refuses the part.
#[test]
fn a_sweep_stopped_midway_keeps_what_finished() {
    let mut config = SuggestConfig::default();
    config.data.data = "breast_cancer".into();
    config.data.split = vec![0.8, 0.1, 0.1];
    let spec = SweepSpec {
        grid: Grid {
            lrs: vec![1e-3, 1e-2, 1e-1],
            optimizers: vec![config.optimizer.optimizer],
            batch_sizes: vec![64],
            standardize: vec![true],
        },
        config,
        epochs: 3,
        pos_proportion: None,
        resample: Resample::Under,
        threshold: 0.5,
        mark_suggestion: false,
    };
    let table = lrfind::data::load(&spec.config.data).unwrap();
    let stop = AtomicBool::new(false);
    let part = sweep::run_part(&spec, &table, None, Some(&stop), |p| {
        if p.point.index == 1 && p.epoch == 1 {
            stop.store(true, Ordering::SeqCst);
        }
    })
    .unwrap();
    assert!(part.incomplete);
    assert_eq!(part.results.len(), 1, "the first configuration finished");
    assert_eq!(part.results[0].run.epochs.len(), 3);
    let err = sweep::merge(vec![part]).unwrap_err().to_string();
    assert!(err.contains("incomplete"), "{err}");
}

/// Runs `lrfind ARGS`, sends signal `name` after `after`, and returns what it printed.
#[cfg(unix)]
fn interrupted(args: &[&std::ffi::OsStr], after: Duration, name: &str) -> std::process::Output {
    let child = Command::new(env!("CARGO_BIN_EXE_lrfind"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let sent = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait_with_output().unwrap()
}

/// compare: the short setting finishes, the long one is interrupted by SIGINT; the outputs
/// hold the short one, say what did not run, and no temporary file is left.
#[cfg(unix)]
#[test]
fn ctrl_c_during_compare_writes_what_finished_and_exits_130() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("cmp");
    let short = dir.path().join("short.toml");
    let long = dir.path().join("long.toml");
    std::fs::write(&short, "name = \"short\"\nlr = 1e-2\nepochs = 2\n").unwrap();
    std::fs::write(&long, "name = \"long\"\nlr = 1e-2\nepochs = 100000\n").unwrap();
    let o = interrupted(
        &[
            "compare".as_ref(),
            "--quiet".as_ref(),
            "--config".as_ref(),
            short.as_os_str(),
            "--config".as_ref(),
            long.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
        Duration::from_millis(2500),
        "INT",
    );
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let mut files = files_in(&out);
    files.sort();
    assert_eq!(
        files,
        [
            "compare.csv",
            "compare.json",
            "compare.md",
            "compare.png",
            "compare.svg"
        ],
        "complete outputs, no temporary file"
    );
    let doc = read_json(&out.join("compare.json"));
    assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
    assert_eq!(doc["not_run"], serde_json::json!(["long"]));
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("**Incomplete: interrupted.** Not run: long."),
        "{md}"
    );
}

/// evaluate has no partial report: SIGTERM stops it, it says so and exits 143.
#[cfg(unix)]
#[test]
fn sigterm_during_evaluate_exits_143_and_writes_nothing() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("eval");
    let args = [
        "evaluate", "--quiet", "--epochs", "100000", "--seeds", "1", "--out",
    ];
    let mut args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    args.push(out.as_os_str());
    let o = interrupted(&args, Duration::from_millis(1500), "TERM");
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("Error: interrupted: "),
        "{}",
        stderr(&o)
    );
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
}

/// sweep through the binary: SIGTERM midway through a grid writes the report of the
/// configurations that finished, marked incomplete, with no temporary file, and exits 143.
#[cfg(unix)]
#[test]
fn sigterm_during_sweep_writes_what_finished_and_exits_143() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("sweep");
    let args = [
        "sweep",
        "--quiet",
        "--data",
        "digits",
        "--lr-range",
        "1e-5:1",
        "--per-decade",
        "20",
        "--epochs",
        "100",
        "--out",
    ];
    let mut args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    args.push(out.as_os_str());
    let o = interrupted(&args, Duration::from_millis(3000), "TERM");
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    let files = files_in(&out);
    assert!(
        files.iter().all(|f| !f.starts_with('.')),
        "no temporary file: {files:?}"
    );
    assert!(files.contains(&"sweep.json".to_string()), "{files:?}");
    let doc = read_json(&out.join("sweep.json"));
    let finished = doc["results"].as_array().unwrap().len();
    assert!(doc["incomplete"].as_bool().unwrap(), "marked incomplete");
    assert!(
        (1..101).contains(&finished),
        "some of the 101 configurations finished: {finished}"
    );
}
