//! The range test run by Burn's own `Learner` (feature `learner`), so a user keeps their
//! whole training set-up (model, `TrainStep`, data loaders, metrics, checkpoints) and reads
//! the suggestion with lrfind's rules. [`LearnerRangeTest`] gives the Learner two pieces:
//!
//! - a [`RampScheduler`], Burn's `LrScheduler`, that ramps the LR as the test's
//!   configuration says (exponential or linear, `start_lr` to `end_lr` over `iters`);
//! - a training metric ([`LossRecorder`], registered with `metric_train`) that records
//!   every iteration's loss and LR and, when the smoothed loss diverges, the loss is not
//!   finite or `iters` points are recorded, asks the Learner's `Interrupter` to stop.
//!
//! After `fit` returns, [`LearnerRangeTest::result`] analyses the recorded curve exactly as
//! [`super::range_test`] does. What Burn 0.22 allows, and what it does not:
//!
//! - Burn's Learner feeds metrics from its own thread, and checks the interrupter between
//!   iterations: the stop can come a few iterations after the divergence. The points after
//!   the stop are not recorded, so the curve is the test's. The Learner trains a clone of
//!   the model, and Burn's clones share BatchNorm running statistics: remember them first
//!   and put them back after ([`LearnerRangeTest::remember`]).
//! - Each metric update is paired with the LR the Learner reports in its metadata (the
//!   scheduler's), or else with the ramp's LR at that iteration. With the Learner's gradient
//!   accumulation, the loss is the last micro-batch's.
//! - The Learner runs whole epochs until interrupted, so give it enough epochs for `iters`
//!   iterations ([`LearnerRangeTest::epochs_for`]).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use burn::module::Module;
use burn::optim::LearningRate;
use burn::optim::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use burn::tensor::TensorReadError;
use burn::train::Interrupter;
use burn::train::metric::{
    LossInput, LossMetric, Metric, MetricAttributes, MetricMetadata, MetricName, Numeric,
    NumericAttributes, SerializedEntry,
};

use super::{RangeTestResult, Stop, diverged};
use crate::analysis::rules::Curve;
use crate::analysis::smoothing::DebiasedEma;
use crate::analysis::suggest_all;
use crate::config::{CurveKind, RangeTestConfig};
use crate::error::{Error, Result};
use crate::schedule::{saved_step, step_record};

/// The LR ramp of a range test as Burn's `LrScheduler`: step `i` (from 0) gives
/// [`RangeTestConfig::lr_at`]`(i)`, and the last LR after `iters` steps.
#[derive(Debug, Clone)]
pub struct RampScheduler {
    config: RangeTestConfig,
    step: usize,
}

impl LrScheduler for RampScheduler {
    fn step(&mut self) -> LearningRate {
        let lr = self
            .config
            .lr_at(self.step.min(self.config.iters.saturating_sub(1)));
        self.step += 1;
        lr
    }

    fn to_record(&self) -> LrSchedulerRecord {
        step_record(self.step)
    }

    fn load_record(&mut self, record: LrSchedulerRecord) {
        if let Some(step) = saved_step(&record) {
            self.step = step;
        }
    }
}

/// What the recorder has seen so far.
#[derive(Debug)]
struct Recorded {
    lrs: Vec<f64>,
    losses: Vec<f64>,
    smoothed: Vec<f64>,
    ema: DebiasedEma,
    best: f64,
    stop: Option<Stop>,
    started: Option<Instant>,
    finished: Option<Instant>,
}

/// The training metric that records the range test inside Burn's Learner (register it with
/// `metric_train`; the model's output must implement `Adaptor<LossInput>`, as it does for
/// Burn's `LossMetric`). It shows the raw loss of each iteration like Burn's loss metric.
#[derive(Clone)]
pub struct LossRecorder {
    config: RangeTestConfig,
    state: Arc<Mutex<Recorded>>,
    interrupter: Interrupter,
    loss: LossMetric,
    name: MetricName,
}

impl LossRecorder {
    fn record(&self, lr: Option<f64>, loss: f64) {
        let mut s = self.state.lock().expect("the recorder's lock");
        if s.stop.is_some() {
            return;
        }
        let now = Instant::now();
        s.started.get_or_insert(now);
        let i = s.losses.len();
        let lr = lr.unwrap_or_else(|| self.config.lr_at(i));
        let smoothed = s.ema.push(loss);
        s.lrs.push(lr);
        s.losses.push(loss);
        s.smoothed.push(smoothed);
        let stop = if !loss.is_finite() {
            Some(Stop::NonFinite { index: i })
        } else if diverged(smoothed, s.best, s.smoothed[0], self.config.diverge) {
            Some(Stop::Diverged { index: i })
        } else if i + 1 >= self.config.iters {
            Some(Stop::Completed)
        } else {
            None
        };
        s.best = s.best.min(smoothed);
        if let Some(stop) = stop {
            s.stop = Some(stop);
            s.finished = Some(now);
            self.interrupter
                .stop(Some("lrfind: the range test is complete"));
        }
    }
}

impl Metric for LossRecorder {
    type Input = LossInput;

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn attributes(&self) -> MetricAttributes {
        MetricAttributes::Numeric(NumericAttributes {
            unit: None,
            higher_is_better: false,
        })
    }

