use std::process::ExitCode;

use anyhow::bail;
use cairn_exp::registry::Registry;

use crate::output;

/// The model registry GTO keeps in git tags (`model@v1.2.0`, `model#prod#3`): each
/// artifact's latest version and the version in each stage, or one artifact's versions
#[derive(clap::Args)]
pub struct ModelsArgs {
    /// One artifact: list its versions, with their commits and stages
    name: Option<String>,
    /// Print JSON: without NAME the same as `gto show --json`
    #[arg(long)]
    json: bool,
}

pub fn run(args: ModelsArgs) -> anyhow::Result<ExitCode> {
    // GTO's registry lives in any git repository, DVC or not.
    let git = cairn_git::Git::discover(&super::cwd()?)?;
    let registry = Registry::load(&git)?;
    let Some(name) = args.name else {
        if args.json {
            output::line(&serde_json::to_string_pretty(&registry.show_json())?);
            return Ok(ExitCode::SUCCESS);
        }
        if registry.artifacts.iter().all(|a| !a.active) {
            output::line(
                "No models registered yet: `gto register NAME` tags the current commit as a version.",
            );
            return Ok(ExitCode::SUCCESS);
        }
        let mut rows = vec![
            ["name", "latest"]
                .into_iter()
                .map(String::from)
                .chain(registry.stages.iter().map(|s| format!("#{s}")))
                .collect::<Vec<_>>(),
        ];
        for a in registry.artifacts.iter().filter(|a| a.active) {
            let mut row = vec![a.name.clone(), a.latest.clone().unwrap_or("-".into())];
            row.extend(
                registry
                    .stages
                    .iter()
                    .map(|s| a.stages.get(s).cloned().unwrap_or("-".into())),
            );
            rows.push(row);
        }
        output::table(&rows);
        return Ok(ExitCode::SUCCESS);
    };
    let Some(a) = registry.artifacts.iter().find(|a| a.name == name) else {
        let known: Vec<&str> = registry.artifacts.iter().map(|a| a.name.as_str()).collect();
        bail!(
            "no artifact named {name} in the registry (known: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    };
    if args.json {
        output::line(&serde_json::to_string_pretty(a)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![
        ["version", "commit", "stages", "registered by", "note"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>(),
    ];
    for v in &a.versions {
        rows.push(vec![
            v.version.get(..12).unwrap_or(&v.version).to_string(),
            v.commit.get(..7).unwrap_or(&v.commit).to_string(),
            v.stages.join(", "),
            v.author.clone(),
            if !v.active {
                "deregistered".into()
            } else if !v.registered {
                "not registered".into()
            } else {
                String::new()
            },
        ]);
    }
    output::table(&rows);
    Ok(ExitCode::SUCCESS)
}
