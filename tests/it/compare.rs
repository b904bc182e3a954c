//! `lrfind compare` and `lrfind schedule` end to end on a built-in dataset, with few epochs.

use serde_json::Value;

use crate::{lrfind, lrfind_ok, read_json as json, strip_times};

fn run_by_name<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["setting"]["name"] == name)
        .unwrap()
}

#[test]
fn a_sane_setting_beats_an_absurd_one_and_the_verdict_says_so() {
    let dir = crate::TempDir::new();
    let absurd = dir.path().join("absurd.toml");
    std::fs::write(&absurd, "lr = 1e-7\nschedule = \"constant\"\n").unwrap();
    let out = dir.path().join("c");
    lrfind_ok(&[
        "compare",
        "--quiet",
        "--data",
        "breast_cancer",
        "--epochs",
        "4",
        "--lr",
        "3e-3",
        "--config",
        absurd.to_str().unwrap(),
        "--setting",
        "warmup(epochs=1)+cosine",
        "--out",
        out.to_str().unwrap(),
    ]);
    for f in [
        "compare.json",
        "compare.csv",
        "compare.md",
        "compare.png",
        "compare.svg",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let doc = json(&out.join("compare.json"));
    let bad = run_by_name(&doc, "absurd");
    let good = run_by_name(&doc, "warmup(epochs=1)+cosine");
    assert_eq!(bad["summary"]["verdict"], "stalled");
    assert_ne!(good["summary"]["verdict"], "stalled");
    let acc = |r: &Value| r["summary"]["final_metric"].as_f64().unwrap();
    assert!(acc(good) > acc(bad) + 0.1, "{} vs {}", acc(good), acc(bad));
    assert_eq!(good["epochs"].as_array().unwrap().len(), 4);
    // Warm-up: the first step's LR is 0, the peak is the base LR.
    assert_eq!(good["step_lrs"][0], 0.0);
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("| absurd |")
            && md.contains("stalled")
            && md.contains("![training curves](compare.png)")
    );
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(
        csv.starts_with("setting,step,epoch,lr,train_loss,epoch_train_loss,val_loss,val_metric\n")
    );
    let svg = std::fs::read_to_string(out.join("compare.svg")).unwrap();
    assert!(svg.contains("validation loss") && svg.contains("absurd"));
}

#[test]
fn runs_are_reproducible_and_independent_of_order() {
    let dir = crate::TempDir::new();
    let run = |name: &str, settings: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "compare",
            "--quiet",
            "--epochs",
            "2",
            "--lr",
            "1e-3",
            "--out",
            out.to_str().unwrap(),
        ];
        for s in settings {
            args.extend(["--setting", s]);
        }
        lrfind_ok(&args);
        let mut doc = json(&out.join("compare.json"));
        strip_times(&mut doc);
        (doc, std::fs::read(out.join("compare.csv")).unwrap())
    };
    let (a, csv_a) = run("a", &["constant", "onecycle"]);
    let (b, csv_b) = run("b", &["constant", "onecycle"]);
    assert_eq!(a, b);
    assert_eq!(csv_a, csv_b);
    let (c, _) = run("c", &["onecycle", "constant"]);
    let runs = |d: &Value, n: &str| {
        let mut r = run_by_name(d, n).clone();
        r["summary"]
            .as_object_mut()
            .unwrap()
            .remove("speedup_epochs"); // relative to the first setting
        r
    };
    assert_eq!(
        runs(&a, "onecycle"),
        runs(&c, "onecycle"),
        "a run does not depend on which ran before"
    );
}

#[test]
fn bad_settings_are_named() {
    let dir = crate::TempDir::new();
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "lr = 1e-3\nsheduler = \"cosine\"\n").unwrap();
    let out = dir.path().join("o");
    let o = out.to_str().unwrap();
    for (args, needle) in [
        (vec!["--config", typo.to_str().unwrap()], "sheduler"),
        (vec!["--setting", "cosin"], "unknown schedule 'cosin'"),
        (vec!["--setting", "exp(gamma=0.9,evry=2)"], "evry"),
        (vec!["--setting", "onecycle(pct_start=2)"], "pct_start"),
        (vec!["--lr", "fast"], "--lr"),
    ] {
        let mut full = vec!["compare", "--quiet", "--out", o];
        full.extend(args);
        let r = lrfind(&full);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "{full:?}: {err}");
        assert!(
            err.contains(needle) && err.trim_end().lines().count() == 1,
            "{full:?}: {err}"
        );
        assert!(!out.exists(), "nothing written");
    }
}

#[test]
fn schedule_command_draws_and_prints_the_curves() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("s");
    let o = lrfind_ok(&[
        "schedule",
        "onecycle",
        "warmup(steps=10)+cosine",
        "--steps",
        "100",
        "--lr",
        "0.1",
        "--csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "step,onecycle,warmup(steps=10)+cosine");
    assert_eq!(lines.len(), 101);
    let row25: Vec<f64> = lines[26].split(',').map(|v| v.parse().unwrap()).collect();
    assert!((row25[1] - 0.1).abs() < 1e-12, "1cycle peaks at pct_start");
    let row5: Vec<f64> = lines[6].split(',').map(|v| v.parse().unwrap()).collect();
    assert!(
        (row5[2] - 0.05).abs() < 1e-12,
        "half-way through the warm-up"
    );
    assert!(out.join("schedule.png").exists() && out.join("schedule.svg").exists());
}

#[test]
fn auto_lr_can_come_from_a_saved_range_test() {
    let dir = crate::TempDir::new();
    let rt = dir.path().join("rt");
    lrfind_ok(&[
        "suggest",
        "--quiet",
        "--data",
        "breast_cancer",
        "--out",
        rt.to_str().unwrap(),
    ]);
    let suggested = json(&rt.join("lr_find.json"))["chosen"]["lr"]
        .as_f64()
        .unwrap();
    let out = dir.path().join("c");
    let lr_file = rt.join("lr_find.json");
    lrfind_ok(&[
        "compare",
        "--quiet",
        "--data",
        "breast_cancer",
        "--epochs",
        "1",
        "--setting",
        "constant",
        "--lr-from",
        lr_file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let doc = json(&out.join("compare.json"));
    assert_eq!(doc["suggested_lr"].as_f64(), Some(suggested));
    assert_eq!(
        doc["runs"][0]["step_lrs"][0].as_f64(),
        Some(suggested),
        "constant at the saved suggestion"
    );
}

/// A batch size above the training part's rows (iris: 120) trains every setting on the whole
/// part in each batch, and the report says so.
#[test]
fn a_batch_size_above_the_training_part_is_said() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("c");
    lrfind_ok(&[
        "compare",
        "-q",
        "--data",
        "assets/iris.csv",
        "--epochs",
        "1",
        "--lr",
        "1e-2",
        "--batch-size",
        "500",
        "--out",
        out.to_str().unwrap(),
    ]);
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("Batch size 500 exceeds the training part: each of its batches is the whole part (120 rows)."),
        "{md}"
    );
}
