//! The command line's `sweep` of the built-in MLP on tables: a grid of constant LRs
//! (optionally crossed with optimizers, batch sizes and standardisation), each trained for a
//! few epochs from the same initial weights and data order, then a full report per split and
//! a conclusion.
//!
//! A sweep runs as one or more *parts* ([`run_part`], one per `--shard i/n`), and
//! [`merge`] turns parts into the [`Sweep`]. An unsharded run is one part, merged the same
//! way, so sharded and unsharded runs give the same report.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::analysis::conclusion::{CHANCE_AUC, Conclusion, Outcome, conclude};
use crate::config::SuggestConfig;
use crate::data::{self, Prepared, Resample, Table, Task};
use crate::error::{Error, Result};
use crate::finder::Hooks;
use crate::model::{Head, Mlp};
use crate::pipeline::{self, DataSummary, RunContext, train_run};
use crate::run::{Resolved, Run};
use crate::{schedule, train};

use crate::sweep::{Grid, Point, SPLITS, Shard, SplitReport, split_report};

/// Everything a sweep runs with; stored in every part, and parts must agree to merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Data, model, optimizer settings, range test, seed and backend. The grid's factors
    /// override the optimizer family, the batch size and standardisation.
    pub config: SuggestConfig,
    /// The grid.
    pub grid: Grid,
    /// Epochs per configuration.
    pub epochs: usize,
    /// Positive-class proportion to resample the binary training set to (None: as is).
    pub pos_proportion: Option<f64>,
    /// How to resample.
    pub resample: Resample,
    /// Probability at or above which a binary model predicts the positive class.
    pub threshold: f64,
    /// Run the range test first (with the first value of every factor) and place its
    /// suggestion on the grid.
    pub mark_suggestion: bool,
}

impl SweepSpec {
    /// Checks every value; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        self.config.validate()?;
        self.grid.validate()?;
        crate::config::check_epochs("--epochs", self.epochs)?;
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(Error::option(
                "--threshold",
                format!("must be in (0, 1), got {}", self.threshold),
            ));
        }
        if let Some(p) = self.pos_proportion
            && !(p > 0.0 && p < 1.0)
        {
            return Err(Error::option(
                "--pos-proportion",
                format!("must be as_is, balanced or a proportion in (0, 1), got {p}"),
            ));
        }
        Ok(())
    }
}

/// The training set's class counts before and after resampling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// What was done, in words.
    pub action: String,
    /// Rows per class before.
    pub before: Vec<usize>,
    /// Rows per class after.
    pub after: Vec<usize>,
}

/// One trained configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigResult {
    /// Where it sits in the grid.
    pub point: Point,
    /// The training record (per-step and per-epoch losses, verdict).
    pub run: Run,
    /// Reports on the training, validation and (when split off) test parts.
    pub splits: Vec<SplitReport>,
    /// What the conclusion uses.
    pub outcome: Outcome,
}

impl ConfigResult {
    /// The report of one split, by name.
    pub fn split(&self, name: &str) -> Option<&SplitReport> {
        self.splits.iter().find(|s| s.split == name)
    }
}

/// What one part (shard) of a sweep produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPart {
    /// The sweep.
    pub spec: SweepSpec,
    /// Which slice of the grid (None: all of it).
    pub shard: Option<Shard>,
    /// The data.
    pub data: DataSummary,
    /// The model, e.g. "MLP 30-128-1".
    pub model: String,
    /// The loss, e.g. "binary cross-entropy on one logit".
    pub loss: String,
    /// Class counts of the training set (classification).
    pub balance: Option<Balance>,
    /// The range test's suggestion (with `mark_suggestion`).
    pub suggestion: Option<f64>,
    /// Results of this part's configurations, in grid order.
    pub results: Vec<ConfigResult>,
    /// Whether a stop request (Ctrl-C, SIGTERM) ended the part before its last
    /// configuration: `results` holds the ones that finished.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

impl SweepPart {
    /// Whether two parts come from the same sweep (same settings, data and model).
    pub fn same_sweep(&self, other: &SweepPart) -> bool {
        self.spec == other.spec && self.data == other.data && self.model == other.model
    }
}

