//! Figures redrawn from saved results (`lrfind plot`): one or several range-test histories
//! overlaid, a comparison's four panels, and a sweep's metric and loss against LR, with the
//! size, title, axis scales and smoothing chosen by the caller.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::{PALETTE, draw_runs, lines_by_step};
use super::panel::{Corner, Line, MARKER, Panel, draw_panel};
use super::{FONT, Figure, register_font, render};
use crate::analysis::conclusion::lr_text;
use crate::analysis::smoothing::ema_debiased;
use crate::error::Result;
use crate::history::{CompareRunHistory, LrFindHistory, SweepRow};

/// How a redrawn figure looks.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Title (a default names the file when None).
    pub title: Option<String>,
    /// Logarithmic LR axis.
    pub log_x: bool,
    /// Logarithmic loss axis.
    pub log_y: bool,
    /// Re-smooth training losses with fastai's EMA of this factor (None: the saved
    /// smoothing for range tests, 0.98 for comparisons).
    pub smooth: Option<f64>,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            size: super::SIZE,
            title: None,
            log_x: true,
            log_y: false,
            smooth: None,
        }
    }
}

/// One range-test history to draw: its legend label, the history, and its suggestion.
#[derive(Debug, Clone)]
pub struct LrFindRun {
    /// Legend label.
    pub label: String,
    /// The history.
    pub history: LrFindHistory,
    /// The suggested LR, when known (from the `lr_find.json` beside the history).
    pub suggestion: Option<f64>,
}

/// What to redraw.
#[derive(Debug, Clone, Copy)]
pub enum Replot<'a> {
    /// Range-test histories, overlaid (smoothed training loss, validation loss when
    /// recorded, suggestions as vertical lines in each run's colour).
    LrFind(&'a [LrFindRun]),
    /// A saved comparison's four panels.
    Compare(&'a [CompareRunHistory]),
    /// A saved sweep's validation metric and loss against LR, one line per group.
    Sweep(&'a [SweepRow]),
}

struct ReplotFigure<'a> {
    what: Replot<'a>,
    style: &'a Style,
}

impl Figure for ReplotFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self.what {
            Replot::LrFind(runs) => draw_lr_find(root, runs, self.style),
            Replot::Compare(runs) => {
                let title = self.style.title.as_deref().unwrap_or("Settings compared");
                let smooth = self.style.smooth.unwrap_or(0.98);
                draw_runs(
                    root,
                    title,
                    &lines_by_step(runs, smooth),
                    "validation metric",
                    self.style.log_y,
                )
            }
            Replot::Sweep(rows) => draw_sweep(root, rows, self.style),
        }
    }
}

/// Redraws saved results as PNG and/or SVG.
pub fn replot(what: Replot, style: &Style, png: Option<&Path>, svg: Option<&Path>) -> Result<()> {
    register_font();
    render(png, svg, style.size, &ReplotFigure { what, style })
}

/// A range-test line up to where it blows up: after its lowest point, the points until the
/// first one above 1.5 times its starting value (so a diverging tail, which can reach many
/// times the start, does not flatten the part that matters).
fn until_blowup(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let finite: Vec<(f64, f64)> = points.into_iter().filter(|p| p.1.is_finite()).collect();
    let Some(&(_, first)) = finite.first() else {
        return finite;
    };
    let lowest = (0..finite.len())
        .min_by(|&a, &b| finite[a].1.total_cmp(&finite[b].1))
        .unwrap_or(0);
    let limit = 1.5 * first.abs().max(finite[lowest].1.abs());
    let end = (lowest..finite.len())
        .find(|&i| finite[i].1 > limit)
        .unwrap_or(finite.len());
    finite[..end].to_vec()
}

