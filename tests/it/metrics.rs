//! The metrics against scikit-learn's own outputs (`tests/fixtures/metrics.json`), to 1e-9.

use lrfind::metrics::{self, ClassStats};
use serde_json::Value;

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-9, "{what}: {a} vs {b}");
}

fn check_stats(got: &ClassStats, want: &Value, what: &str) {
    close(
        got.precision,
        want["precision"].as_f64().unwrap(),
        &format!("{what} precision"),
    );
    close(
        got.recall,
        want["recall"].as_f64().unwrap(),
        &format!("{what} recall"),
    );
    close(
        got.f1,
        want["f1-score"].as_f64().unwrap(),
        &format!("{what} f1"),
    );
    assert_eq!(
        got.support as f64,
        want["support"].as_f64().unwrap(),
        "{what} support"
    );
}

#[test]
fn every_case_matches_scikit_learn() {
    let doc: Value = serde_json::from_str(include_str!("../fixtures/metrics.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let ints = |k: &str| {
            case[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect::<Vec<_>>()
        };
        let (y_true, y_pred) = (ints("y_true"), ints("y_pred"));
        let e = &case["expected"];
        let binary = case["kind"] == "binary";
        let k = if binary {
            2
        } else {
            case["classes"].as_u64().unwrap() as usize
        };
        let report = metrics::classification_report(&y_true, &y_pred, k);
        for c in 0..k {
            check_stats(
                &report.classes[c],
                &e["report"][c.to_string()],
                &format!("{name} class {c}"),
            );
        }
        check_stats(
            &report.macro_avg,
            &e["report"]["macro avg"],
            &format!("{name} macro"),
        );
        check_stats(
            &report.weighted_avg,
            &e["report"]["weighted avg"],
            &format!("{name} weighted"),
        );
        close(report.accuracy, e["accuracy"].as_f64().unwrap(), name);
        let cm: Vec<Vec<usize>> = serde_json::from_value(e["confusion_matrix"].clone()).unwrap();
        assert_eq!(report.confusion, cm, "{name} confusion");

        let probs: Vec<f64> = if binary {
            case["p_positive"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| {
                    let p = p.as_f64().unwrap();
                    [1.0 - p, p]
                })
                .collect()
        } else {
            case["probabilities"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap())
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        if binary {
            let positive: Vec<bool> = y_true.iter().map(|&t| t == 1).collect();
            let scores: Vec<f64> = probs.chunks(2).map(|r| r[1]).collect();
            close(
                metrics::roc_auc(&positive, &scores).unwrap(),
                e["roc_auc"].as_f64().unwrap(),
                &format!("{name} auc"),
            );
        } else {
            close(
                metrics::roc_auc_ovr_macro(&y_true, &probs, k).unwrap(),
                e["roc_auc_ovr_macro"].as_f64().unwrap(),
                &format!("{name} auc"),
            );
        }
        close(
            metrics::log_loss(&y_true, &probs, k),
            e["log_loss"].as_f64().unwrap(),
            &format!("{name} log loss"),
        );
        if name.contains("all_negative") || name.contains("collapsed") {
            assert_eq!(report.predicts_only(), Some(0), "{name}");
        } else {
            assert_eq!(report.predicts_only(), None, "{name}");
        }
    }
}

#[test]
fn regression_metrics_on_a_small_case() {
    let (mse, mae, r2) = metrics::regression(&[1.0, 2.0, 3.0, 4.0], &[1.5, 2.0, 2.5, 5.0]);
    close(mse, (0.25 + 0.0 + 0.25 + 1.0) / 4.0, "mse");
    close(mae, (0.5 + 0.0 + 0.5 + 1.0) / 4.0, "mae");
    close(r2, 1.0 - 0.375 / 1.25, "r2");
}
