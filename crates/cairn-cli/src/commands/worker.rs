//! `cairn worker`: what `cairn queue start --on ssh://…` runs on the other machine (in a
//! worktree it made there). Not for people: its output is read by the machine that
//! sent it (`cairn_exp::worker`).

use std::process::ExitCode;

use cairn_exp::run::ExpRunOptions;
use cairn_exp::worker::exec;
use cairn_run::CancelToken;

use crate::output;

/// The worker's side of a remote run
#[derive(clap::Args)]
pub struct WorkerArgs {
    #[command(subcommand)]
    command: WorkerCommand,
}

#[derive(clap::Subcommand)]
enum WorkerCommand {
    Objects,
    Run(RunArgs),
}

/// Reproduce and record an experiment in this working copy
#[derive(clap::Args)]
struct RunArgs {
    /// The experiment's parent commit
    #[arg(long)]
    baseline: String,
    /// Experiment name
    #[arg(long)]
    name: Option<String>,
    /// `[file:]key=value` overrides
    #[arg(short = 'S', long = "set-param")]
    set_params: Vec<String>,
    /// Stages
    targets: Vec<String>,
}

pub fn run(args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let root = super::repo()?.root().to_path_buf();
    match args.command {
        WorkerCommand::Objects => {
            output::json(&serde_json::json!(exec::objects(&root)?));
        }
        WorkerCommand::Run(a) => {
            let cancel = CancelToken::new();
            let c = cancel.clone();
            let _ = ctrlc::set_handler(move || c.cancel());
            let opts = ExpRunOptions {
                set_params: a.set_params,
                name: a.name,
                targets: a.targets,
                jobs: 1,
                ..Default::default()
            };
            let result = exec::run(&root, &a.baseline, &opts, &cancel)?;
            output::line(&exec::result_line(&result));
        }
    }
    Ok(ExitCode::SUCCESS)
}
