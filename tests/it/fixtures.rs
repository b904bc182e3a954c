//! The analysis against the anchors' own outputs (`tests/fixtures/suggestions.json`):
//! fastai's smoothing and rules, torch-lr-finder's smoothing and rule, and lrfind's knee.

use lrfind::analysis::Method;
use lrfind::analysis::rules::{self, Curve};
use lrfind::analysis::smoothing::{ema_debiased, ema_torch};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("../fixtures/suggestions.json");
    let doc: Value = serde_json::from_str(text).expect("fixture parses");
    doc["cases"].as_array().expect("cases").clone()
}

/// JSON arrays of numbers, `null` standing for NaN.
fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// Recorded cases carry 7 significant digits; synthetic ones full precision.
fn assert_close(actual: f64, expected: f64, case: &str, what: &str) {
    let tol = 2e-7 * expected.abs();
    assert!(
        (actual - expected).abs() <= tol.max(1e-300),
        "{case} {what}: got {actual:e}, expected {expected:e}"
    );
}

#[test]
fn fastai_rules_reproduce_every_case_failures_included() {
    let mut checked = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let lrs = floats(&case["lrs"]);
        let smoothed = floats(&case["smoothed_losses"]);
        let curve = Curve::training(
            &lrs,
            &smoothed,
            &smoothed,
            case["num_it"].as_u64().unwrap() as usize,
        );
        let expected = &case["expected_fastai"];
        for method in [
            Method::Minimum,
            Method::Steep,
            Method::Valley,
            Method::Slide,
        ] {
            let got = method.apply(&curve);
            match expected[method.name()].as_f64() {
                Some(lr) => assert_close(got.expect(name).lr, lr, name, method.name()),
                None => {
                    assert!(
                        got.is_err(),
                        "{name} {}: expected the anchor's failure",
                        method.name()
                    );
                    assert!(got.unwrap_err().contains("IndexError"));
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * 27);
}

#[test]
fn torch_lr_finder_rule_on_smoothed_losses() {
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let lrs = floats(&case["lrs"]);
        let smoothed = floats(&case["smoothed_losses"]);
        let expected = case["expected_torch_lr_finder_rule_on_smoothed_losses"]
            .as_f64()
            .unwrap();
        assert_close(
            rules::torch_steepest(&lrs, &smoothed).expect(name).lr,
            expected,
            name,
            "torch rule",
        );
    }
}

#[test]
fn torch_lr_finder_end_to_end_on_raw_losses() {
    for case in cases().iter().filter(|c| !c["raw_losses"].is_null()) {
        let name = case["name"].as_str().unwrap();
        let lrs = floats(&case["lrs"]);
        let raw = floats(&case["raw_losses"]);
        let smoothed = ema_debiased(&raw, 0.98);
        let curve = Curve::training(
            &lrs,
            &raw,
            &smoothed,
            case["num_it"].as_u64().unwrap() as usize,
        );
        let expected = case["expected_torch_lr_finder_on_raw_losses"]
            .as_f64()
            .unwrap();
        assert_close(
            Method::Torch.apply(&curve).expect(name).lr,
            expected,
            name,
            "torch end to end",
        );
    }
}

#[test]
fn both_smoothings_match_the_anchors() {
    for case in cases().iter().filter(|c| !c["raw_losses"].is_null()) {
        let name = case["name"].as_str().unwrap();
        let raw = floats(&case["raw_losses"]);
        for (got, key) in [
            (
                ema_debiased(&raw, 0.98),
                "expected_fastai_smoothing_beta_0_98",
            ),
            (
                ema_torch(&raw, 0.05),
                "expected_torch_lr_finder_smoothing_0_05",
            ),
        ] {
            let want = floats(&case[key]);
            assert_eq!(got.len(), want.len(), "{name} {key}");
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(
                    (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * w.abs().max(1.0),
                    "{name} {key}[{i}]: {g} vs {w}"
                );
            }
        }
    }
}

/// knee's exact answer on every synthetic fixture curve with raw losses (no planned
/// length: the reference training), pinned; each also lies inside the curve's acceptable
/// range when the curve has at least 40 points, and the flat curves give no answer.
const KNEE_PINNED: &[(&str, f64)] = &[
    ("v_shape_300", 4.935430696909623e-3),
    ("noisy_v_300", 4.105096626787898e-3),
    ("monotone_down_300", 7.822270159411493e-2),
    ("early_spike_300", 4.935430696909623e-3),
    ("explodes_to_nan_300", 3.6306865032158333e-3),
    ("v_shape_100", 1.8577740928333994e-3),
    ("noisy_v_100", 1.8577740928333994e-3),
    ("monotone_down_100", 2.944417234357067e-2),
    ("early_spike_100", 1.8577740928333994e-3),
    ("explodes_to_nan_100", 1.2852565806019006e-3),
    ("v_shape_40", 1.0182124444220624e-3),
    ("noisy_v_40", 1.613763927158544e-3),
    ("monotone_down_40", 1.613773091162184e-2),
    ("early_spike_40", 1.0182124444220624e-3),
    ("explodes_to_nan_40", 6.424448623734105e-4),
    ("v_shape_20", 6.243058443827059e-4),
    ("noisy_v_20", 1.5681913351318784e-3),
    ("monotone_down_20", 9.894639319608298e-3),
    ("early_spike_20", 6.243058443827059e-4),
    ("explodes_to_nan_20", 6.243058443827059e-4),
    ("nan_inside_window_300", 4.105096626787898e-3),
];

#[test]
fn knee_returns_its_pinned_value_on_every_fixture_curve() {
    let mut got = Vec::new();
    let mut inside = 0;
    for case in cases().iter().filter(|c| !c["raw_losses"].is_null()) {
        let name = case["name"].as_str().unwrap();
        let lrs = floats(&case["lrs"]);
        let raw = floats(&case["raw_losses"]);
        let answer = rules::knee(&Curve::training(&lrs, &raw, &raw, raw.len()));
        if name.starts_with("flat") {
            let reason = answer.expect_err(name);
            assert!(
                reason.contains("no reliable suggestion"),
                "{name}: {reason}"
            );
            continue;
        }
        let lr = answer.expect(name).lr;
        let range = floats(&case["acceptable_lr_range"]);
        if case["num_it"].as_u64().unwrap() >= 40 {
            assert!(
                range[0] <= lr && lr <= range[1],
                "{name}: knee {lr:e} outside {range:?}"
            );
            inside += 1;
        }
        got.push((name.to_string(), lr));
    }
    assert_eq!(inside, 16);
    let table: Vec<String> = got
        .iter()
        .map(|(n, v)| format!("    (\"{n}\", {v:e}),"))
        .collect();
    assert_eq!(
        got.len(),
        KNEE_PINNED.len(),
        "pinned values:\n{}",
        table.join("\n")
    );
    for ((name, lr), (pinned_name, pinned)) in got.iter().zip(KNEE_PINNED) {
        assert_eq!(name, pinned_name);
        assert!(
            (lr - pinned).abs() <= 1e-12 * pinned,
            "{name}: knee {lr:e}, pinned {pinned:e}\n{}",
            table.join("\n")
        );
    }
}

#[test]
fn confidence_is_high_on_clean_v_shapes_and_low_on_flat_or_unturned_curves() {
    use lrfind::analysis::confidence::Level;
    for case in cases() {
        let name = case["name"].as_str().unwrap().to_string();
        let (lrs, smoothed) = (floats(&case["lrs"]), floats(&case["smoothed_losses"]));
        // The recorded cases carry no raw losses; the smoothed curve stands in for them.
        let raw = if case["raw_losses"].is_array() {
            floats(&case["raw_losses"])
        } else {
            smoothed.clone()
        };
        let num_it = case["num_it"].as_u64().unwrap() as usize;
        let curve = lrfind::analysis::rules::Curve::training(&lrs, &raw, &smoothed, num_it);
        let c = lrfind::analysis::suggest_all(&curve, lrfind::Method::Knee).confidence;
        let long = num_it >= 100;
        if name.starts_with("v_shape") && long {
            assert_eq!(c.level, Level::High, "{name}: {c:?}");
        }
        if name.starts_with("flat") || name.starts_with("monotone_down") {
            assert_eq!(c.level, Level::Low, "{name}: {c:?}");
            assert!(!c.warnings.is_empty(), "{name} explains itself");
        }
    }
}

/// Lightning's rule in both pinned versions, on curves recorded by Lightning 2.6.6 itself
/// (`tests/fixtures/lightning/generate.py`): its EMA of the raw losses gives its curve, and
/// on it each version's rule returns the LR and index Lightning returned, the NaN case
/// included.
#[test]
fn lightning_rules_reproduce_lightning_2_6_and_2_5_2() {
    let doc: Value =
        serde_json::from_str(include_str!("../fixtures/lightning/lightning.json")).unwrap();
    assert_eq!(doc["versions"]["lightning"], "2.6.6");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    let mut with_nan = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let lrs = floats(&case["lrs"]);
        let recorded = floats(&case["smoothed_losses"]);
        let raw = floats(&case["raw_losses"]);
        with_nan += usize::from(raw.iter().any(|x| x.is_nan()));
        // Lightning's smoothing of the raw losses is its recorded curve.
        let ours = lrfind::analysis::smoothing::ema_lightning(&raw, 0.98);
        for (i, (a, b)) in ours.iter().zip(&recorded).enumerate() {
            assert!(
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * b.abs(),
                "{name} point {i}: {a} vs {b}"
            );
        }
        let curve = Curve::training(&lrs, &raw, &recorded, lrs.len());
        for (method, key) in [
            (Method::Lightning, "expected_lightning_2_6_6"),
            (Method::Lightning25, "expected_lightning_2_5_2"),
        ] {
            let pick = method.apply(&curve).expect(name);
            let index = case[format!("{key}_index")].as_u64().unwrap() as usize;
            assert_eq!(pick.index, index, "{name} {key}");
            assert_eq!(pick.lr, case[key].as_f64().unwrap(), "{name} {key}");
            // The rule alone, on Lightning's own curve, agrees too.
            let direct = rules::lightning(&lrs, &recorded, method == Method::Lightning).unwrap();
            assert_eq!(direct, pick, "{name} {key}");
        }
    }
    assert!(with_nan >= 1, "a case whose loss became NaN");
    // Too short a curve: Lightning returns None.
    let short: Vec<f64> = (0..11).map(|i| 1.0 - i as f64 * 0.01).collect();
    let lrs: Vec<f64> = (0..11).map(|i| 1e-3 * 1.5f64.powi(i)).collect();
    assert!(rules::lightning(&lrs, &short, true).is_err());
}
