//! Other tools' range-test curves made readable by the rules: undoing the smoothing a tool
//! saved in place of the raw loss, and recognising the LR ramp from the LRs alone.
//!
//! - fastai (`learn.recorder.losses`) and Lightning (`lr_finder.results["loss"]`) save a
//!   bias-corrected EMA with beta 0.98: `v_k = beta v_(k-1) + (1 - beta) x_k`, divided by
//!   `1 - beta^(k+1)` (fastai) or `1 - beta^(k+2)` (Lightning, whose step counter is
//!   already 1 after the first step). torch-lr-finder (`lr_finder.history["loss"]`) saves
//!   `s_0 = x_0`, `s_k = f x_k + (1 - f) s_(k-1)` with `smooth_f` 0.05, no bias correction.
//!   Each is inverted exactly; the inversion multiplies the rounding error of the saved
//!   values by about `1 / (1 - beta)` (50) or `1 / f` (20).
//! - keras-lr-finder (`lr_finder.losses`) saves Keras's `logs['loss']` of each batch, which
//!   under TensorFlow 2 is the running mean of the epoch's batch losses so far:
//!   `m_j = (x_0 + ... + x_j) / (j + 1)` within each epoch, so `x_j = (j + 1) m_j - j m_(j-1)`
//!   (the error grows with `j`).

use serde::{Deserialize, Serialize};

use super::smoothing::median;

/// How a tool smoothed the losses it saved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Smoothing {
    /// The raw loss of every step.
    Raw,
    /// fastai's bias-corrected EMA, debiased with `1 - beta^(k+1)`.
    Fastai {
        /// EMA factor (0.98).
        beta: f64,
    },
    /// Lightning's bias-corrected EMA, debiased with `1 - beta^(k+2)`.
    Lightning {
        /// EMA factor (0.98).
        beta: f64,
    },
    /// torch-lr-finder's EMA, `s_0 = x_0`, no bias correction.
    Torch {
        /// Weight of the newest value (`smooth_f`, 0.05).
        factor: f64,
    },
    /// Keras's running mean of the epoch's batch losses (keras-lr-finder under TF 2).
    EpochMean {
        /// Batches per epoch (None: the whole curve is one epoch).
        steps_per_epoch: Option<usize>,
    },
}

