//! `lrfind analyze`: another tool's saved range test → the same outputs as `suggest`
//! (lr_find.{png,svg,csv,json}), with the tool's smoothing undone and the ramp recognised.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::{MethodArg, parse_method};
use crate::analysis::Method;
use crate::analysis::foreign::{Smoothing, infer_ramp};
use crate::config::{MAX_PLANNED_STEPS, defaults};
use crate::curves::{Analysis, read_curve};
use crate::error::{Error, Result};
use crate::finder::RangeTestResult;
use crate::plot;
use crate::report::{self, TableFormat};

/// The tool that saved the curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FromTool {
    /// Raw losses (lrfind's own `loss` column, or any tool's unsmoothed record).
    Raw,
    /// fastai 2.8: `learn.recorder.lrs` / `.losses` (bias-corrected EMA, beta 0.98).
    Fastai,
    /// Lightning 2.5-2.6: `lr_finder.results` (bias-corrected EMA, beta 0.98, one step ahead).
    Lightning,
    /// torch-lr-finder 0.2: `lr_finder.history` (EMA with smooth_f 0.05, no bias correction).
    TorchLrFinder,
    /// keras-lr-finder 0.1 on TensorFlow 2: `lrs` / `losses` (Keras's running mean of the
    /// epoch's batch losses).
    Keras,
}

impl FromTool {
    /// The tool and the version its format and smoothing were checked against.
    fn checked(self) -> &'static str {
        match self {
            FromTool::Raw => "raw losses",
            FromTool::Fastai => "fastai 2.8.12 (checked against its own lr_find runs)",
            FromTool::Lightning => "Lightning 2.6.6 (checked against Tuner.lr_find recordings)",
            FromTool::TorchLrFinder => {
                "torch-lr-finder 0.2.2 (checked against its own range_test runs)"
            }
            FromTool::Keras => {
                "keras-lr-finder 0.1 on TensorFlow 2.15 (checked against its own find runs)"
            }
        }
    }
}

/// Options of `lrfind analyze`.
#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// The saved curve: CSV or Parquet with an LR and a loss column (lr, learning_rate, ...;
    /// loss, losses, ...), or JSON {"lr": [...], "loss": [...]} (or "lrs"/"losses").
    pub file: PathBuf,
    /// The tool that wrote it; its smoothing is undone to recover the raw loss.
    #[arg(long, value_enum, default_value_t = FromTool::Raw)]
    pub from: FromTool,
    /// torch-lr-finder's smooth_f, when the run changed it [default: 0.05].
    #[arg(long)]
    pub smooth_f: Option<f64>,
    /// fastai's or Lightning's EMA beta, when the run changed it [default: 0.98].
    #[arg(long)]
    pub beta: Option<f64>,
    /// keras-lr-finder run over more than one epoch: batches per epoch,
    /// ceil(rows / batch_size) [default: the whole curve is one epoch]. Keras weights its
    /// running mean by batch size, so an epoch's last point is recovered exactly only when
    /// its last batch is full.
    #[arg(long)]
    pub steps_per_epoch: Option<usize>,
    /// Suggestion rule reported as the suggestion (see `suggest --method`).
    #[arg(long, default_value = "knee", value_parser = parse_method)]
    pub method: MethodArg,
    /// The training you will run lasts this many optimizer steps: knee's suggestion is the
    /// constant LR for it.
    #[arg(long, conflicts_with = "epochs")]
    pub steps: Option<usize>,
    /// The training you will run lasts this many epochs of --rows rows in batches of
    /// --batch-size (one optimizer step per batch).
    #[arg(long, requires_all = ["rows", "batch_size"])]
    pub epochs: Option<usize>,
    /// Rows of the training set (with --epochs).
    #[arg(long, requires = "epochs")]
    pub rows: Option<usize>,
    /// Batch size of the training (with --epochs).
    #[arg(long, requires = "epochs")]
    pub batch_size: Option<usize>,
    /// Iterations the test planned, when it stopped before them (fastai's rules skip the
    /// first tenth of the planned iterations) [default: the curve's length].
    #[arg(long)]
    pub num_it: Option<usize>,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Format of the history file.
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
    /// Print lr_find.json on stdout (and nothing else there).
    #[arg(long)]
    pub json: bool,
    /// No summary.
    #[arg(long, short)]
    pub quiet: bool,
}

