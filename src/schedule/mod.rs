//! LR schedules as pure objects: the LR at a step is a function of the step, the run's
//! length and the epoch length, with no hidden state (reduce-on-plateau, which reacts to the
//! validation loss, is the one stateful piece and lives in [`plateau`]).
//!
//! Every schedule is a *factor* of a base LR that it peaks at (or starts from), so the same
//! schedule can be run "at the suggested LR". A [`Chain`] is warm-up phases followed by at
//! most one main schedule (constant if none) and an optional plateau multiplier on top:
//! `warmup(epochs=3)+exp(gamma=0.96,per=epoch)+plateau(patience=3)`. [`parse`] reads that
//! text form; the TOML form deserialises into the same types.

mod burn_adapter;
mod parse;
pub mod plateau;

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

pub use burn_adapter::ChainScheduler;
#[cfg(feature = "learner")]
pub(crate) use burn_adapter::{saved_step, step_record};
pub use parse::parse;
pub use plateau::{Plateau, PlateauConfig};

use crate::error::{Error, Result};

/// Whether a schedule counts optimizer steps or completed epochs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// Count optimizer steps (the LR changes every step).
    #[default]
    Step,
    /// Count completed epochs (the LR changes at epoch boundaries).
    Epoch,
}

/// The two forms of 1cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OneCycleKind {
    /// fastai's: cosine up from max/div to max over `pct_start`, then cosine down.
    #[default]
    Cos,
    /// Smith's original three phases: linear up over `pct_start`, linear back down to
    /// max/div over as long again, then linear to the final LR.
    Linear,
}

/// Whether `x` is a number above zero (false for NaN).
pub(crate) fn positive(x: f64) -> bool {
    x > 0.0
}

/// Whether `x` is a number at least `min` (false for NaN).
pub(crate) fn at_least(x: f64, min: f64) -> bool {
    x >= min
}

fn one() -> f64 {
    1.0
}
fn default_pct() -> f64 {
    0.25
}
fn default_div() -> f64 {
    25.0
}
fn default_final_div() -> f64 {
    1e4
}

/// One schedule. `t` below is the count in the schedule's unit (`per`), starting at 0 where
/// the schedule starts (after any warm-up), and `T` the schedule's length in that unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// The base LR throughout.
    Constant,
    /// `lr0 · gamma^(t / every)`: e.g. `gamma=0.96, per=epoch` or `gamma=0.1, every=1000`.
    Exp {
        /// Decay factor per `every` units, in (0, 1].
        gamma: f64,
        /// Units per factor of `gamma` (default 1).
        #[serde(default = "one")]
        every: f64,
        /// Steps or epochs.
        #[serde(default)]
        per: Per,
    },
    /// `lr0 / (1 + t / every)^power` (inverse-power decay).
    Power {
        /// Units over which the denominator grows by 1 (default 1).
        #[serde(default = "one")]
        every: f64,
        /// Exponent (default 1).
        #[serde(default = "one")]
        power: f64,
        /// Steps or epochs.
        #[serde(default)]
        per: Per,
    },
    /// `lr0 · gamma^floor(t / every)`: multiply by `gamma` every `every` units.
    Step {
        /// Factor applied at each boundary, in (0, 1].
        gamma: f64,
        /// Units between boundaries.
        every: f64,
        /// Steps or epochs.
        #[serde(default)]
        per: Per,
    },
    /// `lr0 · factors[i]` between `boundaries[i-1]` and `boundaries[i]` (one more factor
    /// than boundaries; boundaries increasing).
    Piecewise {
        /// Unit counts where the factor changes.
        boundaries: Vec<f64>,
        /// Factors of the base LR, one more than boundaries.
        factors: Vec<f64>,
        /// Steps or epochs.
        #[serde(default)]
        per: Per,
    },
    /// Linear from `lr0` to `lr0 · end_factor` over the schedule, then constant.
    Linear {
        /// Final factor (default 0).
        #[serde(default)]
        end_factor: f64,
        /// Steps or epochs.
        #[serde(default)]
        per: Per,
    },
    /// Cosine annealing from `lr0` to `lr0 · min_factor`; with `restart`, warm restarts
    /// (SGDR) every `restart` units, the period growing by `mult` after each.
    Cosine {
        /// Final factor (default 0).
        #[serde(default)]
        min_factor: f64,
        /// First period for warm restarts (default: none, one period over the run).
        #[serde(default)]
        restart: Option<f64>,
        /// Period growth after each restart (default 1).
        #[serde(default = "one")]
        mult: f64,
        /// Steps or epochs.
        #[serde(default)]
        per: Per,
    },
    /// 1cycle peaking at the base LR: from max/div up to max over `pct_start` of the run,
    /// then down to max/(div · final_div).
    Onecycle {
        /// Fraction of the run spent warming up (fastai's 0.25).
        #[serde(default = "default_pct")]
        pct_start: f64,
        /// Start LR is max/div (25).
        #[serde(default = "default_div")]
        div: f64,
        /// Final LR is max/(div · final_div) (1e4, PyTorch's).
        #[serde(default = "default_final_div")]
        final_div: f64,
        /// Cosine (fastai) or three-phase linear (Smith).
        #[serde(default)]
        kind: OneCycleKind,
    },
    /// Linear warm-up from `start_factor · lr0` to `lr0` over `steps` steps or `epochs`
    /// epochs; the next schedule then starts its own count at 0.
    Warmup {
        /// Warm-up length in steps.
        #[serde(default)]
        steps: Option<usize>,
        /// Warm-up length in epochs.
        #[serde(default)]
        epochs: Option<usize>,
        /// Starting factor (default 0).
        #[serde(default)]
        start_factor: f64,
    },
    /// Reduce-on-plateau, a multiplier layered on the rest of the chain (see [`plateau`]).
    Plateau(PlateauConfig),
}

