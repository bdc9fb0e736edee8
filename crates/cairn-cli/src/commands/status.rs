use std::process::ExitCode;

use serde_json::{Map, Value, json};

use cairn_api::workspace::StatusReport;

use crate::{output, progress::Bar};

/// Show stale pipeline stages and tracked data that differs from its pointer
#[derive(clap::Args)]
pub struct StatusArgs {
    /// Print DVC's `status --json` shape: {"stage": [...], "x.dvc": [{"changed outs": {...}}]}
    #[arg(long)]
    json: bool,
    /// Print nothing; exit 1 if anything changed
    #[arg(short, long)]
    quiet: bool,
    /// Compare the cache with the remote instead: what a push would send (new), a fetch
    /// would bring (deleted), or neither has (missing)
    #[arg(short, long)]
    cloud: bool,
    /// The remote --cloud compares with (default: the project's default remote; implies --cloud)
    #[arg(short, long, value_name = "NAME")]
    remote: Option<String>,
}

pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    if args.cloud || args.remote.is_some() {
        return cloud(&ws, &args);
    }
    let report = ws.status(&Bar::new())?;
    let clean = report.is_clean();
    let StatusReport {
        stages,
        data: changed,
        errors,
    } = report;
    let rel = |p: &std::path::Path| ws.shown(p);
    let rel_repo = |p: &str| ws.shown(std::path::Path::new(p));
    let mut top = Map::new();
    for s in &stages {
        top.insert(s.stage.clone(), s.to_json(&rel_repo));
    }
    for s in &changed {
        let outs: Map<String, Value> = s
            .changes
            .iter()
            .map(|(p, c)| (rel(p), json!(c.as_str())))
            .collect();
        top.insert(rel(&s.file), json!([{"changed outs": outs}]));
    }
    let top = Value::Object(top);
    if args.json {
        output::json(&top);
    } else if !args.quiet {
        if clean && !ws.tracks_anything() {
            output::line(EMPTY_PROJECT);
        } else if clean {
            output::line("Data and pipelines are up to date.");
        }
        show(&top, 0);
    }
    let failed = output::errors(&errors);
    let dirty = !stages.is_empty() || !changed.is_empty();
    Ok(if failed || (args.quiet && dirty) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `dvc status --cloud`: each object (a folder's listing under the folder's name, its
/// files as `folder/file`) that is not both in the cache and on the remote.
fn cloud(ws: &cairn_api::workspace::Workspace, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let cairn_api::workspace::CloudStatus {
        remote,
        objects: found,
        errors,
    } = ws.cloud_status(args.remote.as_deref(), &Bar::new())?;
    let top: Map<String, Value> = found
        .iter()
        .map(|(name, state)| (name.clone(), json!(state.as_str())))
        .collect();
    if args.json {
        output::json(&Value::Object(top));
    } else if !args.quiet {
        if !found.is_empty() {
            // dvc indents only under `-c` (`-r` alone also compares with the remote).
            show(&Value::Object(top), usize::from(args.cloud));
        } else if !ws.tracks_anything() {
            output::line(EMPTY_PROJECT);
        } else {
            output::line(&format!("Cache and remote '{remote}' are in sync."));
        }
    }
    let failed = output::errors(&errors);
    Ok(if failed || (args.quiet && !found.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

const EMPTY_PROJECT: &str = "There are no data or pipelines tracked in this project yet.\nSee <https://dvc.org/doc/start> to get started!";

/// The text form of the `--json` structure, as dvc's `CmdDataStatus._show` prints it: a
/// key with a nested value on its own line and the value indented a tab further; a
/// status word padded to 20 columns before its path.
fn show(status: &Value, indent: usize) {
    let ind = "\t".repeat(indent);
    match status {
        Value::String(s) => output::line(&format!("{ind}{s}")),
        Value::Array(items) => items.iter().for_each(|v| show(v, indent)),
        Value::Object(m) => {
            for (key, value) in m {
                match value {
                    Value::String(word) => {
                        output::line(&format!("{ind}{:<20}{key}", format!("{word}:")))
                    }
                    // Python truthiness: empty lists and mappings print nothing.
                    Value::Array(a) if a.is_empty() => {}
                    Value::Object(o) if o.is_empty() => {}
                    Value::Null | Value::Bool(false) => {}
                    nested => {
                        output::line(&format!("{ind}{key}:"));
                        show(nested, indent + 1);
                    }
                }
            }
        }
        _ => {}
    }
}
