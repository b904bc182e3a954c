//! `lrfind evaluate` on a small grid: every rule scored against real trainings.

use crate::{assert_rejected, lrfind_ok, read_json};

#[test]
fn evaluate_scores_every_rule_on_a_small_grid() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("eval");
    lrfind_ok(&[
        "evaluate",
        "-q",
        "--data",
        "breast_cancer",
        "--seeds",
        "2",
        "--grid-range",
        "1e-4:1",
        "--per-decade",
        "2",
        "--epochs",
        "2",
        "--iters",
        "80",
        "--iters-list",
        "60,80",
        "--out",
        out.to_str().unwrap(),
    ]);
    for f in [
        "evaluate.md",
        "evaluate.json",
        "evaluate.png",
        "evaluate.svg",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let doc = read_json(&out.join("evaluate.json"));
    let lrs = doc["spec"]["lrs"].as_array().unwrap();
    assert_eq!(lrs.len(), 9);
    assert_eq!(
        doc["losses"].as_array().unwrap().len(),
        2,
        "one grid per seed"
    );
    let (lo, hi) = (
        doc["grid"]["interval"][0].as_f64().unwrap(),
        doc["grid"]["interval"][1].as_f64().unwrap(),
    );
    let best = doc["grid"]["lrs"][doc["grid"]["best"].as_u64().unwrap() as usize]
        .as_f64()
        .unwrap();
    assert!(lo <= best && best <= hi);
    // Too small an LR learns nothing in two epochs: the best is not the grid's first point.
    assert!(best > 1e-4, "{best}");
    let rules = doc["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 6);
    for r in rules {
        assert_eq!(r["suggestions"].as_array().unwrap().len(), 2, "{r}");
        assert_eq!(r["by_iters"].as_array().unwrap().len(), 2, "{r}");
        for (lr, d) in r["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_f64())
            .zip(r["outside"].as_array().unwrap())
        {
            let inside = lr >= lo && lr <= hi;
            assert_eq!(inside, d.as_f64().unwrap() == 0.0, "{r}");
        }
    }
    assert_eq!(doc["confidence"].as_array().unwrap().len(), 2);
    let md = std::fs::read_to_string(out.join("evaluate.md")).unwrap();
    assert!(
        md.contains("## Conclusion") && md.contains("| knee |"),
        "{md}"
    );
    assert!(
        md.contains("Does the confidence track the regret? Too few seeds to judge (needs 5"),
        "two seeds cannot show a tracking: {md}"
    );
}

#[test]
fn a_bad_grid_range_is_named_once() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("eval");
    assert_rejected(
        &[
            "evaluate",
            "--grid-range",
            "1:1e-3",
            "--out",
            out.to_str().unwrap(),
        ],
        &out,
        "Error: --grid-range: needs 0 < LOW < HIGH, got '1:1e-3'",
    );
}

/// The knee rule's answer is expressed for a reference ramp rate, so a test with 3x more
/// steps per decade (where the loss falls at a lower LR) suggests about the same LR.
/// Measured on every evaluate case: 0.14 decades apart on average between 100, 300 and
/// 1000 iterations; the earlier knee and the anchors' rules moved 0.4 to 1.6 decades.
#[test]
fn knee_changes_little_with_the_iteration_count() {
    let dir = crate::TempDir::new();
    let knee = |iters: &str| {
        let out = dir.path().join(iters);
        lrfind_ok(&[
            "suggest",
            "-q",
            "--iters",
            iters,
            "--out",
            out.to_str().unwrap(),
        ]);
        let doc = read_json(&out.join("lr_find.json"));
        let steep = doc["suggestions"]["steep"]["lr"].as_f64().unwrap();
        (doc["suggestions"]["knee"]["lr"].as_f64().unwrap(), steep)
    };
    let (short, steep_short) = knee("100");
    let (long, steep_long) = knee("1000");
    let apart = (short / long).log10().abs();
    assert!(
        apart < 0.3,
        "knee {short:e} at 100 vs {long:e} at 1000 iterations"
    );
    // The curve itself moves: fastai's steepest point moves by more than half a decade.
    let steep_apart = (steep_short / steep_long).log10().abs();
    assert!(steep_apart > 0.5, "steep {steep_short:e} vs {steep_long:e}");
}
