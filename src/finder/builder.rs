//! The range test in one call: [`RangeTest`] holds the knobs (every one optional), takes
//! the batches from any [`BatchSource`] (cycled for as many passes as the test needs) and
//! optionally a validation source, and runs [`super::range_test`].

use burn::module::Module;
use burn::tensor::Tensor;

use super::source::{BatchSource, Cycled};
use super::{Hooks, RangeTestResult, range_test};
use crate::analysis::Method;
use crate::config::{CurveKind, Ramp, RangeTestConfig};
use crate::error::{Error, Result};
use crate::optim::Stepper;

/// A range test to run: its configuration, built a knob at a time.
///
/// ```no_run
/// use burn::nn::{Linear, LinearConfig};
/// use burn::optim::AdamWConfig;
/// use burn::tensor::{Device, Tensor};
/// use lrfind::finder::RangeTest;
///
/// let device = Device::flex().autodiff();
/// let model: Linear = LinearConfig::new(4, 1).init(&device);
/// let batches = vec![(Tensor::<2>::ones([8, 4], &device), Tensor::<2>::zeros([8, 1], &device))];
/// let mse = |m: &Linear, (x, y): &(Tensor<2>, Tensor<2>)| (m.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
/// // The constant LR for a training of 2,000 optimizer steps; the one batch is cycled.
/// let result = RangeTest::new().iters(200).steps(2_000).run(&model, AdamWConfig::new().init(), &batches, mse)?;
/// println!("suggested LR {:?}", result.chosen().lr);
/// # Ok::<(), lrfind::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RangeTest {
    config: RangeTestConfig,
}

impl RangeTest {
    /// The defaults of [`RangeTestConfig`] (1e-7 to 10 over 300 iterations, `knee`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from a whole configuration.
    pub fn with_config(config: RangeTestConfig) -> Self {
        RangeTest { config }
    }

    /// The configuration as it stands.
    pub fn config(&self) -> &RangeTestConfig {
        &self.config
    }

    /// Iterations (optimizer steps) of the test.
    pub fn iters(mut self, iters: usize) -> Self {
        self.config.iters = iters;
        self
    }

    /// The LR range of the ramp.
    pub fn lr_range(mut self, start: f64, end: f64) -> Self {
        self.config.start_lr = start;
        self.config.end_lr = end;
        self
    }

    /// Exponential (default) or linear ramp.
    pub fn ramp(mut self, ramp: Ramp) -> Self {
        self.config.ramp = ramp;
        self
    }

    /// The rule whose answer is the suggestion.
    pub fn method(mut self, method: Method) -> Self {
        self.config.method = method;
        self
    }

    /// Divergence factor (0 disables the stop).
    pub fn diverge(mut self, factor: f64) -> Self {
        self.config.diverge = factor;
        self
    }

    /// Micro-batches per optimizer step (gradient accumulation).
    pub fn accumulation_steps(mut self, k: usize) -> Self {
        self.config.accumulation_steps = k;
        self
    }

    /// The training you will run lasts this many optimizer steps: the suggestion is the
    /// constant LR for it.
    pub fn steps(mut self, steps: usize) -> Self {
        self.config.steps = Some(steps);
        self.config.epochs = None;
        self
    }

