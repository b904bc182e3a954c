//! What an evaluation runs, whatever the model: seeds, the grid, its refinement, the budgets,
//! the range-test lengths compared, the recipes trained. Errors name the fields; the
//! command line's [`super::EvaluateSpec`] carries a plan and maps them to its flags.

use serde::{Deserialize, Serialize};

use super::{Arm, MAX_REFINE_PER_DECADE, MAX_SEEDS, default_targets};
use crate::config::{MAX_ITERS, check_epochs, defaults::MIN_ITERS};
use crate::error::{Error, Result};

/// What an evaluation runs (see [`super::evaluate_models`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationPlan {
    /// Seeds (0, 1, ... for a model of your own; from the config's seed on the command line).
    pub seeds: usize,
    /// The coarse grid's LRs (positive, increasing).
    pub lrs: Vec<f64>,
    /// Points per decade added within a decade of each budget's best (0: no refinement).
    pub refine_per_decade: usize,
    /// Training lengths scored, in epochs (distinct, ascending).
    pub epochs_list: Vec<usize>,
    /// Range-test lengths compared on the first seed.
    pub iters_list: Vec<usize>,
    /// Recipes trained and scored beside the grid's best (empty: none); [`Self::arms`] adds
    /// the range test's own, `constant` and `onecycle`, when they are missing.
    #[serde(default)]
    pub arms: Vec<Arm>,
    /// Accuracy levels whose epochs the arms report (MSE levels for regression).
    #[serde(default = "default_targets")]
    pub targets: Vec<f64>,
}

impl EvaluationPlan {
    /// `seeds` seeds, the grid `lrs` scored at each of `epochs_list`; no refinement, no
    /// range-test lengths compared, no recipes, the default targets.
    pub fn new(seeds: usize, lrs: &[f64], epochs_list: &[usize]) -> Self {
        EvaluationPlan {
            seeds,
            lrs: lrs.to_vec(),
            refine_per_decade: 0,
            epochs_list: epochs_list.to_vec(),
            iters_list: Vec::new(),
            arms: Vec::new(),
            targets: default_targets(),
        }
    }

    /// Adds `per_decade` grid points within a decade of each budget's best.
    pub fn refine(mut self, per_decade: usize) -> Self {
        self.refine_per_decade = per_decade;
        self
    }

    /// Compares the suggestions of range tests of these lengths on the first seed.
    pub fn iters_list(mut self, iters: &[usize]) -> Self {
        self.iters_list = iters.to_vec();
        self
    }

    /// Trains these recipes beside the grid's best; the range test's own (`constant`,
    /// `onecycle`) are put first when missing.
    pub fn arms(mut self, arms: &[Arm]) -> Self {
        self.arms = with_range_test_arms(arms);
        self
    }

    /// The levels whose epochs the recipes report.
    pub fn targets(mut self, targets: &[f64]) -> Self {
        self.targets = targets.to_vec();
        self
    }

    /// Checks the values; errors name the field.
    pub fn validate(&self) -> Result<()> {
        let why = "each seed trains the whole grid";
        Error::check_count("seeds", self.seeds, MAX_SEEDS, why)?;
        if self.epochs_list.is_empty() || self.epochs_list.contains(&0) {
            return Err(Error::option(
                "epochs_list",
                "needs at least one training length, each at least 1 epoch",
            ));
        }
        if let Some(&e) = self.epochs_list.iter().max() {
            check_epochs("epochs_list", e)?;
        }
        if self.epochs_list.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::option(
                "epochs_list",
                "lists each training length once, in increasing order",
            ));
        }
        if self.lrs.is_empty()
            || self.lrs.iter().any(|lr| !(lr.is_finite() && *lr > 0.0))
            || self.lrs.windows(2).any(|w| w[1] <= w[0])
        {
            return Err(Error::option(
                "lrs",
                format!("must be positive numbers that increase, got {:?}", self.lrs),
            ));
        }
        if self.refine_per_decade > MAX_REFINE_PER_DECADE {
            return Err(Error::at_most(
                "refine_per_decade",
                MAX_REFINE_PER_DECADE,
                "each refined LR is a whole training per seed",
                self.refine_per_decade,
            ));
        }
        if let Some(a) = (1..self.arms.len()).find(|&i| self.arms[..i].contains(&self.arms[i])) {
            return Err(Error::option(
                "arms",
                format!("'{}' is listed twice", self.arms[a].name()),
            ));
        }
        crate::compare::check_targets("targets", &self.targets, true)?;
        if self
            .iters_list
            .iter()
            .any(|&i| !(MIN_ITERS..=MAX_ITERS).contains(&i))
        {
            return Err(Error::option(
                "iters_list",
                format!("each range-test length must be between {MIN_ITERS} and {MAX_ITERS}"),
            ));
        }
        Ok(())
    }
}

/// The arms asked for, after the range test's own recipes that are not among them (none
/// when none is asked for). A repeated arm is kept, for [`EvaluationPlan::validate`] to
/// refuse by name.
pub(crate) fn with_range_test_arms(asked: &[Arm]) -> Vec<Arm> {
    if asked.is_empty() {
        return Vec::new();
    }
    let mut arms: Vec<Arm> = Arm::RANGE_TEST
        .into_iter()
        .filter(|a| !asked.contains(a))
        .collect();
    arms.extend_from_slice(asked);
    arms
}