/// A finished sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The sweep.
    pub spec: SweepSpec,
    /// The data.
    pub data: DataSummary,
    /// The model.
    pub model: String,
    /// The loss.
    pub loss: String,
    /// Class counts of the training set.
    pub balance: Option<Balance>,
    /// The range test's suggestion.
    pub suggestion: Option<f64>,
    /// Group labels (factors other than the LR that vary; one empty label when none does).
    pub groups: Vec<String>,
    /// Every configuration, in grid order.
    pub results: Vec<ConfigResult>,
    /// The conclusion.
    pub conclusion: Conclusion,
    /// Whether a stop request ended the sweep early: `results` holds the configurations
    /// that finished, and the conclusion is drawn from them alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

/// Progress of a sweep, for the progress bar.
#[derive(Debug, Clone, Copy)]
pub struct SweepProgress<'a> {
    /// The configuration in training.
    pub point: &'a Point,
    /// Epochs finished.
    pub epoch: usize,
    /// Epochs of each configuration.
    pub epochs: usize,
    /// Optimizer steps done in this configuration.
    pub step: usize,
    /// Optimizer steps of this configuration (all its epochs).
    pub steps: usize,
}

/// Prepares the data once per standardisation setting, checks the split and resamples the
/// training part.
fn prepare(spec: &SweepSpec, table: &Table) -> Result<(Vec<Prepared>, Option<Balance>)> {
    let config = &spec.config;
    let classes = table.task.num_classes();
    if spec.pos_proportion.is_some() && classes != 2 {
        let what = match &table.task {
            Task::Regression => "a regression task".to_string(),
            _ => format!("{classes} classes"),
        };
        return Err(Error::option(
            "--pos-proportion",
            format!(
                "only for binary classification, and '{}' has {what}",
                table.source
            ),
        ));
    }
    // One prepared copy per standardisation setting; the split is the same in each.
    let mut prepared = Vec::new();
    for &standardize in &spec.grid.standardize {
        let mut dc = config.data.clone();
        dc.standardize = standardize;
        prepared.push(data::prepare(table.clone(), &dc, config.seed)?);
    }
    let first = &prepared[0];
    data::check_classes(first)?;
    let mut train = first.train().to_vec();
    let balance = first.table.labels().map(|labels| {
        let count = |rows: &[usize]| {
            let mut c = vec![0; classes];
            rows.iter().for_each(|&r| c[labels[r]] += 1);
            c
        };
        let before = count(&train);
        let action = match spec.pos_proportion {
            None => "as is".to_string(),
            Some(p) => {
                train = data::resample(&train, &labels, p, spec.resample, config.seed);
                let how = match spec.resample {
                    Resample::Under => "undersampled the majority class (without replacement)",
                    Resample::Over => "oversampled the minority class (with replacement)",
                };
                format!("{how} to a positive proportion of {p}")
            }
        };
        Balance {
            action,
            before,
            after: count(&train),
        }
    });
    // A batch size that reaches the training part's rows trains on the whole part in each
    // batch; two such would be the same training.
    let whole: Vec<String> = (spec.grid.batch_sizes.iter())
        .filter(|&&b| b >= train.len())
        .map(|b| b.to_string())
        .collect();
    if whole.len() > 1 {
        return Err(Error::option(
            "--batch-sizes",
            format!(
                "{} all reach the training part's {} rows of '{}': each would train on the whole part, the same training",
                whole.join(", "),
                train.len(),
                first.table.source
            ),
        ));
    }
    for data in &mut prepared {
        data.parts[0] = train.clone();
    }
    Ok((prepared, balance))
}

