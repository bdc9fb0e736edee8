//! `cairn config`: get, set, unset and list options of `.dvc/config` and
//! `.dvc/config.local`, as `dvc config` does.

use std::process::ExitCode;

use cairn_api::workspace::types::ConfigFile;

use crate::output;

/// Get or set config options (`core.remote`, `cache.type`, `remote.NAME.url`…) in .dvc/config or .dvc/config.local, as `dvc config` does
#[derive(clap::Args)]
pub struct ConfigArgs {
    /// Option name (section.option or remote.name.option)
    name: Option<String>,
    /// Value to set
    value: Option<String>,
    /// Use the project's config (.dvc/config): the default for changes
    #[arg(long, conflicts_with = "local")]
    project: bool,
    /// Use this clone's config (.dvc/config.local, git-ignored: where secrets go)
    #[arg(long)]
    local: bool,
    /// Unset the option
    #[arg(short, long, requires = "name", conflicts_with = "value")]
    unset: bool,
    /// List all options set
    #[arg(short, long, conflicts_with_all = ["name", "unset"])]
    list: bool,
    /// With --list: the file setting each option
    #[arg(long, requires = "list")]
    show_origin: bool,
}

pub fn run(args: ConfigArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let level = if args.local {
        Some(ConfigFile::Local)
    } else if args.project {
        Some(ConfigFile::Repo)
    } else {
        None
    };
    if args.list {
        for row in ws.config_list(level)? {
            if args.show_origin {
                output::line(&format!("{}\t{}={}", row.file, row.name, row.value));
            } else {
                output::line(&format!("{}={}", row.name, row.value));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(name) = args.name else {
        anyhow::bail!("name an option (e.g. `cairn config core.remote`), or list them with --list");
    };
    let write_to = level.unwrap_or(ConfigFile::Repo);
    if args.unset {
        ws.config_unset(&name, write_to)?;
    } else if let Some(value) = args.value {
        ws.config_set(&name, &value, write_to)?;
    } else if let Some(value) = ws.config_get(&name, level)? {
        output::line(&value);
    }
    Ok(ExitCode::SUCCESS)
}
