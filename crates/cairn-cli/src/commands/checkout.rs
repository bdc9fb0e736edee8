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
    // dvc's lines: `A` for an output that was absent, `M` for one replaced; folders
    // with their slash; nothing when the work tree already matches.
    for c in &done {
        let state = if c.added { "A" } else { "M" };
        let slash = if c.dir { "/" } else { "" };
        output::line(&format!("{state:<8}{}{slash}", c.path));
    }
    Ok(if output::errors(&errors) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
