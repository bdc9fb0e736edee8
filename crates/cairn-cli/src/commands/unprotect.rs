//! `cairn unprotect`: make linked workspace copies editable, as `dvc unprotect`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Make tracked data editable where `cache.type` links it to the cache (hardlink, symlink): each linked file becomes a writable copy, as `dvc unprotect` does
#[derive(clap::Args)]
pub struct UnprotectArgs {
    /// Tracked files or folders (or paths inside tracked folders)
    #[arg(required = true)]
    targets: Vec<PathBuf>,
}

pub fn run(args: UnprotectArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    ws.unprotect(&args.targets)?;
    Ok(ExitCode::SUCCESS)
}
