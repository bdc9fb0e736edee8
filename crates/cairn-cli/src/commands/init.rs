use std::process::ExitCode;

use cairn_api::workspace::{Init, init};

use crate::output;

/// Initialise DVC-compatible data versioning in the current git repository
#[derive(clap::Args)]
pub struct InitArgs {}

pub fn run(_args: InitArgs) -> anyhow::Result<ExitCode> {
    let cwd = super::cwd()?;
    match init(&cwd)? {
        Init::Created => output::line(
            "Initialized a DVC repository (.dvc/, .dvcignore). Commit them with `git commit`.",
        ),
        Init::AlreadyInitialised => output::line("Already a DVC repository; nothing changed."),
    }
    Ok(ExitCode::SUCCESS)
}
