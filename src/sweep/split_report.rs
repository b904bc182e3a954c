//! A trained configuration's report on one split: loss, and the classification report with
//! ROC-AUC (probabilities from softmax or sigmoid, a binary model's class chosen by a
//! threshold) or the regression metrics, all computed by [`crate::metrics`].

use serde::{Deserialize, Serialize};

use crate::metrics::{self, Report};
use crate::model::Head;
use crate::train::{Predictions, argmax};

/// Metrics of one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Metrics {
    /// Classification.
    Classification {
        /// Per-class precision, recall, F1 and support; accuracy; averages; confusion matrix.
        report: Report,
        /// ROC-AUC (binary), or one-vs-rest macro ROC-AUC (multiclass); absent when the
        /// split holds one class only.
        roc_auc: Option<f64>,
        /// The binary ROC curve as (false-positive rate, true-positive rate) points
        /// (validation split only; empty otherwise).
        roc: Vec<(f64, f64)>,
    },
    /// Regression, in the target's units.
    Regression {
        /// Mean squared error.
        mse: f64,
        /// Mean absolute error.
        mae: f64,
        /// Coefficient of determination.
        r2: f64,
    },
}

/// One split's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitReport {
    /// "training", "validation" or "test".
    pub split: String,
    /// Rows evaluated.
    pub rows: usize,
    /// Mean loss of the model's own loss function.
    pub loss: f64,
    /// The metrics.
    pub metrics: Metrics,
}

impl SplitReport {
    /// Accuracy (classification).
    pub fn accuracy(&self) -> Option<f64> {
        self.report().map(|r| r.accuracy)
    }

    /// Macro-averaged F1 (classification).
    pub fn macro_f1(&self) -> Option<f64> {
        self.report().map(|r| r.macro_avg.f1)
    }

    /// ROC-AUC (classification, when defined).
    pub fn roc_auc(&self) -> Option<f64> {
        match &self.metrics {
            Metrics::Classification { roc_auc, .. } => *roc_auc,
            Metrics::Regression { .. } => None,
        }
    }

    /// The classification report.
    pub fn report(&self) -> Option<&Report> {
        match &self.metrics {
            Metrics::Classification { report, .. } => Some(report),
            Metrics::Regression { .. } => None,
        }
    }
}

/// Class probabilities, row-major `rows × k`, from a head's outputs (k = 2 for one logit).
fn probabilities(head: Head, p: &Predictions) -> Vec<f64> {
    match head {
        Head::BinaryLogit => p
            .outputs
            .iter()
            .flat_map(|&z| {
                let pos = 1.0 / (1.0 + (-(z as f64)).exp());
                [1.0 - pos, pos]
            })
            .collect(),
        _ => p
            .outputs
            .chunks(p.width)
            .flat_map(|row| {
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                let e: Vec<f64> = row.iter().map(|&z| (z as f64 - max).exp()).collect();
                let sum: f64 = e.iter().sum();
                e.into_iter().map(move |v| v / sum)
            })
            .collect(),
    }
}

/// The report of `split` from a model's predictions. A two-class model predicts the
/// positive class (index 1) when its probability is at least `threshold`; a multiclass
/// model predicts its most probable class. `target` is the regression target's
/// (mean, scale), to report errors in its units. `with_roc` keeps the binary ROC curve.
pub fn split_report(
    split: &str,
    head: Head,
    p: &Predictions,
    threshold: f64,
    target: (f64, f64),
    with_roc: bool,
) -> SplitReport {
    let rows = p.labels.len();
    let metrics = match head {
        Head::Regression => {
            let unscale = |v: f64| v * target.1 + target.0;
            let y: Vec<f64> = p.labels.iter().map(|&v| unscale(v)).collect();
            let pred: Vec<f64> = p.outputs.iter().map(|&v| unscale(v as f64)).collect();
            let (mse, mae, r2) = metrics::regression(&y, &pred);
            Metrics::Regression { mse, mae, r2 }
        }
        _ => {
            let k = if head == Head::BinaryLogit {
                2
            } else {
                p.width
            };
            let probs = probabilities(head, p);
            let y: Vec<usize> = p.labels.iter().map(|&l| l as usize).collect();
            let pred: Vec<usize> = if k == 2 {
                probs
                    .chunks(2)
                    .map(|r| usize::from(r[1] >= threshold))
                    .collect()
            } else {
                p.outputs.chunks(k).map(argmax).collect()
            };
            let (roc_auc, roc) = if k == 2 {
                let positive: Vec<bool> = y.iter().map(|&c| c == 1).collect();
                let scores: Vec<f64> = probs.chunks(2).map(|r| r[1]).collect();
                let curve = if with_roc {
                    metrics::roc_curve(&positive, &scores)
                } else {
                    Vec::new()
                };
                (metrics::roc_auc(&positive, &scores), curve)
            } else {
                (metrics::roc_auc_ovr_macro(&y, &probs, k), Vec::new())
            };
            Metrics::Classification {
                report: metrics::classification_report(&y, &pred, k),
                roc_auc,
                roc,
            }
        }
    };
    SplitReport {
        split: split.into(),
        rows,
        loss: p.loss,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preds(outputs: Vec<f32>, width: usize, labels: Vec<f64>) -> Predictions {
        Predictions {
            outputs,
            width,
            labels,
            loss: 0.5,
        }
    }

    #[test]
    fn threshold_decides_the_binary_class() {
        // Logits 0 (p = 0.5), 1 (p = 0.73), -1 (p = 0.27).
        let p = preds(vec![0.0, 1.0, -1.0], 1, vec![0.0, 1.0, 0.0]);
        let at_half = split_report("validation", Head::BinaryLogit, &p, 0.5, (0.0, 1.0), true);
        assert_eq!(at_half.report().unwrap().confusion, [[1, 1], [0, 1]]);
        let at_08 = split_report("validation", Head::BinaryLogit, &p, 0.8, (0.0, 1.0), true);
        assert_eq!(at_08.report().unwrap().confusion, [[2, 0], [1, 0]]);
        assert_eq!(at_08.report().unwrap().predicts_only(), Some(0));
        assert_eq!(at_half.roc_auc(), Some(1.0));
        assert_eq!(
            at_half.roc_auc(),
            at_08.roc_auc(),
            "AUC ignores the threshold"
        );
    }

    #[test]
    fn softmax_rows_sum_to_one_and_argmax_predicts() {
        let p = preds(vec![2.0, 0.0, 0.0, 0.0, 3.0, 0.0], 3, vec![0.0, 1.0]);
        let probs = probabilities(Head::Classes(3), &p);
        assert!((probs[..3].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let r = split_report("test", Head::Classes(3), &p, 0.5, (0.0, 1.0), false);
        assert_eq!(r.accuracy(), Some(1.0));
    }

    #[test]
    fn regression_is_reported_in_target_units() {
        let p = preds(vec![1.0, -1.0], 1, vec![1.0, 0.0]);
        let r = split_report("test", Head::Regression, &p, 0.5, (10.0, 2.0), false);
        // Targets 12, 10; predictions 12, 8.
        assert_eq!(
            r.metrics,
            Metrics::Regression {
                mse: 2.0,
                mae: 1.0,
                r2: 1.0 - 2.0 / 1.0
            }
        );
    }
}
