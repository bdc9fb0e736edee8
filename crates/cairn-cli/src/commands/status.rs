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
}

pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let report = ws.status(&Bar::new())?;
    let clean = report.is_clean();
    let StatusReport {
        stages,
        data: changed,
        errors,
    } = report;
    let rel = |p: &std::path::Path| ws.shown(p);
    let rel_repo = |p: &str| ws.shown(std::path::Path::new(p));
    if args.json {
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
        output::json(&Value::Object(top));
    } else if !args.quiet {
        if clean {
            output::line("Data and pipelines are up to date.");
        }
        for s in &stages {
            output::line(&format!("{}:", s.stage));
            for item in s.to_json(&rel_repo).as_array().into_iter().flatten() {
                match item {
                    Value::String(w) => output::line(&format!("\t{w}")),
                    Value::Object(m) => {
                        for (section, entries) in m {
                            output::line(&format!("\t{section}:"));
                            for (path, st) in entries.as_object().into_iter().flatten() {
                                match st {
                                    Value::String(w) => {
                                        output::line(&format!("\t\t{:<20}{path}", format!("{w}:")))
                                    }
                                    Value::Object(keys) => {
                                        let ks: Vec<String> = keys
                                            .iter()
                                            .map(|(k, v)| {
                                                format!("{k} ({})", v.as_str().unwrap_or_default())
                                            })
                                            .collect();
                                        output::line(&format!(
                                            "\t\t{:<20}{path}: {}",
                                            "modified:",
                                            ks.join(", ")
                                        ));
                                    }
                                    _ => {}
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for s in &changed {
            output::line(&format!("{}:\n\tchanged outs:", rel(&s.file)));
            for (p, c) in &s.changes {
                output::line(&format!("\t\t{:<20}{}", format!("{}:", c.as_str()), rel(p)));
            }
        }
    }
    let failed = output::errors(&errors);
    let dirty = !stages.is_empty() || !changed.is_empty();
    Ok(if failed || (args.quiet && dirty) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
