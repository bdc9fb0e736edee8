use std::process::ExitCode;

use cairn_api::workspace::types::{Direction, SyncReport};

use crate::{output, progress::Bar};

/// Send the work tree's data to a folder, S3, GCS, Azure, SSH or HTTP remote (`dvc remote add -d NAME /path|s3://…|gs://…|azure://…|ssh://…`)
#[derive(clap::Args)]
pub struct PushArgs {
    #[command(flatten)]
    common: Common,
}

/// Bring the work tree's data from a folder, S3, GCS, Azure, SSH or HTTP remote into the cache
#[derive(clap::Args)]
pub struct FetchArgs {
    #[command(flatten)]
    common: Common,
}

/// Fetch the work tree's data from a folder, S3, GCS, Azure, SSH or HTTP remote, then check it out
#[derive(clap::Args)]
pub struct PullArgs {
    #[command(flatten)]
    common: Common,
    /// Overwrite work-tree changes that are not in the cache
    #[arg(short, long)]
    force: bool,
}

#[derive(clap::Args)]
struct Common {
    /// Only these outputs or .dvc files (default: everything the work tree refers to)
    targets: Vec<std::path::PathBuf>,
    /// The remote to use (default: `core.remote` in .dvc/config)
    #[arg(short, long)]
    remote: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

pub fn push(args: PushArgs) -> anyhow::Result<ExitCode> {
    run(args.common, Direction::Push, false)
}

pub fn fetch(args: FetchArgs) -> anyhow::Result<ExitCode> {
    run(args.common, Direction::Fetch, false)
}

pub fn pull(args: PullArgs) -> anyhow::Result<ExitCode> {
    run(args.common, Direction::Pull, args.force)
}

fn run(args: Common, direction: Direction, force: bool) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let (report, problems) = ws.sync(
        direction,
        args.remote.as_deref(),
        &args.targets,
        force,
        &Bar::new(),
    )?;
    if args.json {
        output::json(&serde_json::to_value(&report)?);
    } else {
        render(&report, direction);
    }
    let failed = output::errors(&problems);
    Ok(if failed || !report.transfer.missing.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn render(r: &SyncReport, direction: Direction) {
    let t = &r.transfer;
    for m in &t.missing {
        let hint = match direction {
            Direction::Push => "not in the cache, so not pushed",
            _ => "not on the remote",
        };
        eprintln!("WARNING: {m}: {hint}");
    }
    for p in &r.restored {
        output::line(&format!("A\t{p}"));
    }
    let verb = match direction {
        Direction::Push => "pushed to",
        _ => "fetched from",
    };
    if t.transferred == 0 && r.restored.is_empty() {
        output::line(&format!(
            "Everything is up to date (remote `{}`).",
            t.remote
        ));
    } else if t.transferred > 0 {
        output::line(&format!(
            "{} file{} {verb} `{}`",
            t.transferred,
            if t.transferred == 1 { "" } else { "s" },
            t.remote
        ));
    }
}