/// How long a run is: the schedule needs both to place epochs and its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// Optimizer steps in the whole run.
    pub total_steps: usize,
    /// Optimizer steps per epoch.
    pub steps_per_epoch: usize,
}

/// Most steps [`sample`] accepts: one value per step is kept and drawn.
pub const MAX_SAMPLED_STEPS: usize = 1_000_000;

/// The LR of every step of `tl` for each chain at base LR `lr` (plateau left out: it
/// depends on the losses), as `lrfind schedule` draws them. Checks the timeline and the LR
/// first; errors name `--steps`, `--steps-per-epoch` and `--lr`.
pub fn sample(chains: &[Chain], lr: f64, tl: &Timeline) -> Result<Vec<Vec<f64>>> {
    let why = "one value per step is kept and drawn";
    Error::check_count("--steps", tl.total_steps, MAX_SAMPLED_STEPS, why)?;
    if tl.steps_per_epoch == 0 {
        return Err(Error::option("--steps-per-epoch", "must be at least 1"));
    }
    if !positive(lr) {
        return Err(Error::option("--lr", format!("must be positive, got {lr}")));
    }
    Ok(chains
        .iter()
        .map(|c| (0..tl.total_steps).map(|t| lr * c.factor(t, tl)).collect())
        .collect())
}

impl Timeline {
    fn units(&self, steps: usize, per: Per) -> f64 {
        match per {
            Per::Step => steps as f64,
            Per::Epoch => (steps / self.steps_per_epoch.max(1)) as f64,
        }
    }

    fn length(&self, steps: usize, per: Per) -> f64 {
        match per {
            Per::Step => steps as f64,
            Per::Epoch => steps as f64 / self.steps_per_epoch.max(1) as f64,
        }
    }
}

