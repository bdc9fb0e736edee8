use std::process::ExitCode;

use cairn_data::config_edit::ConfigFile;
use cairn_data::remote::setup::{self, NewRemote};
use serde_json::json;

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
    let repo = super::repo()?;
    match args.command {
        RemoteCommand::Add(a) => {
            let url = setup::config_url(&repo, &super::cwd()?, &a.url);
            setup::add(
                &repo,
                &NewRemote {
                    name: a.name.clone(),
                    url,
                    default: a.default,
                    force: a.force,
                    local_only: a.local,
                    ..NewRemote::default()
                },
            )?;
            if a.default {
                output::line(&format!("Setting '{}' as a default remote.", a.name));
            }
        }
        RemoteCommand::Modify(a) => {
            if a.value.is_none() && !a.unset {
                anyhow::bail!("give a value for {}, or --unset to remove it", a.key);
            }
            let file = if a.local {
                ConfigFile::Local
            } else {
                ConfigFile::Repo
            };
            let value = match (a.key.as_str(), &a.value) {
                ("url", Some(v)) => Some(setup::config_url(&repo, &super::cwd()?, v)),
                (_, v) => v.clone(),
            };
            setup::modify(&repo, &a.name, file, &a.key, value.as_deref())?;
        }
        RemoteCommand::Default(a) => {
            if a.name.is_none() && !a.unset {
                match &repo.config().default_remote {
                    Some(n) => output::line(n),
                    None => {
                        anyhow::bail!("no default remote: set one with `cairn remote default NAME`")
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            setup::set_default(&repo, a.name.as_deref())?;
        }
        RemoteCommand::Remove(a) => setup::remove(&repo, &a.name)?,
        RemoteCommand::List(a) => {
            let config = repo.config();
            if a.json {
                let list: Vec<_> = config
                    .remotes
                    .iter()
                    .map(|r| {
                        json!({
                            "name": r.name,
                            "url": r.url,
                            "default": config.default_remote.as_deref() == Some(r.name.as_str()),
                        })
                    })
                    .collect();
                output::json(&json!(list));
            } else {
                for r in &config.remotes {
                    let default = config.default_remote.as_deref() == Some(r.name.as_str());
                    output::line(&format!(
                        "{}\t{}{}",
                        r.name,
                        r.url,
                        if default { "\t(default)" } else { "" }
                    ));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
