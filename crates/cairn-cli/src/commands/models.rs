use std::process::ExitCode;

use cairn_api::workspace::Models;

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
    let models = Models::discover(&super::cwd()?)?;
    match args.command {
        Some(ModelsCommand::Register { name, version, rev }) => {
            let v = models.register(&name, version.as_deref(), &rev)?;
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
            let tag = models.assign(&name, &version, &stage)?;
            output::line(&format!(
                "{name} {version} is in {stage}; share it with `git push origin '{tag}'`"
            ));
            Ok(ExitCode::SUCCESS)
        }
        Some(ModelsCommand::Show { name, json }) => show(&models, &name, json),
        None => list(&models, args.json),
    }
}

fn list(models: &Models, json: bool) -> anyhow::Result<ExitCode> {
    let registry = models.registry()?;
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

fn show(models: &Models, name: &str, json: bool) -> anyhow::Result<ExitCode> {
    let a = models.artifact(name)?;
    if json {
        output::line(&serde_json::to_string_pretty(&a)?);
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
