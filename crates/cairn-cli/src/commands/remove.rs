use std::process::ExitCode;

use crate::output;

/// Remove stages from their dvc.yaml, with their dvc.lock entries and .gitignore lines
/// (their outputs stay), as `dvc remove` does
#[derive(clap::Args)]
pub struct RemoveArgs {
    /// Stage addresses (`train`, `sub/dvc.yaml:train`)
    #[arg(required = true)]
    targets: Vec<String>,
}

pub fn run(args: RemoveArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    for t in &args.targets {
        ws.remove_stage(t)?;
        output::line(&format!("Removed stage '{t}'"));
    }
    Ok(ExitCode::SUCCESS)
}
