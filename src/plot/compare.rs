//! The compare figure: four panels sharing one colour per setting (smoothed training loss
//! per step, validation loss per epoch, validation metric per epoch, LR per step).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{Line, Panel, Series, draw_panel, gradient};
use super::{FONT, Figure, register_font, render};
use crate::analysis::smoothing::ema_debiased;
use crate::error::Result;
use crate::history::CompareRunHistory;
use crate::pipeline::Comparison;
use crate::run::Run;

/// Colours of settings, in order (matplotlib's ten categorical colours; cycled beyond ten).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of run `i` of `n`: the palette's, or, for more runs than it has colours (where
/// it would repeat one), a gradient in the order given.
fn run_colour(i: usize, n: usize) -> RGBColor {
    if n <= PALETTE.len() {
        PALETTE[i]
    } else {
        gradient(i as f64 / (n - 1) as f64)
    }
}

/// Figure size of the compare figure.
pub const COMPARE_SIZE: (u32, u32) = (1200, 820);

/// Writes the compare figure as PNG and/or SVG.
pub fn compare(c: &Comparison, png: Option<&Path>, svg: Option<&Path>) -> Result<()> {
    let title = format!("Settings compared: {} · {}", c.data.source, c.model);
    runs(&c.runs, &title, c.higher_is_better, png, svg)
}

/// The compare figure of any runs, e.g. those of [`crate::compare::compare_models`] or
/// [`crate::sweep::sweep_models`] on a model of your own: `higher_is_better` names the metric
/// panel (accuracy, or MSE when false).
pub fn runs(
    runs: &[Run],
    title: &str,
    higher_is_better: bool,
    png: Option<&Path>,
    svg: Option<&Path>,
) -> Result<()> {
    register_font();
    let figure = RunsFigure {
        runs,
        title,
        higher_is_better,
    };
    render(png, svg, COMPARE_SIZE, &figure)
}

struct RunsFigure<'a> {
    runs: &'a [Run],
    title: &'a str,
    higher_is_better: bool,
}

impl Figure for RunsFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let metric_name = if self.higher_is_better {
            "validation accuracy"
        } else {
            "validation MSE"
        };
        draw_runs(
            root,
            self.title,
            &lines_by_step(&histories(self.runs), 0.98),
            metric_name,
            false,
        )
    }
}

/// Runs as plain series; epoch 0 is the initial weights.
fn histories(runs: &[Run]) -> Vec<CompareRunHistory> {
    runs.iter()
        .map(|r| CompareRunHistory {
            name: r.setting.name.clone(),
            lrs: r.step_lrs.clone(),
            losses: r.step_losses.clone(),
            epochs: std::iter::once((0.0, r.initial.loss, r.initial.metric))
                .chain(
                    r.epochs
                        .iter()
                        .map(|e| (e.epoch as f64, e.val_loss, e.val_metric)),
                )
                .collect(),
        })
        .collect()
}

/// One run's lines in the four compare panels.
pub(crate) struct RunLines {
    /// Legend name.
    pub name: String,
    /// Training loss (already smoothed where it is per step).
    pub train: Series,
    /// Validation loss per epoch.
    pub val: Series,
    /// Validation metric per epoch.
    pub metric: Series,
    /// LR.
    pub lr: Series,
}

/// What the four panels' x axes and titles say.
pub(crate) struct RunAxes<'a> {
    /// x of the training-loss and LR panels: "step" or "epoch".
    pub step_x: &'a str,
    /// Title of the training-loss panel.
    pub train_title: &'a str,
    /// Dots on the per-epoch panels (few points).
    pub dots: bool,
    /// Dots on the training-loss panel (its lines are per epoch, and few).
    pub train_dots: bool,
}

/// Saved or fresh runs, by step: training loss smoothed with EMA `smooth`, LR per step.
pub(crate) fn lines_by_step(runs: &[CompareRunHistory], smooth: f64) -> Vec<RunLines> {
    let by_step = |ys: &[f64]| -> Series {
        ys.iter()
            .enumerate()
            .map(|(i, &y)| (i as f64 + 1.0, y))
            .collect()
    };
    runs.iter()
        .map(|r| RunLines {
            name: r.name.clone(),
            train: by_step(&ema_debiased(&r.losses, smooth)),
            val: r.epochs.iter().map(|e| (e.0, e.1)).collect(),
            metric: r.epochs.iter().map(|e| (e.0, e.2)).collect(),
            lr: by_step(&r.lrs),
        })
        .collect()
}

