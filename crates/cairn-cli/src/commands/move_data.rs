//! `cairn move`: rename tracked data with its `.dvc` file, as `dvc move`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::output;

/// Move or rename tracked data: the file or folder, its `.dvc` file and its .gitignore entry, as `dvc move` does
#[derive(clap::Args)]
pub struct MoveArgs {
    /// The tracked file or folder
    src: PathBuf,
    /// Its new path (an existing folder receives it under its own name)
    dst: PathBuf,
    /// Print what moved as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: MoveArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let moved = ws.move_data(&args.src, &args.dst)?;
    if args.json {
        output::json(&serde_json::to_value(&moved)?);
    } else {
        output::git_add_hint(
            moved
                .gitignores
                .iter()
                .chain(moved.old_pointer.iter())
                .chain(std::iter::once(&moved.pointer))
                .map(String::as_str),
        );
    }
    Ok(ExitCode::SUCCESS)
}
