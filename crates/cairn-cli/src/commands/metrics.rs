use std::process::ExitCode;

use cairn_api::workspace::FileResult;
use cairn_api::workspace::types::{
    Fmt, Rev, diff_to_json, flatten, fmt_value, iso_timestamp, show_json,
};
use serde_json::json;

use super::exp::diff_table;
use crate::output;

/// Show, compare and trace metrics (JSON/YAML/TOML files, read from git or the cache)
#[derive(clap::Args)]
pub struct MetricsArgs {
    #[command(subcommand)]
    command: MetricsCommand,
}

#[derive(clap::Subcommand)]
enum MetricsCommand {
    Show(ShowArgs),
    Diff(DiffArgs),
    Trend(TrendArgs),
}

/// Metrics of the workspace (or a revision)
#[derive(clap::Args)]
pub struct ShowArgs {
    /// A revision or experiment instead of the workspace
    #[arg(long)]
    rev: Option<String>,
    /// Print JSON (DVC's `metrics show --json` shape)
    #[arg(long)]
    json: bool,
    /// Print the table as Markdown
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Digits after the point to round metrics to (default 5)
    #[arg(long, value_name = "N")]
    precision: Option<usize>,
}

/// Metrics that differ between two revisions (default HEAD vs workspace)
#[derive(clap::Args)]
pub struct DiffArgs {
    /// Old revision (default HEAD)
    a: Option<String>,
    /// New revision (default workspace)
    b: Option<String>,
    /// Include unchanged metrics
    #[arg(long)]
    all: bool,
    /// Print JSON (DVC's shape)
    #[arg(long)]
    json: bool,
    /// Print the table as Markdown
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Leave out the Path column
    #[arg(long)]
    no_path: bool,
    /// Digits after the point to round metrics to (default 5)
    #[arg(long, value_name = "N")]
    precision: Option<usize>,
}

/// Each metric at every commit of a branch, read from git objects (no checkout)
#[derive(clap::Args)]
pub struct TrendArgs {
    /// Branch or revision (default HEAD)
    rev: Option<String>,
    /// Only the last N commits (default: all)
    #[arg(short = 'n', long, default_value_t = 0)]
    num: usize,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: MetricsArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    match args.command {
        MetricsCommand::Show(a) => {
            let (rev, files) = ws.metrics(a.rev.as_deref())?;
            if a.json {
                let label = match &rev {
                    Rev::Workspace => "",
                    Rev::Named(n) => n.as_str(),
                };
                output::json(&show_json(label, &files));
                return Ok(ExitCode::SUCCESS);
            }
            // DVC's layout: one row per file, one column per (flattened) metric.
            let mut cols: Vec<String> = Vec::new();
            let mut flat_files = Vec::new();
            let code = ExitCode::SUCCESS;
            for (f, r) in &files {
                match r.data() {
                    Some(v) => {
                        let mut flat = indexmap::IndexMap::new();
                        flatten("", v, &mut flat);
                        for k in flat.keys() {
                            if !cols.contains(k) {
                                cols.push(k.clone());
                            }
                        }
                        flat_files.push((f.clone(), flat));
                    }
                    None => {
                        if let FileResult::Error(e) = r {
                            eprintln!("WARNING: {f}: {e}");
                        }
                    }
                }
            }
            // DVC's `metrics_table` sorts the metric columns.
            cols.sort();
            let mut header = vec!["Path".to_string()];
            header.extend(cols.iter().cloned());
            let mut rows = vec![header];
            for (f, flat) in &flat_files {
                let mut row = vec![f.clone()];
                let digits = super::exp::precision(a.precision);
                row.extend(
                    cols.iter()
                        .map(|c| fmt_value(flat.get(c), Fmt::Round(digits))),
                );
                rows.push(row);
            }
            output::table_or_markdown(&rows, a.md);
            Ok(code)
        }
        MetricsCommand::Diff(a) => {
            let (old, new, d) = ws.diff_values(true, a.a.as_deref(), a.b.as_deref(), a.all)?;
            if a.json {
                output::json(&diff_to_json(&d));
                return Ok(ExitCode::SUCCESS);
            }
            let fmt = Fmt::Round(super::exp::precision(a.precision));
            let rows = diff_table(&d, "Metric", old.label(), new.label(), Some("-"), fmt);
            output::table_or_markdown(&super::exp::without_path(rows, a.no_path), a.md);
            Ok(ExitCode::SUCCESS)
        }
        MetricsCommand::Trend(a) => {
            let pts = ws.metric_trend(a.rev.as_deref(), a.num)?;
            if a.json {
                output::json(&json!(pts
                    .iter()
                    .map(|p| json!({"rev": p.rev, "timestamp": iso_timestamp(p.time), "metrics": p.metrics}))
                    .collect::<Vec<_>>()));
                return Ok(ExitCode::SUCCESS);
            }
            let mut cols: Vec<String> = Vec::new();
            for p in &pts {
                for k in p.metrics.keys() {
                    if !cols.contains(k) {
                        cols.push(k.clone());
                    }
                }
            }
            let mut rows = vec![{
                let mut h = vec!["Commit".to_string(), "Date".into()];
                h.extend(cols.iter().cloned());
                h
            }];
            for p in &pts {
                let mut r = vec![
                    p.rev[..7].to_string(),
                    iso_timestamp(p.time).replace('T', " "),
                ];
                r.extend(
                    cols.iter()
                        .map(|c| fmt_value(p.metrics.get(c), Fmt::Round(5))),
                );
                rows.push(r);
            }
            output::table(&rows);
            Ok(ExitCode::SUCCESS)
        }
    }
}
