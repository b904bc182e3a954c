//! `lrfind plot`: redraw saved `lr_find`, `compare` or `sweep` tables (CSV or Parquet)
//! without retraining, and overlay several range tests on one figure.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Error, Result};
use crate::history::{self, History};
use crate::plot::{self, LrFindRun, Replot, Style};
use crate::report;

/// Axis scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Logarithmic.
    Log,
    /// Linear.
    Linear,
}

/// Image formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Image {
    /// PNG only.
    Png,
    /// SVG only.
    Svg,
    /// Both.
    Both,
}

/// Options of `lrfind plot`.
#[derive(Debug, Clone, Args)]
pub struct PlotArgs {
    /// Saved tables: one or more lr_find histories (overlaid), or one compare or sweep table.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Legend labels of the histories, comma-separated (default: each file's folder name).
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Figure title.
    #[arg(long)]
    pub title: Option<String>,
    /// Figure size, WIDTHxHEIGHT in pixels.
    #[arg(long, default_value = "960x600")]
    pub size: String,
    /// Scale of the LR axis.
    #[arg(long, value_enum, default_value_t = Scale::Log)]
    pub x_scale: Scale,
    /// Scale of the loss axis.
    #[arg(long, value_enum, default_value_t = Scale::Linear)]
    pub y_scale: Scale,
    /// Re-smooth training losses with fastai's EMA of this factor, in [0, 1) (0: raw).
    #[arg(long)]
    pub smooth: Option<f64>,
    /// Image formats.
    #[arg(long, value_enum, default_value_t = Image::Both)]
    pub image: Image,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// File name of the figure, without extension.
    #[arg(long, default_value = "plot")]
    pub name: String,
}

fn parse_size(text: &str) -> Result<(u32, u32)> {
    let bad = || {
        Error::option(
            "--size",
            format!("expected WIDTHxHEIGHT, e.g. 1200x800, got '{text}'"),
        )
    };
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(100..=10_000).contains(&w) || !(100..=10_000).contains(&h) {
        return Err(Error::option(
            "--size",
            "width and height must be 100 to 10000 pixels",
        ));
    }
    Ok((w, h))
}

/// The label of a history: its folder's name, or the file's stem.
fn default_label(path: &Path) -> String {
    path.parent()
        .and_then(|p| p.file_name())
        .or_else(|| path.file_stem())
        .map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
}

/// The chosen LR in the `lr_find.json` beside a history, when there is one.
fn suggestion_beside(path: &Path) -> Option<f64> {
    let json = path.with_file_name("lr_find.json");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(json).ok()?).ok()?;
    doc["chosen"]["lr"].as_f64()
}

/// Runs `lrfind plot`.
pub fn run(a: PlotArgs) -> Result<i32> {
    let style = Style {
        size: parse_size(&a.size)?,
        title: a.title.clone(),
        log_x: a.x_scale == Scale::Log,
        log_y: a.y_scale == Scale::Log,
        smooth: a.smooth,
    };
    if style.smooth.is_some_and(|b| !(0.0..1.0).contains(&b)) {
        return Err(Error::option("--smooth", "must be in [0, 1)"));
    }
    if !a.labels.is_empty() && a.labels.len() != a.files.len() {
        return Err(Error::option(
            "--labels",
            format!("{} labels for {} files", a.labels.len(), a.files.len()),
        ));
    }
    if a.name.is_empty() || a.name.contains(['/', '\\']) {
        return Err(Error::option("--name", "must be a plain file name"));
    }
    let histories = a
        .files
        .iter()
        .map(|f| history::read(f))
        .collect::<Result<Vec<_>>>()?;
    let png = a.out.join(format!("{}.png", a.name));
    let svg = a.out.join(format!("{}.svg", a.name));
    let png = (a.image != Image::Svg).then_some(png.as_path());
    let svg = (a.image != Image::Png).then_some(svg.as_path());
    let one = |what: &str| {
        Error::option(
            "files",
            format!("only range-test histories can be overlaid; give one {what} table"),
        )
    };
    match &histories[..] {
        [History::Compare(runs)] => {
            report::prepare_output_dir(&a.out)?;
            plot::replot(Replot::Compare(runs), &style, png, svg)?;
        }
        [History::Sweep(rows)] => {
            report::prepare_output_dir(&a.out)?;
            plot::replot(Replot::Sweep(rows), &style, png, svg)?;
        }
        many if many.iter().all(|h| matches!(h, History::LrFind(_))) => {
            let runs: Vec<LrFindRun> = many
                .iter()
                .zip(&a.files)
                .enumerate()
                .map(|(i, (h, path))| LrFindRun {
                    label: a
                        .labels
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| default_label(path)),
                    history: match h {
                        History::LrFind(h) => h.clone(),
                        _ => unreachable!("all are range-test histories"),
                    },
                    suggestion: suggestion_beside(path),
                })
                .collect();
            report::prepare_output_dir(&a.out)?;
            plot::replot(Replot::LrFind(&runs), &style, png, svg)?;
        }
        many => {
            let what = if many.iter().any(|h| matches!(h, History::Compare(_))) {
                "compare"
            } else {
                "sweep"
            };
            return Err(one(what));
        }
    }
    let written: Vec<String> = [png, svg]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
    println!("Wrote {}", written.join(", "));
    Ok(0)
}
