//! Queued experiments run on another machine over SSH (`cairn queue start --on
//! ssh://[user@]host[:port]/folder`): the gap DVC left when it dropped `dvc machine`.
//!
//! The worker needs only `sh` and `git`; Cairn sends itself. In the worker's folder:
//!
//! - `repo.git`: a bare repository the snapshot commit is pushed to (so only what the
//!   worker lacks travels, as with any `git push`);
//! - `cache/`: a DVC cache the run's data is pushed into, in the remote layout (which
//!   is the cache layout), over the connection the SSH remote uses;
//! - `bin/cairn-<sha256 prefix>`: this machine's `cairn`, copied once per build;
//! - `runs/<id>/`: a worktree of the snapshot while it runs, removed after;
//! - `.venv/`: the project's Python environment, made from `requirements.txt` ([`env`]).
//!
//! The run itself is `cairn worker run` there ([`exec`]): the same [`crate::queue::execute`]
//! a local worker runs. Its log streams back into the entry's log as it is written; on
//! success the experiment ref is fetched back with `git fetch` and the outputs with the
//! cache objects it names, so the experiment is here exactly as if it had run here
//! (`exp show`, `exp apply`, `dvc exp show` all see it). Cancelling sends SIGINT to the
//! worker's process, which stops its stages as a local cancel does.

mod env;
pub mod exec;
mod host;

pub use host::Worker;

use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use cairn_run::CancelToken;

use crate::error::ExpError;
use crate::queue::{Entry, LogLine, run_options, run_with};

/// What the worker prints before its result.
pub(crate) const RESULT_MARK: &str = "CAIRN-RESULT ";
/// What the worker prints first: its process id, for a cancel.
const PID_MARK: &str = "CAIRN-PID ";
/// Starts the line with a reading of what the run has logged so far ([`crate::live`]).
pub(crate) const LIVE_MARK: &str = "CAIRN-LIVE ";

/// Runs a claimed entry on `worker`; returns the finished entry (failed, with the
/// reason in its log and error, when anything on the way fails).
pub fn run_entry_on(
    root: &Path,
    mut e: Entry,
    worker: &Worker,
    cancel: &CancelToken,
) -> Result<Entry, ExpError> {
    e.worker = Some(worker.url().to_string());
    crate::queue::save(root, &e)?;
    run_with(root, e, |e, log| {
        log(&format!("Running on {}", worker.url()));
        let result = run_remote(root, e, worker, log, cancel);
        if let Err(er) = worker.remove_run(&e.id) {
            log(&format!("WARNING: could not clean up on the worker: {er}"));
        }
        result
    })
}

fn run_remote(
    root: &Path,
    e: &Entry,
    worker: &Worker,
    log: &LogLine,
    cancel: &CancelToken,
) -> Result<String, ExpError> {
    let exe = worker.ensure_cairn()?;
    worker.push_commit(root, &e.snapshot, &e.id)?;
    let wanted = worker.prepare_run(&e.id, &e.snapshot, &exe)?;
    let repo = cairn_data::Repo::open(root)?;
    // Other runs (or this worker's earlier ones) wrote to its cache since it was listed.
    worker.relist();
    let sent = cairn_data::remote::push(&repo, worker.cache(), &wanted, &cairn_core::NoProgress)?;
    log(&format!(
        "Sent {} data object(s) ({} bytes) to the worker; {} were there already",
        sent.transferred, sent.bytes, sent.up_to_date
    ));
    for m in &sent.missing {
        log(&format!(
            "WARNING: {m} is not in this machine's cache (pull it first); the worker will not have it"
        ));
    }
    if cancel.is_cancelled() {
        return Err(ExpError::Invalid("cancelled".into()));
    }
    let live = |json: &str| crate::live::save(root, &e.id, json);
    let result = stream_run(worker, e, &exe, log, &live, cancel)?;
    worker.fetch_ref(root, &result.refname)?;
    let wanted = exec::from_wire(&result.objects);
    worker.relist();
    let got = cairn_data::remote::fetch(&repo, worker.cache(), &wanted, &cairn_core::NoProgress)?;
    log(&format!(
        "Brought back experiment '{}' ({}) and {} data object(s) ({} bytes)",
        result.name,
        &result.commit[..7.min(result.commit.len())],
        got.transferred,
        got.bytes
    ));
    for m in &got.missing {
        log(&format!("WARNING: {m} did not come back from the worker"));
    }
    Ok(result.commit)
}

/// Runs `cairn worker run` on the worker, its output into `log` as it comes; SIGINT to
/// it when `cancel` fires.
fn stream_run(
    worker: &Worker,
    e: &Entry,
    exe: &str,
    log: &LogLine,
    live: &dyn Fn(&str),
    cancel: &CancelToken,
) -> Result<exec::WireResult, ExpError> {
    let opts = run_options(e);
    let mut child = worker.spawn_run(&e.id, exe, &e.baseline, &opts)?;
    // Held open until the run is over: the worker stops its run when it closes, which
    // it also does if this process is killed outright.
    let _attached = child.stdin.take();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let done = AtomicBool::new(false);
    let pid = std::sync::Mutex::new(None::<String>);
    let mut result = None;
    let mut last_err = String::new();
    std::thread::scope(|s| {
        let err_log = log.clone();
        let errs = s.spawn(move || {
            let mut last = String::new();
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if !line.trim().is_empty() {
                    last = line.clone();
                }
                err_log(&line);
            }
            last
        });
        let (done, pid) = (&done, &pid);
        s.spawn(move || {
            let mut sent = false;
            while !done.load(Ordering::Relaxed) {
                if !sent && cancel.is_cancelled() {
                    let p = pid.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    if let Some(p) = p {
                        let _ = worker.interrupt(&p);
                        sent = true;
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(p) = line.strip_prefix(PID_MARK) {
                *pid.lock().unwrap_or_else(|p| p.into_inner()) = Some(p.trim().to_string());
            } else if let Some(json) = line.strip_prefix(LIVE_MARK) {
                live(json);
            } else if let Some(json) = line.strip_prefix(RESULT_MARK) {
                result = serde_json::from_str::<exec::WireResult>(json).ok();
            } else {
                log(&line);
            }
        }
        last_err = errs.join().unwrap_or_default();
        done.store(true, Ordering::Relaxed);
    });
    let status = child
        .wait()
        .map_err(|er| ExpError::Invalid(format!("ssh: {er}")))?;
    match result {
        Some(r) if status.success() => Ok(r),
        _ if cancel.is_cancelled() => Err(ExpError::Invalid("cancelled".into())),
        _ => Err(ExpError::Invalid(format!(
            "the run on {} failed{}",
            worker.url(),
            if last_err.is_empty() {
                String::new()
            } else {
                format!(": {}", last_err.trim_start_matches("error: "))
            }
        ))),
    }
}
