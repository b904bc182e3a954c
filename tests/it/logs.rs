//! `lrfind compare --logs` on logs the frameworks themselves wrote (tests/fixtures/logs/,
//! generators beside them): every value in the outputs is checked against the log file read
//! here independently, and two formats written by the same run must agree.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{files_in, lrfind_ok, read_json};

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/logs")
        .join(rel)
        .display()
        .to_string()
}

/// Runs `compare --logs` on `logs` (NAME=PATH) into a folder of `dir`; returns the folder.
fn compare_logs(dir: &crate::TempDir, logs: &[(&str, &str)], extra: &[&str]) -> PathBuf {
    let out = dir.path().join("out");
    let specs: Vec<String> = logs
        .iter()
        .map(|(n, p)| format!("{n}={}", fixture(p)))
        .collect();
    let mut args = vec!["compare", "-q", "--out", out.to_str().unwrap()];
    for s in &specs {
        args.extend(["--logs", s.as_str()]);
    }
    args.extend(extra);
    lrfind_ok(&args);
    out
}

/// A simple CSV (no quoting) as a header and rows of optional numbers.
fn csv(rel: &str) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let text = std::fs::read_to_string(fixture(rel)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(|c| c.parse().ok()).collect())
        .collect();
    (header, rows)
}

fn column(csv: &(Vec<String>, Vec<Vec<Option<f64>>>), name: &str) -> Vec<Option<f64>> {
    let i = csv.0.iter().position(|h| h == name).unwrap();
    csv.1.iter().map(|r| r[i]).collect()
}

fn epochs(run: &Value) -> &Vec<Value> {
    run["log"]["epochs"].as_array().unwrap()
}

fn values(run: &Value, key: &str) -> Vec<f64> {
    epochs(run)
        .iter()
        .map(|e| e[key].as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-12)
}

