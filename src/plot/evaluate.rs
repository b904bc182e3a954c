//! The evaluate figure: one panel per training length (budget), each with the grid's mean
//! final validation loss (and each seed's) against LR, the good interval shaded, and every
//! rule's suggestion for that budget (geometric mean over seeds).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{Corner, Line, Panel, draw_panel};
use super::{Figure, method_color, register_font, render};
use crate::analysis::conclusion::{count_text, lr_text};
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
    let floor = y_floor(b);
    // Seeds in grey (one legend entry for all), each cut into its runs of finite losses at
    // or above the floor; the mean over them in colour: the rules' colours stay the rules'.
    let mut lines: Vec<Line> = Vec::new();
    for seed in &b.losses {
        for run in runs_above(e.lrs, seed, floor.unwrap_or(0.0)) {
            let name = if lines.is_empty() { "each seed" } else { "" };
            lines.push((name.to_string(), SEED, run));
        }
    }
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
    let title = format!(
        "{} · {} epoch(s), {}",
        e.name,
        b.epochs,
        count_text(b.steps, "step")
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
            ..Default::default()
        },
    )
}

/// The maximal runs of `(lr, loss)` points whose loss is finite and at least `floor`: a
/// seed's line is drawn in these pieces, so it stops at its last point above the floor (or
/// before a diverged, non-finite loss) instead of joining across the gap.
fn runs_above(lrs: &[f64], losses: &[f64], floor: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for (&lr, &loss) in lrs.iter().zip(losses) {
        if loss.is_finite() && loss >= floor {
            runs.last_mut().expect("one run").push((lr, loss));
        } else if runs.last().is_some_and(|r| !r.is_empty()) {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// The lowest loss a budget's panel shows: two decades below the lower of the mean's lowest
/// point and the median seed's. A seed whose validation loss falls to nothing (a perfectly
/// separated small validation part: 1e-30 and below) would otherwise squash the other
/// curves into the panel's top; its points below are left out ([`runs_above`]).
fn y_floor(b: &BudgetScore) -> Option<f64> {
    let lowest = |values: &[f64]| {
        (values.iter().copied())
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold(f64::INFINITY, f64::min)
    };
    let mut seed_lows: Vec<f64> = b.losses.iter().map(|seed| lowest(seed)).collect();
    seed_lows.sort_by(f64::total_cmp);
    let mean_low = lowest(&b.grid.mean_loss);
    let low = seed_lows
        .get(seed_lows.len() / 2)
        .map_or(mean_low, |m| m.min(mean_low));
    low.is_finite().then(|| low / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_drawn_in_runs_of_finite_losses_above_the_floor() {
        let lrs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let losses = [0.5, 1e-30, 0.4, 0.3, f64::INFINITY, 0.2, f64::NAN];
        assert_eq!(
            runs_above(&lrs, &losses, 1e-3),
            vec![
                vec![(1.0, 0.5)],
                vec![(3.0, 0.4), (4.0, 0.3)],
                vec![(6.0, 0.2)]
            ]
        );
        assert_eq!(
            runs_above(&lrs, &[f64::NAN; 7], 0.0),
            Vec::<Vec<(f64, f64)>>::new()
        );
    }
}
