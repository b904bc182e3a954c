//! The evaluate figure: the grid's mean final validation loss (and each seed's) against
//! LR, the good interval shaded, and every rule's suggestion (geometric mean over seeds).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::PALETTE;
use super::panel::{Line, Panel, draw_panel};
use super::{Figure, method_color, register_font, render};
use crate::analysis::conclusion::lr_text;
use crate::error::Result;
use crate::evaluate::Evaluation;

/// Writes the evaluate figure as PNG and/or SVG.
pub fn evaluate(e: &Evaluation, png: Option<&Path>, svg: Option<&Path>) -> Result<()> {
    register_font();
    render(png, svg, super::SIZE, &EvaluateFigure(e))
}

struct EvaluateFigure<'a>(&'a Evaluation);

impl Figure for EvaluateFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = self.0;
        root.fill(&WHITE).map_err(|err| err.to_string())?;
        let mut lines: Vec<Line> = e
            .losses
            .iter()
            .enumerate()
            .map(|(k, seed)| {
                (
                    format!("seed {}", e.spec.config.seed + k as u64),
                    PALETTE[(k + 1) % PALETTE.len()],
                    e.spec
                        .lrs
                        .iter()
                        .copied()
                        .zip(seed.iter().copied())
                        .collect(),
                )
            })
            .collect();
        lines.push((
            "mean over seeds".into(),
            PALETTE[0],
            e.grid
                .lrs
                .iter()
                .copied()
                .zip(e.grid.mean_loss.iter().copied())
                .collect(),
        ));
        let markers = e
            .rules
            .iter()
            .filter_map(|r| {
                let lr = r.geometric_mean?;
                Some((
                    lr,
                    format!("{} {}", r.method.name(), lr_text(lr)),
                    method_color(r.method),
                ))
            })
            .collect();
        let title = format!(
            "Suggestions against real trainings: {} · {}",
            e.data.source, e.model
        );
        draw_panel(
            root,
            &Panel {
                title: &title,
                x_desc: "learning rate (log scale); y: final validation loss",
                lines: &lines,
                log_x: true,
                log_y: true,
                legend: true,
                dots: true,
                markers,
                band: Some((e.grid.interval.0, e.grid.interval.1, "good interval".into())),
                ..Default::default()
            },
        )
    }
}
