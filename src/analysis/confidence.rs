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
//!
//! The score says whether the curve reads clearly; it does not say how far the best LR of
//! the user's training lies from the suggestion (on the evaluate cases it does not track
//! that distance). What does is the **loss floor**: how low the loss `knee` reads goes, as a
//! fraction of where it started ([`Regime`]). A training loss that falls to almost nothing
//! means the model memorises its training set at these LRs, and the best LR then depends on
//! how well it generalises, which a training-loss curve cannot show; a loss that levels off
//! high means noisy or hard labels, where a wide range of LRs trains equally well. Each
//! regime carries `knee`'s record on the evaluate cases ([`TrackRecord`]: mean distance
//! outside the good interval, share within a quarter decade), and the level is the lower of
//! the score's and the record's.

use serde::{Deserialize, Serialize};

use super::rules::{Curve, Method, knee_curve};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The curve gives no reliable answer.
    #[default]
    Low,
    /// Check it (a short sweep around it).
    Medium,
    /// Trust the suggestion.
    High,
}

/// Below this loss floor (the minimum of the loss `knee` reads over its start) the curve
/// counts as memorising: the model fits its training set almost perfectly.
pub const MEMORISING_FLOOR: f64 = 0.01;
/// From this loss floor up the loss levels off high (noisy or hard labels).
pub const PLATEAU_FLOOR: f64 = 0.2;
/// A regime's record from here up (share within a quarter decade) is "high"...
pub const HIGH_RECORD: f64 = 0.9;
/// ... and from here up "medium"; below, "low".
pub const MEDIUM_RECORD: f64 = 0.6;

/// What the loss floor says about the training, and so about how far the best LR may lie
/// from the suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// The loss fell below [`MEMORISING_FLOOR`] of its start: the model memorises the
    /// training set, and generalisation, which the curve cannot show, decides the best LR.
    Memorising,
    /// The loss fell to between [`MEMORISING_FLOOR`] and [`PLATEAU_FLOOR`] of its start.
    Fitting,
    /// The loss levelled off at [`PLATEAU_FLOOR`] of its start or higher: noisy or hard
    /// labels, a flat optimum, a wide range of good LRs.
    Plateau,
}

/// `knee`'s record on the evaluate cases' curves of one regime (README, "Does the
/// confidence track the distance?"): the 300 case-seed-length points of the first 20 cases,
/// refusals counted as one-decade misses; `cargo run --release --example evaluate_summary`
/// recomputes it. The ten cases added later are its held-out check, and there it does not
/// hold (README).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrackRecord {
    /// Case-seed-length points of this regime.
    pub points: usize,
    /// Mean distance outside the good interval, in decades.
    pub mean_decades: f64,
    /// Share of points within a quarter decade of the good interval.
    pub within_quarter: f64,
}

impl Regime {
    /// Every regime, from the lowest floor up.
    pub const ALL: [Regime; 3] = [Regime::Memorising, Regime::Fitting, Regime::Plateau];

    /// The regime of a loss floor (minimum over start); `None` when it is not a fraction
    /// (a loss that starts at or below zero).
    pub fn of(floor: f64) -> Option<Regime> {
        match floor {
            f if !(0.0..=1.0).contains(&f) => None,
            f if f < MEMORISING_FLOOR => Some(Regime::Memorising),
            f if f < PLATEAU_FLOOR => Some(Regime::Fitting),
            _ => Some(Regime::Plateau),
        }
    }

    /// `knee`'s record on the evaluate cases in this regime.
    pub fn record(self) -> TrackRecord {
        let (points, mean_decades, within_quarter) = match self {
            Regime::Memorising => RECORD_MEMORISING,
            Regime::Fitting => RECORD_FITTING,
            Regime::Plateau => RECORD_PLATEAU,
        };
        TrackRecord {
            points,
            mean_decades,
            within_quarter,
        }
    }

    /// The level the record gives.
    pub fn level(self) -> Level {
        let share = self.record().within_quarter;
        if share >= HIGH_RECORD {
            Level::High
        } else if share >= MEDIUM_RECORD {
            Level::Medium
        } else {
            Level::Low
        }
    }

    /// The regime's name, as written in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Regime::Memorising => "memorising",
            Regime::Fitting => "fitting",
            Regime::Plateau => "plateau",
        }
    }

    /// What the regime means for the user, in plain words.
    pub fn explanation(self) -> &'static str {
        match self {
            Regime::Memorising => {
                "the training loss falls to almost nothing: the model memorises its training set, and how well it generalises, which this curve cannot show, decides the best LR (check with a short sweep around the suggestion)"
            }
            Regime::Fitting => "the loss falls well and turns: the usual case",
            Regime::Plateau => {
                "the loss levels off high (noisy or hard labels): a wide range of LRs trains about equally well"
            }
        }
    }
}

/// `knee`'s record per regime: (points, mean decades outside, share within a quarter).
const RECORD_MEMORISING: (usize, f64, f64) = (90, 0.279, 0.722);
const RECORD_FITTING: (usize, f64, f64) = (120, 0.082, 0.925);
const RECORD_PLATEAU: (usize, f64, f64) = (90, 0.011, 1.0);

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
    /// The loss floor: the minimum of the loss `knee` reads (its centered smoothing) as a
    /// fraction of its start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    /// What the floor says about the training (None: no floor, or a loss at or below 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<Regime>,
    /// `knee`'s record on evaluate curves of the same regime: how far the suggestion landed
    /// from the best LR on the first 20 evaluate cases (on the ten added later it did not
    /// hold: a description of those cases, not a forecast; README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<TrackRecord>,
    /// What lowers the confidence, in plain words.
    pub warnings: Vec<String>,
}

