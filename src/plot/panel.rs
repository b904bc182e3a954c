//! One chart panel drawn from plain series: linear or log axes, an optional shaded x band,
//! an optional vertical marker and a legend. The compare and sweep figures are grids of
//! these.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::FONT;

/// Points of one line, `(x, y)`.
pub(crate) type Series = Vec<(f64, f64)>;

/// A named, coloured line.
pub(crate) type Line = (String, RGBColor, Series);

/// What a panel shows and how.
#[derive(Default)]
pub(crate) struct Panel<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub lines: &'a [Line],
    pub log_x: bool,
    pub log_y: bool,
    pub legend: bool,
    /// Both axes fixed to [0, 1] (ROC curves).
    pub unit_square: bool,
    /// Draw a dot on every point (for series with few points).
    pub dots: bool,
    /// Vertical lines at x, with their labels and colours.
    pub markers: Vec<(f64, String, RGBColor)>,
    /// A shaded x interval, with its label.
    pub band: Option<(f64, f64, String)>,
    /// Where the legend goes: the corner its data usually leave empty (chosen per figure).
    pub legend_at: Corner,
    /// The x axis counts whole things (epochs, steps): ticks at whole numbers only.
    pub whole_x: bool,
}

/// A corner of a panel, for its legend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Corner {
    #[default]
    UpperRight,
    LowerLeft,
    LowerRight,
}

/// Viridis-like colour for `t` in [0, 1] (low LRs dark blue, high LRs yellow-green).
pub(crate) fn gradient(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (200.0, 200.0, 30.0),
    ];
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |u: f64, v: f64| (u + f * (v - u)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Colour of a single marker (the suggestion).
pub(crate) const MARKER: RGBColor = RGBColor(200, 30, 30);
const BAND: RGBColor = RGBColor(44, 160, 44);

fn usable(p: &(f64, f64), log_x: bool, log_y: bool) -> bool {
    p.0.is_finite() && p.1.is_finite() && (!log_x || p.0 > 0.0) && (!log_y || p.1 > 0.0)
}

/// A tick label: three significant digits without trailing zeros (log axes put ticks at
/// values such as 0.7000000000000001), scientific notation outside [1e-3, 1e4).
pub(crate) fn tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e4).contains(&a) {
        return sci_tick(v);
    }
    let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A tick label in scientific notation, the mantissa to three digits without trailing zeros:
/// 5e-4, 1.5e-4.
pub(crate) fn sci_tick(v: f64) -> String {
    let text = format!("{v:.2e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exp}")
}

/// Tick positions for a log axis over `[lo, hi]`: the powers of ten when the range holds at
/// least three of them (every k-th when it holds more than [`MAX_TICKS`]), else 1-2-5 times
/// them, else 1 to 9 times them, else (a range within a fraction of a decade) evenly spaced
/// round numbers. plotters' own log axis puts ticks only at powers of ten, so a range within
/// one decade (a loss between 0.3 and 0.7) had none and its axis no labels.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let inside = |mantissas: &[f64]| -> Vec<f64> {
        (a..=b)
            .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
            .collect()
    };
    let decades = inside(&[1.0]);
    if decades.len() >= 3 {
        let k = decades.len().div_ceil(MAX_TICKS);
        return decades.into_iter().step_by(k).collect();
    }
    for mantissas in [
        &[1.0, 2.0, 5.0][..],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ] {
        let t = inside(mantissas);
        if t.len() >= 3 {
            return t;
        }
    }
    linear_ticks(lo, hi)
}

/// At most this many ticks on an axis whose ticks lrfind chooses.
const MAX_TICKS: usize = 10;

/// Round, evenly spaced ticks within `[lo, hi]`: a step of 1, 2 or 5 times a power of ten,
/// the finest giving at most six intervals (three to seven ticks).
pub(crate) fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return vec![lo];
    }
    let raw = span / 4.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * power);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Draws `p` on `area`.
