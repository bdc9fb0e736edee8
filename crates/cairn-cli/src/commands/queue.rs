use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use cairn_exp::dvc_queue;
use cairn_exp::queue::{self, State};
use cairn_run::CancelToken;
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
    /// Run them on another machine over SSH (ssh://[user@]host[:port]/folder): Cairn
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
    let root = super::repo()?.root().to_path_buf();
    match args.command {
        QueueCommand::Start(a) if a.detach => {
            let dir = queue::queue_dir(&root);
            std::fs::create_dir_all(&dir)?;
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("workers.log"))?;
            let mut args = vec!["queue".to_string(), "start".into(), "--jobs".into()];
            args.push(a.jobs.to_string());
            if let Some(on) = &a.on {
                args.extend(["--on".into(), on.clone()]);
            }
            let child = std::process::Command::new(std::env::current_exe()?)
                .args(&args)
                .current_dir(&root)
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
            let n = queue::list(&root)?
                .iter()
                .filter(|e| e.state == State::Queued)
                .count();
            let worker =
                a.on.as_deref()
                    .map(cairn_exp::worker::Worker::open)
                    .transpose()?;
            output::line(&format!(
                "Running {n} queued experiment(s) with {} worker(s){}.",
                a.jobs,
                worker
                    .as_ref()
                    .map(|w| format!(" on {}", w.url()))
                    .unwrap_or_default()
            ));
            let done = queue::start(&root, a.jobs, worker.as_ref(), &cancel, &|e| {
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
            queue::reap(&root)?;
            let entries = queue::list(&root)?;
            // DVC's queue is listed too (read-only: `dvc queue start` runs it).
            let git = cairn_git::Git::discover(&root)?;
            let dvc = dvc_queue::queued_with_times(&git)?;
            // Finished tasks of DVC's queue, as `dvc queue status` lists them after
            // the queued ones.
            let dvc_done: Vec<(dvc_queue::DvcDone, Option<i64>)> = dvc_queue::list_done(&root)?
                .into_iter()
                .map(|d| {
                    let t = git.commit_time(&d.entry.stash_rev).ok();
                    (d, t)
                })
                .collect();
            let mut dvc_done = dvc_done;
            dvc_done.sort_by_key(|(d, _)| matches!(d.state, dvc_queue::DoneState::Success { .. }));
            let done_label = |d: &dvc_queue::DvcDone| match d.state {
                dvc_queue::DoneState::Success { .. } => "Success",
                dvc_queue::DoneState::Failed => "Failed",
            };
            if a.json {
                let mut out: Vec<serde_json::Value> = entries
                    .iter()
                    .map(|e| {
                        let mut v = json!(e);
                        v["queue"] = json!("cairn");
                        v
                    })
                    .collect();
                out.extend(dvc.iter().map(|(q, t)| {
                    json!({
                        "queue": "dvc",
                        "id": q.stash_rev,
                        "name": q.name,
                        "baseline": q.baseline_rev,
                        "state": "queued",
                        "queued_ms": t.map(|t| t * 1000),
                        "task_id": q.task_id,
                    })
                }));
                out.extend(dvc_done.iter().map(|(d, t)| {
                    json!({
                        "queue": "dvc",
                        "id": d.entry.stash_rev,
                        "name": d.entry.name,
                        "baseline": d.entry.baseline_rev,
                        "state": done_label(d).to_ascii_lowercase(),
                        "queued_ms": t.map(|t| t * 1000),
                        "task_id": d.entry.task_id,
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
            for e in &entries {
                rows.push(vec![
                    e.id[..7.min(e.id.len())].to_string(),
                    e.name.clone(),
                    cairn_exp::collect::iso_timestamp((e.queued_ms / 1000) as i64)
                        .replace('T', " "),
                    match &e.worker {
                        Some(w) => format!("{} on {w}", e.state.label()),
                        None => e.state.label().to_string(),
                    },
                    e.set_params.join(" "),
                ]);
            }
            for (q, t) in &dvc {
                rows.push(vec![
                    q.stash_rev[..7].to_string(),
                    q.name.clone().unwrap_or_default(),
                    t.map(|t| cairn_exp::collect::iso_timestamp(t).replace('T', " "))
                        .unwrap_or_default(),
                    "Queued".into(),
                    "(dvc queue: dvc queue start)".into(),
                ]);
            }
            for (d, t) in &dvc_done {
                rows.push(vec![
                    d.entry.stash_rev[..7].to_string(),
                    d.entry.name.clone().unwrap_or_default(),
                    t.map(|t| cairn_exp::collect::iso_timestamp(t).replace('T', " "))
                        .unwrap_or_default(),
                    done_label(d).into(),
                    "(dvc queue)".into(),
                ]);
            }
            output::table(&rows);
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Logs(a) => {
            let found = queue::list(&root)?
                .into_iter()
                .find(|e| e.name == a.experiment || e.id.starts_with(&a.experiment));
            if found.is_none() && dvc_queue::find_queued(&root, &a.experiment)?.is_some() {
                anyhow::bail!(
                    "experiment '{}' is in dvc's queue but has not been started",
                    a.experiment
                );
            }
            let e =
                found.ok_or_else(|| anyhow::anyhow!("no queued experiment '{}'", a.experiment))?;
            let text = std::fs::read_to_string(queue::log_path(&root, &e.id)).unwrap_or_default();
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Remove(a) => {
            let which: Vec<String> = if a.done {
                queue::list(&root)?
                    .into_iter()
                    .filter(|e| matches!(e.state, State::Success | State::Failed))
                    .map(|e| e.id)
                    .collect()
            } else {
                a.experiments.clone()
            };
            let gone = queue::remove(&root, &which, a.all)?;
            let names: Vec<String> = gone.iter().map(|e| e.name.clone()).collect();
            // DVC's queue entries are left to DVC: removing one means rewriting its stash
            // reflog and celery messages, which `dvc queue remove` owns.
            for w in &a.experiments {
                if !gone
                    .iter()
                    .any(|e| &e.name == w || e.id.starts_with(w.as_str()))
                    && dvc_queue::find_queued(&root, w)?.is_some()
                {
                    eprintln!(
                        "WARNING: '{w}' is in dvc's queue, not cairn's; remove it with `dvc queue remove {w}`"
                    );
                }
            }
            output::line(&format!(
                "Removed experiments in queue: {}",
                names.join(", ")
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}
