use std::process::ExitCode;

use crate::output;

/// Set up remotes in .dvc/config, as `dvc remote` does
#[derive(clap::Args)]
pub struct RemoteArgs {
    #[command(subcommand)]
    command: RemoteCommand,
}

#[derive(clap::Subcommand)]
enum RemoteCommand {
    Add(AddArgs),
    Modify(ModifyArgs),
    Default(DefaultArgs),
    Remove(RemoveArgs),
    List(ListArgs),
}

/// Add a remote: a folder (relative to here) or a URL such as s3://bucket/path
#[derive(clap::Args)]
struct AddArgs {
    name: String,
    url: String,
    /// Make it the default remote
    #[arg(short, long)]
    default: bool,
    /// Replace a remote of the same name
    #[arg(short, long)]
    force: bool,
    /// Write to .dvc/config.local (this clone only) instead of .dvc/config
    #[arg(long)]
    local: bool,
}

/// Set or remove one setting of a remote (endpointurl, region, profile, access_key_id…)
#[derive(clap::Args)]
struct ModifyArgs {
    name: String,
    key: String,
    value: Option<String>,
    /// Remove the setting
    #[arg(short, long, conflicts_with = "value")]
    unset: bool,
    /// Write to .dvc/config.local (this clone only: use it for keys and secrets)
    #[arg(long)]
    local: bool,
}

/// Make a remote the default (or --unset: no default)
#[derive(clap::Args)]
struct DefaultArgs {
    name: Option<String>,
    #[arg(short, long, conflicts_with = "name")]
    unset: bool,
}

/// Remove a remote from .dvc/config and .dvc/config.local
#[derive(clap::Args)]
struct RemoveArgs {
    name: String,
}

/// List the remotes
#[derive(clap::Args)]
struct ListArgs {
    /// Print them as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: RemoteArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    match args.command {
        RemoteCommand::Add(a) => {
            ws.add_remote(&a.name, &a.url, a.default, a.force, a.local)?;
            if a.default {
                output::line(&format!("Setting '{}' as a default remote.", a.name));
            }
        }
        RemoteCommand::Modify(a) => {
            if a.value.is_none() && !a.unset {
                anyhow::bail!("give a value for {}, or --unset to remove it", a.key);
            }
            ws.modify_remote(&a.name, &a.key, a.value.as_deref(), a.local)?;
        }
        RemoteCommand::Default(a) => {
            if a.name.is_none() && !a.unset {
                output::line(&ws.default_remote()?);
                return Ok(ExitCode::SUCCESS);
            }
            ws.set_default_remote(a.name.as_deref())?;
        }
        RemoteCommand::Remove(a) => ws.remove_remote(&a.name)?,
        RemoteCommand::List(a) => {
            let remotes = ws.remotes();
            if a.json {
                output::json(&serde_json::to_value(&remotes)?);
            } else {
                for r in &remotes {
                    output::line(&format!(
                        "{}\t{}{}",
                        r.name,
                        r.url,
                        if r.default { "\t(default)" } else { "" }
                    ));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