    fn update(
        &mut self,
        item: &LossInput,
        metadata: &MetricMetadata,
    ) -> std::result::Result<SerializedEntry, TensorReadError> {
        let entry = self.loss.update(item, metadata)?;
        let loss = self.loss.value().map_or(f64::NAN, |v| v.current());
        self.record(metadata.lr.as_ref().map(|lr| lr.base()), loss);
        Ok(entry)
    }

    fn compute(&mut self) -> std::result::Result<SerializedEntry, TensorReadError> {
        self.loss.compute()
    }

    fn clear(&mut self) {
        self.loss.clear();
    }
}

/// A range test that Burn's Learner runs: its scheduler, its recording metric, and the
/// analysis of what was recorded.
///
/// ```no_run
/// # fn demo<M: burn::module::Module>(model: &M) -> lrfind::Result<()> {
/// use burn::train::Interrupter;
/// use lrfind::finder::LearnerRangeTest;
///
/// let interrupter = Interrupter::new();
/// let test = LearnerRangeTest::new(Default::default(), interrupter.clone())?;
/// let restore = LearnerRangeTest::remember(model); // BatchNorm statistics, put back below
/// // SupervisedTraining::new(dir, train_loader, valid_loader)
/// //     .metric_train(test.recorder())
/// //     .with_interrupter(interrupter)
/// //     .num_epochs(test.epochs_for(batches_per_epoch))
/// //     .launch(Learner::new(model.clone(), optimizer, test.scheduler()));
/// restore();
/// let result = test.result()?;
/// println!("suggested LR {:?}", result.chosen().lr);
/// # Ok(())
/// # }
/// ```
pub struct LearnerRangeTest {
    config: RangeTestConfig,
    state: Arc<Mutex<Recorded>>,
    interrupter: Interrupter,
}

impl LearnerRangeTest {
    /// A test with `config` (its `iters`, LR range, ramp, smoothing, divergence factor,
    /// rule and planned training length; one batch per iteration and no validation-loss
    /// mode) that stops the Learner through `interrupter` (give the same one to the
    /// Learner with `with_interrupter`).
    pub fn new(config: RangeTestConfig, interrupter: Interrupter) -> Result<Self> {
        config.validate()?;
        if config.accumulation_steps > 1 {
            return Err(Error::option(
                "accumulation_steps",
                "the Learner runs the steps: set its own gradient accumulation instead",
            ));
        }
        if config.val_every > 0 {
            return Err(Error::option(
                "val_every",
                "the validation-loss mode is not available inside the Learner",
            ));
        }
        let state = Recorded {
            lrs: Vec::new(),
            losses: Vec::new(),
            smoothed: Vec::new(),
            ema: DebiasedEma::new(config.smooth),
            best: f64::INFINITY,
            stop: None,
            started: None,
            finished: None,
        };
        Ok(LearnerRangeTest {
            config,
            state: Arc::new(Mutex::new(state)),
            interrupter,
        })
    }

    /// Remembers the state of `model` that its clones share (BatchNorm running statistics),
    /// and returns what puts it back: give the Learner `model.clone()`, and call the
    /// returned closure once the Learner is done, so `model` comes back as it was.
    pub fn remember<M: Module>(model: &M) -> impl FnOnce() + use<M> {
        let _ = model.valid();
        let keep = model.clone();
        let record = model.clone().into_record();
        move || {
            let _ = keep.valid();
            let _ = keep.load_record(record);
        }
    }

    /// The LR scheduler to give the Learner.
    pub fn scheduler(&self) -> RampScheduler {
        RampScheduler {
            config: self.config.clone(),
            step: 0,
        }
    }

    /// The training metric to register with the Learner (`metric_train`).
    pub fn recorder(&self) -> LossRecorder {
        LossRecorder {
            config: self.config.clone(),
            state: self.state.clone(),
            interrupter: self.interrupter.clone(),
            loss: LossMetric::new(),
            name: Arc::new("lrfind range test".into()),
        }
    }

    /// Epochs the Learner needs for the test's iterations at `batches_per_epoch` (at least
    /// one); the recorder stops it before their end.
    pub fn epochs_for(&self, batches_per_epoch: usize) -> usize {
        self.config.iters.div_ceil(batches_per_epoch.max(1)).max(1) + 1
    }

    /// The test's result from what the Learner recorded: every rule on the curve, the
    /// reported suggestion for the planned training length, why it stopped
    /// ([`Stop::Interrupted`] when the Learner ended before the recorder stopped it).
    pub fn result(&self) -> Result<RangeTestResult> {
        let s = self.state.lock().expect("the recorder's lock");
        if s.losses.is_empty() {
            return Err(Error::option(
                "recorder",
                "the Learner recorded no training loss: register LearnerRangeTest::recorder() with metric_train",
            ));
        }
        let stop = s.stop.clone().unwrap_or(Stop::Interrupted {
            index: s.losses.len(),
        });
        let planned_steps = self.config.planned_steps();
        let curve = Curve::training(&s.lrs, &s.losses, &s.smoothed, self.config.iters)
            .planned(planned_steps);
        let suggestions = suggest_all(&curve, self.config.method);
        let train_time = match (s.started, s.finished) {
            (Some(a), Some(b)) => b - a,
            (Some(a), None) => a.elapsed(),
            _ => Default::default(),
        };
        Ok(RangeTestResult {
            lrs: s.lrs.clone(),
            losses: s.losses.clone(),
            smoothed: s.smoothed.clone(),
            num_it: self.config.iters,
            stop,
            suggestions,
            validation: None,
            suggest_on: CurveKind::Training,
            planned_steps,
            train_time,
        })
    }
}
