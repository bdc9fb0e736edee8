use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::Value;

use cairn_api::workspace::{DataStatus, DataStatusOptions};

use crate::{output, progress::Bar};

/// Commands about tracked data, as `dvc data`
#[derive(clap::Args)]
pub struct DataArgs {
    #[command(subcommand)]
    command: DataCommand,
}

#[derive(clap::Subcommand)]
enum DataCommand {
    Status(StatusArgs),
}

/// Show changes between the last git commit, the .dvc and lock files, and the workspace
#[derive(clap::Args)]
struct StatusArgs {
    /// Only these tracked files or folders
    targets: Vec<PathBuf>,
    /// Print `dvc data status --json`'s shape
    #[arg(long)]
    json: bool,
    /// Also compare the files inside tracked folders
    #[arg(long)]
    granular: bool,
    /// Also list tracked files that did not change
    #[arg(long)]
    unchanged: bool,
    /// Also list files neither git nor DVC tracks (`all`; `no` is the default)
    #[arg(long, value_name = "no|all", num_args = 0..=1, default_missing_value = "all", default_value = "no", value_parser = ["no", "all"])]
    untracked_files: String,
    /// Also list recorded data the remote does not have
    #[arg(long)]
    not_in_remote: bool,
    /// The remote --not-in-remote asks (default: the project's default remote)
    #[arg(short, long, value_name = "NAME")]
    remote: Option<String>,
    /// Accepted for dvc's sake: Cairn asks the remote itself every time
    #[arg(long)]
    no_remote_refresh: bool,
}

pub fn run(args: DataArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        DataCommand::Status(a) => status(a),
    }
}

fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let opts = DataStatusOptions {
        granular: args.granular,
        untracked: args.untracked_files == "all",
        not_in_remote: args.not_in_remote,
        remote: args.remote.clone(),
    };
    let st = ws.data_status(&args.targets, &opts, &Bar::new())?;
    let mut v = serde_json::to_value(&st)?;
    let Value::Object(m) = &mut v else {
        unreachable!("a struct serialises to an object")
    };
    if !args.unchanged {
        m.remove("unchanged");
    }
    // Python's truthiness (funcy's `compact`): empty lists and mappings go.
    m.retain(|_, v| {
        !matches!(v, Value::Array(a) if a.is_empty()) && *v != Value::Object(Default::default())
    });
    if args.json {
        output::json(&v);
    } else {
        output::text(&render(&st, m));
    }
    Ok(ExitCode::SUCCESS)
}

/// dvc's `CmdDataStatus._show_status`: a section per kind with its hints, entries
/// indented eight spaces, and a last hint when git sees other changes.
fn render(st: &DataStatus, sections: &serde_json::Map<String, Value>) -> String {
    let mut out = String::new();
    if sections.is_empty() {
        out.push_str(if st.git_is_empty {
            "No changes in an empty git repo.\n"
        } else {
            "No changes.\n"
        });
    }
    for (i, (kind, value)) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (label, hints) = section(kind);
        out.push_str(&format!("{label}:\n"));
        for h in hints {
            out.push_str(&format!("  ({h})\n"));
        }
        let items: Vec<String> = match value {
            Value::Object(states) => states
                .iter()
                .flat_map(|(state, paths)| {
                    paths
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(move |p| match p {
                            Value::Object(r) => format!(
                                "{state}: {} -> {}",
                                r["old"].as_str().unwrap_or_default(),
                                r["new"].as_str().unwrap_or_default()
                            ),
                            p => format!("{state}: {}", p.as_str().unwrap_or_default()),
                        })
                })
                .collect(),
            Value::Array(paths) => paths
                .iter()
                .map(|p| p.as_str().unwrap_or_default().to_string())
                .collect(),
            _ => Vec::new(),
        };
        for item in items {
            out.push_str(&format!("        {item}\n"));
        }
    }
    if st.git_is_dirty {
        let other = if sections.is_empty() { "" } else { "other " };
        out.push_str(&format!(
            "(there are {other}changes not tracked by dvc, use \"git status\" to see)\n"
        ));
    }
    out
}

fn section(kind: &str) -> (&'static str, &'static [&'static str]) {
    match kind {
        "not_in_remote" => (
            "Not in remote",
            &["use \"dvc push <file>...\" to upload files"],
        ),
        "not_in_cache" => (
            "Not in cache",
            &["use \"dvc fetch <file>...\" to download files"],
        ),
        "committed" => (
            "DVC committed changes",
            &["git commit the corresponding dvc files to update the repo"],
        ),
        "uncommitted" => (
            "DVC uncommitted changes",
            &[
                "use \"dvc commit <file>...\" to track changes",
                "use \"dvc checkout <file>...\" to discard changes",
            ],
        ),
        "untracked" => (
            "Untracked files",
            &["use \"git add <file> ...\" or \"dvc add <file>...\" to commit to git or to dvc"],
        ),
        _ => ("DVC unchanged files", &[]),
    }
}
