//! The command line's `evaluate` of the built-in MLP on tables: [`crate::evaluate`]'s
//! evaluation (the one [`crate::evaluate::evaluate_models`] runs on a model of your own),
//! with each seed's own split of the table, MLP, batch order and validation part.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{DataSummary, RunContext, train_run};
use crate::analysis::confidence::Confidence;
use crate::config::{OptimizerConfig, SuggestConfig, with_flags};
use crate::data::{self, Table};
use crate::error::{Error, Result};
use crate::evaluate::{BudgetScore, EvaluateSpec, Protocol, Trainer, evaluate_with};
use crate::finder::{Hooks, RangeTestResult};
use crate::model::{Head, Mlp};
use crate::pipeline;
use crate::run::{Resolved, Run};

/// Everything `evaluate` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// What ran.
    pub spec: EvaluateSpec,
    /// The data (first seed's split).
    pub data: DataSummary,
    /// The model.
    pub model: String,
    /// Every grid LR trained (coarse and refined), ascending.
    pub lrs: Vec<f64>,
    /// Optimizer steps per epoch of the grid's trainings.
    pub steps_per_epoch: usize,
    /// Each seed's range test (the curve every rule read).
    pub range_tests: Vec<RangeTestResult>,
    /// The confidence of each seed's range test.
    pub confidence: Vec<Confidence>,
    /// One record per budget, in `epochs_list` order.
    pub budgets: Vec<BudgetScore>,
    /// The seeds whose split puts a validation or test value far outside the training part,
    /// each with its farthest ([`data::far_outside`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub far_outside: Vec<SeedFarOutside>,
}

/// A seed's split with a value far outside its training part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedFarOutside {
    /// The seed (the config's seed plus the seed's index).
    pub seed: u64,
    /// Its farthest value.
    #[serde(flatten)]
    pub far: data::FarOutside,
}

/// Runs the evaluation on `table` (the table `spec.config.data` describes, e.g. from
/// `data::load`; each seed splits it anew, with the config's seed plus the seed's index);
/// `on_progress(done, total)` after each training or range test. `stop` ends it with an
/// error: the report is written only once every seed's grid has run.
pub fn evaluate(
    spec: &EvaluateSpec,
    table: &Table,
    stop: Option<&AtomicBool>,
    mut on_progress: impl FnMut(usize, usize),
) -> Result<Evaluation> {
    spec.validate()?;
    let mut tables = Tables {
        config: &spec.config,
        table,
        stop,
        setup: None,
        first: None,
        far_outside: Vec::new(),
    };
    let protocol = Protocol {
        plan: &spec.plan,
        method: spec.config.range_test.method,
        optimizer: &spec.config.optimizer,
        higher_is_better: !matches!(table.task, data::Task::Regression),
    };
    let scores = evaluate_with(&mut tables, &protocol, &mut on_progress).map_err(with_flags)?;
    let (data, model) = tables.first.expect("the first seed's range test ran");
    let mut far_outside = tables.far_outside;
    far_outside.sort_by_key(|f| f.seed);
    let confidence = scores.confidence();
    Ok(Evaluation {
        spec: spec.clone(),
        data,
        model,
        lrs: scores.lrs,
        steps_per_epoch: scores.steps_per_epoch,
        range_tests: scores.range_tests,
        confidence,
        budgets: scores.budgets,
        far_outside,
    })
}

/// The built-in MLP on a table as the evaluation's [`Trainer`]: seed `k` is the config's
/// seed plus `k`, for the split, the initial weights and the batch order.
struct Tables<'a> {
    config: &'a SuggestConfig,
    table: &'a Table,
    stop: Option<&'a AtomicBool>,
    /// The last seed's set-up (the evaluation takes the seeds in turn, phase by phase).
    setup: Option<(usize, Setup)>,
    /// The first seed's data summary and model description.
    first: Option<(DataSummary, String)>,
    /// Each seed's split with a value far outside its training part (one entry per seed).
    far_outside: Vec<SeedFarOutside>,
}

/// Everything one seed needs to train a setting.
struct Setup {
    config: SuggestConfig,
    data: data::Prepared,
    head: Head,
    valid: data::Batcher,
    device: burn::tensor::Device,
    initial: Mlp,
}

impl Tables<'_> {
    fn setup(&mut self, seed: usize) -> Result<&Setup> {
        if self.setup.as_ref().is_none_or(|(s, _)| *s != seed) {
            let mut config = self.config.clone();
            config.seed += seed as u64;
            // A class missing from the validation part (a rare class) is fine here: the
            // validation loss and accuracy are over the rows it has, as in `suggest`.
            let data = data::prepare(self.table.clone(), &config.data, config.seed)?;
            let head = Head::for_task(&data.table.task, config.model.binary_head);
            let device = pipeline::device(config.backend);
            device.seed(config.seed);
            let initial = Mlp::for_table(&data.table, &config.model, head, &device)?;
            let valid = pipeline::eval_set(&data, data.valid(), head, config.backend);
            self.setup = Some((
                seed,
                Setup {
                    config,
                    data,
                    head,
                    valid,
                    device,
                    initial,
                },
            ));
        }
        Ok(&self.setup.as_ref().expect("set").1)
    }
}

impl Trainer for Tables<'_> {
    fn range_test(
        &mut self,
        seed: usize,
        optimizer: &OptimizerConfig,
        iters: Option<usize>,
    ) -> Result<RangeTestResult> {
        let s = self.setup(seed)?;
        let mut config = s.config.clone();
        config.optimizer = optimizer.clone();
        if let Some(iters) = iters {
            config.range_test.iters = iters;
        }
        let run = pipeline::suggest(&config, &s.data, Hooks::default())?;
        // The seed's split as the range test's summary found it (one record per seed).
        if let Some(far) = &run.data.far_outside
            && !self.far_outside.iter().any(|f| f.seed == config.seed)
        {
            let (seed, far) = (config.seed, far.clone());
            self.far_outside.push(SeedFarOutside { seed, far });
        }
        if self.first.is_none() {
            self.first = Some((run.data, run.model));
        }
        Ok(run.result)
    }

    fn train(&mut self, seed: usize, setting: &Resolved) -> Result<Run> {
        let stop = self.stop;
        let s = self.setup(seed)?;
        let ctx = RunContext {
            data: &s.data,
            head: s.head,
            valid: &s.valid,
            device: &s.device,
            seed: s.config.seed,
            targets: &[],
            stop,
        };
        let mut setting = setting.clone();
        setting.batch_size = s.config.data.batch_size;
        let (run, _) = train_run(&ctx, &s.initial, &setting, |_, _| {}, |_, _| {});
        if run.interrupted {
            return Err(Error::Interrupted {
                what: "evaluate writes its report only once every training has run".into(),
            });
        }
        Ok(run)
    }
}