impl Schedule {
    /// The schedule's name in the text syntax.
    pub fn name(&self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::Exp { .. } => "exp",
            Schedule::Power { .. } => "power",
            Schedule::Step { .. } => "step",
            Schedule::Piecewise { .. } => "piecewise",
            Schedule::Linear { .. } => "linear",
            Schedule::Cosine { .. } => "cosine",
            Schedule::Onecycle { .. } => "onecycle",
            Schedule::Warmup { .. } => "warmup",
            Schedule::Plateau(_) => "plateau",
        }
    }

    /// Checks the parameters; errors name the schedule and the parameter.
    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, msg: &str| {
            Err(Error::option(
                "--setting",
                format!("{}: {key} {msg}", self.name()),
            ))
        };
        let unit = |g: f64| g > 0.0 && g <= 1.0;
        match self {
            Schedule::Exp { gamma, every, .. } | Schedule::Step { gamma, every, .. } => {
                if !unit(*gamma) {
                    return bad("gamma", "must be in (0, 1]");
                }
                if !positive(*every) {
                    return bad("every", "must be positive");
                }
            }
            Schedule::Power { every, power, .. } => {
                if !positive(*every) {
                    return bad("every", "must be positive");
                }
                if !at_least(*power, 0.0) {
                    return bad("power", "must be non-negative");
                }
            }
            Schedule::Piecewise {
                boundaries,
                factors,
                ..
            } => {
                if factors.len() != boundaries.len() + 1 {
                    return bad("factors", "must have one more entry than boundaries");
                }
                if boundaries.windows(2).any(|w| w[0] >= w[1]) {
                    return bad("boundaries", "must increase");
                }
                if factors.iter().any(|f| !positive(*f)) {
                    return bad("factors", "must be positive");
                }
            }
            Schedule::Linear { end_factor, .. } if !at_least(*end_factor, 0.0) => {
                return bad("end_factor", "must be non-negative");
            }
            Schedule::Cosine {
                min_factor,
                restart,
                mult,
                ..
            } => {
                if !(0.0..=1.0).contains(min_factor) {
                    return bad("min_factor", "must be in [0, 1]");
                }
                if restart.is_some_and(|r| !positive(r)) {
                    return bad("restart", "must be positive");
                }
                if !at_least(*mult, 1.0) {
                    return bad("mult", "must be at least 1");
                }
            }
            Schedule::Onecycle {
                pct_start,
                div,
                final_div,
                kind,
            } => {
                let max_pct = if *kind == OneCycleKind::Linear {
                    0.5
                } else {
                    1.0
                };
                if !(positive(*pct_start) && *pct_start < max_pct) {
                    return bad("pct_start", &format!("must be in (0, {max_pct})"));
                }
                if !at_least(*div, 1.0) || !at_least(*final_div, 1.0) {
                    return bad("div", "and final_div must be at least 1");
                }
            }
            Schedule::Warmup {
                steps,
                epochs,
                start_factor,
            } => {
                if steps.is_some() == epochs.is_some() {
                    return bad("steps", "or epochs: give exactly one");
                }
                if !(0.0..=1.0).contains(start_factor) {
                    return bad("start_factor", "must be in [0, 1]");
                }
            }
            Schedule::Plateau(p) => p.validate()?,
            _ => {}
        }
        Ok(())
    }

    /// Length in steps of a warm-up (0 for anything else).
    fn warmup_steps(&self, tl: &Timeline) -> usize {
        match self {
            Schedule::Warmup { steps, epochs, .. } => {
                steps.unwrap_or(0) + epochs.unwrap_or(0) * tl.steps_per_epoch
            }
            _ => 0,
        }
    }

    /// The factor of the base LR at `step` steps into this schedule, which lasts `len` steps.
    pub fn factor(&self, step: usize, len: usize, tl: &Timeline) -> f64 {
        match self {
            Schedule::Constant | Schedule::Plateau(_) => 1.0,
            Schedule::Exp { gamma, every, per } => gamma.powf(tl.units(step, *per) / every),
            Schedule::Power { every, power, per } => {
                (1.0 + tl.units(step, *per) / every).powf(-power)
            }
            Schedule::Step { gamma, every, per } => {
                gamma.powf((tl.units(step, *per) / every).floor())
            }
            Schedule::Piecewise {
                boundaries,
                factors,
                per,
            } => {
                let t = tl.units(step, *per);
                factors[boundaries.iter().take_while(|&&b| t >= b).count()]
            }
            Schedule::Linear { end_factor, per } => {
                let frac = (tl.units(step, *per) / tl.length(len, *per).max(1e-12)).min(1.0);
                1.0 + (end_factor - 1.0) * frac
            }
            Schedule::Cosine {
                min_factor,
                restart,
                mult,
                per,
            } => {
                let t = tl.units(step, *per);
                let (pos, period) = match restart {
                    None => (t, tl.length(len, *per)),
                    Some(first) => {
                        let (mut start, mut period) = (0.0, *first);
                        while t >= start + period {
                            start += period;
                            period *= mult;
                        }
                        (t - start, period)
                    }
                };
                let frac = (pos / period.max(1e-12)).min(1.0);
                min_factor + (1.0 - min_factor) * 0.5 * (1.0 + (PI * frac).cos())
            }
            Schedule::Onecycle {
                pct_start,
                div,
                final_div,
                kind,
            } => onecycle(
                step as f64 / len.max(1) as f64,
                *pct_start,
                *div,
                *final_div,
                *kind,
            ),
            Schedule::Warmup { start_factor, .. } => {
                let n = self.warmup_steps(tl).max(1);
                start_factor + (1.0 - start_factor) * (step as f64 / n as f64).min(1.0)
            }
        }
    }
}

