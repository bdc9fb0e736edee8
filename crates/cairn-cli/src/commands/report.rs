use std::path::PathBuf;
use std::process::ExitCode;

use cairn_exp::report::{Image, markdown};
use cairn_exp::show::{ShowOptions, show};

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
    let root = super::repo()?.root().to_path_buf();
    let res = show(
        &root,
        &ShowOptions {
            hide_workspace: true,
            hide_queued: true,
            hide_failed: true,
            ..ShowOptions::default()
        },
    )?;
    let mut images = Vec::new();
    if !args.no_plots {
        let base_dir = args
            .md
            .as_ref()
            .and_then(|p| p.parent().map(|d| d.to_path_buf()))
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = args
            .plots_dir
            .clone()
            .unwrap_or_else(|| base_dir.join("report_plots"));
        let revs: Vec<(String, Option<String>)> = super::plots::default_revs(&root)?
            .into_iter()
            .map(|(l, c)| (l, Some(c)))
            .collect();
        let written =
            super::plots::render(&root, &revs, &[], &dir, args.log_y, 800, 480, false, None)?;
        for w in written {
            let p = w.png.unwrap_or(w.svg);
            let rel = p
                .strip_prefix(&base_dir)
                .map(|r| r.to_path_buf())
                .unwrap_or(p.clone());
            images.push(Image {
                title: w.metric,
                path: rel.to_string_lossy().replace('\\', "/"),
            });
        }
    }
    let md = markdown(&args.title, &res, &images);
    match &args.md {
        Some(p) => {
            std::fs::write(p, md)?;
            output::line(&format!("Wrote {}", p.display()));
        }
        None => print!("{md}"),
    }
    Ok(ExitCode::SUCCESS)
}
