//! `lrfind suggest`: flags → [`SuggestConfig`], run the pipeline, write the outputs, print.

use std::time::Instant;

use clap::Args;

use super::args::CommonArgs;
use super::{EXIT_INTERRUPTED, progress, set_threads, signals};
use crate::error::Result;
use crate::finder::{Hooks, RangeTestResult, Stop};
use crate::pipeline::{self, SuggestRun};
use crate::{plot, report};

/// Options of `lrfind suggest`. Defaults are those of [`crate::config::defaults`].
#[derive(Debug, Clone, Args)]
pub struct SuggestArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// Print lr_find.json on stdout (and nothing else there).
    #[arg(long)]
    pub json: bool,
    /// Run the range test this many times with seeds --seed, --seed + 1, ...: report the
    /// geometric mean and spread of the suggestions and draw every curve (at most 1000).
    #[arg(long, default_value_t = 1)]
    pub repeats: usize,
    /// The training you will run lasts this many epochs (passes over the training part):
    /// the suggestion is the constant LR for it.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// The training you will run lasts this many optimizer steps (after
    /// --accumulation-steps): the suggestion is the constant LR for it.
    #[arg(long)]
    pub steps: Option<usize>,
}

impl SuggestArgs {
    /// The configuration these flags describe (not yet validated).
    pub fn config(&self) -> crate::config::SuggestConfig {
        let mut config = self.common.config();
        config.range_test.epochs = self.epochs;
        config.range_test.steps = self.steps;
        config
    }
}

/// Runs `lrfind suggest`; returns the exit code, or the error to print.
pub fn run(args: SuggestArgs) -> Result<i32> {
    let started = Instant::now();
    let config = args.config();
    config.validate()?;
    pipeline::Repeats::check(args.repeats)?;
    set_threads(config.threads);
    let data = pipeline::load_data(&config)?;
    report::prepare_output_dir(&args.common.run.out)?;

    let bar = progress::bar("range test", config.range_test.iters, args.common.run.quiet);
    let mut on_step = |p: &crate::finder::Progress| progress::update(&bar, p);
    let hooks = Hooks {
        on_step: Some(&mut on_step),
        stop: Some(signals::stop_flag()),
        validate: None,
    };
    let mut run = pipeline::suggest(&config, &data, hooks)?;
    // Further seeds: same data, other initial weights and batch order.
    let mut others = Vec::new();
    for k in 1..args.repeats {
        let mut c = config.clone();
        c.seed = config.seed + k as u64;
        bar.set_message(format!("seed {}", c.seed));
        others.push(pipeline::suggest(&c, &data, Hooks::default())?.result);
    }
    bar.finish_and_clear();
    if args.repeats > 1 {
        let all: Vec<_> = std::iter::once(&run.result).chain(&others).collect();
        let seeds: Vec<u64> = (0..args.repeats as u64).map(|k| config.seed + k).collect();
        run.repeats = Some(pipeline::Repeats::of(&all, &seeds));
    }
    run.total_time = started.elapsed();
    write_outputs(&run, &others, &args)?;

    let json = args.json.then(|| report::lr_find_json(&run));
    super::print_lr_find(
        json.as_deref(),
        &report::summary_text(&run),
        &args.common.run.out,
        args.common.run.format,
        args.common.run.quiet,
    );
    if matches!(run.result.stop, Stop::Interrupted { .. }) {
        eprintln!(
            "Interrupted: the outputs hold the curve up to iteration {}",
            run.result.iterations()
        );
        return Ok(signals::exit_code().unwrap_or(EXIT_INTERRUPTED));
    }
    args.common.range.method.answered(run.result.suggested())?;
    Ok(0)
}

/// Writes the plot, the history and the JSON result (each atomically).
fn write_outputs(run: &SuggestRun, others: &[RangeTestResult], args: &SuggestArgs) -> Result<()> {
    let out = &args.common.run.out;
    let csv = report::lr_find_csv(&run.result);
    report::write_table(out, "lr_find", &csv, args.common.run.format)?;
    report::write_atomic(&out.join("lr_find.json"), &report::lr_find_json(run))?;
    let title = format!(
        "LR range test: {} · {} · {} · batch {}",
        run.data.source,
        run.model,
        run.optimizer,
        run.data.batch_rows(run.config.data.batch_size)
    );
    plot::lr_find_repeated(
        &run.result,
        others,
        &title,
        Some(&out.join("lr_find.png")),
        Some(&out.join("lr_find.svg")),
    )
}