pub(crate) fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let ok = |q: &(f64, f64)| usable(q, p.log_x, p.log_y);
    let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in p.lines.iter().flat_map(|l| l.2.iter()).filter(|q| ok(q)) {
        (x_lo, x_hi, y_lo, y_hi) = (x_lo.min(x), x_hi.max(x), y_lo.min(y), y_hi.max(y));
    }
    let extra_x = p
        .markers
        .iter()
        .map(|m| m.0)
        .chain(p.band.iter().flat_map(|b| [b.0, b.1]));
    for x in extra_x.filter(|&x| x.is_finite() && (!p.log_x || x > 0.0)) {
        (x_lo, x_hi) = (x_lo.min(x), x_hi.max(x));
    }
    if !x_lo.is_finite() {
        (x_lo, x_hi) = if p.log_x { (1e-6, 1.0) } else { (0.0, 1.0) };
    }
    if !y_lo.is_finite() {
        (y_lo, y_hi) = (0.1, 1.0);
    }
    let (x_lo, x_hi) = match (p.unit_square, p.log_x) {
        (true, _) => (0.0, 1.0),
        (false, true) => (x_lo / 1.6, x_hi * 1.6),
        (false, false) => (x_lo.min(0.0), x_hi.max(x_lo + 1.0)),
    };
    let pad = 0.05 * (y_hi - y_lo).max(1e-9);
    let (y_lo, y_hi) = match (p.unit_square, p.log_y) {
        (true, _) => (0.0, 1.0),
        (false, true) => (y_lo * 0.8, y_hi * 1.25),
        (false, false) => (y_lo - pad, y_hi + pad),
    };
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(p.title, (FONT, 17))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(64);
    // A linear axis may put ticks between integers (epochs 0, 0.5, 1, ...): print them as
    // they are rather than rounded to repeated integers. A log axis over three decades or
    // more labels its ticks alike (1e-4, 2e-4, 1e-3), a narrower one as plain numbers.
    let label = |log: bool, lo: f64, hi: f64| {
        // One notation per log axis: scientific when any of its ticks would be.
        let sci = log && (lo < 1e-3 || hi >= 1e4);
        move |v: &f64| {
            let mantissa = v / 10f64.powf(v.log10().floor());
            if log && hi / lo >= 1e3 && (mantissa - mantissa.round()).abs() < 1e-6 {
                format!("{v:.0e}")
            } else if sci {
                sci_tick(*v)
            } else {
                tick(*v)
            }
        }
    };
    let x_format = label(p.log_x, x_lo, x_hi);
    let y_format = label(p.log_y, y_lo, y_hi);
    macro_rules! body {
        ($chart:ident) => {{
            $chart
                .configure_mesh()
                .x_desc(p.x_desc)
                .x_label_formatter(&x_format)
                .y_label_formatter(&y_format)
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 13))
                .light_line_style(RGBColor(246, 246, 246))
                .bold_line_style(RGBColor(220, 220, 220))
                .draw()
                .map_err(err)?;
            if let Some((a, b, label)) = &p.band {
                $chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(*a, y_lo), (*b, y_hi)],
                        BAND.mix(0.12).filled(),
                    )))
                    .map_err(err)?
                    .label(label.as_str())
                    .legend(|(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 16, y + 5)], BAND.mix(0.3).filled())
                    });
            }
            for (name, color, data) in p.lines {
                let color = *color;
                let pts: Vec<(f64, f64)> = data.iter().copied().filter(|q| ok(q)).collect();
                let drawn = $chart
                    .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                    .map_err(err)?;
                // A line without a name (one of many alike) has no legend entry.
                if !name.is_empty() {
                    drawn.label(name.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3))
                    });
                }
                if p.dots {
                    $chart
                        .draw_series(pts.iter().map(|&q| Circle::new(q, 3, color.filled())))
                        .map_err(err)?;
                }
            }
            for (x, label, color) in &p.markers {
                let color = *color;
                let drawn = $chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(*x, y_lo), (*x, y_hi)],
                        color.mix(0.8).stroke_width(2),
                    )))
                    .map_err(err)?;
                if !label.is_empty() {
                    drawn.label(label.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                    });
                }
            }
            if p.legend {
                $chart
                    .configure_series_labels()
                    .position(match p.legend_at {
                        Corner::UpperRight => SeriesLabelPosition::UpperRight,
                        Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
                        Corner::LowerRight => SeriesLabelPosition::LowerRight,
                    })
                    .label_font((FONT, 12))
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .draw()
                    .map_err(err)?;
            }
        }};
    }
    // Ticks on a grid of whole numbers (plotters thins it to fit).
    let whole = || (x_lo..x_hi + 1e-9 * (1.0 + x_hi.abs())).step(1.0);
    match (p.log_x, p.log_y) {
        (false, false) if p.whole_x => {
            let mut chart = builder
                .build_cartesian_2d(whole(), y_lo..y_hi)
                .map_err(err)?;
            body!(chart);
        }
        (false, true) if p.whole_x => {
            let y = (y_lo..y_hi)
                .log_scale()
                .with_key_points(log_ticks(y_lo, y_hi));
            let mut chart = builder.build_cartesian_2d(whole(), y).map_err(err)?;
            body!(chart);
        }
        (false, false) => {
            let mut chart = builder
                .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
                .map_err(err)?;
            body!(chart);
        }
        (false, true) => {
            let y = (y_lo..y_hi)
                .log_scale()
                .with_key_points(log_ticks(y_lo, y_hi));
            let mut chart = builder.build_cartesian_2d(x_lo..x_hi, y).map_err(err)?;
            body!(chart);
        }
        (true, false) => {
            let x = (x_lo..x_hi)
                .log_scale()
                .with_key_points(log_ticks(x_lo, x_hi));
            let mut chart = builder.build_cartesian_2d(x, y_lo..y_hi).map_err(err)?;
            body!(chart);
        }
        (true, true) => {
            let x = (x_lo..x_hi)
                .log_scale()
                .with_key_points(log_ticks(x_lo, x_hi));
            let y = (y_lo..y_hi)
                .log_scale()
                .with_key_points(log_ticks(y_lo, y_hi));
            let mut chart = builder.build_cartesian_2d(x, y).map_err(err)?;
            body!(chart);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{linear_ticks, log_ticks, tick};

    /// The numeric text labels of a panel drawn as SVG.
    fn labels(p: &super::Panel) -> Vec<String> {
        use plotters::prelude::*;
        crate::plot::register_font();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (480, 320)).into_drawing_area();
            super::draw_panel(&root, p).unwrap();
            root.present().unwrap();
        }
        svg.split("</text>")
            .filter_map(|t| t.rsplit('>').next())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || ".e-".contains(c)))
            .collect()
    }

    #[test]
    fn a_log_axis_within_one_decade_has_labels() {
        // A loss between 0.3 and 0.7 on a log axis, and a constant LR: plotters alone drew
        // these axes bare.
        let lines = vec![(
            "a".to_string(),
            plotters::style::RGBColor(0, 0, 0),
            vec![(1.0, 0.7), (2.0, 0.5), (3.0, 0.3)],
        )];
        let p = super::Panel {
            title: "t",
            x_desc: "epoch",
            lines: &lines,
            log_y: true,
            ..Default::default()
        };
        let l = labels(&p);
        for want in ["0.3", "0.5", "0.7"] {
            assert!(l.iter().any(|x| x == want), "{want} missing from {l:?}");
        }
        let flat = vec![(
            "lr".to_string(),
            plotters::style::RGBColor(0, 0, 0),
            vec![(1.0, 0.01), (2.0, 0.01)],
        )];
        let p = super::Panel {
            title: "t",
            x_desc: "epoch",
            lines: &flat,
            log_y: true,
            ..Default::default()
        };
        let l = labels(&p);
        assert!(l.iter().any(|x| x == "0.01"), "{l:?}");
        // A narrow LR range on a log x axis: distinct labels.
        let narrow = vec![(
            "x".to_string(),
            plotters::style::RGBColor(0, 0, 0),
            vec![(0.52, 1.0), (0.58, 2.0)],
        )];
        let p = super::Panel {
            title: "t",
            x_desc: "lr",
            lines: &narrow,
            log_x: true,
            ..Default::default()
        };
        let l = labels(&p);
        let mut sorted = l.clone();
        sorted.dedup();
        assert_eq!(sorted, l, "a repeated label");
        assert!(l.len() >= 4, "{l:?}");
    }

    #[test]
    fn log_axes_get_ticks_at_every_scale() {
        // Many decades: powers of ten, at most ten of them.
        let decades = log_ticks(1e-7, 1e-4);
        assert_eq!(decades.len(), 4, "{decades:?}");
        assert!(log_ticks(1e-30, 1e10).len() <= 10);
        // About two decades: 1-2-5.
        let near = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x / y - 1.0).abs() < 1e-9)
        };
        assert!(near(&log_ticks(0.03, 1.5), &[0.05, 0.1, 0.2, 0.5, 1.0]));
        // Within one decade (plotters drew no tick here).
        let t = log_ticks(0.3, 0.75);
        assert_eq!(t.len(), 5, "{t:?}");
        assert!((t[0] - 0.3).abs() < 1e-12 && (t[4] - 0.7).abs() < 1e-12);
        // Within a fraction of a decade: round numbers.
        assert_eq!(log_ticks(0.52, 0.58).len(), linear_ticks(0.52, 0.58).len());
        assert_eq!(linear_ticks(0.52, 0.58).len(), 7);
        assert!(log_ticks(0.0, 1.0).is_empty());
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick(0.7000000000000001), "0.7");
        assert_eq!(tick(0.30000000000000004), "0.3");
        assert_eq!(tick(1.0), "1");
        assert_eq!(tick(0.125), "0.125");
        assert_eq!(tick(12.5), "12.5");
        assert_eq!(tick(250.0), "250");
        assert_eq!(tick(2e-5), "2e-5");
        assert_eq!(tick(1.5e-4), "1.5e-4");
        assert_eq!(tick(2.5e5), "2.5e5");
        assert_eq!(tick(0.0), "0");
    }
}
