//! `lrfind evaluate`: flags → [`EvaluateSpec`], the runs, the outputs.

use clap::Args;

use super::args::CommonArgs;
use super::{progress, set_threads, signals};
use crate::error::{Error, Result};
use crate::evaluate::{Arm, EvaluateSpec, EvaluationPlan, with_range_test_arms};
use crate::{plot, report, sweep};

/// Epochs of the grid's trainings when neither --epochs nor --epochs-list is given.
const DEFAULT_EPOCHS: usize = 5;

/// Options of `lrfind evaluate`.
#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// Seeds: range tests and grids for --seed, --seed + 1, ... (at most 1000)
    #[arg(long, default_value_t = 5)]
    pub seeds: usize,
    /// Range of the grid of constant-LR trainings, LOW:HIGH.
    #[arg(long, default_value = "1e-5:1")]
    pub grid_range: String,
    /// Grid points per decade (the coarse grid; at most 10,000 LRs in all).
    #[arg(long, default_value_t = 4)]
    pub per_decade: usize,
    /// Then this many points per decade within a decade of each budget's best (0: none; at
    /// most 100).
    #[arg(long, default_value_t = 8)]
    pub refine: usize,
    /// Epochs of each grid training (one budget; at most 100,000) [default: 5].
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Several training lengths in epochs, e.g. 1,5,20: one grid run to the longest, scored
    /// after each (a constant-LR training of e epochs is the start of a longer one; at most
    /// 100,000).
    #[arg(long, value_delimiter = ',')]
    pub epochs_list: Vec<usize>,
    /// Range-test lengths whose suggestions are compared (first seed).
    #[arg(long, value_delimiter = ',', default_value = "100,300,1000")]
    pub iters_list: Vec<usize>,
    /// Whole recipes trained on the same seeds and scored beside the grid's best, e.g.
    /// prodigy,schedule-free-adamw (the range test's own, constant and onecycle, are always
    /// among them).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub arms: Vec<Arm>,
    /// With --arms: validation accuracy levels whose epochs are reported (MSE levels for
    /// regression).
    #[arg(long, value_delimiter = ',', default_value = "0.5,0.8,0.9")]
    pub targets: Vec<f64>,
}

/// Runs `lrfind evaluate`.
pub fn run(a: EvaluateArgs) -> Result<i32> {
    let config = a.common.config();
    config.validate()?;
    let lrs = sweep::lr_range(&a.grid_range, a.per_decade, "--grid-range")?;
    let epochs_list = match (a.epochs, a.epochs_list.is_empty()) {
        (Some(_), false) => {
            return Err(Error::option(
                "--epochs-list",
                "give the training length once: --epochs or --epochs-list, not both",
            ));
        }
        (Some(e), true) => {
            crate::config::check_epochs("--epochs", e)?;
            vec![e]
        }
        (None, true) => vec![DEFAULT_EPOCHS],
        (None, false) => a.epochs_list.clone(),
    };
    let spec = EvaluateSpec {
        config,
        plan: EvaluationPlan {
            seeds: a.seeds,
            lrs,
            refine_per_decade: a.refine,
            epochs_list,
            iters_list: a.iters_list.clone(),
            arms: with_range_test_arms(&a.arms),
            targets: a.targets.clone(),
        },
    };
    spec.validate()?;
    set_threads(spec.config.threads);
    let table = crate::data::load(&spec.config.data)?;
    let quiet = a.common.run.quiet;
    let bar = progress::bar("evaluate", 1, quiet);
    let result = crate::pipeline::evaluate::evaluate(
        &spec,
        &table,
        Some(signals::stop_flag()),
        |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )?;
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
