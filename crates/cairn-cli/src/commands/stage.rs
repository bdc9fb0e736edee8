//! `cairn stage add|list`: pipeline stages from the terminal, with `dvc stage`'s flags.

use std::process::ExitCode;

use cairn_api::workspace::StageFlags;

use crate::output;

/// Add or list pipeline stages
#[derive(clap::Args)]
pub struct StageArgs {
    #[command(subcommand)]
    command: StageCommand,
}

#[derive(clap::Subcommand)]
enum StageCommand {
    Add(Box<AddArgs>),
    List(ListArgs),
}

/// Add a stage to `dvc.yaml` in the current directory (only the lines of the new stage are
/// written; the rest of the file stays as it is)
#[derive(clap::Args)]
struct AddArgs {
    /// Name of the stage
    #[arg(short, long)]
    name: String,
    /// Replace a stage of the same name
    #[arg(short, long)]
    force: bool,
    /// A dependency (repeatable)
    #[arg(short, long = "deps", value_name = "PATH")]
    deps: Vec<String>,
    /// Params: `key1,key2` from params.yaml or `file:key1,key2` (repeatable)
    #[arg(short, long = "params", value_name = "[FILE:]KEYS")]
    params: Vec<String>,
    /// An output, cached (repeatable)
    #[arg(short, long = "outs", value_name = "PATH")]
    outs: Vec<String>,
    /// An output not cached (repeatable)
    #[arg(short = 'O', long = "outs-no-cache", value_name = "PATH")]
    outs_no_cache: Vec<String>,
    /// An output kept between runs (repeatable)
    #[arg(long = "outs-persist", value_name = "PATH")]
    outs_persist: Vec<String>,
    /// A metrics file, cached (repeatable)
    #[arg(short, long = "metrics", value_name = "PATH")]
    metrics: Vec<String>,
    /// A metrics file not cached (repeatable)
    #[arg(short = 'M', long = "metrics-no-cache", value_name = "PATH")]
    metrics_no_cache: Vec<String>,
    /// A plots file, cached (repeatable)
    #[arg(long = "plots", value_name = "PATH")]
    plots: Vec<String>,
    /// A plots file not cached (repeatable)
    #[arg(long = "plots-no-cache", value_name = "PATH")]
    plots_no_cache: Vec<String>,
    /// Directory to run the command in
    #[arg(short, long)]
    wdir: Option<String>,
    /// Always consider the stage changed
    #[arg(long)]
    always_changed: bool,
    /// A description
    #[arg(long, value_name = "TEXT")]
    desc: Option<String>,
    /// The command
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    command: Vec<String>,
}

/// List the stages of the project
#[derive(clap::Args)]
struct ListArgs {
    /// Only the names
    #[arg(long)]
    name_only: bool,
}

pub fn run(args: StageArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        StageCommand::Add(a) => add(*a),
        StageCommand::List(a) => list(a),
    }
}

/// DVC's `parse_cmd`: one argument is the command; several are joined, quoting those
/// with spaces.
fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let name = a.name.clone();
    let added = ws.add_stage(StageFlags {
        name: a.name,
        force: a.force,
        deps: a.deps,
        params: a.params,
        outs: a.outs,
        outs_no_cache: a.outs_no_cache,
        outs_persist: a.outs_persist,
        metrics: a.metrics,
        metrics_no_cache: a.metrics_no_cache,
        plots: a.plots,
        plots_no_cache: a.plots_no_cache,
        wdir: a.wdir,
        always_changed: a.always_changed,
        desc: a.desc,
        command: a.command,
    })?;
    let file = &added.file;
    output::line(&format!(
        "{} stage '{name}' in '{file}'\n\nTo track the changes with git, run:\n\n\tgit add {file}",
        if added.replaced { "Modifying" } else { "Added" },
    ));
    Ok(ExitCode::SUCCESS)
}

fn list(a: ListArgs) -> anyhow::Result<ExitCode> {
    let stages = super::workspace()?.stages()?;
    let width = stages.iter().map(|s| s.address.len()).max().unwrap_or(0);
    for s in stages {
        if a.name_only {
            output::line(&s.address);
        } else {
            output::line(format!("{:width$}  {}", s.address, s.about).trim_end());
        }
    }
    Ok(ExitCode::SUCCESS)
}
