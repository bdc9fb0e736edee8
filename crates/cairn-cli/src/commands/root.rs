//! `cairn root`: the way to the repository root, as `dvc root` prints it.

use std::process::ExitCode;

use crate::output;

/// Print the relative path to the root of the project, as `dvc root` does
#[derive(clap::Args)]
pub struct RootArgs {}

pub fn run(_: RootArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    output::line(&ws.display_root());
    Ok(ExitCode::SUCCESS)
}
