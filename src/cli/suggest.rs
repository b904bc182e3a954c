//! `lrfind suggest`: flags → [`SuggestConfig`], run the pipeline, write the outputs, print.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::{EXIT_INTERRUPTED, progress, set_threads};
use crate::analysis::Method;
use crate::config::{Backend, BinaryHead, OptimizerKind, Ramp, SuggestConfig, TaskKind, defaults};
use crate::error::{Error, Result};
use crate::finder::{Hooks, Stop};
use crate::pipeline::{self, SuggestRun};
use crate::{plot, report};

/// Set by the Ctrl-C handler; the range test stops after the current step.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// `--method`: one rule, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// lrfind's knee rule (the default).
    Knee,
    /// fastai's valley.
    Valley,
    /// fastai's steep.
    Steep,
    /// fastai's minimum / 10.
    Minimum,
    /// fastai's slide.
    Slide,
    /// torch-lr-finder's steepest gradient.
    Torch,
    /// Report every rule; the suggestion is knee's, and the run fails only if no rule answers.
    All,
}

/// Options of `lrfind suggest`. Defaults are those of [`crate::config::defaults`].
#[derive(Debug, Clone, Args)]
pub struct SuggestArgs {
    /// Built-in dataset (digits, breast_cancer) or a CSV/Parquet file.
    #[arg(long, default_value = defaults::DATA)]
    pub data: String,
    /// Target column.
    #[arg(long, default_value = defaults::TARGET)]
    pub target: String,
    /// Feature columns (comma-separated; default: every other column).
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// Columns to leave out, e.g. IDs (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Force the task (default: inferred from the target).
    #[arg(long, value_enum)]
    pub task: Option<TaskKind>,
    /// Do not z-score the features.
    #[arg(long)]
    pub no_standardize: bool,
    /// Train,validation[,test] fractions, summing to 1.
    #[arg(long, value_delimiter = ',', default_value = "0.8,0.2")]
    pub split: Vec<f64>,
    /// Drop rows with NaN, infinite or empty cells instead of failing.
    #[arg(long)]
    pub drop_na: bool,
    /// Mini-batch size.
    #[arg(long, default_value_t = defaults::BATCH_SIZE)]
    pub batch_size: usize,
    /// Hidden layer widths of the MLP (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "128")]
    pub hidden: Vec<usize>,
    /// Dropout after each hidden layer.
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f64,
    /// Head for two-class data: one logit with BCE, or two logits with cross-entropy.
    #[arg(long, value_enum, default_value_t = BinaryHead::Bce)]
    pub binary_head: BinaryHead,
    /// Optimizer.
    #[arg(long, value_enum, default_value_t = OptimizerKind::Adamw)]
    pub optimizer: OptimizerKind,
    /// Weight decay (default: Burn's, 1e-4 for AdamW, none for Adam and SGD).
    #[arg(long)]
    pub weight_decay: Option<f64>,
    /// SGD momentum (default: none; Burn's dampening is 0.1).
    #[arg(long)]
    pub momentum: Option<f64>,
    /// Clip each parameter's gradient to this L2 norm.
    #[arg(long)]
    pub clip_norm: Option<f64>,
    /// First LR of the ramp.
    #[arg(long, default_value_t = defaults::START_LR)]
    pub start_lr: f64,
    /// Last LR of the ramp.
    #[arg(long, default_value_t = defaults::END_LR)]
    pub end_lr: f64,
    /// Iterations (at least 20).
    #[arg(long, default_value_t = defaults::ITERS)]
    pub iters: usize,
    /// LR ramp shape.
    #[arg(long, value_enum, default_value_t = Ramp::Exp)]
    pub ramp: Ramp,
    /// Stop when the smoothed loss exceeds this many times the best (0: never).
    #[arg(long, default_value_t = defaults::DIVERGE)]
    pub diverge: f64,
    /// EMA factor of the smoothed loss.
    #[arg(long, default_value_t = defaults::SMOOTH)]
    pub smooth: f64,
    /// Suggestion rule reported as the suggestion.
    #[arg(long, value_enum, default_value_t = MethodArg::Knee)]
    pub method: MethodArg,
    /// Seed for weights, shuffling and the split.
    #[arg(long, default_value_t = defaults::SEED)]
    pub seed: u64,
    /// Tensor backend.
    #[arg(long, value_enum, default_value_t = Backend::Flex)]
    pub backend: Backend,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Print lr_find.json on stdout (and nothing else there).
    #[arg(long)]
    pub json: bool,
    /// No progress bar or summary.
    #[arg(long, short)]
    pub quiet: bool,
}

