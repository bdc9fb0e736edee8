//! Line charts of metric series as PNG and SVG (plotters): one chart per metric, one line
//! per experiment, each decimated to the chart's pixel width first (so a million-point
//! series draws as fast as a short one and its spikes survive), with labelled axes, a
//! legend and an optional log-scale y axis.
//!
//! Text layout needs a TrueType font: `CAIRN_FONT` names one, else common system
//! locations are tried (DejaVu/Liberation on Linux, Arial on macOS and Windows).

use std::path::Path;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use crate::error::ExpError;
use crate::series::decimate;

/// Colors of the series, in order (cycled).
pub const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// How a chart looks.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    /// Title (the metric name).
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// Logarithmic y axis (non-positive values are dropped).
    pub log_y: bool,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend label (the experiment).
    pub label: String,
    /// Points in x order.
    pub points: Vec<(f64, f64)>,
}

const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation/LiberationSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

fn ensure_font() -> Result<(), ExpError> {
    static DONE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let mut paths: Vec<String> = Vec::new();
        if let Ok(p) = std::env::var("CAIRN_FONT") {
            paths.push(p);
        }
        paths.extend(FONT_CANDIDATES.iter().map(|s| s.to_string()));
        for p in paths {
            if let Ok(bytes) = std::fs::read(&p) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return Ok(());
                }
            }
        }
        Err("no TrueType font found for PNG text; set CAIRN_FONT=/path/to/font.ttf".into())
    })
    .clone()
    .map_err(ExpError::Invalid)
}

/// Whether a font for chart text was found (see the module docs).
pub fn font_available() -> bool {
    ensure_font().is_ok()
}

fn bounds(lines: &[Line], log_y: bool) -> ((f64, f64), (f64, f64)) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for l in lines {
        for &(x, y) in &l.points {
            if !x.is_finite() || !y.is_finite() || (log_y && y <= 0.0) {
                continue;
            }
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if x0 > x1 {
        (x0, x1) = (0.0, 1.0);
    }
    if y0 > y1 {
        (y0, y1) = if log_y { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    if x0 == x1 {
        x1 = x0 + 1.0;
    }
    if y0 == y1 {
        if log_y {
            (y0, y1) = (y0 / 2.0, y1 * 2.0);
        } else {
            (y0, y1) = (y0 - 0.5, y1 + 0.5);
        }
    } else if !log_y {
        let pad = (y1 - y0) * 0.05;
        (y0, y1) = (y0 - pad, y1 + pad);
    }
    ((x0, x1), (y0, y1))
}

fn draw<DB, Y>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    spec: &ChartSpec,
    lines: &[Line],
    x: (f64, f64),
    y: Y,
) -> Result<(), String>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let e = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|er| e(&er))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&spec.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(70)
        .build_cartesian_2d(x.0..x.1, y)
        .map_err(|er| e(&er))?;
    chart
        .configure_mesh()
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|er| e(&er))?;
    let width = spec.width.saturating_sub(100).max(10) as usize;
    for (i, l) in lines.iter().enumerate() {
        let (r, g, b) = PALETTE[i % PALETTE.len()];
        let color = RGBColor(r, g, b);
        let pts: Vec<(f64, f64)> = decimate(&l.points, width, None)
            .into_iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite() && (!spec.log_y || p.1 > 0.0))
            .collect();
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(|er| e(&er))?
            .label(l.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font(("sans-serif", 14))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|er| e(&er))?;
    root.present().map_err(|er| e(&er))?;
    Ok(())
}

fn draw_any<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    spec: &ChartSpec,
    lines: &[Line],
) -> Result<(), ExpError> {
    let (x, y) = bounds(lines, spec.log_y);
    let r = if spec.log_y {
        draw(root, spec, lines, x, (y.0..y.1).log_scale())
    } else {
        draw(root, spec, lines, x, y.0..y.1)
    };
    r.map_err(|m| ExpError::Invalid(format!("rendering '{}': {m}", spec.title)))
}

/// The chart as SVG text.
pub fn render_svg(spec: &ChartSpec, lines: &[Line]) -> Result<String, ExpError> {
    ensure_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (spec.width, spec.height)).into_drawing_area();
        draw_any(root, spec, lines)?;
    }
    Ok(out)
}

/// Writes the chart as a PNG file.
pub fn render_png(spec: &ChartSpec, lines: &[Line], path: &Path) -> Result<(), ExpError> {
    ensure_font()?;
    let root = BitMapBackend::new(path, (spec.width, spec.height)).into_drawing_area();
    draw_any(root, spec, lines)
}

/// A file-name-safe version of a metric name.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<Line> {
        (0..n)
            .map(|k| Line {
                label: format!("exp-{k}"),
                points: (0..5000)
                    .map(|i| {
                        (
                            i as f64,
                            (k + 1) as f64 * (1.0 + (i as f64 / 300.0).sin()) + 0.1,
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    fn spec(log_y: bool) -> ChartSpec {
        ChartSpec {
            title: "acc".into(),
            x_label: "step".into(),
            y_label: "acc".into(),
            log_y,
            width: 640,
            height: 400,
        }
    }

    #[test]
    fn svg_has_one_polyline_per_series_and_the_legend() {
        if !font_available() {
            eprintln!("no TrueType font on this machine (set CAIRN_FONT); skipping");
            return;
        }
        for log_y in [false, true] {
            let svg = render_svg(&spec(log_y), &lines(3)).unwrap();
            // Series are the width-2 polylines in palette colors (the mesh is grey).
            let series = svg
                .split("<polyline")
                .skip(1)
                .filter(|el| {
                    el.contains("stroke-width=\"2\"")
                        && PALETTE.iter().any(|(r, g, b)| {
                            el.to_uppercase()
                                .contains(&format!("STROKE=\"#{r:02X}{g:02X}{b:02X}\""))
                        })
                })
                .count();
            assert_eq!(series, 3, "log={log_y}");
            for k in 0..3 {
                assert!(svg.contains(&format!("exp-{k}")));
            }
        }
    }

    #[test]
    fn png_decodes_and_shows_each_series_color() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("acc.png");
        if !font_available() {
            eprintln!("no TrueType font on this machine (set CAIRN_FONT); skipping");
            return;
        }
        render_png(&spec(false), &lines(4), &p).unwrap();
        let img = image::open(&p).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (640, 400));
        let present = PALETTE
            .iter()
            .filter(|c| img.pixels().filter(|px| px.0 == [c.0, c.1, c.2]).count() > 50)
            .count();
        assert_eq!(present, 4);
    }
}
