//! `lrfind sweep` and `lrfind merge`: flags → [`SweepSpec`], the runs (or one shard of
//! them), and the outputs.

use std::path::{Path, PathBuf};

use clap::Args;

use super::args::CommonArgs;
use super::{progress, set_threads, signals};
use crate::config::{OptimizerKind, defaults};
use crate::data::Resample;
use crate::error::{Error, Result};
use crate::pipeline::sweep::{self as mlp_sweep, Sweep, SweepSpec};
use crate::report::TableFormat;
use crate::sweep::{self, Grid, Shard};
use crate::{plot, report};

/// `--standardize` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// z-score the features.
    On,
    /// Raw features.
    Off,
}

/// Options of `lrfind sweep`.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// Epochs per configuration (at most 100,000).
    #[arg(long, default_value_t = defaults::SWEEP_EPOCHS)]
    pub epochs: usize,
    /// LRs to try, comma-separated (e.g. 1e-7,1e-6,1e-5).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["lr_range", "per_decade"])]
    pub lrs: Vec<String>,
    /// LR range LOW:HIGH, with --per-decade points per decade [default: 1e-5:1].
    #[arg(long)]
    pub lr_range: Option<String>,
    /// Grid points per decade of --lr-range (at most 10,000 LRs in all) [default: 1].
    #[arg(long)]
    pub per_decade: Option<usize>,
    /// Optimizers to cross with the LRs (default: --optimizer).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub optimizers: Vec<OptimizerKind>,
    /// Batch sizes to cross with the LRs (default: --batch-size).
    #[arg(long, value_delimiter = ',')]
    pub batch_sizes: Vec<usize>,
    /// Standardisation settings to cross with the LRs: on, off or on,off.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        conflicts_with = "no_standardize"
    )]
    pub standardize: Vec<OnOff>,
    /// Positive-class proportion of the binary training set: as_is, balanced or a number in (0, 1).
    #[arg(long, default_value = "as_is")]
    pub pos_proportion: String,
    /// How --pos-proportion resamples the training set.
    #[arg(long, value_enum, default_value_t = Resample::Under)]
    pub resample: Resample,
    /// Probability at or above which a binary model predicts the positive class.
    #[arg(long, default_value_t = defaults::THRESHOLD)]
    pub threshold: f64,
    /// Run the range test first and place its suggestion on the grid.
    #[arg(long)]
    pub mark_suggestion: bool,
    /// Run only slice I of N of the grid (0-based) and write its partial result, for `lrfind merge`.
    #[arg(long)]
    pub shard: Option<String>,
}

/// Options of `lrfind merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Folders holding `sweep-part-*.json` files (or the files themselves).
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Output folder for the merged report.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// No summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
    /// Format of the sweep table.
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
}

fn pos_proportion(text: &str) -> Result<Option<f64>> {
    match text {
        "as_is" => Ok(None),
        "balanced" => Ok(Some(0.5)),
        other => other
            .parse::<f64>()
            .ok()
            .filter(|p| *p > 0.0 && *p < 1.0)
            .map(Some)
            .ok_or_else(|| {
                Error::option(
                    "--pos-proportion",
                    format!("expected as_is, balanced or a proportion in (0, 1), got '{other}'"),
                )
            }),
    }
}

/// The values given, or the one default.
fn or_default<T: Clone>(given: &[T], default: T) -> Vec<T> {
    if given.is_empty() {
        vec![default]
    } else {
        given.to_vec()
    }
}

/// The sweep these flags describe, validated.
pub fn spec(a: &SweepArgs) -> Result<SweepSpec> {
    let mut config = a.common.config();
    if a.common.data.split.is_empty() {
        config.data.split = defaults::SWEEP_SPLIT.to_vec();
    }
    let lrs = if a.lrs.is_empty() {
        sweep::lr_range(
            a.lr_range.as_deref().unwrap_or(defaults::SWEEP_LR_RANGE),
            a.per_decade.unwrap_or(defaults::SWEEP_PER_DECADE),
            "--lr-range",
        )?
    } else {
        sweep::parse_lrs(&a.lrs)?
    };
    let grid = Grid {
        lrs,
        optimizers: or_default(&a.optimizers, config.optimizer.optimizer),
        batch_sizes: or_default(&a.batch_sizes, config.data.batch_size),
        standardize: if a.standardize.is_empty() {
            vec![config.data.standardize]
        } else {
            a.standardize.iter().map(|s| *s == OnOff::On).collect()
        },
    };
    let spec = SweepSpec {
        config,
        grid,
        epochs: a.epochs,
        pos_proportion: pos_proportion(&a.pos_proportion)?,
        resample: a.resample,
        threshold: a.threshold,
        mark_suggestion: a.mark_suggestion,
    };
    spec.validate()?;
    Ok(spec)
}

