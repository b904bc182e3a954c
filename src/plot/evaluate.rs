//! The evaluate figure: one panel per training length (budget), each with the grid's mean
//! final validation loss (and each seed's) against LR, the good interval shaded, and every
//! rule's suggestion for that budget (geometric mean over seeds).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{Corner, Line, Panel, draw_panel};
use super::{Figure, method_color, register_font, render};
use crate::analysis::conclusion::lr_text;
use crate::error::Result;
use crate::evaluate::{BudgetScore, ModelEvaluation};
use crate::pipeline::evaluate::Evaluation;

/// Colour of each seed's curve.
const SEED: RGBColor = RGBColor(175, 175, 175);
/// Colour of the mean over seeds.
const MEAN: RGBColor = RGBColor(20, 40, 90);

/// Writes the evaluate figure of the command's evaluation as PNG and/or SVG.
pub fn evaluate(e: &Evaluation, png: Option<&Path>, svg: Option<&Path>) -> Result<()> {
    draw(&e.data.source, &e.lrs, &e.budgets, png, svg)
}

/// Writes the evaluate figure of a model of your own's evaluation
/// ([`crate::evaluate::evaluate_models`]) as PNG and/or SVG; `name` titles each panel.
pub fn evaluation(
    e: &ModelEvaluation,
    name: &str,
    png: Option<&Path>,
    svg: Option<&Path>,
) -> Result<()> {
    draw(name, &e.lrs, &e.budgets, png, svg)
}

fn draw(
    name: &str,
    lrs: &[f64],
    budgets: &[BudgetScore],
    png: Option<&Path>,
    svg: Option<&Path>,
) -> Result<()> {
    register_font();
    let (w, h) = super::SIZE;
    let width = w.max(h * budgets.len().max(1) as u32 * 4 / 5);
    render(png, svg, (width, h), &EvaluateFigure { name, lrs, budgets })
}

/// What the figure shows: a grid's LRs and its scores per budget.
struct EvaluateFigure<'a> {
    name: &'a str,
    lrs: &'a [f64],
    budgets: &'a [BudgetScore],
}

impl Figure for EvaluateFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = self;
        root.fill(&WHITE).map_err(|err| err.to_string())?;
        let n = e.budgets.len().max(1);
        let panels = root.split_evenly((1, n));
        for (b, area) in e.budgets.iter().zip(&panels) {
            draw_budget(e, b, area)?;
        }
        Ok(())
    }
}

/// One budget's panel: every seed's validation loss and their mean against LR, the good
/// interval, and every rule's suggestion for that budget (geometric mean over seeds).
fn draw_budget<DB: DrawingBackend>(
    e: &EvaluateFigure,
    b: &BudgetScore,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    // Seeds in grey (one legend entry for all), the mean over them in colour: the rules'
    // colours stay the rules'.
    let mut lines: Vec<Line> = b
        .losses
        .iter()
        .enumerate()
        .map(|(k, seed)| {
            (
                if k == 0 {
                    "each seed".to_string()
                } else {
                    String::new()
                },
                SEED,
                e.lrs.iter().copied().zip(seed.iter().copied()).collect(),
            )
        })
        .collect();
    lines.push((
        "mean over seeds".into(),
        MEAN,
        b.grid
            .lrs
            .iter()
            .copied()
            .zip(b.grid.mean_loss.iter().copied())
            .collect(),
    ));
    let markers = b
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
    // A seed whose validation loss falls to nothing (a perfectly separated small validation
    // part: 1e-30 and below) would squash the mean's curve into the panel's top: the axis
    // reaches two decades below the mean's lowest point, and such seeds are cut there.
    let mean_low = (b.grid.mean_loss.iter().copied())
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let title = format!(
        "{} · {} epoch(s), {}",
        e.name,
        b.epochs,
        crate::analysis::conclusion::steps_text(b.steps)
    );
    draw_panel(
        area,
        &Panel {
            title: &title,
            x_desc: "learning rate (log scale); y: validation loss at the end",
            lines: &lines,
            log_x: true,
            log_y: true,
            legend: std::ptr::eq(b, &e.budgets[0]),
            dots: true,
            markers,
            band: Some((b.grid.interval.0, b.grid.interval.1, "good interval".into())),
            // The curves rise at both ends; the lower left (low LR, low loss) is empty.
            legend_at: Corner::LowerLeft,
            y_floor: mean_low.is_finite().then(|| mean_low / 100.0),
            ..Default::default()
        },
    )
}
