//! The sweep figure: validation metric and loss against LR (log axis, one line per group,
//! promising interval shaded, range-test suggestion marked), validation loss per epoch of
//! every configuration, and validation ROC curves (binary tasks) or smoothed training loss.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::PALETTE;
use super::panel::{Corner, Line, MARKER, Panel, draw_panel, gradient};
use super::{FONT, Figure, register_font, render};
use crate::analysis::conclusion::lr_text;
use crate::analysis::smoothing::ema_debiased;
use crate::pipeline::sweep::{ConfigResult, Sweep};
use crate::sweep::Metrics;

/// Figure size of the sweep figure.
pub const SWEEP_SIZE: (u32, u32) = (1200, 820);

/// Writes the sweep figure as PNG and/or SVG.
pub fn sweep(s: &Sweep, png: Option<&Path>, svg: Option<&Path>) -> Result<(), crate::Error> {
    register_font();
    render(png, svg, SWEEP_SIZE, &SweepFigure(s))
}

struct SweepFigure<'a>(&'a Sweep);

impl Figure for SweepFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(root, self.0)
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &Sweep) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let title = format!(
        "LR sweep: {} · {} · {} epoch(s)",
        s.data.source, s.model, s.spec.epochs
    );
    let root = root.titled(&title, (FONT, 22)).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((2, 2));
    let regression = s.data.task.num_classes() == 0;
    let valid = |r: &ConfigResult| r.split("validation").cloned();
    let group_name = |g: usize| {
        if s.groups[g].is_empty() {
            "validation".to_string()
        } else {
            s.groups[g].clone()
        }
    };
    let by_group = |f: &dyn Fn(&ConfigResult) -> Option<f64>| -> Vec<Line> {
        (0..s.groups.len())
            .map(|g| {
                let pts = s
                    .results
                    .iter()
                    .filter(|r| r.point.group == g)
                    .map(|r| (r.point.lr, f(r).unwrap_or(f64::NAN)))
                    .collect();
                (group_name(g), PALETTE[g % PALETTE.len()], pts)
            })
            .collect()
    };
    let metric = by_group(&|r| {
        valid(r).map(|v| match v.metrics {
            Metrics::Regression { mse, .. } => mse,
            Metrics::Classification { report, .. } => report.accuracy,
        })
    });
    let loss = by_group(&|r| valid(r).map(|v| v.loss));
    let markers: Vec<_> = s
        .suggestion
        .map(|lr| (lr, format!("range test {}", lr_text(lr)), MARKER))
        .into_iter()
        .collect();
    let band = s
        .conclusion
        .interval
        .filter(|(a, b)| a < b)
        .map(|(a, b)| (a, b, "promising".to_string()));
    let vs_lr = |title, lines, log_y, legend_at| Panel {
        title,
        legend_at,
        x_desc: "learning rate (log)",
        lines,
        log_x: true,
        log_y,
        legend: true,
        dots: true,
        markers: markers.clone(),
        band: band.clone(),
        ..Default::default()
    };
    let metric_title = if regression {
        "validation MSE"
    } else {
        "validation accuracy"
    };
    // Accuracy rises with the LR (falling again only where high LRs fail): its lower right
    // is usually empty; MSE and loss fall and rise again: their lower left is.
    let metric_corner = if regression {
        Corner::LowerLeft
    } else {
        Corner::LowerRight
    };
    draw_panel(
        &panels[0],
        &vs_lr(metric_title, &metric, regression, metric_corner),
    )?;
    draw_panel(
        &panels[1],
        &vs_lr("final validation loss", &loss, true, Corner::LowerLeft),
    )?;

    let n = s.results.len().max(2) as f64 - 1.0;
    let per_config = |f: &dyn Fn(&ConfigResult) -> Vec<(f64, f64)>| -> Vec<Line> {
        s.results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let label = match s.groups[r.point.group].as_str() {
                    "" => lr_text(r.point.lr),
                    g => format!("{} ({g})", lr_text(r.point.lr)),
                };
                (label, gradient(i as f64 / n), f(r))
            })
            .collect()
    };
    let few = s.results.len() <= 10;
    // Too many lines for a legend: the titles say what the colours mean.
    let key = match (few, s.results.first(), s.results.last()) {
        (false, Some(a), Some(b)) if s.groups.len() <= 1 => format!(
            " (dark: LR {} to light: LR {})",
            lr_text(a.point.lr),
            lr_text(b.point.lr)
        ),
        (false, _, _) => " (colour: grid order, dark first, light last)".to_string(),
        _ => String::new(),
    };
    let curve_title = format!("validation loss per epoch{key}");
    let roc_title = format!("validation ROC curves{key}");
    let train_title = format!("training loss (smoothed){key}");
    let curves = per_config(&|r| {
        std::iter::once((0.0, r.run.initial.loss))
            .chain(r.run.epochs.iter().map(|e| (e.epoch as f64, e.val_loss)))
            .collect()
    });
    let curve_panel = Panel {
        title: &curve_title,
        x_desc: "epoch",
        whole_x: true,
        lines: &curves,
        log_y: true,
        legend: few,
        dots: true,
        ..Default::default()
    };
    draw_panel(&panels[2], &curve_panel)?;
    if s.data.task.num_classes() == 2 {
        let mut roc = per_config(&|r| match valid(r).map(|v| v.metrics) {
            Some(Metrics::Classification { roc, .. }) => roc,
            _ => Vec::new(),
        });
        roc.push((
            "chance".into(),
            RGBColor(160, 160, 160),
            vec![(0.0, 0.0), (1.0, 1.0)],
        ));
        let roc_panel = Panel {
            title: &roc_title,
            x_desc: "false-positive rate",
            lines: &roc,
            legend: few,
            unit_square: true,
            ..Default::default()
        };
        draw_panel(&panels[3], &roc_panel)?;
    } else {
        let train = per_config(&|r| {
            let spe = r.run.steps_per_epoch.max(1) as f64;
            ema_debiased(&r.run.step_losses, 0.9)
                .iter()
                .enumerate()
                .map(|(i, &y)| ((i + 1) as f64 / spe, y))
                .collect()
        });
        let train_panel = Panel {
            title: &train_title,
            x_desc: "epoch",
            whole_x: true,
            lines: &train,
            log_y: true,
            legend: few,
            ..Default::default()
        };
        draw_panel(&panels[3], &train_panel)?;
    }
    Ok(())
}
