//! Figures, one function per figure, each a function of a result (never a method on it).
//! PNG and SVG come from the same drawing code; text uses the DejaVu Sans font shipped in
//! `assets/fonts` (registered once), so plots look the same on every machine.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::analysis::Method;
use crate::analysis::rules::knee_curve;
use crate::analysis::smoothing::{ema_lightning, ema_torch};
use crate::config::CurveKind;
use crate::error::{Error, Result};
use crate::finder::RangeTestResult;
use crate::report::{temp_name, write_atomic};

mod compare;
mod evaluate;
mod logs;
mod panel;
mod replot;
mod sweep;

pub use compare::{COMPARE_SIZE, PALETTE, compare, runs, schedules};
pub use evaluate::{evaluate, evaluation};
pub use logs::logs;
pub use replot::{LrFindRun, Replot, Style, replot};
pub use sweep::sweep;

/// Figure size in pixels.
pub const SIZE: (u32, u32) = (960, 600);
pub(crate) const FONT: &str = "sans-serif";
const RAW: RGBColor = RGBColor(120, 144, 180);
const SMOOTH: RGBColor = RGBColor(31, 84, 160);
const TAIL: RGBColor = RGBColor(214, 39, 40);
const CHOSEN: RGBColor = RGBColor(200, 30, 30);
const VALID: RGBColor = RGBColor(255, 127, 14);

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        plotters::style::register_font(FONT, FontStyle::Normal, bytes)
            .unwrap_or_else(|_| panic!("the embedded font is valid"));
    });
}

pub(crate) fn method_color(m: Method) -> RGBColor {
    match m {
        Method::Knee => RGBColor(200, 30, 30),
        Method::Valley => RGBColor(44, 160, 44),
        Method::Steep => RGBColor(255, 127, 14),
        Method::Minimum => RGBColor(148, 103, 189),
        Method::Slide => RGBColor(140, 86, 75),
        Method::Torch => RGBColor(23, 190, 207),
        Method::Lightning => RGBColor(121, 47, 190),
        Method::Lightning25 => RGBColor(188, 189, 34),
    }
}

/// Writes the loss-vs-LR figure of a range test as PNG and/or SVG (by the paths given).
pub fn lr_find(
    result: &RangeTestResult,
    title: &str,
    png: Option<&Path>,
    svg: Option<&Path>,
) -> Result<()> {
    lr_find_repeated(result, &[], title, png, svg)
}

/// The loss-vs-LR figure of a range test repeated over seeds: the main run as in
/// [`lr_find`], the other seeds' smoothed curves, and the band between the lowest and the
/// highest smoothed loss at each LR.
pub fn lr_find_repeated(
    result: &RangeTestResult,
    others: &[RangeTestResult],
    title: &str,
    png: Option<&Path>,
    svg: Option<&Path>,
) -> Result<()> {
    register_font();
    render(
        png,
        svg,
        SIZE,
        &LrFindFigure {
            result,
            others,
            title,
        },
    )
}

/// A figure that can be drawn on any plotters backend.
pub(crate) trait Figure {
    /// Draws the whole figure on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

struct LrFindFigure<'a> {
    result: &'a RangeTestResult,
    others: &'a [RangeTestResult],
    title: &'a str,
}

impl Figure for LrFindFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw_lr_find(root, self.result, self.others, self.title)
    }
}

/// Draws one figure into a PNG and/or an SVG file, each written to a temporary name and
/// renamed when complete.
pub(crate) fn render(
    png: Option<&Path>,
    svg: Option<&Path>,
    size: (u32, u32),
    figure: &impl Figure,
) -> Result<()> {
    if let Some(path) = png {
        let tmp = temp_name(path);
        let drawn = (|| {
            let root = BitMapBackend::new(&tmp, size).into_drawing_area();
            figure.draw(&root)?;
            root.present().map_err(|e| e.to_string())
        })();
        drawn
            .map_err(|message| Error::Plot {
                path: path.into(),
                message,
            })
            .and_then(|_| std::fs::rename(&tmp, path).map_err(|e| Error::output(path, e)))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
    }
    if let Some(path) = svg {
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
            figure
                .draw(&root)
                .and_then(|_| root.present().map_err(|e| e.to_string()))
                .map_err(|message| Error::Plot {
                    path: path.into(),
                    message,
                })?;
        }
        write_atomic(path, text.as_bytes())?;
    }
    Ok(())
}

/// Linear interpolation of `ys` at `x` on a log-x axis (clamped to the ends).
fn interp_log(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let lx = x.ln();
    match xs.iter().position(|&v| v.ln() >= lx) {
        None => *ys.last().unwrap_or(&0.0),
        Some(0) => ys[0],
        Some(i) => {
            let (x0, x1) = (xs[i - 1].ln(), xs[i].ln());
            let t = if x1 > x0 { (lx - x0) / (x1 - x0) } else { 0.0 };
            ys[i - 1] + t * (ys[i] - ys[i - 1])
        }
    }
}