fn draw_lr_find<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[LrFindRun],
    style: &Style,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let single = runs.len() == 1;
    let mut lines: Vec<Line> = Vec::new();
    let mut markers = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let h = &run.history;
        let color = PALETTE[i % PALETTE.len()];
        // The curve knee reads, as `lrfind suggest` draws it; `--smooth` asks for fastai's
        // EMA with another factor instead.
        let (smoothed, what) = match style.smooth {
            Some(beta) => (ema_debiased(&h.losses, beta), "EMA-smoothed loss"),
            None => (h.centered.clone(), "centered smoothing (read by knee)"),
        };
        // Several runs: one legend entry each, its suggestion in it (the vertical line in its
        // colour has none of its own).
        let name = match (single, run.suggestion) {
            (true, _) => what.to_string(),
            (false, Some(lr)) => format!("{} (suggested {})", run.label, lr_text(lr)),
            (false, None) => run.label.clone(),
        };
        lines.push((
            name,
            color,
            until_blowup(h.lrs.iter().copied().zip(smoothed).collect()),
        ));
        if single && style.smooth.is_none() {
            lines.push((
                "fastai's EMA (read by valley, steep, minimum, slide)".into(),
                PALETTE[2],
                until_blowup(
                    h.lrs
                        .iter()
                        .copied()
                        .zip(h.smoothed.iter().copied())
                        .collect(),
                ),
            ));
        }
        if !h.validation.is_empty() {
            let vname = if single {
                "validation loss".to_string()
            } else {
                format!("{} (validation)", run.label)
            };
            let vcolor = if single { PALETTE[1] } else { color };
            lines.push((vname, vcolor, until_blowup(h.validation.clone())));
        }
        if let Some(lr) = run.suggestion {
            match single {
                true => markers.push((lr, format!("suggested {}", lr_text(lr)), MARKER)),
                false => markers.push((lr, String::new(), color)),
            }
        }
    }
    let title = style.title.clone().unwrap_or_else(|| match runs {
        [one] => format!("LR range test: {}", one.label),
        _ => "LR range tests".to_string(),
    });
    let x_desc = if style.log_x {
        "learning rate (log scale)"
    } else {
        "learning rate"
    };
    draw_panel(
        root,
        &Panel {
            title: &title,
            x_desc,
            lines: &lines,
            log_x: style.log_x,
            log_y: style.log_y,
            legend: true,
            markers,
            // A range test's curve leaves its low-LR, low-loss corner empty.
            legend_at: Corner::LowerLeft,
            ..Default::default()
        },
    )
}

fn draw_sweep<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[SweepRow],
    style: &Style,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let title = style.title.clone().unwrap_or_else(|| "LR sweep".into());
    let root = root.titled(&title, (FONT, 22)).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((1, 2));
    let valid: Vec<&SweepRow> = rows.iter().filter(|r| r.split == "validation").collect();
    let mut groups: Vec<&str> = Vec::new();
    for r in &valid {
        if !groups.contains(&r.group.as_str()) {
            groups.push(&r.group);
        }
    }
    let lines = |f: &dyn Fn(&SweepRow) -> f64| -> Vec<Line> {
        groups
            .iter()
            .enumerate()
            .map(|(g, name)| {
                let pts = valid
                    .iter()
                    .filter(|r| r.group == *name)
                    .map(|r| (r.lr, f(r)))
                    .collect();
                let label = if name.is_empty() {
                    "validation".to_string()
                } else {
                    name.to_string()
                };
                (label, PALETTE[g % PALETTE.len()], pts)
            })
            .collect()
    };
    let accuracy = valid.first().is_none_or(|r| r.accuracy);
    let (metric, loss) = (lines(&|r| r.metric), lines(&|r| r.loss));
    let x_desc = if style.log_x {
        "learning rate (log)"
    } else {
        "learning rate"
    };
    let panel = |title, lines, log_y| Panel {
        title,
        x_desc,
        lines,
        log_x: style.log_x,
        log_y,
        legend: true,
        dots: true,
        ..Default::default()
    };
    let metric_title = if accuracy {
        "validation accuracy"
    } else {
        "validation MSE"
    };
    draw_panel(
        &panels[0],
        &panel(metric_title, &metric, !accuracy && style.log_y),
    )?;
    draw_panel(&panels[1], &panel("validation loss", &loss, style.log_y))?;
    Ok(())
}