impl Smoothing {
    /// The raw losses behind `saved`. A non-finite saved value makes its own raw value
    /// non-finite, and the next one (torch-lr-finder) or every later one (the debiased EMAs,
    /// which carry it).
    pub fn undo(&self, saved: &[f64]) -> Vec<f64> {
        match *self {
            Smoothing::Raw => saved.to_vec(),
            Smoothing::Fastai { beta } => undo_debiased(saved, beta, 1),
            Smoothing::Lightning { beta } => undo_debiased(saved, beta, 2),
            Smoothing::Torch { factor } => {
                let mut out = Vec::with_capacity(saved.len());
                for (k, &s) in saved.iter().enumerate() {
                    out.push(if k == 0 {
                        s
                    } else {
                        (s - (1.0 - factor) * saved[k - 1]) / factor
                    });
                }
                out
            }
            Smoothing::EpochMean { steps_per_epoch } => {
                let per = steps_per_epoch.unwrap_or(usize::MAX).max(1);
                saved
                    .iter()
                    .enumerate()
                    .map(|(k, &m)| {
                        let j = (k % per) as f64;
                        if k % per == 0 {
                            m
                        } else {
                            (j + 1.0) * m - j * saved[k - 1]
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Inverts `s_k = v_k / (1 - beta^(k + offset))`, `v_k = beta v_(k-1) + (1 - beta) x_k`.
fn undo_debiased(saved: &[f64], beta: f64, offset: i32) -> Vec<f64> {
    let mut prev = 0.0;
    saved
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let v = s * (1.0 - beta.powi(k as i32 + offset));
            let x = (v - beta * prev) / (1.0 - beta);
            prev = v;
            x
        })
        .collect()
}

/// The LR ramp a curve's LRs follow.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RampFit {
    /// A constant ratio between neighbours.
    Exponential {
        /// Points per decade of LR.
        steps_per_decade: f64,
    },
    /// A constant difference between neighbours.
    Linear {
        /// The LR added at every step.
        step: f64,
    },
    /// Increasing, but neither (e.g. a ramp that was cut and resumed).
    Irregular,
}

impl RampFit {
    /// In words, for the output.
    pub fn describe(&self) -> String {
        match self {
            RampFit::Exponential { steps_per_decade } => {
                format!("exponential, {steps_per_decade:.1} steps per decade")
            }
            RampFit::Linear { step } => format!("linear, {step:.3e} per step"),
            RampFit::Irregular => "irregular (neither exponential nor linear)".into(),
        }
    }
}

/// Fewest points a curve must have for the rules to read it.
pub const MIN_POINTS: usize = 10;

/// Recognises the ramp, or says why the LRs cannot be a range test's: fewer than
/// [`MIN_POINTS`], a value that is not a positive number, or LRs that do not increase.
pub fn infer_ramp(lrs: &[f64]) -> Result<RampFit, String> {
    if lrs.len() < MIN_POINTS {
        return Err(format!(
            "a range test needs at least {MIN_POINTS} points, this curve has {}",
            lrs.len()
        ));
    }
    if let Some(k) = lrs.iter().position(|l| !(l.is_finite() && *l > 0.0)) {
        return Err(format!(
            "learning rate {} (point {}) is not a positive number",
            lrs[k],
            k + 1
        ));
    }
    if let Some(k) = (1..lrs.len()).find(|&k| lrs[k] <= lrs[k - 1]) {
        return Err(format!(
            "the learning rates do not increase (point {} is {:e}, point {} is {:e})",
            k,
            lrs[k - 1],
            k + 1,
            lrs[k]
        ));
    }
    // The typical step, when at least 90 % of the steps are within 0.1 % of it (Lightning's
    // recorded LRs skip one step of the ramp after the first point).
    let typical = |d: &[f64]| {
        let m = median(d);
        let close = d
            .iter()
            .filter(|x| (*x - m).abs() <= 1e-3 * m.abs())
            .count();
        (close as f64 >= 0.9 * d.len() as f64).then_some(m)
    };
    let log_steps: Vec<f64> = lrs.windows(2).map(|w| (w[1] / w[0]).log10()).collect();
    let steps: Vec<f64> = lrs.windows(2).map(|w| w[1] - w[0]).collect();
    Ok(if let Some(m) = typical(&log_steps) {
        RampFit::Exponential {
            steps_per_decade: 1.0 / m,
        }
    } else if let Some(m) = typical(&steps) {
        RampFit::Linear { step: m }
    } else {
        RampFit::Irregular
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::smoothing::{ema_debiased, ema_lightning, ema_torch};

    #[test]
    fn each_smoothing_is_undone_exactly() {
        let raw: Vec<f64> = (0..50).map(|k| 2.0 + (k as f64 * 0.7).sin()).collect();
        let cases = [
            (Smoothing::Fastai { beta: 0.98 }, ema_debiased(&raw, 0.98)),
            (
                Smoothing::Lightning { beta: 0.98 },
                ema_lightning(&raw, 0.98),
            ),
            (Smoothing::Torch { factor: 0.05 }, ema_torch(&raw, 0.05)),
            (
                Smoothing::EpochMean {
                    steps_per_epoch: Some(20),
                },
                raw.chunks(20)
                    .flat_map(|epoch| {
                        (1..=epoch.len()).map(|n| epoch[..n].iter().sum::<f64>() / n as f64)
                    })
                    .collect(),
            ),
        ];
        for (s, saved) in cases {
            let back = s.undo(&saved);
            for (a, b) in back.iter().zip(&raw) {
                assert!((a - b).abs() < 1e-9, "{s:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn ramps_are_recognised_and_bad_lrs_refused() {
        let exp: Vec<f64> = (0..100)
            .map(|k| 1e-7 * 10f64.powf(k as f64 / 12.5))
            .collect();
        match infer_ramp(&exp).unwrap() {
            RampFit::Exponential { steps_per_decade } => {
                assert!((steps_per_decade - 12.5).abs() < 1e-9)
            }
            other => panic!("{other:?}"),
        }
        let lin: Vec<f64> = (1..=20).map(|k| k as f64 * 0.01).collect();
        assert!(matches!(infer_ramp(&lin).unwrap(), RampFit::Linear { .. }));
        assert!(
            infer_ramp(&lin[..5])
                .unwrap_err()
                .contains("at least 10 points")
        );
        let mut down = lin.clone();
        down.swap(3, 4);
        assert!(
            infer_ramp(&down)
                .unwrap_err()
                .contains("do not increase (point 4")
        );
    }
}
