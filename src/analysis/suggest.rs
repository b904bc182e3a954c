//! Runs every suggestion rule on a recorded curve and picks the chosen one.
//!
//! A rule's exact value can lie outside the tested LR range (fastai's `minimum` divides by
//! 10): it is then reported clamped to the range and flagged `clamped`, with the exact value
//! kept beside it.

use serde::{Deserialize, Serialize};

use super::confidence::{Confidence, FALLING_PART_RULES, confidence};
use super::rules::{Curve, Method};

/// One rule's answer on one curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The rule.
    pub method: Method,
    /// The suggested LR, inside the tested range; `None` when the rule cannot apply.
    pub lr: Option<f64>,
    /// Index of the curve point the rule used; `None` when the rule cannot apply.
    pub index: Option<usize>,
    /// The rule's exact value when it lies outside the tested range.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exact_lr: Option<f64>,
    /// Whether `lr` was clamped to the tested range.
    #[serde(default)]
    pub clamped: bool,
    /// Why the rule cannot apply to this curve.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// Every rule's answer and the chosen one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    /// One entry per rule, in [`Method::ALL`] order.
    pub all: Vec<Suggestion>,
    /// The method whose answer is the suggestion.
    pub chosen_method: Method,
    /// How far the curve's answers can be trusted.
    pub confidence: Confidence,
}

impl Suggestions {
    /// The chosen rule's answer.
    pub fn chosen(&self) -> &Suggestion {
        self.get(self.chosen_method)
            .expect("suggest_all runs every method")
    }

    /// One rule's answer.
    pub fn get(&self, method: Method) -> Option<&Suggestion> {
        self.all.iter().find(|s| s.method == method)
    }
}

/// Runs every rule on the curve; `chosen` names the one whose answer is the suggestion.
pub fn suggest_all(curve: &Curve, chosen: Method) -> Suggestions {
    let all: Vec<Suggestion> = Method::ALL
        .iter()
        .map(|&method| suggestion(method, curve))
        .collect();
    let falling_part: Vec<f64> = (all.iter())
        .filter(|s| FALLING_PART_RULES.contains(&s.method))
        .filter_map(|s| s.lr)
        .collect();
    Suggestions {
        confidence: confidence(
            curve,
            &falling_part,
            chosen,
            all.iter().any(|s| s.method == chosen && s.lr.is_some()),
        ),
        all,
        chosen_method: chosen,
    }
}

/// One rule's answer, clamped to the tested range.
pub fn suggestion(method: Method, curve: &Curve) -> Suggestion {
    match method.apply(curve) {
        Ok(pick) => {
            let (lo, hi) = tested_range(curve.lrs);
            let lr = pick.lr.clamp(lo, hi);
            let clamped = lr != pick.lr;
            Suggestion {
                method,
                lr: Some(lr),
                index: Some(pick.index),
                exact_lr: clamped.then_some(pick.lr),
                clamped,
                reason: None,
            }
        }
        Err(reason) => Suggestion {
            method,
            lr: None,
            index: None,
            exact_lr: None,
            clamped: false,
            reason: Some(reason),
        },
    }
}

/// The lowest and highest LR on the curve (`(0, 0)` for an empty curve).
pub fn tested_range(lrs: &[f64]) -> (f64, f64) {
    let lo = lrs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = lrs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() { (lo, hi) } else { (0.0, 0.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_below_the_range_is_clamped_and_flagged() {
        let lrs: Vec<f64> = (0..40).map(|i| 1e-3 * 1.1f64.powi(i)).collect();
        // Lowest loss at the first point of fastai's window: minimum = lrs[4] / 10 < lrs[0].
        let losses: Vec<f64> = (0..40)
            .map(|i| if i == 4 { 0.1 } else { 1.0 + i as f64 })
            .collect();
        let curve = Curve::training(&lrs, &losses, &losses, 40);
        let s = suggestion(Method::Minimum, &curve);
        assert!(s.clamped);
        assert_eq!(s.lr, Some(lrs[0]));
        assert!((s.exact_lr.unwrap() - lrs[4] / 10.0).abs() < 1e-18);
        assert_eq!(s.index, Some(4));
    }
}