/// Runs `lrfind sweep`.
pub fn run(a: SweepArgs) -> Result<i32> {
    let spec = spec(&a)?;
    let shard = a.shard.as_deref().map(Shard::parse).transpose()?;
    set_threads(spec.config.threads);
    let table = crate::data::load(&spec.config.data)?;
    let out = &a.common.run.out;
    let quiet = a.common.run.quiet;
    let points = spec.grid.points().len();
    let configs = shard.map_or(points, |s| s.range(points).len());
    let first = shard.map_or(0, |s| s.range(points).start);
    let bar = progress::configurations_bar("sweep", configs, quiet);
    let mut rate = progress::Rate::default();
    let mut on_epoch = |p: &mlp_sweep::SweepProgress| {
        let k = p.point.index - first;
        let steps = p.steps.max(1);
        let per_s = rate.update(p.point.index, p.step);
        bar.set_position(
            (k * progress::PER_CONFIGURATION + p.step * progress::PER_CONFIGURATION / steps) as u64,
        );
        let speed = per_s.map_or(String::new(), |r| format!(" · {r:.0} steps/s"));
        bar.set_message(format!(
            "config {}/{configs} · lr {:.2e} · epoch {}/{} · step {}/{steps}{speed}",
            k + 1,
            p.point.lr,
            (p.step * p.epochs).div_ceil(steps).max(1),
            p.epochs,
            p.step,
        ));
    };
    let stop = Some(signals::stop_flag());
    match shard {
        Some(s) => {
            let part = mlp_sweep::run_part(&spec, &table, Some(s), stop, &mut on_epoch)?;
            bar.finish_and_clear();
            report::prepare_output_dir(out)?;
            let path = out.join(format!("sweep-part-{}-of-{}.json", s.index, s.count));
            report::write_atomic(&path, &mlp_sweep::part_json(&part))?;
            if !quiet {
                println!(
                    "Wrote {} ({} of {points} configurations); combine the parts with `lrfind merge`",
                    path.display(),
                    part.results.len()
                );
            }
        }
        None => {
            let result = mlp_sweep::run(&spec, &table, stop, &mut on_epoch)?;
            bar.finish_and_clear();
            if result.results.is_empty() {
                return Err(Error::Interrupted {
                    what: "no configuration finished, so nothing was written".into(),
                });
            }
            write_outputs(&result, out, a.common.run.format, quiet)?;
        }
    }
    Ok(0)
}

/// The partial-result files named by `lrfind merge` arguments.
fn part_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| Error::InputRead {
                path: p.clone(),
                what: "folder of sweep parts",
                message: e.to_string(),
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    name.starts_with("sweep-part-") && name.ends_with(".json")
                })
                .collect();
            if found.is_empty() {
                return Err(Error::InputRead {
                    path: p.clone(),
                    what: "folder of sweep parts",
                    message: "it holds no sweep-part-*.json file".into(),
                });
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Runs `lrfind merge`.
pub fn run_merge(a: MergeArgs) -> Result<i32> {
    let files = part_files(&a.parts)?;
    let parts = files
        .iter()
        .map(|f| {
            let part = mlp_sweep::read_part(f)?;
            if part.incomplete {
                return Err(Error::InputRead {
                    path: f.clone(),
                    what: "sweep part",
                    message: "it is incomplete (its run was interrupted): run its shard again"
                        .into(),
                });
            }
            Ok(part)
        })
        .collect::<Result<Vec<_>>>()?;
    // Name the files that disagree (the library's check cannot see the paths).
    if let Some(k) = (1..parts.len()).find(|&k| !parts[k].same_sweep(&parts[0])) {
        return Err(Error::option(
            "merge",
            format!(
                "{} and {} come from different sweeps (their settings or data differ)",
                files[0].display(),
                files[k].display()
            ),
        ));
    }
    let result = mlp_sweep::merge(parts)?;
    write_outputs(&result, &a.out, a.format, a.quiet)?;
    Ok(0)
}

fn write_outputs(s: &Sweep, out: &Path, format: TableFormat, quiet: bool) -> Result<()> {
    report::prepare_output_dir(out)?;
    report::write_atomic(&out.join("sweep.json"), &report::sweep_json(s))?;
    report::write_table(out, "sweep", &report::sweep_csv(s), format)?;
    let md = report::sweep_md(s, "sweep.png");
    report::write_atomic(&out.join("sweep.md"), md.as_bytes())?;
    plot::sweep(
        s,
        Some(&out.join("sweep.png")),
        Some(&out.join("sweep.svg")),
    )?;
    if !quiet {
        // The summary table and the conclusion; the per-configuration reports are in the file.
        let summary = md.split("## Configurations").next().unwrap_or("");
        print!("{}", summary.split("\n![").next().unwrap_or(summary));
        println!("\nConclusion:");
        for line in &s.conclusion.lines {
            println!("- {line}");
        }
        let ext = format.extension();
        println!("Wrote {}/sweep.{{md,json,{ext},png,svg}}", out.display());
    }
    Ok(())
}
