//! The figure of `compare --logs`: `compare`'s four panels with every x axis in epochs
//! (logs count steps differently, and some log none): training loss (per logged step where
//! the log has steps, smoothed over about half an epoch; per epoch otherwise), validation
//! loss, accuracy and LR.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::{COMPARE_SIZE, RunAxes, RunLines, draw_panels};
use super::panel::Series;
use super::{Figure, register_font, render};
use crate::analysis::smoothing::ema_debiased;
use crate::compare::LogComparison;
use crate::error::Result;
use crate::logs::{Role, TrainingLog};

/// Writes the figure of `compare --logs` as PNG and/or SVG.
pub fn logs(c: &LogComparison, png: Option<&Path>, svg: Option<&Path>) -> Result<()> {
    register_font();
    render(png, svg, COMPARE_SIZE, &LogsFigure(c))
}

struct LogsFigure<'a>(&'a LogComparison);

impl Figure for LogsFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let c = self.0;
        let names: Vec<&str> = c.runs.iter().map(|r| r.log.name.as_str()).collect();
        let title = format!("Training logs compared: {}", names.join(", "));
        let metric = c.target_metric.unwrap_or(Role::ValAccuracy);
        let runs: Vec<RunLines> = c.runs.iter().map(|r| lines(&r.log, metric)).collect();
        let most = c.runs.iter().map(|r| r.log.epochs.len()).max().unwrap_or(0);
        let axes = RunAxes {
            step_x: "epoch",
            train_title: if c.runs.iter().any(|r| !r.log.step_losses.is_empty()) {
                "training loss (logged steps: EMA over ½ epoch)"
            } else {
                "training loss (per epoch)"
            },
            dots: most <= 30,
            train_dots: most <= 30 && c.runs.iter().all(|r| r.log.step_losses.is_empty()),
        };
        draw_panels(root, &title, &runs, &axes, metric.text(), false)
    }
}

fn epoch_series(log: &TrainingLog, role: Role) -> Series {
    log.series(role)
        .into_iter()
        .map(|(e, v)| (e as f64, v))
        .collect()
}

/// A log's lines: per-step training loss smoothed by an EMA whose memory, `1 / (1 - beta)`
/// points, is half an epoch's logged points.
fn lines(log: &TrainingLog, metric: Role) -> RunLines {
    let train = if log.step_losses.is_empty() {
        epoch_series(log, Role::Loss)
    } else {
        let per_epoch = log.step_losses.len() as f64 / log.epochs.len().max(1) as f64;
        let beta = (1.0 - 2.0 / per_epoch).clamp(0.0, 0.98);
        let values: Vec<f64> = log.step_losses.iter().map(|p| p.1).collect();
        log.step_losses
            .iter()
            .zip(ema_debiased(&values, beta))
            .map(|(p, y)| (p.0, y))
            .collect()
    };
    let lr = if log.step_lrs.is_empty() {
        epoch_series(log, Role::Lr)
    } else {
        log.step_lrs.clone()
    };
    RunLines {
        name: log.name.clone(),
        train,
        val: epoch_series(log, Role::ValLoss),
        metric: epoch_series(log, metric),
        lr,
    }
}