#[test]
fn keras_csv_logs_give_compares_table_from_the_logged_values() {
    let dir = crate::TempDir::new();
    let out = compare_logs(
        &dir,
        &[("old", "keras/old.csv"), ("new", "keras/new.csv")],
        &[],
    );
    let mut names = files_in(&out);
    names.sort();
    assert_eq!(
        names,
        [
            "compare.csv",
            "compare.json",
            "compare.md",
            "compare.png",
            "compare.svg"
        ]
    );
    let doc = read_json(&out.join("compare.json"));
    assert_eq!(doc["target_metric"], "val_accuracy");
    let runs = doc["runs"].as_array().unwrap();
    for (run, file) in runs.iter().zip(["keras/old.csv", "keras/new.csv"]) {
        assert_eq!(run["log"]["format"], "keras_csv");
        let log = csv(file);
        let acc: Vec<f64> = column(&log, "val_accuracy").into_iter().flatten().collect();
        // Keras counts epochs from 0; lrfind from 1, so row i is epoch i + 1.
        // (polars parses CSV floats to within an ulp or two.)
        let loss: Vec<f64> = column(&log, "loss").into_iter().flatten().collect();
        for (key, want) in [("val_accuracy", &acc), ("loss", &loss)] {
            let got = values(run, key);
            assert_eq!(got.len(), want.len());
            assert!(
                got.iter().zip(want).all(|(g, w)| close(*g, *w, 1e-14)),
                "{key}: {got:?}"
            );
        }
        assert_eq!(epochs(run)[0]["epoch"], 1);
        let to = |t: f64| acc.iter().position(|a| *a >= t).map(|i| i + 1);
        let expected: Vec<Value> = [0.5, 0.8, 0.9]
            .iter()
            .map(|&t| to(t).map_or(Value::Null, Value::from))
            .collect();
        assert_eq!(run["summary"]["epochs_to_target"], Value::from(expected));
        let summary = |k: &str| run["summary"][k].as_f64().unwrap();
        assert!(close(summary("final_metric"), *acc.last().unwrap(), 1e-14));
        let best = acc.iter().copied().fold(f64::MIN, f64::max);
        assert!(close(summary("best_metric"), best, 1e-14));
        // A CSVLogger records no wall time: nothing is invented.
        assert!(run["log"]["seconds"].is_null());
        assert!(epochs(run)[0]["seconds"].is_null());
    }
    // The new run reaches 80 % in 2 epochs, the old in 9: a 4.5x speed-up.
    let new = &runs[1]["summary"];
    assert_eq!(new["epochs_to_target"][1], 2);
    assert_eq!(new["speedup_epochs"][1], 4.5);
    assert_eq!(runs[1]["log"]["matched"][4]["metric"], "lr");
    assert!(runs[0]["log"]["epochs"][0]["lr"].is_null());

    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains("| old | `"), "{md}");
    assert!(md.contains("| Keras CSVLogger | 12 |"), "{md}");
    assert!(
        md.contains("| new | 12 | 1 | 2 | 4 | 4.00x | 4.50x | – |"),
        "{md}"
    );
    assert!(md.contains("4.50x"), "{md}");
    // The CSV: a row per log and epoch, an empty cell where the log has no value.
    let table = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "log,epoch,loss,val_loss,accuracy,val_accuracy,lr,seconds"
    );
    assert_eq!(lines.len(), 1 + 24);
    assert!(
        lines[1].starts_with("old,1,") && lines[1].ends_with(",,"),
        "{}",
        lines[1]
    );

    // Same logs, same output, byte for byte.
    let dir2 = crate::TempDir::new();
    let again = compare_logs(
        &dir2,
        &[("old", "keras/old.csv"), ("new", "keras/new.csv")],
        &[],
    );
    for f in ["compare.json", "compare.md", "compare.csv", "compare.svg"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// The per-epoch values of two logs of the same run, role by role, to float32 precision.
fn same_epochs(a: &Value, b: &Value, keys: &[&str]) {
    assert_eq!(epochs(a).len(), epochs(b).len());
    for key in keys {
        for (x, y) in values(a, key).iter().zip(values(b, key)) {
            assert!(close(*x, y, 1e-6), "{key}: {x} vs {y}");
        }
    }
}

#[test]
fn tensorboard_events_of_a_run_agree_with_its_csv_log() {
    let dir = crate::TempDir::new();
    // Keras: TF2 tensor-form scalars in train/ and validation/.
    let out = compare_logs(
        &dir,
        &[("tb", "keras/tb_new"), ("csv", "keras/new.csv")],
        &[],
    );
    let doc = read_json(&out.join("compare.json"));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs[0]["log"]["format"], "tensor_board");
    same_epochs(
        &runs[0],
        &runs[1],
        &["loss", "val_loss", "accuracy", "val_accuracy", "lr"],
    );
    // Event files carry wall times: seconds to each target are known.
    assert!(runs[0]["log"]["seconds"].as_f64().unwrap() > 0.0);
    assert!(runs[0]["summary"]["seconds_to_target"][0].is_f64());
    assert_eq!(
        runs[0]["summary"]["epochs_to_target"],
        runs[1]["summary"]["epochs_to_target"]
    );

    // Lightning: old-style simple_value scalars with an `epoch` tag, against its CSVLogger.
    let dir = crate::TempDir::new();
    let out = compare_logs(
        &dir,
        &[("tb", "lightning/tb/new"), ("csv", "lightning/new")],
        &[],
    );
    let doc = read_json(&out.join("compare.json"));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs[1]["log"]["format"], "lightning_csv");
    same_epochs(
        &runs[0],
        &runs[1],
        &["loss", "val_loss", "val_accuracy", "lr"],
    );
    for run in runs {
        // 12 epochs of 45 steps, the loss logged every 10 steps.
        assert_eq!(run["log"]["step_losses"].as_array().unwrap().len(), 54);
        let loss = &run["log"]["matched"][0];
        assert_eq!(loss["metric"], "train_loss_epoch");
        assert_eq!(loss["step_metric"], "train_loss_step");
    }
    // The LR of an epoch is its last logged step's (step 39 of epoch 1).
    let lightning = csv("lightning/new/version_0/metrics.csv");
    let lr_rows: Vec<f64> = column(&lightning, "lr-Adam")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(values(&runs[1], "lr")[0], lr_rows[3]);
    assert_eq!(
        runs[1]["log"]["unmatched"],
        Value::from(Vec::<String>::new())
    );
}