fn draw_lr_find<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &RangeTestResult,
    others: &[RangeTestResult],
    title: &str,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    // Only finite points are drawn; the y range follows the smoothed curve so spikes in the
    // raw loss do not squash the figure.
    let pts: Vec<(f64, f64, f64)> = (0..r.iterations())
        .filter(|&i| r.losses[i].is_finite() && r.smoothed[i].is_finite() && r.lrs[i] > 0.0)
        .map(|i| (r.lrs[i], r.losses[i], r.smoothed[i]))
        .collect();
    let (x_lo, x_hi) = r
        .lrs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (x_lo, x_hi) = if x_lo.is_finite() && x_hi > x_lo {
        (x_lo, x_hi)
    } else {
        (1e-7, 10.0)
    };
    // y spans the smoothed curve and the raw curve's low points (spikes above are cut).
    let low = pts
        .iter()
        .map(|p| p.1.min(p.2))
        .fold(f64::INFINITY, f64::min);
    let val: Vec<(f64, f64)> = r
        .validation
        .iter()
        .flat_map(|v| {
            v.lrs
                .iter()
                .zip(&v.losses)
                .map(|(&x, &y)| (x, y))
                .filter(|p| p.1.is_finite() && p.0 > 0.0)
        })
        .collect();
    let low = val.iter().map(|p| p.1).fold(low, f64::min);
    // The top follows the smoothed curve up to its minimum, so a blow-up at the end (which
    // can be many times the starting loss) does not flatten the part that matters; the tail
    // and the validation curve's blow-up are cut like the raw spikes.
    let lowest = pts
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.2.total_cmp(&b.1.2))
        .map_or(0, |(i, _)| i);
    let high = pts[..(lowest + 1).min(pts.len())]
        .iter()
        .map(|p| p.2)
        .fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = if low.is_finite() && high.is_finite() {
        (low, high)
    } else {
        (0.0, 1.0)
    };
    let span = (high - low).max(1e-9 * high.abs().max(1.0));
    let (y_lo, y_hi) = (low - 0.05 * span, high + 0.35 * span);

    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("learning rate (log scale)")
        .y_desc(if val.is_empty() {
            "training loss"
        } else {
            "loss"
        })
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .light_line_style(RGBColor(246, 246, 246))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(err)?;

    // The curve knee reads (centered, no lag): the main line.
    let centered = knee_curve(&r.lrs, &r.losses);
    let centered_min = (0..centered.len())
        .filter(|&i| centered[i].is_finite())
        .min_by(|&a, &b| centered[a].total_cmp(&centered[b]));
    // The diverging tail: from the centered curve's minimum to the end, when the test
    // diverged.
    if let (true, Some(m)) = (r.stop.is_divergence(), centered_min) {
        let lr_min = r.lrs[m];
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(lr_min, y_lo), (x_hi, y_hi)],
                TAIL.mix(0.08).filled(),
            )))
            .map_err(err)?
            .label("past the minimum: diverging")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], TAIL.mix(0.2).filled()));
    }
    if !others.is_empty() {
        // The band spans every seed's smoothed loss at each LR of the common ramp.
        let runs: Vec<&RangeTestResult> = std::iter::once(r).chain(others).collect();
        let common = runs
            .iter()
            .map(|x| x.smoothed.iter().take_while(|v| v.is_finite()).count())
            .min()
            .unwrap_or(0);
        let bound = |pick: fn(f64, f64) -> f64, i: usize| {
            let v = runs
                .iter()
                .map(|x| x.smoothed[i])
                .reduce(pick)
                .unwrap_or(f64::NAN);
            (r.lrs[i], v.clamp(y_lo, y_hi))
        };
        let mut band: Vec<(f64, f64)> = (0..common).map(|i| bound(f64::max, i)).collect();
        band.extend((0..common).rev().map(|i| bound(f64::min, i)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                SMOOTH.mix(0.15).filled(),
            )))
            .map_err(err)?
            .label(format!(
                "{} seeds: lowest to highest smoothed loss",
                runs.len()
            ))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], SMOOTH.mix(0.3).filled())
            });
        for other in others {
            let n = other.smoothed.iter().take_while(|v| v.is_finite()).count();
            chart
                .draw_series(LineSeries::new(
                    (0..n).map(|i| (other.lrs[i], other.smoothed[i].clamp(y_lo, y_hi))),
                    SMOOTH.mix(0.35).stroke_width(1),
                ))
                .map_err(err)?;
        }
    }
    chart
        .draw_series(LineSeries::new(
            pts.iter().map(|p| (p.0, p.1)),
            RAW.mix(0.45).stroke_width(1),
        ))
        .map_err(err)?
        .label("raw loss")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RAW.mix(0.6).stroke_width(2)));
    // fastai's EMA, which its rules read and which trails the raw loss: thin and dashed.
    chart
        .draw_series(DashedLineSeries::new(
            pts.iter().map(|p| (p.0, p.2.min(y_hi))),
            6,
            4,
            SMOOTH.mix(0.8).stroke_width(1),
        ))
        .map_err(err)?
        .label("fastai's EMA (read by valley, steep, minimum, slide)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], SMOOTH.stroke_width(1)));
    chart
        .draw_series(LineSeries::new(
            // Up to where it leaves the figure after its minimum.
            (0..r.iterations())
                .take_while(|&i| {
                    centered[i].is_finite()
                        && (centered_min.is_none_or(|m| i <= m) || centered[i] <= y_hi)
                })
                .filter(|&i| r.lrs[i] > 0.0)
                .map(|i| (r.lrs[i], centered[i].clamp(y_lo, y_hi))),
            SMOOTH.stroke_width(3),
        ))
        .map_err(err)?
        .label("centered smoothing (read by knee)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], SMOOTH.stroke_width(3)));

    if !val.is_empty() {
        chart
            .draw_series(LineSeries::new(val.iter().copied(), VALID.stroke_width(3)))
            .map_err(err)?
            .label("validation loss")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], VALID.stroke_width(3)));
    }

    let suggested = r.suggested();
    let chosen = suggested.chosen_method;
    // Each marker sits at the point its rule read, on the curve that rule read; its label
    // gives the LR the rule reports (fastai's minimum reports a tenth of its point's LR,
    // knee the LR for the planned training).
    let (xs, ys): (Vec<f64>, Vec<f64>) = match r.suggested_curve() {
        CurveKind::Training => pts.iter().map(|p| (p.0, p.2)).unzip(),
        CurveKind::Validation => val.iter().copied().unzip(),
    };
    let (torch, lightning) = (ema_torch(&r.losses, 0.05), ema_lightning(&r.losses, 0.98));
    let read_at = |s: &crate::analysis::Suggestion| -> Option<(f64, f64)> {
        let i = s.index?;
        match r.suggested_curve() {
            CurveKind::Validation => {
                let v = r.validation.as_ref()?;
                Some((*v.lrs.get(i)?, *v.losses.get(i)?))
            }
            CurveKind::Training => {
                let own = match s.method {
                    Method::Knee => centered.get(i).copied(),
                    Method::Torch => torch.get(i).copied(),
                    Method::Lightning | Method::Lightning25 => lightning.get(i).copied(),
                    _ => r.smoothed.get(i).copied(),
                }?;
                Some((*r.lrs.get(i)?, own))
            }
        }
    };
    for s in &suggested.all {
        let Some(lr) = s.lr else { continue };
        let (x, y) = match read_at(s).filter(|p| p.0 > 0.0 && p.1.is_finite()) {
            Some((x, y)) => (x, y.clamp(y_lo, y_hi)),
            None if xs.is_empty() => (lr, y_lo),
            None => (lr, interp_log(&xs, &ys, lr)),
        };
        let color = method_color(s.method);
        let is_chosen = s.method == chosen;
        // A rule that reports another LR than its point's says where its point is.
        let mut notes = Vec::new();
        if is_chosen {
            notes.push("suggested".to_string());
        }
        if (x / lr - 1.0).abs() > 0.01 {
            notes.push(format!("read at {x:.1e}"));
        }
        let label = match notes.is_empty() {
            true => format!("{} {lr:.1e}", s.method.name()),
            false => format!("{} {lr:.1e} ({})", s.method.name(), notes.join("; ")),
        };
        if is_chosen {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(lr, y_lo), (lr, y_hi)],
                    CHOSEN.mix(0.7).stroke_width(2),
                )))
                .map_err(err)?;
        }
        let size = if is_chosen { 9 } else { 6 };
        chart
            .draw_series(std::iter::once(Circle::new((x, y), size, color.filled())))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 8, y), size.min(7), color.filled()));
    }
    if let Some(lr) = suggested.chosen().lr {
        // Right of the line in the left half of the plot, left of it in the right half.
        let right_half = lr.ln() > 0.5 * (x_lo.ln() + x_hi.ln());
        let (x, anchor) = if right_half {
            (lr / 1.15, HPos::Right)
        } else {
            (lr * 1.15, HPos::Left)
        };
        let style = (FONT, 16)
            .into_font()
            .color(&CHOSEN)
            .pos(Pos::new(anchor, VPos::Top));
        chart
            .draw_series(std::iter::once(Text::new(
                format!(
                    "suggested LR {lr:.1e}{} · confidence {}",
                    match (chosen, r.planned_steps) {
                        (Method::Knee, Some(t)) => {
                            format!(
                                " for {}",
                                crate::analysis::conclusion::count_text(t, "step")
                            )
                        }
                        _ => String::new(),
                    },
                    format!("{:?}", suggested.confidence.level).to_lowercase()
                ),
                (x, y_hi - 0.02 * (y_hi - y_lo)),
                style,
            )))
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        // Lower left: a range-test curve starts high and falls, so that corner is empty.
        .position(SeriesLabelPosition::LowerLeft)
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(err)?;
    Ok(())
}
