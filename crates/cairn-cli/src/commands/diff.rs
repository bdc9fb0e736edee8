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
    /// Print a Markdown table (Status, Path), as dvc's `--md`
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Leave out what is not in the cache (always so between two revisions)
    #[arg(long)]
    hide_missing: bool,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let d = ws.data_diff(args.a_rev.as_deref(), args.b_rev.as_deref(), &Bar::new())?;
    if args.json {
        output::json(&d.to_json(args.b_rev.is_none()));
        return Ok(ExitCode::SUCCESS);
    }
    // dvc's `CmdDiff`: entries sorted by path, "not in cache" only against the workspace.
    let hide_missing = args.hide_missing || args.b_rev.is_some();
    let label = |p: &DiffPath| match p {
        DiffPath::Path { path } => path.clone(),
        DiffPath::Renamed { path } => format!("{} -> {}", path.old, path.new),
    };
    let key = |p: &DiffPath| match p {
        DiffPath::Path { path } => path.clone(),
        DiffPath::Renamed { path } => path.old.clone(),
    };
    let mut groups = vec![
        ("added", &d.added),
        ("deleted", &d.deleted),
        ("renamed", &d.renamed),
        ("modified", &d.modified),
    ];
    if !hide_missing {
        groups.push(("not in cache", &d.not_in_cache));
    }
    let groups: Vec<(&str, Vec<&DiffPath>)> = groups
        .into_iter()
        .map(|(state, items)| {
            let mut items: Vec<&DiffPath> = items.iter().collect();
            items.sort_by_key(|p| key(p));
            (state, items)
        })
        .collect();
    if args.md {
        let mut rows = vec![vec!["Status".to_string(), "Path".to_string()]];
        for (state, items) in &groups {
            rows.extend(items.iter().map(|p| vec![state.to_string(), label(p)]));
        }
        output::table_or_markdown(&rows, true);
        return Ok(ExitCode::SUCCESS);
    }
    let mut summary = Vec::new();
    for (state, items) in &groups {
        if items.is_empty() {
            continue;
        }
        let mut heading = state.to_string();
        heading[..1].make_ascii_uppercase();
        output::line(&format!("{heading}:"));
        for p in items {
            output::line(&format!("    {}", label(p)));
        }
        output::line("");
        // Folders (`data/`) are listed but not counted.
        let files = items.iter().filter(|p| !label(p).ends_with('/')).count();
        if files > 0 {
            summary.push(format!("{files} {state}"));
        }
    }
    if !summary.is_empty() {
        output::line(&format!("files summary: {}", summary.join(", ")));
    }
    Ok(ExitCode::SUCCESS)
}
