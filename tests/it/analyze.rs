//! `lrfind analyze` on curves saved by other tools: a tool's smoothed history and the raw
//! losses of the same run give the same suggestion (within 1 %), on Lightning's own
//! recordings and on the fastai and torch-lr-finder smoothings of the anchor fixtures
//! (computed by those tools' functions); the ramp and the columns are named; bad curves are
//! refused by name with nothing written.

use std::path::Path;

use serde_json::{Value, json};

use crate::{assert_rejected, files_in, lrfind, read_json, stderr};

/// Runs analyze on `doc` (written as JSON) with `extra` flags; returns its lr_find.json.
fn analyze(dir: &Path, name: &str, doc: &Value, extra: &[&str]) -> Value {
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = dir.join(format!("out-{name}"));
    let mut args = vec![
        "analyze",
        file.to_str().unwrap(),
        "-q",
        "--method",
        "all",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = lrfind(&args);
    assert!(
        matches!(o.status.code(), Some(0) | Some(3)),
        "{args:?}: {}",
        stderr(&o)
    );
    read_json(&out.join("lr_find.json"))
}

/// Every rule's answer of an analysis, by method name.
fn answers(doc: &Value) -> Vec<(String, Option<f64>)> {
    doc["result"]["suggestions"]["all"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["method"].as_str().unwrap().to_string(), s["lr"].as_f64()))
        .collect()
}

fn assert_same_answers(a: &Value, b: &Value, case: &str) {
    assert_eq!(
        answers(a).len(),
        8,
        "{case}: every rule answers or explains"
    );
    assert_eq!(answers(a).len(), answers(b).len(), "{case}");
    for ((m, x), (_, y)) in answers(a).iter().zip(answers(b)) {
        match (x, y) {
            (Some(x), Some(y)) => assert!(
                (x / y - 1.0).abs() < 0.01,
                "{case} {m}: {x} from the smoothed history, {y} from the raw losses"
            ),
            (x, y) => assert_eq!(*x, y, "{case} {m}"),
        }
    }
}

