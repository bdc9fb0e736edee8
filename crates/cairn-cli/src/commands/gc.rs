use std::process::ExitCode;

use cairn_api::workspace::types::RevScope;

use crate::output;

/// Remove cache objects that nothing references (a dry run unless --force)
#[derive(clap::Args)]
pub struct GcArgs {
    /// Keep what the workspace references (always on)
    #[arg(short, long)]
    workspace: bool,
    /// Also keep what every branch references
    #[arg(short = 'a', long)]
    all_branches: bool,
    /// Also keep what every tag references
    #[arg(short = 'T', long)]
    all_tags: bool,
    /// Also keep what every commit references
    #[arg(short = 'A', long)]
    all_commits: bool,
    /// Actually delete (otherwise only list what would go)
    #[arg(short, long, conflicts_with = "dry_run")]
    force: bool,
    /// Only list what would be removed (the default without --force)
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: GcArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let scope = RevScope {
        all_branches: args.all_branches,
        all_tags: args.all_tags,
        all_commits: args.all_commits,
    };
    let report = ws.gc(scope, !args.force)?;
    if args.json {
        output::json(&serde_json::to_value(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if report.dry_run {
        "Would remove"
    } else {
        "Removed"
    };
    for h in &report.removed {
        output::line(&format!("{verb} {h}"));
    }
    for t in &report.stale_temps {
        output::line(&format!("{verb} {t} (left by an interrupted write)"));
    }
    output::line(&format!(
        "{verb} {} objects ({} bytes); kept {}.",
        report.removed.len(),
        report.bytes,
        report.kept
    ));
    if report.dry_run && !report.removed.is_empty() {
        output::line("This was a dry run; run again with --force to delete.");
    }
    Ok(ExitCode::SUCCESS)
}
