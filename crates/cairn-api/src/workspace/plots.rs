//! Metric series drawn to PNG/SVG files (plotters), and the Markdown report around them.

use std::path::{Path, PathBuf};

use cairn_exp::render::{ChartSpec, Line, file_stem, render_png, render_svg};
use cairn_exp::report::Image;
use cairn_exp::show::ShowOptions;

use super::{Result, Workspace, WorkspaceError, io};

/// How to draw.
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// Only these metrics (default: every series found).
    pub metrics: Vec<String>,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Write SVG only (no PNG).
    pub svg_only: bool,
    /// Only steps in this range, as `FROM:TO`.
    pub x_range: Option<String>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            metrics: Vec::new(),
            log_y: false,
            width: 800,
            height: 480,
            svg_only: false,
            x_range: None,
        }
    }
}

/// One metric's chart on disk.
#[derive(Debug, Clone)]
pub struct Written {
    /// The metric.
    pub metric: String,
    /// Its PNG, unless SVG only.
    pub png: Option<PathBuf>,
    /// Its SVG.
    pub svg: PathBuf,
}

impl Workspace {
    /// Draws each metric's series of `exps` (experiment names, revisions or
    /// `workspace`; default: `HEAD` and its experiments), one line per experiment, into
    /// `out`.
    pub fn render_plots(
        &self,
        exps: &[String],
        out: &Path,
        opts: &PlotOptions,
    ) -> Result<Vec<Written>> {
        let revs: Vec<(String, Option<String>)> = if exps.is_empty() {
            self.head_and_experiments()?
        } else {
            exps.iter()
                .map(|e| (e.clone(), (e != "workspace").then(|| e.clone())))
                .collect()
        };
        let x_range = match &opts.x_range {
            Some(r) => Some(parse_range(r)?),
            None => None,
        };
        let mut by_metric: indexmap::IndexMap<String, Vec<Line>> = indexmap::IndexMap::new();
        for (label, rev) in &revs {
            for s in cairn_exp::series::load_rev(self.root(), rev.as_deref())? {
                if !opts.metrics.is_empty() && !opts.metrics.contains(&s.name) {
                    continue;
                }
                by_metric.entry(s.name.clone()).or_default().push(Line {
                    label: label.clone(),
                    points: match x_range {
                        Some((a, b)) => s
                            .points
                            .into_iter()
                            .filter(|p| p.0 >= a && p.0 <= b)
                            .collect(),
                        None => s.points,
                    },
                });
            }
        }
        std::fs::create_dir_all(out).map_err(io(out))?;
        let mut written = Vec::new();
        for (metric, lines) in by_metric {
            let spec = ChartSpec {
                title: metric.clone(),
                x_label: "step".into(),
                y_label: metric
                    .rsplit(['/', ':'])
                    .next()
                    .unwrap_or(&metric)
                    .to_string(),
                log_y: opts.log_y,
                width: opts.width,
                height: opts.height,
            };
            let stem = file_stem(&metric);
            let svg = out.join(format!("{stem}.svg"));
            std::fs::write(&svg, render_svg(&spec, &lines)?).map_err(io(&svg))?;
            let png = if opts.svg_only {
                None
            } else {
                let p = out.join(format!("{stem}.png"));
                render_png(&spec, &lines, &p)?;
                Some(p)
            };
            written.push(Written { metric, png, svg });
        }
        Ok(written)
    }

    /// A Markdown report of the current baseline's experiments (params and metrics
    /// table) titled `title`; unless `plots_dir` is `None`, with their charts drawn into
    /// it and linked relative to `base_dir` (the report's folder).
    pub fn report(
        &self,
        title: &str,
        plots_dir: Option<&Path>,
        base_dir: &Path,
        log_y: bool,
    ) -> Result<String> {
        let res = self.show_experiments(&ShowOptions {
            hide_workspace: true,
            hide_queued: true,
            hide_failed: true,
            ..ShowOptions::default()
        })?;
        let mut images = Vec::new();
        if let Some(dir) = plots_dir {
            let opts = PlotOptions {
                log_y,
                ..PlotOptions::default()
            };
            for w in self.render_plots(&[], dir, &opts)? {
                let p = w.png.unwrap_or(w.svg);
                let rel = p
                    .strip_prefix(base_dir)
                    .map(|r| r.to_path_buf())
                    .unwrap_or(p.clone());
                images.push(Image {
                    title: w.metric,
                    path: rel.to_string_lossy().replace('\\', "/"),
                });
            }
        }
        Ok(cairn_exp::report::markdown(title, &res, &images))
    }

    /// `HEAD` (named by its branch) and the experiments based on it, as label and commit.
    fn head_and_experiments(&self) -> Result<Vec<(String, Option<String>)>> {
        let git = self.git()?;
        let mut out = Vec::new();
        if let Some(h) = git.head_commit() {
            let name = git.current_branch().unwrap_or_else(|| h[..7].to_string());
            out.push((name, Some(h.clone())));
            for r in cairn_exp::manage::list(self.root(), false)? {
                out.push((r.name, Some(r.commit)));
            }
        }
        Ok(out)
    }
}

fn parse_range(r: &str) -> Result<(f64, f64)> {
    let bad =
        || WorkspaceError::Invalid(format!("--x-range wants FROM:TO, e.g. 100:500, not `{r}`"));
    let (x, y) = r.split_once(':').ok_or_else(bad)?;
    Ok((
        x.trim().parse::<f64>().map_err(|_| bad())?,
        y.trim().parse::<f64>().map_err(|_| bad())?,
    ))
}
