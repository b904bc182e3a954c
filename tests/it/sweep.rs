//! `lrfind sweep` and `lrfind merge` end to end on the built-in datasets, with one or two
//! epochs: the report, determinism, shards run by the job scripts and merged, and the
//! errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::{assert_rejected, files_in, lrfind_ok, read_json, stderr, strip_times};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A small binary sweep: 4 LRs x 2 optimizers, one epoch each.
const SMALL: [&str; 8] = [
    "--data",
    "breast_cancer",
    "--lrs",
    "1e-7,1e-3,1e-2,1e1",
    "--optimizers",
    "adamw,sgd",
    "--epochs",
    "1",
];

fn sweep(out: &Path, args: &[&str]) {
    let mut all = vec!["sweep", "--quiet", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    lrfind_ok(&all);
}

fn merge(out: &Path, parts: &[PathBuf]) {
    let mut args = vec!["merge".to_string(), "--quiet".into(), "--out".into()];
    args.push(out.to_str().unwrap().into());
    args.extend(parts.iter().map(|p| p.to_str().unwrap().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    lrfind_ok(&refs);
}

/// The report without wall times: sweep.md and sweep.json (times stripped).
fn report(out: &Path) -> (String, Value) {
    let md = std::fs::read_to_string(out.join("sweep.md")).unwrap();
    let mut json = read_json(&out.join("sweep.json"));
    strip_times(&mut json);
    (md, json)
}

fn config<'a>(doc: &'a Value, lr: f64, optimizer: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["point"]["lr"] == lr && r["point"]["optimizer"] == optimizer)
        .unwrap()
}

fn split<'a>(result: &'a Value, name: &str) -> &'a Value {
    result["splits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["split"] == name)
        .unwrap()
}

#[test]
fn a_binary_sweep_reports_every_split_and_concludes() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("sweep");
    let mut args = SMALL.to_vec();
    args.extend(["--pos-proportion", "balanced", "--mark-suggestion"]);
    sweep(&out, &args);
    let mut names = files_in(&out);
    names.sort();
    assert_eq!(
        names,
        [
            "sweep.csv",
            "sweep.json",
            "sweep.md",
            "sweep.png",
            "sweep.svg"
        ]
    );

    // Tick labels are what they mark: no axis repeats a label (the epoch axis once read
    // "0, 0, 1, 2, 2, 3", fractional ticks printed as integers), none is a float's noise.
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    let labels: Vec<&str> = svg
        .split("</text>")
        .filter_map(|t| t.rsplit('>').next())
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || ".e-".contains(c)))
        .collect();
    assert!(labels.iter().all(|l| l.len() <= 8), "{labels:?}");
    for pair in labels.windows(2) {
        assert_ne!(pair[0], pair[1], "a repeated tick label: {labels:?}");
    }

    let doc = read_json(&out.join("sweep.json"));
    assert_eq!(doc["results"].as_array().unwrap().len(), 8);
    // The training part was undersampled to balance; evaluation parts were not touched.
    let after = doc["balance"]["after"].as_array().unwrap();
    assert_eq!(after[0], after[1], "{}", doc["balance"]);
    let trained = 2 * after[0].as_u64().unwrap();
    assert_eq!(
        doc["data"]["split_rows"],
        serde_json::json!([trained, 57, 57])
    );
    let low = config(&doc, 1e-7, "adamw");
    assert_eq!(low["outcome"]["verdict"], "stalled");
    assert_eq!(
        config(&doc, 10.0, "adamw")["outcome"]["verdict"],
        "diverged"
    );
    let good = config(&doc, 1e-2, "adamw");
    let valid = split(good, "validation");
    assert_eq!(valid["rows"], 57);
    assert!(
        valid["metrics"]["roc_auc"].as_f64().unwrap() > 0.9,
        "{valid}"
    );
    assert!(!valid["metrics"]["roc"].as_array().unwrap().is_empty());
    assert_eq!(
        split(good, "training")["rows"],
        after[0].as_u64().unwrap() * 2
    );
    // The recommendation is a configuration that did not fail.
    let best = doc["conclusion"]["best"].as_u64().unwrap() as usize;
    let verdict = doc["results"][best]["outcome"]["verdict"].as_str().unwrap();
    assert!(!["stalled", "diverged"].contains(&verdict), "{verdict}");
    let suggestion = doc["suggestion"].as_f64().unwrap();
    assert!(suggestion > 1e-5 && suggestion < 1.0, "{suggestion}");
    assert!(doc["conclusion"]["suggestion"]["decades_from_best"].is_f64());

    // The CSV: one row per configuration and split; accuracy is the confusion diagonal.
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 8 * 3);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for row in &rows {
        let n: f64 = row[col("rows")].parse().unwrap();
        let diagonal: f64 = ["confusion_0_0", "confusion_1_1"]
            .iter()
            .map(|c| row[col(c)].parse::<f64>().unwrap())
            .sum();
        let accuracy: f64 = row[col("accuracy")].parse().unwrap();
        assert!((accuracy - diagonal / n).abs() < 1e-12, "{row:?}");
    }

    let md = std::fs::read_to_string(out.join("sweep.md")).unwrap();
    for needle in [
        "| # | LR | optimizer | val loss | accuracy | macro-F1 | ROC-AUC | verdict |",
        "### 8. LR 1e1, sgd",
        "**test** (57 rows)",
        "Confusion matrix",
        "## Conclusion",
        "undersampled the majority class",
        "The range test suggests",
    ] {
        assert!(md.contains(needle), "missing '{needle}' in\n{md}");
    }
}

