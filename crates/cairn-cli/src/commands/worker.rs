//! `cairn worker`: what `cairn queue start --on ssh://…` runs on the other machine (in a
//! worktree it made there). Not for people: its output is read by the machine that
//! sent it (`cairn_api::workspace`).

use std::process::ExitCode;

use cairn_api::workspace::types::CancelToken;

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
    /// Stop the run when stdin ends (the sending machine is gone)
    #[arg(long)]
    stop_on_eof: bool,
    /// `[file:]key=value` overrides
    #[arg(short = 'S', long = "set-param")]
    set_params: Vec<String>,
    /// Stages
    targets: Vec<String>,
}

pub fn run(args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    match args.command {
        WorkerCommand::Objects => output::json(&ws.worker_objects()?),
        WorkerCommand::Run(a) => {
            let cancel = CancelToken::new();
            let c = cancel.clone();
            let _ = ctrlc::set_handler(move || c.cancel());
            let line = ws.worker_run(
                &a.baseline,
                a.name,
                a.set_params,
                a.targets,
                a.stop_on_eof,
                &cancel,
            )?;
            output::line(&line);
        }
    }
    Ok(ExitCode::SUCCESS)
}