#[test]
fn hugging_face_trainer_state_per_epoch() {
    let dir = crate::TempDir::new();
    let out = compare_logs(
        &dir,
        &[("old", "hf/old"), ("new", "hf/new/trainer_state.json")],
        &[],
    );
    let doc = read_json(&out.join("compare.json"));
    let state: Value =
        serde_json::from_slice(&std::fs::read(fixture("hf/old/trainer_state.json")).unwrap())
            .unwrap();
    let history = state["log_history"].as_array().unwrap();
    let old = &doc["runs"][0];
    assert_eq!(old["log"]["format"], "hugging_face");
    assert_eq!(epochs(old).len(), 12);
    // Training records at fractional epochs (0.22, 0.44, ...) belong to the epoch they end in.
    let first: Vec<f64> = history
        .iter()
        .filter(|r| r["loss"].is_f64() && r["epoch"].as_f64().unwrap() <= 1.0)
        .map(|r| r["loss"].as_f64().unwrap())
        .collect();
    assert_eq!(first.len(), 4);
    let mean = first.iter().sum::<f64>() / 4.0;
    assert!(close(values(old, "loss")[0], mean, 1e-12));
    let eval: Vec<f64> = history
        .iter()
        .filter_map(|r| r["eval_accuracy"].as_f64())
        .collect();
    assert_eq!(values(old, "val_accuracy"), eval); // JSON numbers are read exactly
    // The wall time is the Trainer's own train_runtime; per epoch it is not recorded.
    assert_eq!(
        old["log"]["seconds"],
        history.last().unwrap()["train_runtime"]
    );
    assert!(epochs(old)[0]["seconds"].is_null());
    let unmatched = old["log"]["unmatched"].as_array().unwrap();
    assert!(
        unmatched.contains(&Value::from("grad_norm")),
        "{unmatched:?}"
    );
    assert!(
        !unmatched
            .iter()
            .any(|u| u.as_str().unwrap().ends_with("_runtime")),
        "{unmatched:?}"
    );
}

#[test]
fn logs_of_different_frameworks_side_by_side_and_metric_overrides() {
    let dir = crate::TempDir::new();
    // Keras and Hugging Face on the same data; the Keras log's accuracy named by hand.
    let out = compare_logs(
        &dir,
        &[("keras", "keras/old.csv"), ("hf", "hf/new")],
        &[
            "--metric",
            "val_accuracy=val_accuracy",
            "--targets",
            "0.7,0.9",
        ],
    );
    let doc = read_json(&out.join("compare.json"));
    assert_eq!(
        doc["common"],
        serde_json::json!(["loss", "val_loss", "val_accuracy"])
    );
    assert_eq!(doc["target_metric"], "val_accuracy");
    assert_eq!(doc["targets"], serde_json::json!([0.7, 0.9]));
    // --metric names what the table would not match: an `f1` column as the accuracy.
    let scored = dir.path().join("scored.csv");
    std::fs::write(&scored, "epoch,loss,f1\n1,1.0,0.4\n2,0.8,0.6\n3,0.7,0.85\n").unwrap();
    let out3 = dir.path().join("out3");
    let spec = format!("scored={}", scored.display());
    lrfind_ok(&[
        "compare",
        "-q",
        "--out",
        out3.to_str().unwrap(),
        "--logs",
        &spec,
        "--metric",
        "val_accuracy=f1",
    ]);
    let doc3 = read_json(&out3.join("compare.json"));
    assert_eq!(doc3["target_metric"], "val_accuracy");
    assert_eq!(
        doc3["runs"][0]["summary"]["epochs_to_target"],
        serde_json::json!([2, 3, null])
    );
    // Python writes a NaN loss as `nan` (CSV) or `NaN` (JSON): the run diverged.
    let nan_csv = dir.path().join("nan.csv");
    std::fs::write(
        &nan_csv,
        "epoch,loss,val_loss\n0,2.0,2.1\n1,1.5,1.6\n2,nan,nan\n",
    )
    .unwrap();
    let nan_json = dir.path().join("trainer_state.json");
    std::fs::write(
        &nan_json,
        r#"{"log_history": [{"epoch": 0.0, "eval_loss": 2.5, "step": 0},
            {"epoch": 1.0, "loss": 2.0, "eval_loss": 1.9, "step": 10},
            {"epoch": 2.0, "loss": NaN, "eval_loss": Infinity, "step": 20}]}"#,
    )
    .unwrap();
    let out4 = dir.path().join("out4");
    let (a, b) = (
        format!("csv={}", nan_csv.display()),
        format!("hf={}", nan_json.display()),
    );
    lrfind_ok(&[
        "compare",
        "-q",
        "--out",
        out4.to_str().unwrap(),
        "--logs",
        &a,
        "--logs",
        &b,
    ]);
    let doc4 = read_json(&out4.join("compare.json"));
    for run in doc4["runs"].as_array().unwrap() {
        assert_eq!(run["summary"]["verdict"], "diverged", "{run}");
    }
    // The evaluation before training (epoch 0) is not an epoch of it.
    assert_eq!(epochs(&doc4["runs"][1]).len(), 2);
    assert_eq!(epochs(&doc4["runs"][1])[0]["val_loss"], 1.9);
    // A log with only a training loss is judged on it, and the table says so.
    let plain = dir.path().join("plain.csv");
    std::fs::write(&plain, "epoch,loss\n1,2.0\n2,1.0\n3,0.7\n4,0.69\n5,0.69\n").unwrap();
    let out2 = dir.path().join("out2");
    let spec = format!("plain={}", plain.display());
    lrfind_ok(&[
        "compare",
        "-q",
        "--out",
        out2.to_str().unwrap(),
        "--logs",
        &spec,
    ]);
    let md = std::fs::read_to_string(out2.join("compare.md")).unwrap();
    assert!(md.contains("| CSV | 5 |"), "{md}");
    assert!(md.contains("converged (on training loss)"), "{md}");
    assert!(md.contains("The logs share no accuracy"), "{md}");
}

