use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use cairn_api::workspace::Workspace;
use cairn_api::workspace::types::{CancelToken, State, iso_timestamp};
use serde_json::json;

use crate::output;

/// Run queued experiments in parallel, each in its own git worktree
#[derive(clap::Args)]
pub struct QueueArgs {
    #[command(subcommand)]
    command: QueueCommand,
}

#[derive(clap::Subcommand)]
enum QueueCommand {
    Start(StartArgs),
    Status(StatusArgs),
    Logs(LogsArgs),
    Remove(RemoveArgs),
}

/// Run every queued experiment (blocks until the queue is empty)
#[derive(clap::Args)]
pub struct StartArgs {
    /// Experiments to run at once
    #[arg(short, long, default_value_t = 1)]
    jobs: usize,
    /// Return at once and run the workers in the background (like `dvc queue start`);
    /// their output goes to `.dvc/tmp/cairn/queue/workers.log`
    #[arg(short, long)]
    detach: bool,
    /// Run them on another machine over SSH (ssh://[user@]host[:port]/folder, or /~/folder in its home): Cairn
    /// sends itself, the commit and the data there, and brings the experiments back.
    /// The machine needs `sh` and `git`.
    #[arg(long, value_name = "URL")]
    on: Option<String>,
}

/// Queued, running, finished and failed experiments
#[derive(clap::Args)]
pub struct StatusArgs {
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// The output of a queued experiment
#[derive(clap::Args)]
pub struct LogsArgs {
    /// Name or id
    experiment: String,
}

/// Remove queue entries (not running ones)
#[derive(clap::Args)]
pub struct RemoveArgs {
    /// Names or ids
    experiments: Vec<String>,
    /// Every entry
    #[arg(long)]
    all: bool,
    /// Only finished (successful or failed) entries
    #[arg(long)]
    done: bool,
}

pub fn run(args: QueueArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    match args.command {
        QueueCommand::Start(a) if a.detach => {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(ws.queue_workers_log()?)?;
            let mut args = vec!["queue".to_string(), "start".into(), "--jobs".into()];
            args.push(a.jobs.to_string());
            if let Some(on) = &a.on {
                args.extend(["--on".into(), on.clone()]);
            }
            let child = std::process::Command::new(std::env::current_exe()?)
                .args(&args)
                .current_dir(ws.root())
                .stdin(std::process::Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .process_group(0)
                .spawn()?;
            output::line(&format!(
                "Started {} worker(s) in the background (pid {}); see `cairn queue status`.",
                a.jobs,
                child.id()
            ));
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Start(a) => {
            let cancel = CancelToken::new();
            let c = cancel.clone();
            let _ = ctrlc::set_handler(move || c.cancel());
            let n = ws.queued_count()?;
            let worker = a.on.as_deref().map(Workspace::worker).transpose()?;
            output::line(&format!(
                "Running {n} queued experiment(s) with {} worker(s){}.",
                a.jobs,
                worker
                    .as_ref()
                    .map(|w| format!(" on {}", w.url()))
                    .unwrap_or_default()
            ));
            let done = ws.start_queue(a.jobs, worker.as_ref(), &cancel, &|e| {
                output::line(&format!(
                    "{} '{}'{}",
                    e.state.label(),
                    e.name,
                    e.error
                        .as_ref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ));
            })?;
            let failed = done.iter().filter(|e| e.state == State::Failed).count();
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        QueueCommand::Status(a) => {
            let status = ws.queue_status()?;
            if a.json {
                let mut out: Vec<serde_json::Value> = status
                    .entries
                    .iter()
                    .map(|e| {
                        let mut v = json!(e);
                        v["queue"] = json!("cairn");
                        v
                    })
                    .collect();
                out.extend(status.dvc.iter().map(|q| {
                    json!({
                        "queue": "dvc",
                        "id": q.id,
                        "name": q.name,
                        "baseline": q.baseline,
                        "state": q.state,
                        "queued_ms": q.queued_s.map(|t| t * 1000),
                        "task_id": q.task_id,
                    })
                }));
                output::json(&json!(out));
                return Ok(ExitCode::SUCCESS);
            }
            let mut rows = vec![vec![
                "Task".to_string(),
                "Name".into(),
                "Created".into(),
                "Status".into(),
                "Params".into(),
            ]];
            for e in &status.entries {
                rows.push(vec![
                    e.id[..7.min(e.id.len())].to_string(),
                    e.name.clone(),
                    iso_timestamp((e.queued_ms / 1000) as i64).replace('T', " "),
                    match &e.worker {
                        Some(w) => format!("{} on {w}", e.state.label()),
                        None => e.state.label().to_string(),
                    },
                    e.set_params.join(" "),
                ]);
            }
            for q in &status.dvc {
                let mut state = q.state.to_string();
                if let Some(f) = state.get_mut(..1) {
                    f.make_ascii_uppercase();
                }
                rows.push(vec![
                    q.id[..7].to_string(),
                    q.name.clone().unwrap_or_default(),
                    q.queued_s
                        .map(|t| iso_timestamp(t).replace('T', " "))
                        .unwrap_or_default(),
                    state,
                    if q.state == "queued" {
                        "(dvc queue: dvc queue start)".into()
                    } else {
                        "(dvc queue)".into()
                    },
                ]);
            }
            output::table(&rows);
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Logs(a) => {
            print!("{}", ws.queue_log(&a.experiment)?.text);
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Remove(a) => {
            let (gone, dvcs) = ws.remove_queued(&a.experiments, a.all, a.done)?;
            for w in dvcs {
                eprintln!(
                    "WARNING: '{w}' is in dvc's queue, not cairn's; remove it with `dvc queue remove {w}`"
                );
            }
            let names: Vec<String> = gone.iter().map(|e| e.name.clone()).collect();
            output::line(&format!(
                "Removed experiments in queue: {}",
                names.join(", ")
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}
