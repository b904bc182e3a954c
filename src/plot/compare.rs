//! The compare figure: four panels sharing one colour per setting (smoothed training loss
//! per step, validation loss per epoch, validation metric per epoch, LR per step).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

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

pub(crate) type Series = Vec<(f64, f64)>;

pub(crate) fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    series: &[(String, RGBColor, Series)],
    log_y: bool,
    legend: bool,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let pts = series
        .iter()
        .flat_map(|s| s.2.iter())
        .filter(|p| p.1.is_finite() && (!log_y || p.1 > 0.0));
    let (mut x_hi, mut y_lo, mut y_hi) = (1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in pts {
        x_hi = x_hi.max(x);
        y_lo = y_lo.min(y);
        y_hi = y_hi.max(y);
    }
    if !y_lo.is_finite() {
        (y_lo, y_hi) = (0.1, 1.0);
    }
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, (FONT, 17))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(64);
    macro_rules! body {
        ($chart:ident) => {{
            $chart
                .configure_mesh()
                .x_desc(x_desc)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 13))
                .light_line_style(RGBColor(246, 246, 246))
                .bold_line_style(RGBColor(220, 220, 220))
                .draw()
                .map_err(err)?;
            for (name, color, data) in series {
                let color = *color;
                $chart
                    .draw_series(LineSeries::new(
                        data.iter()
                            .copied()
                            .filter(|p| p.1.is_finite() && (!log_y || p.1 > 0.0)),
                        color.stroke_width(2),
                    ))
                    .map_err(err)?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3))
                    });
            }
            if legend {
                $chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperRight)
                    .label_font((FONT, 12))
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .draw()
                    .map_err(err)?;
            }
        }};
    }
    let pad = 0.05 * (y_hi - y_lo).max(1e-9);
    if log_y {
        let mut chart = builder
            .build_cartesian_2d(0f64..x_hi, (y_lo * 0.8..y_hi * 1.25).log_scale())
            .map_err(err)?;
        body!(chart);
    } else {
        let mut chart = builder
            .build_cartesian_2d(0f64..x_hi, y_lo - pad..y_hi + pad)
            .map_err(err)?;
        body!(chart);
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Comparison) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let title = format!("Settings compared: {} · {}", c.data.source, c.model);
    let root = root.titled(&title, (FONT, 22)).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((2, 2));
    let color = |i: usize| PALETTE[i % PALETTE.len()];
    let per_run = |f: &dyn Fn(&crate::compare::Run) -> Series| -> Vec<(String, RGBColor, Series)> {
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
    panel(
        &panels[0],
        "training loss (smoothed)",
        "step",
        &train,
        false,
        true,
    )?;
    panel(&panels[1], "validation loss", "epoch", &val, false, false)?;
    panel(&panels[2], metric_name, "epoch", &metric, false, false)?;
    panel(&panels[3], "learning rate (log)", "step", &lr, true, false)?;
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
    let series: Vec<(String, RGBColor, Series)> = names
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

struct ScheduleFigure(Vec<(String, RGBColor, Series)>);

impl Figure for ScheduleFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        panel(root, "learning rate schedule", "step", &self.0, false, true)
    }
}
