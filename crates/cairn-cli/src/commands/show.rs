use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cairn_api::dto::{DataPreview, PreviewKind};

use crate::output;

/// Show tracked data at any version without checking it out: a table's first rows (CSV,
/// TSV, JSON Lines, Parquet), a text file or a folder's files; with `--against`, the
/// rows (or files) added and removed since another version
#[derive(clap::Args)]
pub struct ShowArgs {
    /// A tracked file or folder, a file inside a tracked folder, or its `.dvc` file
    target: PathBuf,
    /// The version recorded at this git revision (default: as tracked now)
    #[arg(long, value_name = "REV")]
    rev: Option<String>,
    /// Compare with the version recorded at this git revision
    #[arg(long, value_name = "REV")]
    against: Option<String>,
    /// Rows (or folder entries) to print
    #[arg(short = 'n', long, default_value_t = 20)]
    rows: usize,
    /// Print the preview as JSON (the app's `DataPreview`)
    #[arg(long)]
    json: bool,
}

pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let p = ws
        .preview(&args.target, args.rev.clone(), args.against.clone())
        .context("cannot show it")?;
    if args.json {
        output::line(&serde_json::to_string_pretty(&p)?);
        return Ok(ExitCode::SUCCESS);
    }
    output::line(&heading(&p, args.rev.as_deref()));
    match &p.changes {
        Some(c) if p.kind == PreviewKind::Table => {
            output::line(&format!(
                "+{} rows, -{} rows compared with {}",
                c.added, c.removed, c.against
            ));
            let marked = |mark: &str, rows: &[Vec<Option<String>>]| {
                rows.iter()
                    .map(|r| {
                        std::iter::once(Some(mark.to_string()))
                            .chain(r.iter().cloned())
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
            };
            let mut rows = marked("+", &c.added_rows);
            rows.extend(marked("-", &c.removed_rows));
            let mut columns = vec![String::new()];
            columns.extend(p.columns.iter().cloned());
            print_table(&columns, &[], &rows);
        }
        Some(c) if p.kind == PreviewKind::Dir => {
            output::line(&format!(
                "{} files added, {} removed, {} changed compared with {}",
                c.added_files.len(),
                c.removed_files.len(),
                c.modified_files.len(),
                c.against
            ));
            for (mark, list) in [
                ("+", &c.added_files),
                ("-", &c.removed_files),
                ("M", &c.modified_files),
            ] {
                for f in list.iter().take(args.rows) {
                    output::line(&format!("{mark} {f}"));
                }
            }
        }
        Some(c) => output::line(&format!(
            "{} {}",
            if c.modified_files.is_empty() {
                "Same as"
            } else {
                "Differs from"
            },
            c.against
        )),
        None => body(&p, args.rows),
    }
    Ok(ExitCode::SUCCESS)
}

/// `data/flowers.parquet at HEAD~1 — 6.8 KiB, md5 bc4a3f37, 300 rows, from the cache`.
fn heading(p: &DataPreview, rev: Option<&str>) -> String {
    let mut facts = Vec::new();
    if let Some(size) = p.size {
        facts.push(bytes(size));
    }
    if let Some(md5) = &p.md5 {
        facts.push(format!(
            "md5 {}",
            md5.trim_end_matches(".dir").get(..8).unwrap_or(md5)
        ));
    }
    if let Some(n) = p.total_rows {
        facts.push(format!("{n} rows"));
    }
    if p.kind == PreviewKind::Dir {
        facts.push(format!("{} files", p.total_entries));
    }
    facts.push(
        if p.from_cache {
            "from the cache"
        } else {
            "from the work tree"
        }
        .into(),
    );
    let at = rev.map(|r| format!(" at {r}")).unwrap_or_default();
    format!("{}{at} — {}", p.path, facts.join(", "))
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

fn body(p: &DataPreview, max: usize) {
    match p.kind {
        PreviewKind::Table => {
            let shown = &p.rows[..p.rows.len().min(max)];
            print_table(&p.columns, &p.column_types, shown);
            if shown.len() < p.total_rows.map_or(p.rows.len(), |n| n as usize) {
                // The preview carries at most 200 rows; past that, -n does not help.
                let more = if shown.len() < p.rows.len() {
                    " (-n for more)"
                } else {
                    ""
                };
                output::line(&format!(
                    "… the first {} of {} rows{more}",
                    shown.len(),
                    p.total_rows.map_or("many".to_string(), |n| n.to_string())
                ));
            }
        }
        PreviewKind::Text => {
            output::line(p.text.as_deref().unwrap_or("").trim_end_matches('\n'));
            if p.truncated {
                output::line("… (the first 64 KiB)");
            }
        }
        PreviewKind::Dir => {
            for e in p.entries.iter().take(max) {
                output::line(&e.relpath);
            }
            if p.total_entries as usize > max.min(p.entries.len()) {
                output::line(&format!(
                    "… {} of {} files (-n for more)",
                    max.min(p.entries.len()),
                    p.total_entries
                ));
            }
        }
        PreviewKind::Image => output::line("An image: open it in the app (`cairn ui`) to see it."),
        PreviewKind::Binary => output::line("Binary data: nothing to print."),
    }
}

/// Cells longer than this are cut with `…`.
const MAX_CELL: usize = 40;

fn cell(v: &Option<String>) -> String {
    let text = match v {
        None => "null".to_string(),
        Some(s) => s.replace(['\n', '\t', '\r'], " "),
    };
    if text.chars().count() > MAX_CELL {
        let cut: String = text.chars().take(MAX_CELL - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The header, a type line under it when there is one, and the rows.
fn print_table(columns: &[String], types: &[String], rows: &[Vec<Option<String>>]) {
    let mut lines: Vec<Vec<String>> =
        vec![columns.iter().map(|c| cell(&Some(c.clone()))).collect()];
    if !types.is_empty() {
        lines.push(types.iter().map(|t| cell(&Some(t.clone()))).collect());
    }
    lines.extend(rows.iter().map(|r| r.iter().map(cell).collect()));
    output::grid(&lines);
}
