use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use cairn_api::workspace::files_to_commit;
use cairn_api::workspace::types::{
    CancelToken, RunEvent, RunOptions, RunStatus, StageOutcome, Stream,
};

use crate::output;

/// Reproduce the pipeline: run stale stages (independent ones in parallel), update dvc.lock
#[derive(clap::Args)]
pub struct ReproArgs {
    /// Stages to reproduce (with what they depend on); default: all
    targets: Vec<String>,
    /// Run stages even if nothing changed
    #[arg(short, long)]
    force: bool,
    /// Only the targets, not their dependencies
    #[arg(short, long)]
    single_item: bool,
    /// Also run everything that depends on the targets
    #[arg(long)]
    downstream: bool,
    /// Show what would run; change nothing
    #[arg(long)]
    dry: bool,
    /// Stages to run at once (default: number of cores)
    #[arg(short, long)]
    jobs: Option<usize>,
    /// After a failure, keep running stages that don't depend on it
    #[arg(short, long)]
    keep_going: bool,
    /// Every pipeline in the repository, not only the root dvc.yaml
    #[arg(short = 'P', long)]
    all_pipelines: bool,
    /// Record the runs in dvc.lock but keep their outputs out of the cache (`cairn commit` stores them later)
    #[arg(long)]
    no_commit: bool,
    /// Print events as JSON lines instead of text
    #[arg(long)]
    json: bool,
}

pub fn run(args: ReproArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let mut opts = RunOptions {
        targets: args.targets,
        force: args.force,
        single_item: args.single_item,
        downstream: args.downstream,
        dry: args.dry,
        keep_going: args.keep_going,
        all_pipelines: args.all_pipelines,
        no_commit: args.no_commit,
        ..RunOptions::default()
    };
    if let Some(j) = args.jobs {
        opts.jobs = j.max(1);
    }
    let cancel = CancelToken::new();
    let c = cancel.clone();
    // First Ctrl-C: stop gracefully (TERM, then KILL after a grace period); the
    // lock file stays consistent. The process group of each stage gets the signal.
    let _ = ctrlc::set_handler(move || {
        eprintln!("\nCancelling: stopping running stages (finished stages stay recorded)…");
        c.cancel();
    });
    let running: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(HashSet::new()));
    let json = args.json;
    let sink = Arc::new(move |e: RunEvent| {
        if json {
            output::line(&serde_json::to_string(&e).unwrap_or_default());
            return;
        }
        let mut out = std::io::stdout().lock();
        match &e {
            RunEvent::StageStarted { stage, cmd } => {
                running.lock().expect("mutex").insert(stage.clone());
                let _ = writeln!(out, "Running stage '{stage}':");
                for c in cmd {
                    let _ = writeln!(out, "> {c}");
                }
            }
            RunEvent::Output {
                stage,
                stream,
                line,
            } => {
                let several = running.lock().expect("mutex").len() > 1;
                let prefix = if several {
                    format!("[{stage}] ")
                } else {
                    String::new()
                };
                match stream {
                    Stream::Stdout => {
                        let _ = writeln!(out, "{prefix}{line}");
                    }
                    Stream::Stderr => eprintln!("{prefix}{line}"),
                }
            }
            RunEvent::StageFinished {
                stage,
                outcome,
                message,
                duration_ms,
                ..
            } => {
                running.lock().expect("mutex").remove(stage);
                let msg = message.clone().unwrap_or_default();
                let line = match outcome {
                    StageOutcome::UpToDate => format!("Stage '{stage}' didn't change, skipping"),
                    StageOutcome::Frozen => format!("Stage '{stage}' is frozen, skipping"),
                    StageOutcome::Restored => {
                        format!("Stage '{stage}' is cached - skipping run, checking out outputs")
                    }
                    StageOutcome::Succeeded => format!(
                        "Stage '{stage}' done in {:.1}s",
                        *duration_ms as f64 / 1000.0
                    ),
                    StageOutcome::WouldRun => format!(
                        "Stage '{stage}' would run ({})",
                        msg.trim_start_matches("would run: ")
                    ),
                    StageOutcome::Failed => format!("ERROR: {msg}"),
                    StageOutcome::Blocked | StageOutcome::Cancelled => {
                        format!("Stage '{stage}' {msg}")
                    }
                };
                let _ = writeln!(out, "{line}");
            }
            RunEvent::RunStarted { .. }
            | RunEvent::StageQueued { .. }
            | RunEvent::RunFinished { .. } => {}
        }
    });
    let summary = ws.repro(&opts, sink, &cancel)?;
    if !json {
        match summary.status {
            RunStatus::Succeeded if !opts.dry => {
                let files = files_to_commit(&summary);
                if !files.is_empty() {
                    output::line(&format!(
                        "\nTo track the changes with git, run:\n\n\tgit add {}",
                        files.join(" ")
                    ));
                } else {
                    output::line("Data and pipelines are up to date.");
                }
            }
            RunStatus::Failed => eprintln!(
                "error: the run failed{}",
                summary
                    .run_id
                    .as_ref()
                    .map(|id| format!("; see `cairn runs show {id}`"))
                    .unwrap_or_default()
            ),
            RunStatus::Cancelled => eprintln!("Cancelled."),
            _ => {}
        }
    }
    Ok(match summary.status {
        RunStatus::Succeeded => ExitCode::SUCCESS,
        RunStatus::Cancelled => ExitCode::from(130),
        _ => ExitCode::from(1),
    })
}