/// The iteration lines of a Burn metric log as (value, count), and its final value.
fn burn_lines(rel: &str) -> (Vec<(f64, f64)>, Option<f64>) {
    let mut lines = Vec::new();
    let mut last = None;
    for l in std::fs::read_to_string(fixture(rel)).unwrap().lines() {
        let (v, c) = l.split_once(',').unwrap();
        match c {
            "final" => last = Some(v.parse().unwrap()),
            c => lines.push((v.parse().unwrap(), c.parse().unwrap())),
        }
    }
    (lines, last)
}

#[test]
fn a_burn_learner_artifact_folder_beside_a_keras_log() {
    let dir = crate::TempDir::new();
    let out = compare_logs(
        &dir,
        &[("burn", "burn/onecycle"), ("keras", "keras/new.csv")],
        &[],
    );
    let doc = read_json(&out.join("compare.json"));
    let burn = &doc["runs"][0];
    assert_eq!(burn["log"]["format"], "burn");
    assert_eq!(epochs(burn).len(), 4);
    // An epoch's value is the one Burn wrote at its end (`value,final`), the count-weighted
    // mean of its iterations.
    let (first, last_line) = burn_lines("burn/onecycle/train/epoch-1/Loss.log");
    let rows: f64 = first.iter().map(|l| l.1).sum();
    let mean = first.iter().map(|l| l.0 * l.1).sum::<f64>() / rows;
    // (serde_json reads floats back to within an ulp.)
    assert!(close(values(burn, "loss")[0], last_line.unwrap(), 1e-15));
    assert!(close(values(burn, "loss")[0], mean, 1e-9));
    let (valid, _) = burn_lines("burn/onecycle/valid/epoch-1/Accuracy.log");
    assert!(valid.iter().any(|l| l.1 > 1.0), "batch counts");
    // Burn's accuracy is in percent; the last epoch's is what the example printed.
    let printed = std::fs::read_to_string(fixture("burn/printed.txt")).unwrap();
    let pct: f64 = printed
        .lines()
        .find_map(|l| l.strip_prefix("validation accuracy after 4 epoch(s): "))
        .and_then(|l| l.strip_suffix(" %"))
        .unwrap()
        .parse()
        .unwrap();
    let last = *values(burn, "val_accuracy").last().unwrap();
    assert!((100.0 * last - pct).abs() < 0.051, "{last} vs {pct} %");
    // The LR of an epoch is its last iteration's; every iteration is a step of the curve.
    let (lrs, _) = burn_lines("burn/onecycle/train/epoch-1/Learning_Rate.log");
    assert_eq!(values(burn, "lr")[0], lrs.last().unwrap().0);
    let steps: usize = (1..=4)
        .map(|e| {
            burn_lines(&format!("burn/onecycle/train/epoch-{e}/Loss.log"))
                .0
                .len()
        })
        .sum();
    assert_eq!(burn["log"]["step_losses"].as_array().unwrap().len(), steps);
    assert_eq!(doc["target_metric"], "val_accuracy");
}
