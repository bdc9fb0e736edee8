use std::process::ExitCode;

/// Show the pipeline's stage graph
#[derive(clap::Args)]
pub struct DagArgs {}

pub fn run(_args: DagArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`cairn dag` is not available in this build yet")
}