/// Cosine interpolation from `a` (at 0) to `b` (at 1).
fn cos_interp(a: f64, b: f64, frac: f64) -> f64 {
    b + (a - b) * 0.5 * (1.0 + (PI * frac.clamp(0.0, 1.0)).cos())
}

fn lin_interp(a: f64, b: f64, frac: f64) -> f64 {
    a + (b - a) * frac.clamp(0.0, 1.0)
}

/// 1cycle's factor at fraction `x` of the run.
fn onecycle(x: f64, pct: f64, div: f64, final_div: f64, kind: OneCycleKind) -> f64 {
    let (start, end) = (1.0 / div, 1.0 / (div * final_div));
    match kind {
        OneCycleKind::Cos if x < pct => cos_interp(start, 1.0, x / pct),
        OneCycleKind::Cos => cos_interp(1.0, end, (x - pct) / (1.0 - pct)),
        OneCycleKind::Linear if x < pct => lin_interp(start, 1.0, x / pct),
        OneCycleKind::Linear if x < 2.0 * pct => lin_interp(1.0, start, (x - pct) / pct),
        OneCycleKind::Linear => lin_interp(start, end, (x - 2.0 * pct) / (1.0 - 2.0 * pct)),
    }
}

/// A chain of schedules: warm-ups, then at most one main schedule, then an optional plateau.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Chain(pub Vec<Schedule>);

impl Chain {
    /// Checks each schedule and the chain's shape.
    pub fn validate(&self) -> Result<()> {
        let mut stage = 0; // 0: warm-ups, 1: main seen, 2: plateau seen
        for s in &self.0 {
            s.validate()?;
            let this = match s {
                Schedule::Warmup { .. } => 0,
                Schedule::Plateau(_) => 2,
                _ => 1,
            };
            if this < stage || (this == stage && this > 0) {
                return Err(Error::option(
                    "--setting",
                    format!(
                        "'{}' is out of place: a chain is warmup(...)+ then at most one schedule, then at most one plateau(...)",
                        s.name()
                    ),
                ));
            }
            stage = this.max(stage);
        }
        Ok(())
    }

    /// The plateau configuration, if the chain has one.
    pub fn plateau(&self) -> Option<&PlateauConfig> {
        self.0.iter().find_map(|s| match s {
            Schedule::Plateau(p) => Some(p),
            _ => None,
        })
    }

    /// The factor of the base LR at `step` (plateau not included: it depends on the losses).
    pub fn factor(&self, step: usize, tl: &Timeline) -> f64 {
        let mut start = 0;
        for s in self
            .0
            .iter()
            .filter(|s| matches!(s, Schedule::Warmup { .. }))
        {
            let n = s.warmup_steps(tl);
            if step < start + n {
                return s.factor(step - start, n, tl);
            }
            start += n;
        }
        let main = self
            .0
            .iter()
            .find(|s| !matches!(s, Schedule::Warmup { .. } | Schedule::Plateau(_)))
            .unwrap_or(&Schedule::Constant);
        main.factor(step - start, tl.total_steps.saturating_sub(start), tl)
    }

    /// The text form, e.g. `warmup(epochs=3)+exp(gamma=0.96,per=epoch)`.
    pub fn to_text(&self) -> String {
        if self.0.is_empty() {
            return "constant".into();
        }
        self.0
            .iter()
            .map(parse::to_text)
            .collect::<Vec<_>>()
            .join("+")
    }
}

#[cfg(test)]
mod tests;