fn smoothing(a: &AnalyzeArgs) -> Result<Smoothing> {
    let beta = a.beta.unwrap_or(0.98);
    let factor = a.smooth_f.unwrap_or(0.05);
    if !(beta > 0.0 && beta < 1.0) {
        return Err(Error::option(
            "--beta",
            format!("must be in (0, 1), got {beta}"),
        ));
    }
    if !(factor > 0.0 && factor <= 1.0) {
        return Err(Error::option(
            "--smooth-f",
            format!("must be in (0, 1], got {factor}"),
        ));
    }
    let given = |flag: &'static str, set: bool, tools: &str| {
        if set {
            Err(Error::option(
                flag,
                format!("applies to --from {tools} only"),
            ))
        } else {
            Ok(())
        }
    };
    Ok(match a.from {
        FromTool::Raw | FromTool::Keras => {
            given("--beta", a.beta.is_some(), "fastai or lightning")?;
            given("--smooth-f", a.smooth_f.is_some(), "torch-lr-finder")?;
            if a.from == FromTool::Keras {
                if a.steps_per_epoch == Some(0) {
                    return Err(Error::option("--steps-per-epoch", "must be at least 1"));
                }
                Smoothing::EpochMean {
                    steps_per_epoch: a.steps_per_epoch,
                }
            } else {
                given("--steps-per-epoch", a.steps_per_epoch.is_some(), "keras")?;
                Smoothing::Raw
            }
        }
        FromTool::Fastai | FromTool::Lightning => {
            given("--smooth-f", a.smooth_f.is_some(), "torch-lr-finder")?;
            given("--steps-per-epoch", a.steps_per_epoch.is_some(), "keras")?;
            if a.from == FromTool::Fastai {
                Smoothing::Fastai { beta }
            } else {
                Smoothing::Lightning { beta }
            }
        }
        FromTool::TorchLrFinder => {
            given("--beta", a.beta.is_some(), "fastai or lightning")?;
            given("--steps-per-epoch", a.steps_per_epoch.is_some(), "keras")?;
            Smoothing::Torch { factor }
        }
    })
}

/// The planned training in optimizer steps: `--steps`, or `--epochs` passes of
/// `ceil(rows / batch_size)` batches.
fn planned_steps(a: &AnalyzeArgs) -> Result<Option<usize>> {
    let Some(epochs) = a.epochs else {
        return Ok(a.steps);
    };
    let (rows, batch) = (a.rows.unwrap_or(0), a.batch_size.unwrap_or(0));
    for (flag, v) in [
        ("--epochs", epochs),
        ("--rows", rows),
        ("--batch-size", batch),
    ] {
        if v == 0 {
            return Err(Error::option(flag, "must be at least 1"));
        }
    }
    Ok(Some(epochs.saturating_mul(rows.div_ceil(batch))))
}

/// Runs `lrfind analyze`.
pub fn run(a: AnalyzeArgs) -> Result<i32> {
    let smoothing = smoothing(&a)?;
    let planned = planned_steps(&a)?;
    match planned {
        Some(0) => return Err(Error::option("--steps", "must be at least 1")),
        Some(s) if s > MAX_PLANNED_STEPS => {
            return Err(Error::option(
                if a.epochs.is_some() {
                    "--epochs"
                } else {
                    "--steps"
                },
                format!("must be at most {MAX_PLANNED_STEPS} optimizer steps, got {s}"),
            ));
        }
        _ => {}
    }
    let saved = read_curve(&a.file)?;
    let source = a.file.display().to_string();
    let ramp = infer_ramp(&saved.lrs).map_err(|why| Error::Data {
        source_name: source.clone(),
        message: format!("column '{}': {why}", saved.lr_column),
    })?;
    let raw = smoothing.undo(&saved.losses);
    if raw.iter().filter(|l| l.is_finite()).count() < 2 {
        return Err(Error::Data {
            source_name: source,
            message: format!(
                "column '{}': fewer than two finite losses",
                saved.loss_column
            ),
        });
    }
    let points = saved.lrs.len();
    let num_it = a.num_it.unwrap_or(points);
    if num_it < points {
        return Err(Error::option(
            "--num-it",
            format!("the curve has {points} points, more than {num_it} planned"),
        ));
    }
    let method = match a.method {
        MethodArg::One(m) => m,
        MethodArg::All => Method::Knee,
    };
    let result =
        RangeTestResult::from_recorded(saved.lrs, raw, defaults::SMOOTH, num_it, method, planned);
    let analysis = Analysis {
        source,
        from: a.from.checked().into(),
        smoothing,
        lr_column: saved.lr_column,
        loss_column: saved.loss_column,
        ramp_text: ramp.describe(),
        ramp,
        chosen: result.chosen().clone(),
        result,
    };

    report::prepare_output_dir(&a.out)?;
    let mut json = serde_json::to_vec_pretty(&analysis).expect("serialisable");
    json.push(b'\n');
    report::write_table(
        &a.out,
        "lr_find",
        &report::lr_find_csv(&analysis.result),
        a.format,
    )?;
    report::write_atomic(&a.out.join("lr_find.json"), &json)?;
    let title = format!("LR range test read from {}", a.file.display());
    plot::lr_find(
        &analysis.result,
        &title,
        Some(&a.out.join("lr_find.png")),
        Some(&a.out.join("lr_find.svg")),
    )?;

    let chosen = &analysis.chosen;
    let summary = format!(
        "{}: {} points, {} ramp from {:.2e} to {:.2e}; losses from {} ({})\n{}\n",
        analysis.source,
        analysis.result.iterations(),
        analysis.ramp_text,
        analysis.result.lrs[0],
        analysis.result.lrs[analysis.result.iterations() - 1],
        analysis.loss_column,
        analysis.from,
        match chosen.lr {
            Some(lr) => format!("suggested LR: {lr:.2e} ({})", chosen.method.name()),
            None => format!(
                "no suggestion from {}: {}",
                chosen.method.name(),
                chosen.reason.as_deref().unwrap_or("")
            ),
        }
    );
    super::print_lr_find(
        a.json.then_some(&json[..]),
        &summary,
        &a.out,
        a.format,
        a.quiet,
    );
    a.method.answered(analysis.result.suggested())?;
    Ok(0)
}
