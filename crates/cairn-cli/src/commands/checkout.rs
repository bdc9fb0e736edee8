use std::path::PathBuf;
use std::process::ExitCode;

use crate::{output, progress::Bar};

/// Restore tracked data in the workspace from the cache
#[derive(clap::Args)]
pub struct CheckoutArgs {
    /// Only these outputs or .dvc files (default: everything)
    targets: Vec<PathBuf>,
    /// Overwrite workspace changes that are not in the cache
    #[arg(short, long)]
    force: bool,
}

pub fn run(args: CheckoutArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let (done, errors) = ws.checkout(&args.targets, args.force, &Bar::new())?;
    for c in &done {
        output::line(&format!("M\t{}", c.path));
    }
    if done.is_empty() && errors.is_empty() {
        output::line("Workspace already matches the .dvc files.");
    }
    Ok(if output::errors(&errors) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
