//! The compare figure: four panels sharing one colour per setting (smoothed training loss
//! per step, validation loss per epoch, validation metric per epoch, LR per step).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{Line, Panel, Series, draw_panel};
use super::{FONT, Figure, register_font, render};
use crate::analysis::smoothing::ema_debiased;
use crate::compare::Comparison;
use crate::error::Result;

/// Colours of settings, in order (cycled).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// Figure size of the compare figure.
pub const COMPARE_SIZE: (u32, u32) = (1200, 820);

/// Writes the compare figure as PNG and/or SVG.
pub fn compare(c: &Comparison, png: Option<&Path>, svg: Option<&Path>) -> Result<()> {
    register_font();
    render(png, svg, COMPARE_SIZE, &CompareFigure(c))
}

struct CompareFigure<'a>(&'a Comparison);

impl Figure for CompareFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(root, self.0)
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Comparison) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let title = format!("Settings compared: {} · {}", c.data.source, c.model);
    let root = root.titled(&title, (FONT, 22)).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((2, 2));
    let color = |i: usize| PALETTE[i % PALETTE.len()];
    let per_run = |f: &dyn Fn(&crate::compare::Run) -> Series| -> Vec<Line> {
        c.runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.setting.name.clone(), color(i), f(r)))
            .collect()
    };
    let train = per_run(&|r| {
        let s = ema_debiased(&r.step_losses, 0.98);
        s.iter()
            .enumerate()
            .map(|(i, &y)| (i as f64 + 1.0, y))
            .collect()
    });
    let val = per_run(&|r| {
        std::iter::once((0.0, r.initial.loss))
            .chain(r.epochs.iter().map(|e| (e.epoch as f64, e.val_loss)))
            .collect()
    });
    let metric = per_run(&|r| {
        std::iter::once((0.0, r.initial.metric))
            .chain(r.epochs.iter().map(|e| (e.epoch as f64, e.val_metric)))
            .collect()
    });
    let lr = per_run(&|r| {
        r.step_lrs
            .iter()
            .enumerate()
            .map(|(i, &y)| (i as f64 + 1.0, y))
            .collect()
    });
    let metric_name = if c.higher_is_better {
        "validation accuracy"
    } else {
        "validation MSE"
    };
    let panel = |title, x_desc, lines, log_y, legend| Panel {
        title,
        x_desc,
        lines,
        log_y,
        legend,
        ..Default::default()
    };
    draw_panel(
        &panels[0],
        &panel("training loss (smoothed)", "step", &train, false, true),
    )?;
    draw_panel(
        &panels[1],
        &panel("validation loss", "epoch", &val, false, false),
    )?;
    draw_panel(
        &panels[2],
        &panel(metric_name, "epoch", &metric, false, false),
    )?;
    draw_panel(
        &panels[3],
        &panel("learning rate (log)", "step", &lr, true, false),
    )?;
    Ok(())
}

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
                c.iter().enumerate().map(|(t, &v)| (t as f64, v)).collect(),
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
