use std::process::ExitCode;

use serde_json::{Map, Value, json};

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
    let repo = super::repo()?;
    let cwd = super::cwd()?;
    let bar = Bar::new();
    let stages = cairn_run::status(repo.root(), &bar)?;
    let (changed, errors) = cairn_data::status::status(&repo, &bar)?;
    let rel = |p: &std::path::Path| cairn_data::paths::rel_slash(p, &cwd);
    let rel_repo = |p: &str| rel(&repo.root().join(p));
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
        if stages.is_empty() && changed.is_empty() && errors.is_empty() {
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
