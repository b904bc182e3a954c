//! `lrfind compare` and `lrfind schedule`: flags → settings, the runs, the outputs.

use std::path::PathBuf;

use clap::Args;

use super::args::{CommonArgs, RunArgs};
use super::{progress, set_threads, signals};
use crate::compare::{self, CompareSpec, LrSpec, Setting};
use crate::error::{Error, Result};
use crate::finder::Hooks;
use crate::run::Resolved;
use crate::schedule::{self, Timeline};
use crate::{pipeline, plot, report};

/// Schedules compared when no setting is given, all peaking at the suggested LR.
pub const DEFAULT_SETTINGS: [&str; 4] = [
    "constant",
    "exp(gamma=0.96,per=epoch)",
    "cosine",
    "onecycle",
];

/// Options of `lrfind compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// Epochs per run (a config file may set its own; at most 100,000).
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// A schedule chain run on top of the common flags, e.g. 'warmup(epochs=3)+cosine' (repeatable).
    #[arg(long = "setting")]
    pub settings: Vec<String>,
    /// A TOML file describing one setting (repeatable; unknown keys are errors).
    #[arg(long = "config")]
    pub configs: Vec<PathBuf>,
    /// Base LR of --setting runs: a number, or 'auto' for the range test's suggestion.
    #[arg(long, default_value = "auto")]
    pub lr: String,
    /// Reuse the suggestion in this lr_find.json instead of running the range test.
    #[arg(long)]
    pub lr_from: Option<PathBuf>,
    /// Validation accuracy levels to time (validation MSE levels for regression).
    #[arg(long, value_delimiter = ',', default_value = "0.5,0.8,0.9")]
    pub targets: Vec<f64>,
    /// Compare trainings another framework logged instead of training: NAME=PATH of a Keras
    /// or Lightning CSVLogger file, a Hugging Face trainer_state.json, a Burn Learner artifact
    /// folder, TensorBoard event files or a CSV with an epoch column (repeatable; the first is
    /// the baseline).
    #[arg(long = "logs", value_name = "NAME=PATH", conflicts_with_all = ["settings", "configs", "lr_from"])]
    pub logs: Vec<String>,
    /// With --logs: the log metric to read for a role, ROLE=NAME (roles: loss, val_loss,
    /// accuracy, val_accuracy, lr; repeatable).
    #[arg(long = "metric", value_name = "ROLE=NAME", requires = "logs")]
    pub metrics: Vec<String>,
}

/// Runs `lrfind compare` on settings of the built-in MLP (`--logs` goes to
/// [`super::compare_logs::run`]).
pub fn run(a: CompareArgs) -> Result<i32> {
    let config = a.common.config();
    let lr = LrSpec::parse(&a.lr, "--lr")?;
    let mut settings: Vec<Setting> = a
        .configs
        .iter()
        .map(|p| Setting::from_file(p))
        .collect::<Result<_>>()?;
    let specs: Vec<&str> = if a.settings.is_empty() && a.configs.is_empty() {
        DEFAULT_SETTINGS.to_vec()
    } else {
        a.settings.iter().map(String::as_str).collect()
    };
    for spec in specs {
        settings.push(Setting::from_spec(spec, &config.optimizer, lr)?);
    }
    let spec = CompareSpec {
        config,
        settings,
        epochs: a.epochs,
        targets: a.targets.clone(),
    };
    spec.validate()?;
    let CompareSpec {
        config, settings, ..
    } = spec;
    set_threads(config.threads);
    let data = pipeline::load_data(&config)?;
    compare::check_targets(
        "--targets",
        &a.targets,
        matches!(data.table.task, crate::data::Task::Regression),
    )?;
    let needs_auto = settings.iter().any(|s| s.lr == LrSpec::Auto);
    let suggested = match (&a.lr_from, needs_auto) {
        (_, false) => None,
        (Some(path), true) => Some(lr_from_file(path)?),
        (None, true) => {
            // The suggestion is the constant LR for the comparison's own training: its epochs
            // of one optimizer step per batch (the runs do not accumulate gradients).
            let mut c = config.clone();
            let per_epoch = data.batches_per_epoch(config.data.batch_size);
            c.range_test.steps = Some(a.epochs * per_epoch);
            let run = pipeline::suggest(
                &c,
                &data,
                Hooks {
                    stop: Some(signals::stop_flag()),
                    ..Default::default()
                },
            )?;
            if signals::stopped() {
                return Err(Error::Interrupted {
                    what:
                        "the range test was stopped before any setting ran, so nothing was written"
                            .into(),
                });
            }
            let chosen = run.result.chosen();
            Some(chosen.lr.ok_or_else(|| Error::NoSuggestion {
                method: chosen.method.name(),
                reason: format!(
                    "{} (give --lr instead of auto)",
                    chosen.reason.clone().unwrap_or_default()
                ),
            })?)
        }
    };
    let resolved: Vec<Resolved> = settings
        .iter()
        .map(|s| s.resolve(suggested, a.epochs, config.data.batch_size))
        .collect::<Result<_>>()?;
    report::prepare_output_dir(&a.common.run.out)?;

    let total: usize = resolved.iter().map(|r| r.epochs).sum();
    let bar = progress::bar("compare", total, a.common.run.quiet);
    let mut done = 0;
    let stop = Some(signals::stop_flag());
    let comparison = pipeline::compare(
        &config,
        &data,
        &resolved,
        &a.targets,
        suggested,
        stop,
        |p| {
            done += 1;
            bar.set_position(done as u64);
            bar.set_message(format!(
                "{} epoch {}/{} lr {:.2e}",
                p.setting, p.epoch, p.epochs, p.lr
            ));
        },
    )?;
    bar.finish_and_clear();
    if comparison.runs.is_empty() {
        return Err(Error::Interrupted {
            what: "no setting finished, so nothing was written".into(),
        });
    }

    write_outputs(
        &a.common.run,
        &report::compare_json(&comparison),
        &report::compare_csv(&comparison),
        &report::compare_md(&comparison, "compare.png"),
        |png, svg| plot::compare(&comparison, Some(png), Some(svg)),
    )
}

