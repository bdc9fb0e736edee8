use std::path::PathBuf;
use std::process::ExitCode;

use crate::output;

/// Markdown report: params/metrics of the experiments vs the baseline, plus charts
#[derive(clap::Args)]
pub struct ReportArgs {
    /// Write the report here (default: stdout)
    #[arg(long)]
    md: Option<PathBuf>,
    /// Where chart images go (default: `<report dir>/report_plots`)
    #[arg(long)]
    plots_dir: Option<PathBuf>,
    /// No charts
    #[arg(long)]
    no_plots: bool,
    /// Logarithmic y axis in the charts
    #[arg(long)]
    log_y: bool,
    /// Report title
    #[arg(long, default_value = "Experiments")]
    title: String,
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    // Charts go beside the report, linked relative to it.
    let base_dir = args
        .md
        .as_ref()
        .and_then(|p| p.parent().map(|d| d.to_path_buf()))
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let plots_dir = (!args.no_plots).then(|| {
        args.plots_dir
            .clone()
            .unwrap_or_else(|| base_dir.join("report_plots"))
    });
    let md = ws.report(&args.title, plots_dir.as_deref(), &base_dir, args.log_y)?;
    match &args.md {
        Some(p) => {
            std::fs::write(p, md)?;
            output::line(&format!("Wrote {}", p.display()));
        }
        None => print!("{md}"),
    }
    Ok(ExitCode::SUCCESS)
}
