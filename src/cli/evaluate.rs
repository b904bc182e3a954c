//! `lrfind evaluate`: flags → [`EvaluateSpec`], the runs, the outputs.

use clap::Args;

use super::args::CommonArgs;
use super::{progress, set_threads};
use crate::error::Result;
use crate::evaluate::{self, EvaluateSpec};
use crate::{plot, report, sweep};

/// Options of `lrfind evaluate`.
#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// Seeds: range tests and grids for --seed, --seed + 1, ...
    #[arg(long, default_value_t = 3)]
    pub seeds: usize,
    /// Range of the grid of constant-LR trainings, LOW:HIGH.
    #[arg(long, default_value = "1e-5:1")]
    pub grid_range: String,
    /// Grid points per decade.
    #[arg(long, default_value_t = 4)]
    pub per_decade: usize,
    /// Epochs of each grid training.
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Range-test lengths whose suggestions are compared (first seed).
    #[arg(long, value_delimiter = ',', default_value = "100,300,1000")]
    pub iters_list: Vec<usize>,
}

/// Runs `lrfind evaluate`.
pub fn run(a: EvaluateArgs) -> Result<i32> {
    let config = a.common.config();
    config.validate()?;
    let lrs = sweep::lr_range(&a.grid_range, a.per_decade, "--grid-range")?;
    let spec = EvaluateSpec {
        config,
        seeds: a.seeds,
        lrs,
        epochs: a.epochs,
        iters_list: a.iters_list.clone(),
    };
    set_threads(spec.config.threads);
    let quiet = a.common.run.quiet;
    let bar = progress::bar("evaluate", 1, quiet);
    let result = evaluate::evaluate(&spec, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let out = &a.common.run.out;
    report::prepare_output_dir(out)?;
    report::write_atomic(&out.join("evaluate.json"), &report::evaluate_json(&result))?;
    let md = report::evaluate_md(&result, "evaluate.png");
    report::write_atomic(&out.join("evaluate.md"), md.as_bytes())?;
    plot::evaluate(
        &result,
        Some(&out.join("evaluate.png")),
        Some(&out.join("evaluate.svg")),
    )?;
    if !quiet {
        print!("{md}");
        println!("Wrote {}/evaluate.{{md,json,png,svg}}", out.display());
    }
    Ok(0)
}
