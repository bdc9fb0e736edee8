use std::process::ExitCode;

use cairn_pipeline::LocalFs;
use cairn_pipeline::edit::{self, Edit};

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
    let repo = super::repo()?;
    let root = repo.root().to_path_buf();
    for t in &args.targets {
        if t.ends_with(".dvc") {
            anyhow::bail!(
                "`{t}` is data tracked by a .dvc file; `cairn remove` removes pipeline stages\n  hint: delete {t} and its line in .gitignore to stop tracking the data"
            );
        }
        let change = edit::plan(
            &LocalFs::new(&root),
            &Edit::RemoveStage { stage: t.clone() },
        )?;
        edit::write(&root, &change)?;
        output::line(&format!("Removed stage '{t}'"));
    }
    Ok(ExitCode::SUCCESS)
}
