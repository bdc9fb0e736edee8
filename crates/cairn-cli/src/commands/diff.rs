use std::process::ExitCode;

use cairn_api::workspace::types::DiffPath;

use crate::{output, progress::Bar};

/// Show data added, deleted, modified or renamed between two git revisions (default: HEAD and the workspace)
#[derive(clap::Args)]
pub struct DiffArgs {
    /// Old revision (default HEAD)
    a_rev: Option<String>,
    /// New revision (default: the workspace)
    b_rev: Option<String>,
    /// Print `dvc diff --json`'s shape
    #[arg(long)]
    json: bool,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let d = ws.data_diff(args.a_rev.as_deref(), args.b_rev.as_deref(), &Bar::new())?;
    if args.json {
        output::json(&d.to_json(args.b_rev.is_none()));
        return Ok(ExitCode::SUCCESS);
    }
    if d.is_empty() {
        output::line("No data changes.");
        return Ok(ExitCode::SUCCESS);
    }
    let show = |title: &str, items: &[DiffPath]| {
        if items.is_empty() {
            return;
        }
        output::line(&format!("{title}:"));
        for i in items {
            match i {
                DiffPath::Path { path } => output::line(&format!("    {path}")),
                DiffPath::Renamed { path } => {
                    output::line(&format!("    {} -> {}", path.old, path.new))
                }
            }
        }
        output::line("");
    };
    show("Added", &d.added);
    show("Deleted", &d.deleted);
    show("Renamed", &d.renamed);
    show("Modified", &d.modified);
    show("Not in cache", &d.not_in_cache);
    let files = |v: &[DiffPath]| {
        v.iter()
            .filter(|p| !matches!(p, DiffPath::Path { path } if path.ends_with('/')))
            .count()
    };
    output::line(&format!(
        "files summary: {} added, {} deleted, {} renamed, {} modified",
        files(&d.added),
        files(&d.deleted),
        d.renamed.len(),
        files(&d.modified)
    ));
    Ok(ExitCode::SUCCESS)
}
