use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cairn_exp::render::{ChartSpec, Line, file_stem, render_png, render_svg};
use cairn_exp::series::load_rev;

use crate::output;

/// Charts of metric series (DVCLive and plots declared in dvc.yaml)
#[derive(clap::Args)]
pub struct PlotsArgs {
    #[command(subcommand)]
    command: PlotsCommand,
}

#[derive(clap::Subcommand)]
enum PlotsCommand {
    Render(RenderArgs),
}

/// Write PNG and SVG line charts: one per metric, one line per experiment
#[derive(clap::Args)]
pub struct RenderArgs {
    /// Experiments or revisions to draw (`workspace` for the work tree); default: the
    /// HEAD baseline and all its experiments
    #[arg(short, long = "exp")]
    exps: Vec<String>,
    /// Metrics to draw (`acc`, `train/loss`, `file.csv:col`); default: all
    #[arg(short, long = "metric")]
    metrics: Vec<String>,
    /// Output directory
    #[arg(short, long, default_value = "cairn_plots")]
    out: PathBuf,
    /// Logarithmic y axis
    #[arg(long)]
    log_y: bool,
    /// Width in pixels
    #[arg(long, default_value_t = 800)]
    width: u32,
    /// Height in pixels
    #[arg(long, default_value_t = 480)]
    height: u32,
    /// Only SVG
    #[arg(long)]
    svg_only: bool,
    /// Zoom: only steps FROM:TO (the range is re-decimated from the raw points)
    #[arg(long, value_name = "FROM:TO")]
    x_range: Option<String>,
}

/// One chart written.
pub struct Written {
    pub metric: String,
    pub png: Option<PathBuf>,
    pub svg: PathBuf,
}

/// Default selection: the HEAD baseline, then its experiments.
pub fn default_revs(root: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let git = cairn_git::Git::discover(root)?;
    let mut out = Vec::new();
    if let Some(h) = git.head_commit() {
        let name = git.current_branch().unwrap_or_else(|| h[..7].to_string());
        out.push((name, h.clone()));
        for r in cairn_exp::manage::list(root, false)? {
            out.push((r.name, r.commit));
        }
    }
    Ok(out)
}

/// Renders charts for `revs` (label, revision) into `out`.
#[allow(clippy::too_many_arguments)]
pub fn render(
    root: &Path,
    revs: &[(String, Option<String>)],
    metrics: &[String],
    out: &Path,
    log_y: bool,
    width: u32,
    height: u32,
    svg_only: bool,
    x_range: Option<(f64, f64)>,
) -> anyhow::Result<Vec<Written>> {
    let mut by_metric: indexmap::IndexMap<String, Vec<Line>> = indexmap::IndexMap::new();
    for (label, rev) in revs {
        for s in load_rev(root, rev.as_deref())? {
            if !metrics.is_empty() && !metrics.contains(&s.name) {
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
    std::fs::create_dir_all(out)?;
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
            log_y,
            width,
            height,
        };
        let stem = file_stem(&metric);
        let svg = out.join(format!("{stem}.svg"));
        std::fs::write(&svg, render_svg(&spec, &lines)?)?;
        let png = if svg_only {
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

pub fn run(args: PlotsArgs) -> anyhow::Result<ExitCode> {
    let root = super::repo()?.root().to_path_buf();
    match args.command {
        PlotsCommand::Render(a) => {
            let revs: Vec<(String, Option<String>)> = if a.exps.is_empty() {
                default_revs(&root)?
                    .into_iter()
                    .map(|(l, c)| (l, Some(c)))
                    .collect()
            } else {
                a.exps
                    .iter()
                    .map(|e| (e.clone(), (e != "workspace").then(|| e.clone())))
                    .collect()
            };
            let x_range = match &a.x_range {
                Some(r) => {
                    let (x, y) = r
                        .split_once(':')
                        .ok_or_else(|| anyhow::anyhow!("--x-range wants FROM:TO, e.g. 100:500"))?;
                    Some((x.trim().parse::<f64>()?, y.trim().parse::<f64>()?))
                }
                None => None,
            };
            let written = render(
                &root, &revs, &a.metrics, &a.out, a.log_y, a.width, a.height, a.svg_only, x_range,
            )?;
            if written.is_empty() {
                output::line("No metric series found (DVCLive plots or plots in dvc.yaml).");
            }
            for w in written {
                if let Some(p) = &w.png {
                    output::line(&p.display().to_string());
                }
                output::line(&w.svg.display().to_string());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
