use std::process::ExitCode;

use serde_json::{Map, Value, json};

use crate::{output, progress::Bar};

/// Show tracked data that differs from its `.dvc` pointer (modified, deleted, not in cache)
#[derive(clap::Args)]
pub struct StatusArgs {
    /// Print DVC's `status --json` shape: {"x.dvc": [{"changed outs": {"x": "modified"}}]}
    #[arg(long)]
    json: bool,
    /// Print nothing; exit 1 if anything changed
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let repo = super::repo()?;
    let cwd = super::cwd()?;
    let (changed, errors) = cairn_data::status::status(&repo, &Bar::new())?;
    let rel = |p: &std::path::Path| cairn_data::paths::rel_slash(p, &cwd);
    if args.json {
        let mut top = Map::new();
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
        if changed.is_empty() && errors.is_empty() {
            output::line("Data and pipelines are up to date.");
        }
        for s in &changed {
            output::line(&format!("{}:\n\tchanged outs:", rel(&s.file)));
            for (p, c) in &s.changes {
                output::line(&format!("\t\t{:<20}{}", format!("{}:", c.as_str()), rel(p)));
            }
        }
    }
    let failed = output::errors(&errors);
    Ok(if failed || (args.quiet && !changed.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
