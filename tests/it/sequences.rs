//! Token sequences from files (`--tokens`): the committed 3,000-row fixture (made by
//! `examples/make_sequences.rs`, see `tests/fixtures/sequences/README.md`) through `suggest`
//! and `sweep`, CSV and Parquet giving the same report, and every bad-input case.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::{assert_rejected, lrfind_ok, read_json, strip_times};

fn fixture(ext: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sequences")
        .join(format!("motif.{ext}"))
        .display()
        .to_string()
}

/// A JSON document without wall times, with the Parquet fixture's name read as the CSV's.
fn comparable(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("motif.parquet", "motif.csv");
    let mut v: Value = serde_json::from_str(&text).unwrap();
    strip_times(&mut v);
    fn drop_rates(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("ms_per_iteration");
                m.remove("timing");
                m.values_mut().for_each(drop_rates);
            }
            Value::Array(a) => a.iter_mut().for_each(drop_rates),
            _ => {}
        }
    }
    drop_rates(&mut v);
    v
}

/// Runs `command` on the fixture in form `ext` (`--tokens tokens`), writing to `out`.
fn on_fixture(command: &str, ext: &str, out: &Path, extra: &[&str]) -> Output {
    let data = fixture(ext);
    let mut args = vec![
        command, "--data", &data, "--target", "label", "--tokens", "tokens",
    ];
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().unwrap()]);
    lrfind_ok(&args)
}

#[test]
fn suggest_on_sequences_reads_csv_and_parquet_alike() {
    let dir = crate::TempDir::new();
    let mut docs = Vec::new();
    for ext in ["csv", "parquet"] {
        let out = dir.path().join(ext);
        let o = on_fixture("suggest", ext, &out, &[]);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            text.contains(
                "(3000 rows, 0 features): embedding 301×64, masked mean+max pooling, MLP 128-128-1"
            ),
            "{text}"
        );
        assert!(
            text.contains("tokens 'tokens': 24 per row (read 4 to 24, mean 14.1), 300 ids"),
            "{text}"
        );
        let doc = read_json(&out.join("lr_find.json"));
        assert_eq!(doc["data"]["tokens"]["seq_len"], 24);
        assert!(text.contains("Suggested LR: "), "{text}");
        docs.push(comparable(&out.join("lr_find.json")));
    }
    assert_eq!(docs[0], docs[1], "CSV and Parquet give the same range test");
}

fn roc_auc(doc: &Value, lr: f64, split: &str) -> f64 {
    let result = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["point"]["lr"] == lr)
        .unwrap();
    result["splits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["split"] == split)
        .unwrap()["metrics"]["roc_auc"]
        .as_f64()
        .unwrap()
}

#[test]
fn a_sequence_sweep_learns_the_motif_and_parquet_gives_the_same_report() {
    let dir = crate::TempDir::new();
    let mut reports = Vec::new();
    for ext in ["csv", "parquet"] {
        let out = dir.path().join(ext);
        let grid = [
            "--quiet",
            "--seq-len",
            "16",
            "--lrs",
            "1e-7,1e-2",
            "--epochs",
            "2",
        ];
        on_fixture("sweep", ext, &out, &grid);
        let doc = read_json(&out.join("sweep.json"));
        // Chance at a tiny LR, well above it at a sane one.
        let (tiny, sane) = (
            roc_auc(&doc, 1e-7, "validation"),
            roc_auc(&doc, 1e-2, "validation"),
        );
        assert!((0.35..0.65).contains(&tiny), "1e-7: ROC-AUC {tiny}");
        assert!(sane > 0.75, "1e-2: ROC-AUC {sane}");
        assert!(roc_auc(&doc, 1e-2, "test") > 0.75);
        // Truncation to 16 tokens is counted.
        assert_eq!(doc["data"]["tokens"]["seq_len"], 16);
        assert!(
            doc["data"]["tokens"]["stats"]["truncated"]
                .as_u64()
                .unwrap()
                > 500
        );
        let md = std::fs::read_to_string(out.join("sweep.md"))
            .unwrap()
            .replace("motif.parquet", "motif.csv");
        reports.push((md, comparable(&out.join("sweep.json"))));
    }
    assert_eq!(
        reports[0].0, reports[1].0,
        "sweep.md: CSV and Parquet agree"
    );
    assert_eq!(
        reports[0].1, reports[1].1,
        "sweep.json: CSV and Parquet agree"
    );
}