/// Runs one part of a sweep on `table` (the table `spec.config.data` describes, e.g. from
/// `data::load`): the configurations of `shard` (all of them when None). `on_progress` is
/// called after every optimizer step and every epoch of every configuration.
pub fn run_part(
    spec: &SweepSpec,
    table: &Table,
    shard: Option<Shard>,
    stop: Option<&AtomicBool>,
    mut on_progress: impl FnMut(&SweepProgress),
) -> Result<SweepPart> {
    spec.validate()?;
    let config = &spec.config;
    let (prepared, balance) = prepare(spec, table)?;
    let first = &prepared[0];
    let head = Head::for_task(&first.table.task, config.model.binary_head);
    let device = pipeline::device(config.backend);
    device.seed(config.seed);
    let initial = Mlp::for_table(&first.table, &config.model, head, &device)?;

    let suggestion = if spec.mark_suggestion {
        let mut c = config.clone();
        c.optimizer.optimizer = spec.grid.optimizers[0];
        c.data.batch_size = spec.grid.batch_sizes[0];
        c.data.standardize = spec.grid.standardize[0];
        // The constant LR for the sweep's own training: its epochs of one optimizer step
        // per batch (the runs do not accumulate gradients).
        let per_epoch = first.batches_per_epoch(c.data.batch_size);
        c.range_test.steps = Some(spec.epochs * per_epoch);
        pipeline::suggest(
            &c,
            first,
            Hooks {
                stop,
                ..Default::default()
            },
        )?
        .result
        .suggested()
        .chosen()
        .lr
    } else {
        None
    };

    // Evaluation batches of each split, per standardisation setting.
    let eval: Vec<Vec<data::Batcher>> = prepared
        .iter()
        .map(|d| {
            d.parts
                .iter()
                .map(|rows| pipeline::eval_set(d, rows, head, config.backend))
                .collect()
        })
        .collect();
    let points = spec.grid.points();
    let range = shard.map_or(0..points.len(), |s| s.range(points.len()));
    let labels = spec.grid.group_labels();
    let constant = schedule::parse("constant")?;
    let mut results = Vec::with_capacity(range.len());
    let mut incomplete = false;
    for point in &points[range] {
        let s = spec
            .grid
            .standardize
            .iter()
            .position(|&v| v == point.standardize)
            .expect("point from the grid");
        let data = &prepared[s];
        let ctx = RunContext {
            data,
            head,
            valid: &eval[s][1],
            device: &device,
            seed: config.seed,
            targets: &[],
            stop,
        };
        let mut optimizer = config.optimizer.clone();
        optimizer.optimizer = point.optimizer;
        let setting = Resolved {
            name: labels[point.group].clone(),
            optimizer,
            lr: point.lr,
            schedule: constant.clone(),
            schedule_text: "constant".into(),
            epochs: spec.epochs,
            batch_size: point.batch_size,
        };
        // Both callbacks report through the caller's one function.
        let progress = std::cell::RefCell::new((&mut on_progress, 0usize, 0usize));
        let (run, model) = train_run(
            &ctx,
            &initial,
            &setting,
            |epoch, _| {
                let (f, step, steps) = &mut *progress.borrow_mut();
                f(&SweepProgress {
                    point,
                    epoch,
                    epochs: spec.epochs,
                    step: *step,
                    steps: *steps,
                })
            },
            |step, total| {
                let (f, done, steps) = &mut *progress.borrow_mut();
                (*done, *steps) = (step, total);
                f(&SweepProgress {
                    point,
                    epoch: (step - 1) * spec.epochs / total.max(1),
                    epochs: spec.epochs,
                    step,
                    steps: total,
                })
            },
        );
        if run.interrupted {
            incomplete = true;
            break;
        }
        let splits: Vec<SplitReport> = eval[s]
            .iter()
            .enumerate()
            .filter(|(_, set)| !set.is_empty())
            .map(|(i, set)| {
                let batches = set.in_order_iter(pipeline::EVAL_BATCH);
                let p = train::predict(&model, Mlp::forward, head, batches);
                split_report(
                    SPLITS[i],
                    head,
                    &p,
                    spec.threshold,
                    data.target_scale,
                    i == 1,
                )
            })
            .collect();
        let valid = &splits[1];
        let class_name = |c: usize| match &data.table.task {
            Task::Classification { classes } => classes[c].clone(),
            Task::Regression => c.to_string(),
        };
        let outcome = Outcome {
            lr: point.lr,
            group: point.group,
            val_loss: valid.loss,
            verdict: run.summary.verdict,
            predicts_only: valid
                .report()
                .and_then(|r| r.predicts_only())
                .map(class_name),
            chance: valid.roc_auc().is_some_and(|auc| auc <= CHANCE_AUC),
        };
        results.push(ConfigResult {
            point: *point,
            run,
            splits,
            outcome,
        });
    }
    Ok(SweepPart {
        spec: spec.clone(),
        shard,
        data: DataSummary::of(first),
        model: initial.describe(),
        loss: head.describe(),
        balance,
        suggestion,
        results,
        incomplete,
    })
}

