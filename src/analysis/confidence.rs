//! How far a range-test curve can be trusted, from the curve alone, in three parts:
//!
//! - **fall**: how far the smoothed loss fell from its start to its minimum, as a fraction
//!   of the start (a flat curve says nothing about the LR);
//! - **turn**: how far it rose again after the minimum, as a fraction of the minimum, or
//!   whether it diverged (a curve that never turns up may not have reached the good LRs);
//! - **agreement**: how close the rules that read the falling part (`knee`, `steep`,
//!   `torch`) land to each other, in decades.
//!
//! Each part is scored in [0, 1] (fall of 30 % or more, a rise of 100 % or divergence, and
//! rules within 0.25 decade score 1) and the score is their geometric mean, so one
//! missing piece of evidence makes the whole answer unreliable. Rules more than half a
//! decade apart get a warning.

use serde::{Deserialize, Serialize};

use super::rules::{Curve, Method};
use super::suggest::Suggestion;

/// A fall of this fraction of the starting loss scores 1.
pub const FULL_FALL: f64 = 0.30;
/// A rise of this fraction of the minimum after it scores 1.
pub const FULL_TURN: f64 = 1.0;
/// Rules this many decades apart score 0 on agreement (0.25 decade or less scores 1).
pub const NO_AGREEMENT_DECADES: f64 = 1.5;
/// Scores from here up are "high"...
pub const HIGH: f64 = 0.6;
/// ... and from here up "medium"; below, "low".
pub const MEDIUM: f64 = 0.3;

/// The level of a confidence score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Trust the suggestion.
    High,
    /// Check it (a short sweep around it).
    Medium,
    /// The curve gives no reliable answer.
    #[default]
    Low,
}

/// The confidence of a curve's suggestions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Confidence {
    /// Geometric mean of the three parts, in [0, 1].
    pub score: f64,
    /// High, medium or low.
    pub level: Level,
    /// Fraction the smoothed loss fell from its start to its minimum.
    pub fall: f64,
    /// Fraction it rose after the minimum (infinite when the loss became NaN/infinite;
    /// `null` in JSON, read back as NaN).
    #[serde(with = "crate::nullable::scalar")]
    pub turn: f64,
    /// Spread of the falling-part rules' suggestions, in decades (None: fewer than two).
    pub spread_decades: Option<f64>,
    /// What lowers the confidence, in plain words.
    pub warnings: Vec<String>,
}

fn unit(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// The confidence of `suggestions` read off `curve`.
pub fn confidence(curve: &Curve, suggestions: &[Suggestion]) -> Confidence {
    let finite: Vec<f64> = curve
        .smoothed
        .iter()
        .copied()
        .take_while(|v| v.is_finite())
        .collect();
    let blew_up = finite.len() < curve.smoothed.len() || curve.raw.iter().any(|v| !v.is_finite());
    let mut warnings = Vec::new();
    if finite.len() < 5 {
        return Confidence {
            warnings: vec!["too few points on the curve to judge it".into()],
            ..Default::default()
        };
    }
    let start = finite[0];
    let (at, min) = finite
        .iter()
        .copied()
        .enumerate()
        .fold(
            (0, f64::INFINITY),
            |best, (i, v)| if v < best.1 { (i, v) } else { best },
        );
    let fall = unit((start - min) / start.abs().max(1e-12));
    let after = finite[at..].iter().copied().fold(min, f64::max);
    let turn = if blew_up {
        f64::INFINITY
    } else {
        ((after - min) / min.abs().max(1e-12)).max(0.0)
    };
    let lrs: Vec<f64> = suggestions
        .iter()
        .filter(|s| matches!(s.method, Method::Knee | Method::Steep | Method::Torch))
        .filter_map(|s| s.lr)
        .map(f64::log10)
        .collect();
    let spread = (lrs.len() >= 2).then(|| {
        lrs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - lrs.iter().copied().fold(f64::INFINITY, f64::min)
    });
    let fall_score = unit(fall / FULL_FALL);
    let turn_score = if blew_up { 1.0 } else { unit(turn / FULL_TURN) };
    let agree_score = spread.map_or(0.0, |d| {
        unit(1.0 - (d - 0.25).max(0.0) / (NO_AGREEMENT_DECADES - 0.25))
    });
    if fall_score < 1.0 {
        warnings.push(format!(
            "the loss fell only {:.0} % before its minimum: the curve may be too flat to read (try a wider LR range or more iterations)",
            100.0 * fall
        ));
    }
    if turn_score < 1.0 {
        warnings.push(
            "the loss never turned up after its minimum: the test may have stopped before the LR got too large (raise --end-lr)".into(),
        );
    }
    match spread {
        None => warnings.push("fewer than two rules answered on the falling part".into()),
        Some(d) if d > 0.5 => warnings.push(format!("the rules disagree by {d:.1} decades")),
        _ => {}
    }
    let score = (fall_score * turn_score * agree_score).cbrt();
    let level = if score >= HIGH {
        Level::High
    } else if score >= MEDIUM {
        Level::Medium
    } else {
        Level::Low
    };
    Confidence {
        score,
        level,
        fall,
        turn,
        spread_decades: spread,
        warnings,
    }
}
