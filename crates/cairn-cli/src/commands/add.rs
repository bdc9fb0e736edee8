use std::path::PathBuf;
use std::process::ExitCode;

use crate::{output, progress::Bar};

/// Track files or directories: store their content in the cache and write `.dvc` pointers
#[derive(clap::Args)]
pub struct AddArgs {
    /// Files or directories to track
    #[arg(required = true)]
    targets: Vec<PathBuf>,
    /// Print what was added as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: AddArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let (added, errors) = ws.add(&args.targets, &Bar::new());
    if args.json {
        output::json(&serde_json::to_value(&added)?);
    } else {
        for a in &added {
            output::line(&format!(
                "Added {} ({} file{}, {} bytes) -> {}",
                a.path,
                a.nfiles,
                if a.nfiles == 1 { "" } else { "s" },
                a.size,
                a.pointer
            ));
        }
        output::git_add_hint(
            added
                .iter()
                .flat_map(|a| std::iter::once(a.pointer.as_str()).chain(a.gitignore.as_deref())),
        );
    }
    Ok(if output::errors(&errors) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
