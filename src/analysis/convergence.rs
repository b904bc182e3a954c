//! Convergence verdicts and time-to-target, pure functions of per-epoch curves.
//!
//! A run is judged on its validation loss per epoch, `L[1..=n]`, against the validation loss
//! of the initial weights `L0`, in this order:
//! - **diverged**: the run hit a NaN/infinite loss or exploded (see [`crate::compare`]), or
//!   a validation loss is not finite;
//! - **stalled**: the best validation loss is less than 5 % below `L0` (the LR is too low,
//!   or the model cannot learn);
//! - over the last `k = max(2, ceil(n / 4))` epochs, with net fall `d = L[n-k] - L[n]` and
//!   total variation `v = Σ |L[i] - L[i-1]|`:
//!   - **oscillating**: `v > 3 |d|` and `v > 10 %` of `L[n-k]` (it swings without net progress);
//!   - **still improving**: `d > 2 %` of `L[n-k]` (more epochs would help);
//!   - **converged**: otherwise (flat at the end).
//!
//! A training log read from another framework ([`verdict_logged`]) has no `L0`: the loss of
//! the initial weights is never logged. The stall test then cannot tell a run that barely
//! learned from one that learned everything in its first epoch, so it is not made: such a
//! run is judged on its final window only, from its first logged epoch, and a log of fewer
//! than two epochs is **too short to judge**. A log without validation loss is judged the
//! same way on its training loss (the report says which).

use serde::{Deserialize, Serialize};

/// A stalled run improved less than this fraction of the initial validation loss.
pub const STALL_FRACTION: f64 = 0.05;
/// Still improving: the loss fell by more than this fraction over the final window.
pub const IMPROVING_FRACTION: f64 = 0.02;
/// Oscillating: total variation above this fraction of the loss over the final window...
pub const OSCILLATION_FRACTION: f64 = 0.10;
/// ... and above this multiple of the net change.
pub const OSCILLATION_RATIO: f64 = 3.0;

/// The verdict on one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Flat at the end.
    Converged,
    /// Still falling at the end.
    StillImproving,
    /// Swinging without net progress.
    Oscillating,
    /// NaN, infinity or explosion.
    Diverged,
    /// Barely moved from the initial loss.
    Stalled,
    /// A log of fewer than two epochs and no initial loss: nothing to judge.
    TooShort,
}

impl Verdict {
    /// Words for reports.
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Converged => "converged",
            Verdict::StillImproving => "still improving",
            Verdict::Oscillating => "oscillating",
            Verdict::Diverged => "diverged",
            Verdict::Stalled => "stalled",
            Verdict::TooShort => "too short to judge",
        }
    }
}

/// The verdict on a run with initial validation loss `initial` and per-epoch validation
/// losses `losses`; `diverged` says whether training blew up.
pub fn verdict(initial: f64, losses: &[f64], diverged: bool) -> Verdict {
    if diverged || losses.iter().any(|l| !l.is_finite()) {
        return Verdict::Diverged;
    }
    if losses.is_empty() {
        return Verdict::Stalled;
    }
    let best = losses.iter().copied().fold(f64::INFINITY, f64::min);
    if initial - best < STALL_FRACTION * initial.abs() {
        return Verdict::Stalled;
    }
    final_window(initial, losses)
}

/// The verdict on a logged run whose initial loss is unknown (see the module documentation):
/// the stall test is not made, and the final window starts no earlier than the first epoch.
pub fn verdict_logged(losses: &[f64], diverged: bool) -> Verdict {
    if diverged || losses.iter().any(|l| !l.is_finite()) {
        return Verdict::Diverged;
    }
    match losses {
        [] | [_] => Verdict::TooShort,
        [first, rest @ ..] => final_window(*first, rest),
    }
}

/// Oscillating, still improving or converged, from the final window of `losses` (which
/// starts at `before` when the run is shorter than the window).
fn final_window(before: f64, losses: &[f64]) -> Verdict {
    let n = losses.len();
    let k = (n.div_ceil(4)).max(2).min(n);
    // The window starts one epoch before its first change (the initial loss if needed).
    let start = if n > k { losses[n - k - 1] } else { before };
    let window: Vec<f64> = std::iter::once(start)
        .chain(losses[n - k..].iter().copied())
        .collect();
    let net = start - losses[n - 1];
    let variation: f64 = window.windows(2).map(|w| (w[1] - w[0]).abs()).sum();
    let scale = start.abs().max(1e-12);
    if variation > OSCILLATION_RATIO * net.abs() && variation > OSCILLATION_FRACTION * scale {
        Verdict::Oscillating
    } else if net > IMPROVING_FRACTION * scale {
        Verdict::StillImproving
    } else {
        Verdict::Converged
    }
}

/// The first epoch (1-based) whose value reaches `target`: at or above it when
/// `higher_is_better` (accuracy), at or below it otherwise (loss).
pub fn epochs_to_target(values: &[f64], target: f64, higher_is_better: bool) -> Option<usize> {
    values
        .iter()
        .position(|&v| {
            if higher_is_better {
                v >= target
            } else {
                v <= target
            }
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_on_fixed_curves() {
        assert_eq!(
            verdict(
                2.3,
                &[1.0, 0.5, 0.3, 0.29, 0.29, 0.288, 0.289, 0.288],
                false
            ),
            Verdict::Converged
        );
        assert_eq!(
            verdict(2.3, &[2.0, 1.6, 1.3, 1.1, 0.9, 0.75, 0.6, 0.5], false),
            Verdict::StillImproving
        );
        assert_eq!(
            verdict(2.3, &[1.0, 0.6, 0.9, 0.5, 0.95, 0.55, 0.9, 0.5], false),
            Verdict::Oscillating
        );
        assert_eq!(
            verdict(2.3, &[2.3, 2.29, 2.28, 2.27], false),
            Verdict::Stalled
        );
        assert_eq!(verdict(2.3, &[1.0, f64::NAN], false), Verdict::Diverged);
        assert_eq!(verdict(2.3, &[1.0, 0.5], true), Verdict::Diverged);
    }

    #[test]
    fn logged_runs_are_judged_without_an_initial_loss() {
        // The same curves, first logged epoch standing in for the start of the window.
        assert_eq!(
            verdict_logged(&[1.0, 0.5, 0.3, 0.29, 0.29, 0.288, 0.289, 0.288], false),
            Verdict::Converged
        );
        assert_eq!(
            verdict_logged(&[2.0, 1.6, 1.3, 1.1, 0.9, 0.75, 0.6, 0.5], false),
            Verdict::StillImproving
        );
        assert_eq!(
            verdict_logged(&[1.0, 0.6, 0.9, 0.5, 0.95, 0.55, 0.9, 0.5], false),
            Verdict::Oscillating
        );
        // Flat from the first epoch: with no initial loss this is not a stall.
        assert_eq!(
            verdict_logged(&[2.3, 2.29, 2.28, 2.28], false),
            Verdict::Converged
        );
        assert_eq!(verdict_logged(&[0.5], false), Verdict::TooShort);
        assert_eq!(verdict_logged(&[0.5, f64::NAN], false), Verdict::Diverged);
    }

    #[test]
    fn epochs_to_reach_a_target() {
        assert_eq!(
            epochs_to_target(&[0.3, 0.7, 0.85, 0.95], 0.8, true),
            Some(3)
        );
        assert_eq!(epochs_to_target(&[0.3, 0.7], 0.8, true), None);
        assert_eq!(epochs_to_target(&[1.0, 0.4], 0.5, false), Some(2));
    }
}