/// The four compare panels of runs recorded by step (training loss smoothed, validation loss
/// and metric per epoch, LR per step), one colour per run.
pub(crate) fn draw_runs<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    runs: &[RunLines],
    metric_name: &str,
    log_loss: bool,
) -> Result<(), String> {
    let axes = RunAxes {
        step_x: "step",
        train_title: "training loss (smoothed)",
        dots: false,
        train_dots: false,
    };
    draw_panels(root, title, runs, &axes, metric_name, log_loss)
}

/// The four panels, one colour per run; a panel no run has a line for says so in its title.
pub(crate) fn draw_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    runs: &[RunLines],
    axes: &RunAxes,
    metric_name: &str,
    log_loss: bool,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let root = root.titled(title, (FONT, 22)).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((2, 2));
    let per_run = |f: &dyn Fn(&RunLines) -> &Series| -> Vec<Line> {
        runs.iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), run_colour(i, runs.len()), f(r).clone()))
            .collect()
    };
    let train = per_run(&|r| &r.train);
    let val = per_run(&|r| &r.val);
    let metric = per_run(&|r| &r.metric);
    let lr = per_run(&|r| &r.lr);
    let titled = |t: &str, lines: &[Line]| {
        if lines.iter().all(|l| l.2.is_empty()) {
            format!("{t} (not recorded)")
        } else {
            t.to_string()
        }
    };
    let (t_train, t_val, t_metric, t_lr) = (
        titled(axes.train_title, &train),
        titled("validation loss", &val),
        titled(metric_name, &metric),
        titled("learning rate (log)", &lr),
    );
    let panel = |title, x_desc, lines, log_y, legend, dots| Panel {
        title,
        x_desc,
        whole_x: true,
        lines,
        log_y,
        legend,
        dots,
        ..Default::default()
    };
    draw_panel(
        &panels[0],
        &panel(
            &t_train,
            axes.step_x,
            &train,
            log_loss,
            true,
            axes.train_dots,
        ),
    )?;
    draw_panel(
        &panels[1],
        &panel(&t_val, "epoch", &val, log_loss, false, axes.dots),
    )?;
    draw_panel(
        &panels[2],
        &panel(&t_metric, "epoch", &metric, false, false, axes.dots),
    )?;
    draw_panel(
        &panels[3],
        &panel(&t_lr, axes.step_x, &lr, true, false, false),
    )?;
    Ok(())
}

/// Most points drawn per schedule curve.
const SCHEDULE_POINTS: usize = 4000;

/// Writes the LR curves of several schedules, overlaid, as PNG and/or SVG.
pub fn schedules(
    names: &[String],
    curves: &[Vec<f64>],
    png: Option<&Path>,
    svg: Option<&Path>,
) -> Result<()> {
    register_font();
    let series: Vec<Line> = names
        .iter()
        .zip(curves)
        .enumerate()
        .map(|(i, (n, c))| {
            (
                n.clone(),
                PALETTE[i % PALETTE.len()],
                // A figure cannot show more points than it has pixels: long schedules are
                // drawn from every k-th step (and the last), so the SVG stays small.
                {
                    let k = c.len().div_ceil(SCHEDULE_POINTS).max(1);
                    c.iter()
                        .enumerate()
                        .filter(|(t, _)| t % k == 0 || *t + 1 == c.len())
                        .map(|(t, &v)| (t as f64, v))
                        .collect()
                },
            )
        })
        .collect();
    render(png, svg, super::SIZE, &ScheduleFigure(series))
}

struct ScheduleFigure(Vec<Line>);

impl Figure for ScheduleFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw_panel(
            root,
            &Panel {
                title: "learning rate schedule",
                x_desc: "step",
                lines: &self.0,
                legend: true,
                ..Default::default()
            },
        )
    }
}