    /// The training you will run lasts this many passes over the batch source (batches
    /// per pass: [`Self::batches_per_epoch`], or what the source knows, e.g. a slice's
    /// length).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.config.epochs = Some(epochs);
        self.config.steps = None;
        self
    }

    /// Batches in one epoch of the planned training.
    pub fn batches_per_epoch(mut self, batches: usize) -> Self {
        self.config.batches_per_epoch = Some(batches);
        self
    }

    /// Runs the test on `model` (on an autodiff device; left unchanged) with a fresh
    /// `optimizer`, the batches of `train` and `loss` (a batch's mean loss).
    pub fn run<'a, M, B, S, F>(
        &self,
        model: &M,
        optimizer: impl Into<Stepper>,
        train: S,
        loss: F,
    ) -> Result<RangeTestResult>
    where
        M: Module,
        S: BatchSource<'a, B>,
        F: Fn(&M, &B) -> Tensor<1>,
    {
        self.run_with(
            model,
            optimizer,
            train,
            None::<NoValidation>,
            loss,
            Hooks::default(),
        )
    }

    /// Like [`Self::run`], and in validation-loss mode (Smith's original test): every
    /// `every` iterations the mean of the batch losses over one pass of `valid` is recorded,
    /// and the suggestion is read from that curve. The loss is computed by `loss` on the
    /// model being trained in evaluation mode (`model.valid()`: no dropout, BatchNorm on its
    /// running statistics, no gradients), so the validation batches must be on the plain
    /// device (without autodiff).
    pub fn run_validated<'a, 'v, M, B, S, V, F>(
        &self,
        model: &M,
        optimizer: impl Into<Stepper>,
        train: S,
        valid: V,
        every: usize,
        loss: F,
    ) -> Result<RangeTestResult>
    where
        M: Module,
        S: BatchSource<'a, B>,
        V: BatchSource<'v, B>,
        F: Fn(&M, &B) -> Tensor<1>,
    {
        let mut t = self.clone();
        t.config.val_every = every;
        t.config.suggest_on = CurveKind::Validation;
        t.run_with(model, optimizer, train, Some(valid), loss, Hooks::default())
    }

    /// The general form: optional validation source (with `val_every` already set in the
    /// configuration) and the caller's progress and stop hooks (their `validate` must be
    /// empty: the validation source provides it).
    pub fn run_with<'a, 'v, M, B, S, V, F>(
        &self,
        model: &M,
        optimizer: impl Into<Stepper>,
        train: S,
        valid: Option<V>,
        loss: F,
        hooks: Hooks<'_, M>,
    ) -> Result<RangeTestResult>
    where
        M: Module,
        S: BatchSource<'a, B>,
        V: BatchSource<'v, B>,
        F: Fn(&M, &B) -> Tensor<1>,
    {
        let Hooks {
            on_step,
            stop,
            validate: given,
        } = hooks;
        if given.is_some() {
            return Err(Error::option(
                "validate",
                "give the validation batches as a source, not also a validation hook",
            ));
        }
        match (valid.is_some(), self.config.val_every) {
            (true, 0) => {
                return Err(Error::option(
                    "val_every",
                    "validation batches were given, but val_every is 0",
                ));
            }
            (false, k) if k > 0 => {
                return Err(Error::option(
                    "val_every",
                    "is set, but no validation batches were given (RangeTest::run_validated)",
                ));
            }
            _ => {}
        }
        let mut config = self.config.clone();
        if config.epochs.is_some() && config.batches_per_epoch.is_none() {
            config.batches_per_epoch = train.batches_per_pass();
        }
        let mut batches = Cycled::new(train);
        let mut valid_error: Option<Error> = None;
        let result = {
            let with_valid = valid.is_some();
            let mut valid = valid;
            // The model in evaluation mode (dropout off, BatchNorm on its running statistics,
            // no gradient graph): the validation batches live on the plain device.
            let mut validate = |m: &M| -> f64 {
                let Some(v) = valid.as_mut() else {
                    return f64::NAN;
                };
                let m = m.valid();
                let (mut sum, mut n) = (0.0, 0usize);
                for b in v.pass() {
                    match b {
                        Ok(b) => {
                            sum += loss(&m, &b).into_scalar::<f64>();
                            n += 1;
                        }
                        Err(e) => {
                            valid_error.get_or_insert(e);
                            return f64::NAN;
                        }
                    }
                }
                if n == 0 {
                    valid_error.get_or_insert(Error::option(
                        "valid",
                        "the validation source yielded no batch",
                    ));
                    return f64::NAN;
                }
                sum / n as f64
            };
            let hooks = Hooks {
                on_step: on_step.map(|f| f as &mut dyn FnMut(&super::Progress)),
                stop,
                validate: if with_valid {
                    Some(&mut validate as &mut dyn FnMut(&M) -> f64)
                } else {
                    None
                },
            };
            range_test(model, optimizer, batches.by_ref(), &loss, &config, hooks)
        };
        if let Some(e) = batches.error.take().or(valid_error) {
            return Err(e);
        }
        result
    }
}

/// No validation batches (the validation source of a plain [`RangeTest::run`]).
pub struct NoValidation;

impl<'a, B: 'a> BatchSource<'a, B> for NoValidation {
    fn pass(&mut self) -> Box<dyn Iterator<Item = Result<B>> + 'a> {
        Box::new(std::iter::empty())
    }
}
