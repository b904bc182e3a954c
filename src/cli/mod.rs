//! The command line: clap definitions, conversion of flags into validated configs,
//! progress bars, stdout and exit codes. The only layer that prints.

mod analyze;
mod args;
mod compare;
mod compare_logs;
mod evaluate;
mod plot;
mod progress;
mod signals;
mod suggest;
mod sweep;

use clap::{Parser, Subcommand};

pub use suggest::SuggestArgs;

/// Exit code for bad input or failed I/O.
pub const EXIT_ERROR: i32 = 1;
/// Exit code when the range test ran but the chosen rule found no suggestion.
pub const EXIT_NO_SUGGESTION: i32 = 3;
/// Exit code after Ctrl-C (outputs for what finished are written); 143 after SIGTERM.
pub const EXIT_INTERRUPTED: i32 = signals::EXIT_SIGINT;

/// lrfind: find a good learning rate for a Burn model with the LR range test.
#[derive(Debug, Parser)]
#[command(name = "lrfind", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the LR range test and suggest a learning rate (built-in digits data by default).
    Suggest(SuggestArgs),
    /// Read another tool's saved range test (or any LR/loss curve) and suggest from it.
    Analyze(analyze::AnalyzeArgs),
    /// Train several settings (constant vs scheduled LR, old vs new) side by side.
    Compare(compare::CompareArgs),
    /// Draw (and print) the LR curve of one or more schedules.
    Schedule(compare::ScheduleArgs),
    /// Train a grid of LRs (and other factors) and report every split's metrics with a conclusion.
    Sweep(sweep::SweepArgs),
    /// Combine the partial results of a sharded sweep into its report.
    Merge(sweep::MergeArgs),
    /// Redraw saved lr_find, compare or sweep tables; overlay several range tests.
    Plot(plot::PlotArgs),
    /// Score every suggestion rule against a grid of real trainings, over several seeds.
    Evaluate(evaluate::EvaluateArgs),
}

/// Parses the process arguments, runs, and returns the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    signals::install();
    let outcome = match cli.command {
        Command::Suggest(args) => suggest::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Compare(args) if !args.logs.is_empty() => compare_logs::run(&args),
        Command::Compare(args) => compare::run(args),
        Command::Schedule(args) => compare::run_schedule(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => sweep::run_merge(args),
        Command::Plot(args) => plot::run(args),
        Command::Evaluate(args) => evaluate::run(args),
    };
    match outcome {
        // A signal that arrived after the work was done still ends with its exit code.
        Ok(0) => signals::exit_code().unwrap_or(0),
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e}");
            match e {
                crate::Error::NoSuggestion { .. } => EXIT_NO_SUGGESTION,
                crate::Error::Interrupted { .. } => {
                    signals::exit_code().unwrap_or(EXIT_INTERRUPTED)
                }
                _ => EXIT_ERROR,
            }
        }
    }
}

/// Prints a range test's result as `suggest` and `analyze` do: with `--json` the document
/// alone on stdout and the summary on stderr, otherwise the summary on stdout; nothing but
/// the document when quiet.
pub(crate) fn print_lr_find(
    json: Option<&[u8]>,
    summary: &str,
    out: &std::path::Path,
    format: crate::report::TableFormat,
    quiet: bool,
) {
    if let Some(doc) = json {
        print!("{}", String::from_utf8_lossy(doc));
    }
    if quiet {
        return;
    }
    let written = format!(
        "Wrote {}/lr_find.{{png,svg,{},json}}",
        out.display(),
        format.extension()
    );
    if json.is_some() {
        eprint!("{summary}");
        eprintln!("{written}");
    } else {
        print!("{summary}");
        println!("{written}");
    }
}

/// Sizes the worker pool (rayon's global pool, which Burn's CPU backends use).
pub(crate) fn set_threads(threads: Option<usize>) {
    if let Some(n) = threads {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
}
