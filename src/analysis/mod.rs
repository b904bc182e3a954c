//! Curve analysis: pure functions over plain slices, no tensors.
//!
//! - [`smoothing`]: fastai's bias-corrected EMA and torch-lr-finder's EMA.
//! - [`rules`]: the suggestion rules (fastai's `minimum`, `steep`, `valley`, `slide`,
//!   torch-lr-finder's steepest gradient, and lrfind's own `knee`), all with one signature.
//! - [`convergence`]: verdicts on training runs and epochs to reach a target.
//! - [`confidence`]: how far a curve's suggestion can be trusted (fall, turn, agreement) and
//!   the loss floor's regime with `knee`'s record on the evaluate cases of that regime.
//! - [`conclusion`]: the conclusion of an LR sweep (recommended LR, promising interval).
//! - [`foreign`]: other tools' saved curves: their smoothing undone, the ramp recognised.
//! - [`suggest`]: runs every rule on a recorded curve the way the anchors apply them and
//!   picks the chosen one.

pub mod conclusion;
pub mod confidence;
pub mod convergence;
pub mod evaluation;
pub mod foreign;
pub mod rules;
pub mod smoothing;
pub mod suggest;

pub use rules::Method;
pub use suggest::{Suggestion, Suggestions, suggest_all};
