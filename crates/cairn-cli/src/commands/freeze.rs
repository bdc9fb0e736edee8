//! `cairn freeze` / `cairn unfreeze`: mark stages never to run, as `dvc freeze`.

use std::process::ExitCode;

/// Freeze stages: `repro` does not run them and `status` ignores their deps until they are unfrozen (`frozen: true` in dvc.yaml), as `dvc freeze` does
#[derive(clap::Args)]
pub struct FreezeArgs {
    /// Stage addresses (`train`, `sub/dvc.yaml:train`)
    #[arg(required = true)]
    targets: Vec<String>,
}

pub fn freeze(args: FreezeArgs) -> anyhow::Result<ExitCode> {
    set(args, true)
}

pub fn unfreeze(args: FreezeArgs) -> anyhow::Result<ExitCode> {
    set(args, false)
}

fn set(args: FreezeArgs, frozen: bool) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    for t in &args.targets {
        ws.set_frozen(t, frozen)?;
    }
    Ok(ExitCode::SUCCESS)
}