/// Combines parts into the sweep: they must come from the same sweep, and together hold
/// every configuration exactly once.
pub fn merge(parts: Vec<SweepPart>) -> Result<Sweep> {
    if parts.iter().any(|p| p.incomplete) {
        return Err(Error::option(
            "merge",
            "a part is incomplete (its run was interrupted): run its shard again",
        ));
    }
    assemble(parts)
}

/// Builds the report from parts; an incomplete single part (an interrupted unsharded
/// sweep) gives an incomplete report of the configurations that finished.
fn assemble(mut parts: Vec<SweepPart>) -> Result<Sweep> {
    let bad = |m: String| Error::option("merge", m);
    let Some(first) = parts.first() else {
        return Err(bad("no partial results given".into()));
    };
    let incomplete = first.incomplete;
    for p in &parts[1..] {
        if !p.same_sweep(first) {
            return Err(bad(
                "the parts come from different sweeps (their settings or data differ)".into(),
            ));
        }
        if p.suggestion != first.suggestion || p.balance != first.balance {
            return Err(bad(
                "the parts disagree on the data balance or the suggestion".into(),
            ));
        }
    }
    let total = first.spec.grid.points().len();
    let count = first.shard.map_or(1, |s| s.count);
    let mut seen = vec![0usize; count];
    for p in &parts {
        let s = p.shard.unwrap_or(Shard { index: 0, count: 1 });
        if s.count != count {
            return Err(bad(format!(
                "the parts were cut into different numbers of shards ({count} and {})",
                s.count
            )));
        }
        seen[s.index] += 1;
    }
    if let Some(i) = seen.iter().position(|&n| n == 0) {
        return Err(bad(format!("shard {i}/{count} is missing")));
    }
    if let Some(i) = seen.iter().position(|&n| n > 1) {
        return Err(bad(format!("shard {i}/{count} is given more than once")));
    }
    let mut results: Vec<ConfigResult> = parts
        .iter_mut()
        .flat_map(|p| std::mem::take(&mut p.results))
        .collect();
    results.sort_by_key(|r| r.point.index);
    let expected = if incomplete { results.len() } else { total };
    if results.len() != expected || results.iter().enumerate().any(|(i, r)| r.point.index != i) {
        return Err(bad(format!(
            "the parts hold {} of the grid's {total} configurations",
            results.len()
        )));
    }
    let first = parts.swap_remove(0);
    let groups = first.spec.grid.group_labels();
    let outcomes: Vec<Outcome> = results.iter().map(|r| r.outcome.clone()).collect();
    let conclusion = conclude(&outcomes, &groups, first.suggestion);
    Ok(Sweep {
        spec: first.spec,
        data: first.data,
        model: first.model,
        loss: first.loss,
        balance: first.balance,
        suggestion: first.suggestion,
        groups,
        results,
        conclusion,
        incomplete,
    })
}

/// Serialises a part as its partial-result file (`sweep-part-I-of-N.json`).
pub fn part_json(part: &SweepPart) -> Vec<u8> {
    let mut v = serde_json::to_vec(part).expect("serialisable");
    v.push(b'\n');
    v
}

/// Reads a partial-result file.
pub fn read_part(path: &std::path::Path) -> Result<SweepPart> {
    let text = std::fs::read(path).map_err(|e| Error::InputRead {
        path: path.into(),
        what: "sweep part",
        message: e.to_string(),
    })?;
    serde_json::from_slice(&text).map_err(|e| Error::DataFormat {
        path: path.into(),
        format: "JSON",
        message: format!("{e} (expected a sweep partial result)"),
    })
}

/// Runs the whole sweep as one part and merges it. The part goes through its JSON form
/// first, so the report is bit-for-bit the one `merge` builds from partial-result files.
/// `stop` ends it early (see [`Sweep::incomplete`]).
pub fn run(
    spec: &SweepSpec,
    table: &Table,
    stop: Option<&AtomicBool>,
    on_progress: impl FnMut(&SweepProgress),
) -> Result<Sweep> {
    let part = run_part(spec, table, None, stop, on_progress)?;
    let roundtrip = serde_json::from_slice(&part_json(&part)).expect("a part reads back");
    assemble(vec![roundtrip])
}
