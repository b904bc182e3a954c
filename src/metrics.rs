//! Classification and regression metrics: plain slices in, plain values out, agreeing with
//! scikit-learn (`classification_report(zero_division=0)`, `roc_auc_score`, `log_loss`).
//! A class that is never predicted has precision 0, never NaN.

use serde::{Deserialize, Serialize};

/// Precision, recall, F1 and support of one class (or an average).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassStats {
    /// tp / (tp + fp), 0 when nothing was predicted as the class.
    pub precision: f64,
    /// tp / (tp + fn), 0 when the class has no rows.
    pub recall: f64,
    /// Harmonic mean of precision and recall, 0 when both are 0.
    pub f1: f64,
    /// Rows whose true class this is (for averages: all rows).
    pub support: usize,
}

/// scikit-learn's classification report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// One entry per class, in class order.
    pub classes: Vec<ClassStats>,
    /// Fraction of rows predicted correctly.
    pub accuracy: f64,
    /// Unweighted mean over classes.
    pub macro_avg: ClassStats,
    /// Mean over classes weighted by support.
    pub weighted_avg: ClassStats,
    /// `matrix[true][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
}

impl Report {
    /// The class every row is predicted as, when the model predicts only one class.
    pub fn predicts_only(&self) -> Option<usize> {
        let k = self.confusion.len();
        let predicted: Vec<usize> = (0..k)
            .filter(|&p| (0..k).any(|t| self.confusion[t][p] > 0))
            .collect();
        (predicted.len() == 1).then(|| predicted[0])
    }
}

/// `matrix[true][predicted]` for `k` classes.
pub fn confusion_matrix(y_true: &[usize], y_pred: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; k]; k];
    for (&t, &p) in y_true.iter().zip(y_pred) {
        m[t][p] += 1;
    }
    m
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { 0.0 }
}

/// The classification report for `k` classes (zero division gives 0).
pub fn classification_report(y_true: &[usize], y_pred: &[usize], k: usize) -> Report {
    let confusion = confusion_matrix(y_true, y_pred, k);
    let n = y_true.len();
    let classes: Vec<ClassStats> = (0..k)
        .map(|c| {
            let tp = confusion[c][c] as f64;
            let predicted: usize = (0..k).map(|t| confusion[t][c]).sum();
            let support: usize = confusion[c].iter().sum();
            let precision = ratio(tp, predicted as f64);
            let recall = ratio(tp, support as f64);
            ClassStats {
                precision,
                recall,
                f1: ratio(2.0 * precision * recall, precision + recall),
                support,
            }
        })
        .collect();
    let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
    let avg = |weight: &dyn Fn(&ClassStats) -> f64| {
        let total: f64 = classes.iter().map(weight).sum();
        let mean = |f: &dyn Fn(&ClassStats) -> f64| {
            ratio(classes.iter().map(|c| weight(c) * f(c)).sum(), total)
        };
        ClassStats {
            precision: mean(&|c| c.precision),
            recall: mean(&|c| c.recall),
            f1: mean(&|c| c.f1),
            support: n,
        }
    };
    Report {
        accuracy: ratio(correct as f64, n as f64),
        macro_avg: avg(&|_| 1.0),
        weighted_avg: avg(&|c| c.support as f64),
        classes,
        confusion,
    }
}

/// The ROC curve of scores for the positive class: `(fpr, tpr)` points from (0, 0) to
/// (1, 1), one per distinct threshold (tied scores move both rates at once).
pub fn roc_curve(positive: &[bool], scores: &[f64]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let p = positive.iter().filter(|&&y| y).count() as f64;
    let n = positive.len() as f64 - p;
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut points = vec![(0.0, 0.0)];
    for (i, &row) in order.iter().enumerate() {
        if positive[row] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_tie = order
            .get(i + 1)
            .is_none_or(|&next| scores[next] != scores[row]);
        if last_of_tie {
            points.push((ratio(fp, n), ratio(tp, p)));
        }
    }
    points
}

/// Area under the ROC curve (trapezoids, so ties count half); `None` when only one class
/// is present.
pub fn roc_auc(positive: &[bool], scores: &[f64]) -> Option<f64> {
    let p = positive.iter().filter(|&&y| y).count();
    if p == 0 || p == positive.len() {
        return None;
    }
    let pts = roc_curve(positive, scores);
    Some(
        pts.windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
            .sum(),
    )
}

/// One-vs-rest macro ROC-AUC over `k` classes; `probs` is row-major `rows × k`.
pub fn roc_auc_ovr_macro(y_true: &[usize], probs: &[f64], k: usize) -> Option<f64> {
    let aucs: Option<Vec<f64>> = (0..k)
        .map(|c| {
            let positive: Vec<bool> = y_true.iter().map(|&t| t == c).collect();
            let scores: Vec<f64> = probs.chunks(k).map(|row| row[c]).collect();
            roc_auc(&positive, &scores)
        })
        .collect();
    aucs.map(|a| a.iter().sum::<f64>() / k as f64)
}

/// Mean negative log-likelihood of the true class; `probs` is row-major `rows × k`, each row
/// normalised to sum to 1 and clipped to `[1e-15, 1 - 1e-15]`, the values scikit-learn 1.9
/// gives on the reference cases (a confident wrong answer costs about 34.5, not infinity).
pub fn log_loss(y_true: &[usize], probs: &[f64], k: usize) -> f64 {
    let eps = 1e-15;
    let total: f64 = probs
        .chunks(k)
        .zip(y_true)
        .map(|(row, &t)| {
            let sum: f64 = row.iter().sum();
            -(row[t] / sum).clamp(eps, 1.0 - eps).ln()
        })
        .sum();
    total / y_true.len().max(1) as f64
}

/// Mean squared error, mean absolute error and R² of predictions.
pub fn regression(y_true: &[f64], y_pred: &[f64]) -> (f64, f64, f64) {
    let n = y_true.len().max(1) as f64;
    let mse = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p).powi(2))
        .sum::<f64>()
        / n;
    let mae = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p).abs())
        .sum::<f64>()
        / n;
    let mean = y_true.iter().sum::<f64>() / n;
    let var = y_true.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / n;
    let r2 = if var > 0.0 { 1.0 - mse / var } else { 0.0 };
    (mse, mae, r2)
}