#[test]
fn same_seed_same_report() {
    let dir = crate::TempDir::new();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let args = ["--data", "digits", "--lrs", "1e-3,1e-1", "--epochs", "1"];
    sweep(&a, &args);
    sweep(&b, &args);
    assert_eq!(report(&a), report(&b));
    let csv = |d: &Path| {
        let text = std::fs::read_to_string(d.join("sweep.csv")).unwrap();
        let header: Vec<String> = text
            .lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        let seconds = header.iter().position(|h| h == "seconds").unwrap();
        text.lines()
            .map(|l| {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells.remove(seconds);
                cells.join(",")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(csv(&a), csv(&b));
    // Multiclass: one-vs-rest ROC-AUC and ten classes in the report.
    let doc = read_json(&a.join("sweep.json"));
    let valid = split(&doc["results"][0], "validation");
    assert_eq!(
        valid["metrics"]["report"]["classes"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert!(valid["metrics"]["roc_auc"].as_f64().unwrap() > 0.5);
}

/// Reads `key: value` from a job script or manifest.
fn setting(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(key))
        .unwrap_or_else(|| panic!("no {key}"))
        .trim()
        .trim_matches('"')
        .to_string()
}

fn run_script(script: &Path, env: &[(&str, String)], args: &[String]) {
    let mut cmd = Command::new("bash");
    cmd.arg(script).args(args);
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_STEP",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
        "SHARDS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("LRFIND", env!("CARGO_BIN_EXE_lrfind"));
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    let o = cmd.output().expect("bash runs");
    assert!(o.status.success(), "{script:?} {env:?}: {}", stderr(&o));
}

fn shard_dirs(results: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = files_in(results).iter().map(|n| results.join(n)).collect();
    dirs.sort();
    dirs
}

#[test]
fn slurm_array_shards_merge_into_the_single_run_report() {
    let dir = crate::TempDir::new();
    let single = dir.path().join("single");
    sweep(&single, &SMALL);

    // The job script as committed: every index of its --array, as Slurm would run them.
    let script = repo().join("scripts/sweep-slurm.sh");
    let text = std::fs::read_to_string(&script).unwrap();
    let array = setting(&text, "#SBATCH --array=");
    let (lo, hi) = array.split_once('-').unwrap();
    let (lo, hi): (usize, usize) = (lo.parse().unwrap(), hi.parse().unwrap());
    let results = dir.path().join("results");
    let mut args = vec![results.to_str().unwrap().to_string()];
    args.extend(SMALL.iter().map(|s| s.to_string()));
    for id in lo..=hi {
        let env = [
            ("SLURM_ARRAY_TASK_ID", id.to_string()),
            ("SLURM_ARRAY_TASK_MIN", lo.to_string()),
            ("SLURM_ARRAY_TASK_STEP", "1".to_string()),
            ("SLURM_ARRAY_TASK_COUNT", (hi - lo + 1).to_string()),
            ("SLURM_SUBMIT_DIR", repo().to_str().unwrap().to_string()),
        ];
        run_script(&script, &env, &args);
    }
    let dirs = shard_dirs(&results);
    assert_eq!(dirs.len(), hi - lo + 1);
    let merged = dir.path().join("merged");
    merge(&merged, &dirs);
    assert_eq!(report(&merged), report(&single));

    // An array with a step and a non-zero start (--array=3-9:3) maps to shards 0, 1, 2.
    let stepped = dir.path().join("stepped");
    let mut args = vec![stepped.to_str().unwrap().to_string()];
    args.extend(SMALL.iter().map(|s| s.to_string()));
    for id in [3, 6, 9] {
        let env = [
            ("SLURM_ARRAY_TASK_ID", id.to_string()),
            ("SLURM_ARRAY_TASK_MIN", "3".to_string()),
            ("SLURM_ARRAY_TASK_STEP", "3".to_string()),
            ("SLURM_ARRAY_TASK_COUNT", "3".to_string()),
        ];
        run_script(&repo().join("scripts/sweep-shard.sh"), &env, &args);
    }
    let merged3 = dir.path().join("merged3");
    merge(&merged3, &shard_dirs(&stepped));
    assert_eq!(report(&merged3), report(&single));
}

#[test]
fn kubernetes_indexed_job_shards_merge_into_the_single_run_report() {
    let dir = crate::TempDir::new();
    let manifest = std::fs::read_to_string(repo().join("scripts/sweep-k8s.yaml")).unwrap();
    let completions: usize = setting(&manifest, "completions:").parse().unwrap();
    let shards = manifest
        .split("name: SHARDS")
        .nth(1)
        .map(|rest| setting(rest, "value:"))
        .unwrap();
    assert_eq!(
        shards,
        completions.to_string(),
        "SHARDS must equal completions"
    );
    // The container's command, with the image paths mapped onto this checkout.
    let after = manifest.split("command:").nth(1).unwrap();
    let command: Vec<String> = after
        .lines()
        .skip(1)
        .map_while(|l| l.trim().strip_prefix("- "))
        .map(|s| s.trim_matches('"').to_string())
        .collect();
    assert!(
        command[0].ends_with("scripts/sweep-shard.sh"),
        "{command:?}"
    );
    let results = dir.path().join("results");
    let mut args: Vec<String> = command[1..].to_vec();
    args[0] = results.to_str().unwrap().to_string();
    for index in 0..completions {
        let env = [
            ("JOB_COMPLETION_INDEX", index.to_string()),
            ("SHARDS", shards.clone()),
        ];
        run_script(&repo().join("scripts/sweep-shard.sh"), &env, &args);
    }
    let merged = dir.path().join("merged");
    merge(&merged, &shard_dirs(&results));
    let single = dir.path().join("single");
    let flags: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    sweep(&single, &flags);
    assert_eq!(report(&merged), report(&single));
}

#[test]
fn merge_refuses_incomplete_or_mixed_parts() {
    let dir = crate::TempDir::new();
    let d = dir.path();
    let part = |name: &str, shard: &str, lrs: &str| {
        let out = d.join(name);
        sweep(
            &out,
            &[
                "--data",
                "breast_cancer",
                "--lrs",
                lrs,
                "--epochs",
                "1",
                "--shard",
                shard,
            ],
        );
        out
    };
    let a0 = part("a0", "0/2", "1e-3,1e-2");
    let a1 = part("a1", "1/2", "1e-3,1e-2");
    let b1 = part("b1", "1/2", "1e-4,1e-2");
    let out = d.join("out");
    let o = out.to_str().unwrap();
    let p = |p: &PathBuf| p.to_str().unwrap().to_string();
    assert_rejected(
        &["merge", "--out", o, &p(&a0)],
        &out,
        "shard 1/2 is missing",
    );
    assert_rejected(
        &["merge", "--out", o, &p(&a0), &p(&a0), &p(&a1)],
        &out,
        "shard 0/2 is given more than once",
    );
    assert_rejected(
        &["merge", "--out", o, &p(&a0), &p(&b1)],
        &out,
        "different sweeps",
    );
    assert_rejected(
        &["merge", "--out", o, &p(&d.join("nowhere"))],
        &out,
        "nowhere",
    );
    merge(&out, &[a0, a1]);
}

#[test]
fn bad_sweep_input_is_rejected_with_one_line_and_no_output() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (&["--lrs", "1e-3,fast"], "--lrs: 'fast' is not a number"),
        (
            &["--lrs", "1e-3,-1"],
            "--lrs: learning rates must be positive",
        ),
        (&["--lr-range", "1:1e-3"], "--lr-range"),
        (
            &["--split", "0.8,0.1,0.2"],
            "--split: fractions must sum to 1",
        ),
        (
            &["--data", "breast_cancer", "--split", "0.995,0.004,0.001"],
            "--split: the test part has no rows of class '0'",
        ),
        (
            &["--pos-proportion", "balanced"],
            "--pos-proportion: only for binary classification, and 'digits' has 10 classes",
        ),
        (
            &["--data", "breast_cancer", "--pos-proportion", "1.5"],
            "--pos-proportion",
        ),
        (&["--shard", "2/2"], "--shard: needs 0 <= I < N"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["sweep", "--quiet", "--epochs", "1", "--out", o];
        args.extend_from_slice(extra);
        assert_rejected(&args, &out, needle);
    }
}

/// A batch size above the training part's rows (iris: 120) trains on the whole part in each
/// batch: the CSV gives the size asked for and the rows each batch held, and the report
/// says so.
#[test]
fn a_batch_size_above_the_training_part_is_reported_as_the_whole_part() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("s");
    sweep(
        &out,
        &[
            "--data",
            "assets/iris.csv",
            "--lrs",
            "1e-2",
            "--batch-sizes",
            "32,500",
            "--epochs",
            "1",
        ],
    );
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (size, rows) = (at("batch_size"), at("batch_rows"));
    let batches: std::collections::BTreeSet<(&str, &str)> = (csv.lines().skip(1))
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[size], cells[rows])
        })
        .collect();
    assert_eq!(batches, [("32", "32"), ("500", "120")].into());
    let (md, _) = report(&out);
    assert!(md.contains("| 500 (120 rows) |"), "{md}");
    assert!(
        md.contains("Batch size 500 exceeds the training part: each of its batches is the whole part (120 rows)."),
        "{md}"
    );
}