fn unit(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// The rules that read the curve's falling part: how far their answers agree is part of the
/// confidence.
pub const FALLING_PART_RULES: [Method; 3] = [Method::Knee, Method::Steep, Method::Torch];

/// The confidence of the suggestions read off `curve`: `falling_part` holds the LRs that the
/// [`FALLING_PART_RULES`] answered, `chosen` is the reported rule, `answered` whether it
/// gave an LR (when it did not, the level is low whatever the curve looks like). The loss
/// floor's record (and the cap it puts on the level) is `knee`'s, so it comes only with
/// `knee`.
pub fn confidence(
    curve: &Curve,
    falling_part: &[f64],
    chosen: Method,
    answered: bool,
) -> Confidence {
    let finite: Vec<f64> = curve
        .smoothed
        .iter()
        .copied()
        .take_while(|v| v.is_finite())
        .collect();
    let blew_up = finite.len() < curve.smoothed.len() || curve.raw.iter().any(|v| !v.is_finite());
    let mut warnings = Vec::new();
    let no_answer =
        (!answered).then(|| format!("{} gave no suggestion on this curve", chosen.name()));
    if finite.len() < 5 {
        let mut warnings = vec!["too few points on the curve to judge it".to_string()];
        warnings.extend(no_answer);
        return Confidence {
            warnings,
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
    let lrs: Vec<f64> = falling_part.iter().copied().map(f64::log10).collect();
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
    let read_level = if score >= HIGH {
        Level::High
    } else if score >= MEDIUM {
        Level::Medium
    } else {
        Level::Low
    };
    let floor = loss_floor(curve);
    let regime = floor.and_then(Regime::of);
    let record = regime.filter(|_| chosen == Method::Knee);
    if record == Some(Regime::Memorising) {
        warnings.push(Regime::Memorising.explanation().into());
    }
    let mut level = record.map_or(read_level, |r| read_level.min(r.level()));
    if let Some(w) = no_answer {
        level = Level::Low;
        warnings.push(w);
    }
    Confidence {
        score,
        level,
        fall,
        turn,
        spread_decades: spread,
        floor,
        regime,
        record: record.map(Regime::record),
        warnings,
    }
}

/// The minimum of the loss `knee` reads (the centered smoothing, up to the first
/// non-finite point) over its first point; `None` without two finite points or when the
/// loss starts at or below zero (the ratio is then no fraction).
pub fn loss_floor(curve: &Curve) -> Option<f64> {
    let s = knee_curve(curve.lrs, curve.raw);
    let finite: Vec<f64> = s.iter().copied().take_while(|v| v.is_finite()).collect();
    if finite.len() < 2 || finite[0] <= 0.0 {
        return None;
    }
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    Some(min / finite[0]).filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regimes_split_the_floor_at_their_thresholds() {
        assert_eq!(Regime::of(0.0), Some(Regime::Memorising));
        assert_eq!(
            Regime::of(MEMORISING_FLOOR * 0.99),
            Some(Regime::Memorising)
        );
        assert_eq!(Regime::of(MEMORISING_FLOOR), Some(Regime::Fitting));
        assert_eq!(Regime::of(PLATEAU_FLOOR * 0.99), Some(Regime::Fitting));
        assert_eq!(Regime::of(PLATEAU_FLOOR), Some(Regime::Plateau));
        assert_eq!(Regime::of(1.0), Some(Regime::Plateau));
        // Not a fraction (a loss that starts at or below zero gives none): no regime.
        assert_eq!(Regime::of(-0.5), None);
        assert_eq!(Regime::of(f64::NAN), None);
    }

    #[test]
    fn a_regime_level_follows_its_record_and_caps_the_confidence() {
        assert_eq!(Regime::Memorising.level(), Level::Medium);
        assert_eq!(Regime::Fitting.level(), Level::High);
        assert_eq!(Regime::Plateau.level(), Level::High);
        assert!(Level::Low < Level::Medium && Level::Medium < Level::High);
        // A clean V that falls to 0.5 % of its start: the curve reads clearly, yet the
        // memorising record caps the level at medium.
        let lrs: Vec<f64> = (0..200)
            .map(|i| 1e-5 * 10f64.powf(i as f64 / 40.0))
            .collect();
        let raw: Vec<f64> = lrs
            .iter()
            .map(|lr| {
                let x = lr.log10() + 2.0;
                0.004 + 1.0 / (1.0 + (10.0 * x).exp()) + 3.0 * (x - 1.5).max(0.0)
            })
            .collect();
        let curve = Curve::training(&lrs, &raw, &raw, raw.len());
        let c = crate::analysis::suggest_all(&curve, Method::Knee).confidence;
        assert_eq!(c.regime, Some(Regime::Memorising), "{c:?}");
        assert_eq!(c.level, Level::Medium, "{c:?}");
        assert!(c.floor.unwrap() < MEMORISING_FLOOR);
        assert_eq!(c.record, Some(Regime::Memorising.record()));
        // The record is knee's: another rule's suggestion keeps the floor but not the cap.
        let v = crate::analysis::suggest_all(&curve, Method::Valley).confidence;
        assert_eq!((v.regime, v.record), (Some(Regime::Memorising), None));
        assert_eq!(v.level, Level::High, "{v:?}");
        // A loss that starts at zero has no floor.
        let zeros = vec![0.0; lrs.len()];
        let z = Curve::training(&lrs, &zeros, &zeros, zeros.len());
        assert_eq!(loss_floor(&z), None);
    }
}
