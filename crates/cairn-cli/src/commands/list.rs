//! `cairn ls`: a repository's contents — git's files and the data DVC tracks — as
//! `dvc list` prints them.

use std::path::PathBuf;
use std::process::ExitCode;

use cairn_api::workspace::{ListEntry, ListOptions, TreeItem, Workspace};

use crate::output;

/// List repository contents, including files and directories tracked by DVC and by Git,
/// as `dvc list` does
#[derive(clap::Args)]
pub struct ListArgs {
    /// Location of the DVC repository to list (a local folder)
    url: String,
    /// Path to a directory within the repository to list outputs for
    path: Option<String>,
    /// Recursively list files
    #[arg(short = 'R', long)]
    recursive: bool,
    /// Recurse into directories as a tree
    #[arg(short = 'T', long, conflicts_with = "json")]
    tree: bool,
    /// Limit the depth of recursion (with -R)
    #[arg(short = 'L', long, value_name = "DEPTH")]
    level: Option<usize>,
    /// Show only DVC outputs
    #[arg(long)]
    dvc_only: bool,
    /// Show output in JSON format
    #[arg(long)]
    json: bool,
    /// Git revision (e.g. SHA, branch, tag)
    #[arg(long, value_name = "COMMIT")]
    rev: Option<String>,
    /// Show sizes
    #[arg(long)]
    size: bool,
    /// Display hash value for each item
    #[arg(long)]
    show_hash: bool,
}

pub fn run(args: ListArgs) -> anyhow::Result<ExitCode> {
    if args.url.contains("://") || args.url.starts_with("git@") {
        anyhow::bail!(
            "cairn ls lists a local repository; clone `{}` first (`git clone`), then list the folder",
            args.url
        );
    }
    let dir = super::cwd()?.join(PathBuf::from(&args.url));
    if !dir.is_dir() {
        anyhow::bail!(
            "`{}` is not a folder; give the path of a repository",
            args.url
        );
    }
    let ws = Workspace::discover(&dir)?;
    let opts = ListOptions {
        path: args.path.clone(),
        rev: args.rev.clone(),
        recursive: args.recursive,
        dvc_only: args.dvc_only,
        level: args.level,
    };
    if args.tree {
        let mut rows = Vec::new();
        tree_rows(&ws.list_tree(&opts)?, &args, 0, "", true, &mut rows);
        output::plain(&rows, args.size);
        return Ok(ExitCode::SUCCESS);
    }
    let entries = ws.list(&opts)?;
    if args.json {
        output::json(&serde_json::to_value(&entries)?);
    } else if args.size || args.show_hash {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| row(e, args.size, args.show_hash))
            .collect();
        output::plain(&rows, args.size);
    } else {
        for e in &entries {
            output::line(&e.path);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The rows of `item` and what it holds, drawn as `dvc list --tree` draws them.
fn tree_rows(
    item: &TreeItem,
    args: &ListArgs,
    depth: usize,
    prefix: &str,
    last: bool,
    rows: &mut Vec<Vec<String>>,
) {
    let mut e = item.entry.clone();
    let branch = match (depth, last) {
        (0, _) => "",
        (_, true) => "└── ",
        (_, false) => "├── ",
    };
    e.path = format!("{prefix}{branch}{}", e.path);
    rows.push(row(&e, args.size, args.show_hash));
    let inner = match (depth, last) {
        (0, _) => prefix.to_string(),
        (_, true) => format!("{prefix}    "),
        (_, false) => format!("{prefix}│   "),
    };
    for (i, child) in item.contents.iter().enumerate() {
        let child_last = i + 1 == item.contents.len();
        tree_rows(child, args, depth + 1, &inner, child_last, rows);
    }
}

/// An entry's cells: size (none for an empty folder), hash (`-` for none), path.
fn row(e: &ListEntry, size: bool, hash: bool) -> Vec<String> {
    let mut cells = Vec::new();
    if size {
        cells.push(match e.size {
            Some(0) if e.isdir => String::new(),
            Some(n) => natural_size(n),
            None => String::new(),
        });
    }
    if hash {
        cells.push(e.md5.clone().unwrap_or_else(|| "-".into()));
    }
    cells.push(e.path.clone());
    cells
}

/// A size as DVC's `naturalsize` writes it: bytes below 1024, else tqdm's
/// `format_sizeof` with base 1024 (`4.00k`, `12.3M`, `100G`).
fn natural_size(n: u64) -> String {
    if n < 1024 {
        return n.to_string();
    }
    let mut v = n as f64;
    for unit in ["", "k", "M", "G", "T", "P", "E", "Z"] {
        if v.abs() < 999.5 {
            return if v.abs() < 9.995 {
                format!("{v:1.2}{unit}")
            } else if v.abs() < 99.95 {
                format!("{v:2.1}{unit}")
            } else {
                format!("{v:3.0}{unit}")
            };
        }
        v /= 1024.0;
    }
    format!("{v:3.1}Y")
}

#[cfg(test)]
mod tests {
    use super::natural_size;

    #[test]
    fn sizes_read_as_dvc_writes_them() {
        // Values from dvc.utils.humanize.naturalsize (DVC 3.67.1).
        for (n, want) in [
            (0, "0"),
            (1023, "1023"),
            (1024, "1.00k"),
            (4096, "4.00k"),
            (10_189, "9.95k"),
            (10_240, "10.0k"),
            (102_400, "100k"),
            (1_023_488, "0.98M"),
            (5 << 30, "5.00G"),
        ] {
            assert_eq!(natural_size(n), want, "{n}");
        }
    }
}