impl SuggestArgs {
    /// The configuration these flags describe (not yet validated).
    pub fn config(&self) -> SuggestConfig {
        let method = match self.method {
            MethodArg::Knee | MethodArg::All => Method::Knee,
            MethodArg::Valley => Method::Valley,
            MethodArg::Steep => Method::Steep,
            MethodArg::Minimum => Method::Minimum,
            MethodArg::Slide => Method::Slide,
            MethodArg::Torch => Method::Torch,
        };
        let mut c = SuggestConfig::default();
        c.data.data = self.data.clone();
        c.data.target = self.target.clone();
        c.data.features = self.features.clone();
        c.data.ignore = self.ignore.clone();
        c.data.task = self.task;
        c.data.standardize = !self.no_standardize;
        c.data.split = self.split.clone();
        c.data.drop_na = self.drop_na;
        c.data.batch_size = self.batch_size;
        c.model.hidden = self.hidden.clone();
        c.model.dropout = self.dropout;
        c.model.binary_head = self.binary_head;
        c.optimizer.optimizer = self.optimizer;
        c.optimizer.weight_decay = self.weight_decay;
        c.optimizer.momentum = self.momentum;
        c.optimizer.clip_norm = self.clip_norm;
        c.range_test.start_lr = self.start_lr;
        c.range_test.end_lr = self.end_lr;
        c.range_test.iters = self.iters;
        c.range_test.ramp = self.ramp;
        c.range_test.diverge = self.diverge;
        c.range_test.smooth = self.smooth;
        c.range_test.method = method;
        c.seed = self.seed;
        c.backend = self.backend;
        c.threads = self.threads;
        c
    }
}

/// Runs `lrfind suggest`; returns the exit code, or the error to print.
pub fn run(args: SuggestArgs) -> Result<i32> {
    let started = Instant::now();
    let config = args.config();
    config.validate()?;
    set_threads(config.threads);
    let data = pipeline::load_data(&config)?;
    report::prepare_output_dir(&args.out)?;
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));

    let bar = progress::bar(config.range_test.iters, args.quiet);
    let mut on_step = |p: &crate::finder::Progress| progress::update(&bar, p);
    let hooks = Hooks {
        on_step: Some(&mut on_step),
        stop: Some(&INTERRUPTED),
    };
    let mut run = pipeline::suggest(&config, &data, hooks)?;
    bar.finish_and_clear();
    run.total_time = started.elapsed();
    write_outputs(&run, &args)?;

    if args.json {
        print!("{}", String::from_utf8_lossy(&report::lr_find_json(&run)));
    }
    if !args.quiet {
        let text = report::summary_text(&run);
        let written = format!("Wrote {}/lr_find.{{png,svg,csv,json}}", args.out.display());
        if args.json {
            eprint!("{text}");
            eprintln!("{written}");
        } else {
            print!("{text}");
            println!("{written}");
        }
    }
    if matches!(run.result.stop, Stop::Interrupted { .. }) {
        eprintln!(
            "Interrupted: the outputs hold the curve up to iteration {}",
            run.result.iterations()
        );
        return Ok(EXIT_INTERRUPTED);
    }
    let chosen = run.result.suggestions.chosen();
    let any = run.result.suggestions.all.iter().any(|s| s.lr.is_some());
    let failed = if args.method == MethodArg::All {
        !any
    } else {
        chosen.lr.is_none()
    };
    if failed {
        return Err(Error::NoSuggestion {
            method: chosen.method.name(),
            reason: chosen.reason.clone().unwrap_or_default(),
        });
    }
    Ok(0)
}

/// Writes the plot, the history and the JSON result (each atomically).
fn write_outputs(run: &SuggestRun, args: &SuggestArgs) -> Result<()> {
    let out = &args.out;
    report::write_atomic(&out.join("lr_find.csv"), &report::lr_find_csv(&run.result))?;
    report::write_atomic(&out.join("lr_find.json"), &report::lr_find_json(run))?;
    let title = format!(
        "LR range test: {} · {} · {} · batch {}",
        run.data.source, run.model, run.optimizer, run.config.data.batch_size
    );
    plot::lr_find(
        &run.result,
        &title,
        Some(&out.join("lr_find.png")),
        Some(&out.join("lr_find.svg")),
    )
}