#[test]
fn bad_token_input_is_refused_by_column_and_row() {
    let dir = crate::TempDir::new();
    let d = dir.path();
    let out = d.join("out");
    let o = &out.to_str().unwrap().to_string();
    // Ten good rows (sequences plain, or written as lists), then the case's bad row as row 11.
    let write = |name: &str, as_list: bool, bad: &str| -> String {
        let mut text = String::from("label,seq,x\n");
        for i in 0..10 {
            let seq = if as_list {
                format!("\"[{i}, {}, 7]\"", i + 1)
            } else {
                format!("{i} {} 7", i + 1)
            };
            text += &format!("{},{seq},{i}\n", i % 2);
        }
        text += bad;
        text += "\n";
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let file = |name: &str, bad: &str| write(name, false, bad);
    let listed = |name: &str, bad: &str| write(name, true, bad);
    let not_int = file("not_int.csv", "1,3 x 5,0");
    let negative = file("negative.csv", "1,3 -1 5,0");
    let fraction = file("fraction.csv", "0,3 1.5,0");
    let empty = listed("empty.csv", "1,[],0");
    let mixed = file("mixed.csv", "1,\"[3, 4]\",0");
    let unclosed = listed("unclosed.csv", "1,[3 4,0");
    let listed_ok = listed("listed_ok.csv", "1,\"[3, 4]\",0");
    let big = file("big.csv", "1,3 400,0");
    let missing = file("missing.csv", "1,,0");
    let run = |data: &str, extra: &[&str], needle: &str| {
        let mut args = vec![
            "suggest",
            "--data",
            data,
            "--target",
            "label",
            "--tokens",
            "seq",
            "--batch-size",
            "2",
            "--out",
            o,
        ];
        args.extend_from_slice(extra);
        assert_rejected(&args, &out, needle);
    };
    run(
        &not_int,
        &[],
        "column 'seq', row 11: token 'x' is not a non-negative integer",
    );
    run(
        &negative,
        &[],
        "column 'seq', row 11: token '-1' is not a non-negative integer",
    );
    run(
        &fraction,
        &[],
        "column 'seq', row 11: token '1.5' is not a non-negative integer",
    );
    run(&empty, &[], "column 'seq', row 11: the sequence is empty");
    run(
        &mixed,
        &[],
        "column 'seq' mixes list and non-list cells (row 1 is plain ids, row 11 is a list)",
    );
    run(
        &unclosed,
        &[],
        "column 'seq', row 11: '[3 4' opens a list it does not close",
    );
    run(
        &big,
        &["--vocab", "100"],
        "column 'seq', row 11: token id 400 is not below --vocab 100",
    );
    run(
        &missing,
        &[],
        "column 'seq' has 1 NaN, infinite, empty or NA cell(s) (first in data row 11)",
    );
    run(
        &not_int,
        &["--seq-len", "0"],
        "Error: --seq-len: must be at least 1",
    );
    run(
        &not_int,
        &["--vocab", "0"],
        "Error: --vocab: must be at least 1",
    );
    run(
        &not_int,
        &["--embed-dim", "0"],
        "Error: --embed-dim: must be at least 1",
    );
    run(
        &not_int,
        &["--vocab", "40000000", "--embed-dim", "64"],
        "Error: --embed-dim: --vocab 40000000 x --embed-dim 64 make an embedding of 2560000064 values, more than 1000000000",
    );
    run(
        &not_int,
        &["--seq-len", "65536", "--embed-dim", "65536"],
        "Error: --embed-dim: a batch would hold 8589934592 embedding values (--batch-size 2 x sequence length 65536 x --embed-dim 65536), more than 2147483648",
    );
    // An inferred vocabulary too large for the embedding is refused by column.
    let huge = file("huge.csv", "1,3 49999999,0");
    run(
        &huge,
        &[],
        "column 'seq': 50000000 token ids x --embed-dim 64 make an embedding of 3200000064 values",
    );
    assert_rejected(
        &[
            "suggest", "--data", &not_int, "--target", "label", "--tokens", "nope", "--out", o,
        ],
        &out,
        "column 'nope' (from --tokens) not found",
    );
    assert_rejected(
        &[
            "suggest", "--data", &not_int, "--target", "label", "--tokens", "label", "--out", o,
        ],
        &out,
        "Error: --tokens: 'label' is the target column",
    );
    run(
        &not_int,
        &["--features", "seq"],
        "Error: --features: 'seq' is the --tokens column",
    );
    // Sequence flags without --tokens.
    for (flag, value) in [("--seq-len", "8"), ("--vocab", "10")] {
        assert_rejected(
            &["suggest", flag, value, "--out", o],
            &out,
            &format!("Error: {flag}: applies to token sequences (--tokens) only"),
        );
    }
    // The list form itself is read (and `x` is no feature unless named).
    let ok = d.join("ok");
    let o = lrfind_ok(&[
        "suggest",
        "--data",
        &listed_ok,
        "--target",
        "label",
        "--tokens",
        "seq",
        "--batch-size",
        "2",
        "--iters",
        "20",
        "--out",
        ok.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("(11 rows, 0 features)"));
    // A column of one integer per cell is read as text too: a fraction is refused alike.
    let mut text = String::from("label,seq\n");
    for i in 0..10 {
        text += &format!("{},{i}\n", i % 2);
    }
    text += "1,0.5\n";
    let single = d.join("single.csv");
    std::fs::write(&single, text).unwrap();
    run(
        single.to_str().unwrap(),
        &[],
        "column 'seq', row 11: token '0.5' is not a non-negative integer",
    );
}
