//! `knee` on real range tests: the planned training length, the cap at the smoothed
//! loss's minimum, and the LRs summed on the validation curve.

use std::path::Path;

use lrfind::analysis::rules::{
    KNEE, KNEE_BUDGET_EXPONENT, KNEE_REFERENCE_STEPS_PER_DECADE, KNEE_REFERENCE_TRAINING_STEPS,
    KneeParams, knee_point, knee_with,
};
use serde_json::Value;

use crate::{assert_rejected, lrfind_ok, read_json};

fn suggest(out: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["suggest", "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    lrfind_ok(&args);
    read_json(&out.join("lr_find.json"))
}

/// `(lr, loss, val_loss)` columns of `lr_find.csv` (`val_loss` NaN where not evaluated).
fn history(out: &Path) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let text = std::fs::read_to_string(out.join("lr_find.csv")).unwrap();
    let mut cols = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .map(|x| x.parse().unwrap_or(f64::NAN))
            .collect();
        cols.0.push(f[1]);
        cols.1.push(f[2]);
        cols.2.push(f[4]);
    }
    cols
}

fn chosen(doc: &Value) -> f64 {
    doc["chosen"]["lr"].as_f64().unwrap()
}

#[test]
fn the_planned_training_length_scales_the_suggestion() {
    let dir = crate::TempDir::new();
    let data = ["--data", "breast_cancer", "--iters", "150"];
    let plain = suggest(&dir.path().join("plain"), &data);
    assert_eq!(
        plain["chosen"]["training_steps"].as_f64(),
        Some(KNEE_REFERENCE_TRAINING_STEPS),
        "without a length, the suggestion is for knee's reference"
    );
    // An epoch of the planned training keeps its last short batch, as PyTorch's, Keras' and
    // Burn's loaders do.
    let steps_per_epoch = plain["data"]["split_rows"][0]
        .as_u64()
        .unwrap()
        .div_ceil(64);
    let with = |flag: &str, n: u64| {
        let mut args = data.to_vec();
        let n = n.to_string();
        args.extend([flag, n.as_str()]);
        suggest(&dir.path().join(format!("{flag}{n}")), &args)
    };
    let five = with("--epochs", 5);
    let t = 5 * steps_per_epoch;
    assert_eq!(five["chosen"]["training_steps"].as_f64(), Some(t as f64));
    assert_eq!(
        five["chosen"]["index"], plain["chosen"]["index"],
        "same point read"
    );
    let expected =
        chosen(&plain) * (KNEE_REFERENCE_TRAINING_STEPS / t as f64).powf(KNEE_BUDGET_EXPONENT);
    assert!(
        (chosen(&five) - expected).abs() <= 1e-9 * expected,
        "{} vs {expected}",
        chosen(&five)
    );
    // --steps counts the same optimizer steps.
    let steps = with("--steps", t);
    assert_eq!(chosen(&steps), chosen(&five));
    // Shorter trainings want a higher LR.
    assert!(chosen(&with("--epochs", 1)) > chosen(&with("--epochs", 20)));
    // The anchors' rules do not read the length.
    assert_eq!(five["suggestions"]["steep"], plain["suggestions"]["steep"]);
}

#[test]
fn a_bad_training_length_is_named() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("bad");
    let o = out.to_str().unwrap();
    for (args, needle) in [
        (vec!["--epochs", "0"], "Error: --epochs: must be at least 1"),
        (vec!["--steps", "0"], "Error: --steps: must be at least 1"),
        (
            vec!["--epochs", "3", "--steps", "40"],
            "Error: --steps: give the training length once: --epochs or --steps, not both",
        ),
    ] {
        let mut all = vec!["suggest", "--out", o];
        all.extend(args);
        assert_rejected(&all, &out, needle);
    }
}

/// On a long fine ramp the summed LRs make the reference-ramp answer large: on cars it
/// would lie beyond the LR where the smoothed loss stopped falling; knee stops there.
#[test]
fn knee_never_goes_beyond_where_the_loss_stopped_falling() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("cars");
    let doc = suggest(
        &out,
        &[
            "--data",
            "assets/cars.csv",
            "--iters",
            "2000",
            "--start-lr",
            "1e-4",
            "--end-lr",
            "1",
        ],
    );
    let (lrs, raw, _) = history(&out);
    let point = knee_point(&lrs, &raw, &KNEE).unwrap();
    let cap = lrs[point.minimum];
    let curve = lrfind::analysis::rules::Curve::training(&lrs, &raw, &raw, lrs.len());
    let uncapped = knee_with(
        &curve,
        &KneeParams {
            minimum_margin_decades: None,
            ..KNEE
        },
    )
    .unwrap()
    .lr;
    assert!(
        uncapped > cap * 1.2,
        "the cap matters here: {uncapped} vs {cap}"
    );
    assert_eq!(chosen(&doc), cap);
}

/// The validation curve is read every K steps: the LRs summed are those of every step up to
/// the point read, on exponential and linear ramps alike (not K times the read points').
#[test]
fn knee_sums_every_step_on_the_validation_curve() {
    let dir = crate::TempDir::new();
    for (name, ramp) in [
        ("exp", vec!["--ramp", "exp"]),
        (
            "linear",
            vec!["--ramp", "linear", "--start-lr", "1e-6", "--end-lr", "0.02"],
        ),
    ] {
        let out = dir.path().join(name);
        let mut args = vec!["--val-every", "10", "--suggest-on", "validation"];
        args.extend(ramp);
        let doc = suggest(&out, &args);
        assert_eq!(doc["chosen"]["curve"], "validation");
        let (lrs, _, val) = history(&out);
        let read: Vec<usize> = (0..lrs.len()).filter(|&i| val[i].is_finite()).collect();
        let k = doc["chosen"]["index"].as_u64().unwrap() as usize;
        let step = read[k];
        let summed: f64 = lrs[..=step].iter().sum();
        let reference = 1.0 - 10f64.powf(-1.0 / KNEE_REFERENCE_STEPS_PER_DECADE);
        let expected = summed * reference;
        let right_endpoint: f64 =
            10.0 * read[..=k].iter().map(|&i| lrs[i]).sum::<f64>() * reference;
        assert!(
            (chosen(&doc) - expected).abs() <= 1e-9 * expected,
            "{name}: {} vs {expected}",
            chosen(&doc)
        );
        assert!(
            (right_endpoint / expected - 1.0).abs() > 1e-3,
            "{name}: the two sums differ, so the test can tell them apart"
        );
    }
}

/// A loss that falls by a fifth through heavy batch noise (fair's affairs, noisy binary
/// labels) is read: the fall is set against its standard error (the noise over the points
/// the smoothing averages), not against one raw point's noise, which refused it. The answer
/// lands in the good interval `lrfind evaluate` measured there at 5 epochs (1.3e-4 to 0.32).
#[test]
fn a_small_fall_through_heavy_noise_is_read() {
    let dir = crate::TempDir::new();
    let doc = suggest(
        dir.path(),
        &[
            "--data",
            "assets/fair.csv",
            "--weight-decay",
            "0.01",
            "--hidden",
            "64",
            "--seed",
            "1",
            "--epochs",
            "5",
        ],
    );
    let lr = chosen(&doc);
    assert!((1.33e-4..=0.316).contains(&lr), "{lr:e}");
}