/// A fixture file of tests/fixtures, parsed.
fn fixture(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// One rule's answer in an analysis.
fn answer(doc: &Value, rule: &str) -> Option<f64> {
    answers(doc).into_iter().find(|(m, _)| m == rule).unwrap().1
}

/// Analyses a tool's saved curve (`saved`, read `--from` the tool) and the raw losses of the
/// same run; asserts that every rule answers the same; returns the saved curve's analysis.
fn saved_matches_raw(dir: &Path, name: &str, saved: &Value, from: &[&str], case: &Value) -> Value {
    let raw = json!({"lr": case["lrs"], "loss": case["raw_losses"]});
    let a = analyze(dir, &format!("{name}-saved"), saved, from);
    let b = analyze(dir, &format!("{name}-raw"), &raw, &[]);
    assert_same_answers(&a, &b, name);
    a
}

/// `lrfind analyze FILE ARGS --json`: the document it prints.
fn analyze_file(dir: &Path, file: &str, args: &[&str]) -> Value {
    let out = dir.join("out-file");
    let mut all = vec![
        "analyze",
        file,
        "--json",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    all.extend(args);
    let o = lrfind(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&out).unwrap();
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn lightning_results_give_the_raw_losses_suggestions() {
    let dir = crate::TempDir::new();
    for case in fixture("tests/fixtures/lightning/lightning.json")["cases"]
        .as_array()
        .unwrap()
    {
        let name = case["name"].as_str().unwrap();
        let results = json!({"lr": case["lrs"], "loss": case["smoothed_losses"]});
        let a = saved_matches_raw(dir.path(), name, &results, &["--from", "lightning"], case);
        let mode = case["mode"].as_str().unwrap();
        assert!(
            a["ramp_text"].as_str().unwrap().starts_with(mode),
            "{name}: {mode} ramp read as {}",
            a["ramp_text"]
        );
        // Lightning's own rule, on the recovered losses, is what Lightning suggested.
        match (
            answer(&a, "lightning"),
            case["expected_lightning_2_6_6"].as_f64(),
        ) {
            (Some(x), Some(y)) => assert!((x / y - 1.0).abs() < 1e-6, "{name}: {x} vs {y}"),
            (x, y) => assert_eq!(x, y, "{name}"),
        }
    }
}

#[test]
fn fastai_and_torch_lr_finder_smoothings_are_undone() {
    let dir = crate::TempDir::new();
    let mut checked = 0;
    for case in fixture("tests/fixtures/suggestions.json")["cases"]
        .as_array()
        .unwrap()
    {
        // Only the curves whose raw losses are known and finite (a NaN poisons the averages).
        let Some(values) = case["raw_losses"].as_array() else {
            continue;
        };
        if values.iter().any(|v| !v.is_number()) {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let lrs = &case["lrs"];
        let fastai = json!({"lrs": lrs, "losses": case["expected_fastai_smoothing_beta_0_98"]});
        let a = saved_matches_raw(
            dir.path(),
            &format!("{name}-fastai"),
            &fastai,
            &["--from", "fastai"],
            case,
        );
        assert_eq!(a["lr_column"], "lrs");
        let torch = json!({"lr": lrs, "loss": case["expected_torch_lr_finder_smoothing_0_05"]});
        let t = saved_matches_raw(
            dir.path(),
            &format!("{name}-torch"),
            &torch,
            &["--from", "torch-lr-finder"],
            case,
        );
        assert_eq!(t["loss_column"], "loss");
        checked += 1;
    }
    assert!(checked >= 10, "{checked} curves checked");
}

#[test]
fn a_csv_curve_writes_what_suggest_writes_and_bad_curves_are_refused() {
    let dir = crate::TempDir::new();
    let d = dir.path();
    let out = d.join("out");
    let o = out.to_str().unwrap();
    let write = |name: &str, text: String| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let row = |k: usize| {
        let lr = 1e-5 * 10f64.powf(k as f64 / 20.0);
        let loss =
            2.0 - 1.5 / (1.0 + (-(lr.log10() + 2.5) * 3.0).exp()) + (k as f64 * 1.7).sin() * 0.01;
        (lr, loss)
    };
    let csv = (0..100).map(row).fold(
        String::from("step,learning_rate,loss\n"),
        |mut s, (l, x)| {
            s += &format!("0,{l},{x}\n");
            s
        },
    );
    let good = write("curve.csv", csv);
    let ok = lrfind(&["analyze", &good, "-q", "--out", o]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let mut files = files_in(&out);
    files.sort();
    assert_eq!(
        files,
        ["lr_find.csv", "lr_find.json", "lr_find.png", "lr_find.svg"]
    );
    let doc = read_json(&out.join("lr_find.json"));
    assert_eq!(doc["lr_column"], "learning_rate");
    assert_eq!(doc["ramp_text"], "exponential, 20.0 steps per decade");
    let lr = doc["chosen"]["lr"].as_f64().unwrap();
    assert!((1e-4..1e-2).contains(&lr), "{lr}");
    std::fs::remove_dir_all(&out).unwrap();
    // The planned training: 5 epochs of ceil(1000 / 64) = 16 batches are 80 steps.
    let planned = |extra: &[&str]| {
        let mut args = vec!["analyze", good.as_str(), "-q", "--json", "--out", o];
        args.extend(extra);
        let run = lrfind(&args);
        std::fs::remove_dir_all(&out).unwrap();
        let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
        (
            doc["result"]["planned_steps"].clone(),
            doc["chosen"]["lr"].clone(),
        )
    };
    let by_epochs = planned(&["--epochs", "5", "--rows", "1000", "--batch-size", "64"]);
    assert_eq!(by_epochs.0, 80);
    assert_eq!(by_epochs, planned(&["--steps", "80"]));
    assert_ne!(
        by_epochs.1, doc["chosen"]["lr"],
        "the length moves knee's answer"
    );

    let short = write("short.csv", "lr,loss\n0.1,1\n0.2,1\n".into());
    let down = write(
        "down.json",
        json!({"lr": (0..20).map(|k| 1.0 - k as f64 * 0.01).collect::<Vec<_>>(), "loss": vec![1.0; 20]})
            .to_string(),
    );
    let no_loss = write("no_loss.csv", "lr,accuracy\n0.1,1\n".into());
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["analyze", &short],
            format!(
                "Error: {short}: column 'lr': a range test needs at least 10 points, this curve has 2"
            ),
        ),
        (
            vec!["analyze", &down],
            format!("Error: {down}: column 'lr': the learning rates do not increase (point 1 is"),
        ),
        (
            vec!["analyze", &no_loss],
            format!("Error: {no_loss}: no loss column (looked for loss, losses"),
        ),
        (
            vec![
                "analyze",
                &good,
                "--from",
                "torch-lr-finder",
                "--beta",
                "0.9",
            ],
            "Error: --beta: applies to --from fastai or lightning only".into(),
        ),
        (
            vec!["analyze", &good, "--steps", "0"],
            "Error: --steps: must be at least 1".into(),
        ),
        (
            vec!["analyze", &good, "--steps-per-epoch", "10"],
            "Error: --steps-per-epoch: applies to --from keras only".into(),
        ),
        (
            vec![
                "analyze",
                &good,
                "--from",
                "keras",
                "--steps-per-epoch",
                "0",
            ],
            "Error: --steps-per-epoch: must be at least 1".into(),
        ),
        (
            vec!["analyze", &good, "--num-it", "50"],
            "Error: --num-it: the curve has 100 points, more than 50 planned".into(),
        ),
    ];
    for (args, needle) in cases {
        let mut all = args.clone();
        all.extend(["--out", o]);
        assert_rejected(&all, &out, &needle);
    }
}

#[test]
fn torch_lr_finder_histories_give_the_raw_losses_and_torch_lr_finders_suggestions() {
    let dir = crate::TempDir::new();
    let runs = fixture("tests/fixtures/torch_lr_finder/torch_lr_finder.json");
    for case in runs["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let f = case["smooth_f"].as_f64().unwrap();
        let history = json!({"lr": case["lrs"], "loss": case["smoothed_losses"]});
        let smooth_f = f.to_string();
        let mut from = vec!["--from", "torch-lr-finder"];
        if f != 0.05 {
            from.extend(["--smooth-f", smooth_f.as_str()]);
        }
        let a = saved_matches_raw(dir.path(), name, &history, &from, case);
        let mode = case["step_mode"].as_str().unwrap();
        let expected_ramp = if mode == "exp" {
            "exponential"
        } else {
            "linear"
        };
        assert!(
            a["ramp_text"].as_str().unwrap().starts_with(expected_ramp),
            "{name}: {}",
            a["ramp_text"]
        );
        // lrfind's `torch` rule is torch-lr-finder end to end with smooth_f 0.05.
        if f == 0.05 {
            let torch = answer(&a, "torch").unwrap();
            let expected = case["expected_suggestion"].as_f64().unwrap();
            assert!(
                (torch / expected - 1.0).abs() < 1e-9,
                "{name}: {torch} vs torch-lr-finder's {expected}"
            );
        }
    }
    // The history file as a user saves it (json.dump(lr_finder.history)).
    let doc = analyze_file(
        dir.path(),
        "tests/fixtures/torch_lr_finder/history_adam_exp.json",
        &["--from", "torch-lr-finder", "--method", "torch"],
    );
    let expected = runs["cases"][0]["expected_suggestion"].as_f64().unwrap();
    let got = doc["chosen"]["lr"].as_f64().unwrap();
    assert!((got / expected - 1.0).abs() < 1e-9, "{got} vs {expected}");
}

#[test]
fn fastai_recorders_give_the_raw_losses_and_fastais_suggestions() {
    let dir = crate::TempDir::new();
    let runs = fixture("tests/fixtures/fastai/fastai.json");
    for case in runs["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let recorder = json!({"lrs": case["lrs"], "losses": case["smoothed_losses"]});
        // Two runs stopped early: fastai's rules count from a tenth of the planned length.
        let num_it = case["num_it"].to_string();
        let from = ["--from", "fastai", "--num-it", num_it.as_str()];
        let a = saved_matches_raw(dir.path(), name, &recorder, &from, case);
        // fastai's four rules on the recovered losses: what fastai suggested (its recorder
        // keeps float32 values, so equal to float32 precision).
        for (rule, expected) in case["expected_fastai"].as_object().unwrap() {
            match (answer(&a, rule), expected.as_f64()) {
                (Some(x), Some(y)) => {
                    assert!(
                        (x / y - 1.0).abs() < 1e-5,
                        "{name} {rule}: {x} vs fastai's {y}"
                    )
                }
                (x, y) => assert_eq!(x, y, "{name} {rule}"),
            }
        }
    }
    // The recorder's lists as a user saves them.
    let doc = analyze_file(
        dir.path(),
        "tests/fixtures/fastai/recorder_adam.json",
        &["--from", "fastai", "--method", "valley", "--num-it", "100"],
    );
    let expected = runs["cases"][0]["expected_fastai"]["valley"]
        .as_f64()
        .unwrap();
    let got = doc["chosen"]["lr"].as_f64().unwrap();
    assert!((got / expected - 1.0).abs() < 1e-5, "{got} vs {expected}");
    assert_eq!(doc["lr_column"], "lrs");
    assert_eq!(doc["loss_column"], "losses");
}

/// lrfind's own history read back: `analyze lr_find.csv` answers as the `suggest` run did.
#[test]
fn suggests_own_history_reads_back_to_the_same_answers() {
    let dir = crate::TempDir::new();
    let first = dir.path().join("suggest");
    crate::lrfind_ok(&[
        "suggest",
        "-q",
        "--method",
        "all",
        "--out",
        first.to_str().unwrap(),
    ]);
    let ran = read_json(&first.join("lr_find.json"));
    assert!(
        ran["iterations"].as_u64().unwrap() < 300,
        "the run stops early, so --num-it matters"
    );
    let csv = first.join("lr_find.csv");
    // The run stopped on divergence before its 300 planned iterations: say so, as fastai's
    // rules skip the first tenth of the planned iterations.
    let doc = analyze_file(
        dir.path(),
        csv.to_str().unwrap(),
        &["--method", "all", "--num-it", "300"],
    );
    // suggest's JSON keys the rules by name; analyze keeps suggest_all's list.
    for (rule, lr) in answers(&doc) {
        assert_eq!(ran["suggestions"][&rule]["lr"].as_f64(), lr, "{rule}");
    }
    assert_eq!(ran["chosen"]["lr"], doc["chosen"]["lr"]);
}

/// keras-lr-finder's `losses` are Keras's running mean of the epoch's batch losses (TF 2):
/// `--from keras` recovers the raw losses and their answers, epoch by epoch.
#[test]
fn keras_running_means_are_undone_epoch_by_epoch() {
    let dir = crate::TempDir::new();
    for case in fixture("tests/fixtures/keras/keras.json")["cases"]
        .as_array()
        .unwrap()
    {
        let name = case["name"].as_str().unwrap();
        let saved = json!({"lrs": case["lrs"], "losses": case["losses"]});
        let per = case["steps_per_epoch"].to_string();
        let mut from = vec!["--from", "keras"];
        if case["epochs"] != 1 {
            from.extend(["--steps-per-epoch", per.as_str()]);
        }
        let a = saved_matches_raw(dir.path(), name, &saved, &from, case);
        let recovered = a["result"]["losses"].as_array().unwrap();
        assert_eq!(
            recovered.len(),
            case["raw_losses"].as_array().unwrap().len()
        );
        for (k, (x, y)) in recovered
            .iter()
            .zip(case["raw_losses"].as_array().unwrap())
            .enumerate()
        {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() < 1e-4 * y.abs().max(1.0),
                "{name} batch {k}: {x} vs {y}"
            );
        }
    }
}
