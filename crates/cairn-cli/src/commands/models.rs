use std::process::ExitCode;

use anyhow::bail;
use cairn_exp::registry::Registry;

use crate::output;

/// The model registry GTO keeps in git tags (`model@v1.2.0`, `model#prod#3`): each
/// model's latest version and the version in each stage; `show`, `register`, `assign`
#[derive(clap::Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    command: Option<ModelsCommand>,
    /// Print JSON, the same as `gto show --json`
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum ModelsCommand {
    /// One model's versions, with their commits and stages
    Show {
        name: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Register a commit as a version, as `gto register` does
    #[command(disable_version_flag = true)]
    Register {
        name: String,
        /// The version (`v1.2.0`); the latest one's next patch when absent
        #[arg(long)]
        version: Option<String>,
        /// The commit to register
        #[arg(long, default_value = "HEAD")]
        rev: String,
    },
    /// Put a registered version in a stage (`dev`, `prod`…), as `gto assign` does
    #[command(disable_version_flag = true)]
    Assign {
        name: String,
        version: String,
        stage: String,
    },
}

pub fn run(args: ModelsArgs) -> anyhow::Result<ExitCode> {
    // GTO's registry lives in any git repository, DVC or not.
    let git = cairn_git::Git::discover(&super::cwd()?)?;
    match args.command {
        Some(ModelsCommand::Register { name, version, rev }) => {
            let v = cairn_exp::registry::write::register(&git, &name, version.as_deref(), &rev)?;
            output::line(&format!(
                "Registered {name} {v} at {rev}; share it with `git push origin {}@{v}`",
                name.replace(':', "=")
            ));
            Ok(ExitCode::SUCCESS)
        }
        Some(ModelsCommand::Assign {
            name,
            version,
            stage,
        }) => {
            let tag = cairn_exp::registry::write::assign(&git, &name, &version, &stage)?;
            output::line(&format!(
                "{name} {version} is in {stage}; share it with `git push origin '{tag}'`"
            ));
            Ok(ExitCode::SUCCESS)
        }
        Some(ModelsCommand::Show { name, json }) => show(&git, &name, json),
        None => list(&git, args.json),
    }
}

fn list(git: &cairn_git::Git, json: bool) -> anyhow::Result<ExitCode> {
    let registry = Registry::load(git)?;
    if json {
        output::line(&serde_json::to_string_pretty(&registry.show_json())?);
        return Ok(ExitCode::SUCCESS);
    }
    if registry.artifacts.iter().all(|a| !a.active) {
        output::line(
            "No models registered yet: `cairn models register NAME` makes the current commit a version.",
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
    Ok(ExitCode::SUCCESS)
}

fn show(git: &cairn_git::Git, name: &str, json: bool) -> anyhow::Result<ExitCode> {
    let registry = Registry::load(git)?;
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
    if json {
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