/// Writes what `compare` (and `compare --logs`) writes into the prepared output folder:
/// `compare.json`, the table (CSV or Parquet), `compare.md` and the figure drawn by `draw`
/// (PNG and SVG paths); prints the Markdown unless quiet.
pub(super) fn write_outputs(
    run: &RunArgs,
    json: &[u8],
    csv: &[u8],
    md: &str,
    draw: impl FnOnce(&std::path::Path, &std::path::Path) -> Result<()>,
) -> Result<i32> {
    let out = &run.out;
    report::write_atomic(&out.join("compare.json"), json)?;
    report::write_table(out, "compare", csv, run.format)?;
    report::write_atomic(&out.join("compare.md"), md.as_bytes())?;
    draw(&out.join("compare.png"), &out.join("compare.svg"))?;
    if !run.quiet {
        print!("{md}");
        let ext = run.format.extension();
        println!("Wrote {}/compare.{{md,json,{ext},png,svg}}", out.display());
    }
    Ok(0)
}

/// The chosen LR in a saved `lr_find.json`.
fn lr_from_file(path: &std::path::Path) -> Result<f64> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::InputRead {
        path: path.into(),
        what: "range-test result (--lr-from)",
        message: e.to_string(),
    })?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::option("--lr-from", format!("{}: not JSON: {e}", path.display())))?;
    doc["chosen"]["lr"]
        .as_f64()
        .filter(|v| *v > 0.0)
        .ok_or_else(|| Error::option("--lr-from", format!("{}: has no chosen.lr", path.display())))
}

/// Options of `lrfind schedule`.
#[derive(Debug, Clone, Args)]
pub struct ScheduleArgs {
    /// One or more schedule chains, e.g. onecycle 'warmup(steps=100)+cosine'.
    #[arg(required = true)]
    pub specs: Vec<String>,
    /// Steps in the run (at most 1,000,000).
    #[arg(long)]
    pub steps: usize,
    /// Steps per epoch (for epoch-based schedules; at least 1).
    #[arg(long, default_value_t = 1)]
    pub steps_per_epoch: usize,
    /// Base (peak) LR.
    #[arg(long, default_value_t = 1.0)]
    pub lr: f64,
    /// Print the values as CSV on stdout.
    #[arg(long)]
    pub csv: bool,
    /// Output folder for schedule.png and schedule.svg.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

/// Runs `lrfind schedule`: draws the LR curves and optionally prints them.
pub fn run_schedule(a: ScheduleArgs) -> Result<i32> {
    let chains = a
        .specs
        .iter()
        .map(|s| {
            // The chains are positional arguments here, not --setting values.
            schedule::parse(s).map_err(|e| match e {
                Error::InvalidOption {
                    flag: "--setting",
                    message,
                } => Error::InvalidOption {
                    flag: "schedule",
                    message,
                },
                e => e,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let tl = Timeline {
        total_steps: a.steps,
        steps_per_epoch: a.steps_per_epoch,
    };
    let curves = schedule::sample(&chains, a.lr, &tl)?;
    report::prepare_output_dir(&a.out)?;
    plot::schedules(
        &a.specs,
        &curves,
        Some(&a.out.join("schedule.png")),
        Some(&a.out.join("schedule.svg")),
    )?;
    if a.csv {
        print!(
            "{}",
            String::from_utf8_lossy(&report::schedule_csv(&a.specs, &curves))
        );
    } else {
        println!("Wrote {}/schedule.{{png,svg}}", a.out.display());
    }
    Ok(0)
}
