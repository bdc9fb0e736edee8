use std::path::PathBuf;
use std::process::ExitCode;

use cairn_api::workspace::PlotOptions;

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

pub fn run(args: PlotsArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    match args.command {
        PlotsCommand::Render(a) => {
            let opts = PlotOptions {
                metrics: a.metrics,
                log_y: a.log_y,
                width: a.width,
                height: a.height,
                svg_only: a.svg_only,
                x_range: a.x_range,
            };
            let written = ws.render_plots(&a.exps, &a.out, &opts)?;
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
