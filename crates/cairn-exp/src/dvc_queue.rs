//! Experiments that `dvc exp run --queue` queued, read without Python or celery.
//!
//! DVC's queue has two halves: the experiment itself is a stash commit (work tree with
//! the `-S` overrides applied, pushed onto the reflog of `refs/exps/celery/stash`), and
//! the task is a kombu "filesystem transport" message in
//! `.dvc/tmp/exps/celery/broker/in/<ms>_<uuid>.celery.msg`. DVC's `exp show` and
//! `queue status` list *queued* experiments from the messages alone
//! (`LocalCeleryQueue.iter_queued`), then collect each stash commit like any other
//! revision — so that is what this module reads. The stash commit is read through
//! `cairn-git` like every other revision; the reflog is not needed.
//!
//! A message is JSON whose `body` is base64 of celery's task payload
//! `[[entry_dict], {kwargs}, {embed}]`; `entry_dict` is DVC's `QueueEntry.asdict()`.
//! Messages move to `broker/processed/` once a worker takes them; a finished task has a
//! celery result record and an executor info file naming the experiment ref it made
//! ([`list_taken`]). A task still running has no result yet; its info
//! file names the temporary repository its executor works in, where DVC's `exp show`
//! reads the running experiment's params and metrics, and so does Cairn's.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

/// The celery task DVC queues experiments as; other tasks in the folder are skipped.
const RUN_EXP_TASK: &str = "dvc.repo.experiments.queue.tasks.run_exp";
/// Celery's default queue (`task_default_queue`), the one DVC's `iter_queued` reads.
const DEFAULT_QUEUE: &str = "celery";

/// What can go wrong reading DVC's queue.
#[derive(Debug, thiserror::Error)]
pub enum DvcQueueError {
    /// The broker folder or a message could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A message is not a DVC experiment task DVC could read either.
    #[error(
        "{path}: not a readable dvc queue message ({reason}); `dvc queue remove` it or delete the file"
    )]
    BadMessage {
        /// The message file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

/// One experiment DVC queued and no worker has taken yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DvcQueued {
    /// The stash commit to run (also DVC's task id for the experiment).
    pub stash_rev: String,
    /// The commit the experiment is based on.
    pub baseline_rev: String,
    /// Experiment name (DVC always generates one; older versions may not have).
    pub name: Option<String>,
    /// Branch the experiment continues, if any (`exp run --queue` from a branch).
    pub branch: Option<String>,
    /// Celery task id (the message's `id` header).
    pub task_id: String,
    /// The message file.
    pub message: PathBuf,
}

impl DvcQueued {
    /// `executor` of the entry in `dvc exp show --json`
    /// (`ExpExecutor("queued", name="dvc-task", local=LocalExpExecutor(task_id=…))`).
    pub fn executor_json(&self) -> Value {
        json!({
            "state": "queued",
            "name": "dvc-task",
            "local": {
                "root": null,
                "log": null,
                "pid": null,
                "returncode": null,
                "task_id": self.stash_rev,
            },
        })
    }
}

/// `.dvc/tmp/exps/celery`, DVC's `LocalCeleryQueue.wdir`.
pub fn celery_dir(root: &Path) -> PathBuf {
    root.join(".dvc").join("tmp").join("exps").join("celery")
}

/// Queued experiments in DVC's order (message file names, which start with the
/// enqueue time in ms). No broker folder means no DVC queue: an empty list.
pub fn list_queued(root: &Path) -> Result<Vec<DvcQueued>, DvcQueueError> {
    read_folder(&celery_dir(root).join("broker").join("in"))
}

/// Whether a broker file is a message of celery's default queue, the one DVC's tasks go
/// to: kombu names each `<ms>_<uuid>.<queue>.msg`, so a worker's control messages
/// (`….celery.pidbox.msg`) and other queues' are told apart without reading them.
pub fn is_task_message(file_name: &str) -> bool {
    file_name.ends_with(&format!(".{DEFAULT_QUEUE}.msg"))
}

/// The experiment tasks in one broker folder, in DVC's order.
fn read_folder(dir: &Path) -> Result<Vec<DvcQueued>, DvcQueueError> {
    let dir = dir.to_path_buf();
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(DvcQueueError::Io { path: dir, source }),
    };
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for ent in rd {
        let ent = ent.map_err(|source| DvcQueueError::Io {
            path: dir.clone(),
            source,
        })?;
        let name = ent.file_name().to_string_lossy().into_owned();
        // The worker's control chatter (`*.pidbox.msg`) piles up beside the tasks.
        if is_task_message(&name) {
            // DVC sorts `os.listdir` by name (str order = byte order for these names).
            files.push((name, ent.path()));
        }
    }
    files.sort();
    let mut out = Vec::new();
    for (_, path) in files {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            // A worker may have taken the message between listing and reading (DVC
            // skips these too).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(DvcQueueError::Io { path, source }),
        };
        // kombu writes messages in place; an empty file is one being written.
        if bytes.is_empty() {
            continue;
        }
        if let Some(q) = parse_message(&bytes).map_err(|reason| DvcQueueError::BadMessage {
            path: path.clone(),
            reason,
        })? {
            out.push(DvcQueued { message: path, ..q });
        }
    }
    Ok(out)
}

/// How a task a DVC worker took ended (`LocalCeleryQueue.iter_success/iter_failed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoneState {
    /// Recorded as this experiment ref.
    Success {
        /// `refs/exps/…/<name>`.
        exp_ref: String,
    },
    /// No experiment came out of it.
    Failed,
}

impl DoneState {
    /// `success` or `failed`, as `queue status` lists it.
    pub fn label(&self) -> &'static str {
        match self {
            DoneState::Success { .. } => "success",
            DoneState::Failed => "failed",
        }
    }
}

/// A task a DVC worker finished, with what `exp show` needs about it.
#[derive(Debug, Clone)]
pub struct DvcDone {
    /// The task.
    pub entry: DvcQueued,
    /// How it ended.
    pub state: DoneState,
    /// The worker process record (`dvc_task` `ProcessInfo`), if still there.
    pub proc: Option<ProcInfo>,
}

/// `.dvc/tmp/exps/run/<stash_rev>/<stash_rev>.json`, written by dvc-task's process
/// manager.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProcInfo {
    /// Process id.
    pub pid: Option<i64>,
    /// Log file.
    pub stdout: Option<String>,
    /// Exit code.
    pub returncode: Option<i64>,
}

impl DvcDone {
    /// `executor` as `collect_success_executors` / `collect_failed_data` build it.
    pub fn executor_json(&self) -> Value {
        let local = match &self.proc {
            Some(p) => json!({
                "root": null,
                "log": p.stdout,
                "pid": p.pid,
                "returncode": p.returncode,
                "task_id": self.entry.stash_rev,
            }),
            None => Value::Null,
        };
        match self.state {
            DoneState::Success { .. } => {
                json!({"state": "success", "name": "dvc-task", "local": local})
            }
            DoneState::Failed => json!({"state": "failed", "name": null, "local": local}),
        }
    }
}

/// `ExecutorInfo` (`.dvc/tmp/exps/run/<rev>/<rev>.run`): the fields Cairn reads.
#[derive(Deserialize)]
struct ExecutorInfo {
    result_hash: Option<String>,
    result_ref: Option<String>,
    root_dir: Option<String>,
    dvc_dir: Option<String>,
    location: Option<String>,
}

/// Celery's file result backend record (`celery/result/celery-task-meta-<id>`).
#[derive(Deserialize)]
struct TaskMeta {
    status: String,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, DvcQueueError> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| DvcQueueError::BadMessage {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DvcQueueError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// `.dvc/tmp/exps/run/<stash_rev>`, where DVC keeps a task's executor and process files.
fn run_dir(root: &Path, stash_rev: &str) -> PathBuf {
    root.join(".dvc")
        .join("tmp")
        .join("exps")
        .join("run")
        .join(stash_rev)
}

/// The tasks DVC workers have taken (`broker/processed`), split as DVC's
/// `_iter_active_tasks` / `_iter_done_tasks` split them: by whether celery's result
/// backend has a ready result.
#[derive(Debug, Clone, Default)]
pub struct Taken {
    /// Running now (DVC's `iter_active`), with where each works.
    pub active: Vec<DvcActive>,
    /// Finished, successfully or not (DVC's `iter_done`), from the result records and
    /// the executor info files.
    pub done: Vec<DvcDone>,
}

/// Reads the tasks DVC workers have taken, in one pass over `broker/processed`.
pub fn list_taken(root: &Path) -> Result<Taken, DvcQueueError> {
    let celery = celery_dir(root);
    let mut taken = Taken::default();
    for entry in read_folder(&celery.join("broker").join("processed"))? {
        let meta: Option<TaskMeta> = read_json(
            &celery
                .join("result")
                .join(format!("celery-task-meta-{}", entry.task_id)),
        )?;
        // Celery's READY_STATES; anything else (no record yet = PENDING) is active.
        let ready = meta
            .map(|m| m.status)
            .filter(|s| ["SUCCESS", "FAILURE", "REVOKED"].contains(&s.as_str()));
        let dir = run_dir(root, &entry.stash_rev);
        let info: Option<ExecutorInfo> = read_json(&dir.join(format!("{}.run", entry.stash_rev)))?;
        let proc = || read_json::<ProcInfo>(&dir.join(format!("{}.json", entry.stash_rev)));
        let Some(status) = ready else {
            let exec = info.and_then(|i| {
                Some(ExecDir {
                    root_dir: PathBuf::from(i.root_dir?),
                    dvc_dir: i.dvc_dir.unwrap_or_else(|| ".dvc".into()),
                    location: i.location.unwrap_or_else(|| "dvc-task".into()),
                })
            });
            let proc = proc()?;
            taken.active.push(DvcActive { entry, exec, proc });
            continue;
        };
        let state = match info {
            Some(ExecutorInfo {
                result_hash: Some(_),
                result_ref: Some(r),
                ..
            }) => DoneState::Success { exp_ref: r },
            Some(ExecutorInfo {
                result_hash: None, ..
            }) => DoneState::Failed,
            // Without its info file DVC counts a failed task as failed and refuses a
            // "successful" one; a hash without a ref is neither.
            None if status == "FAILURE" => DoneState::Failed,
            _ => continue,
        };
        let proc = proc()?;
        taken.done.push(DvcDone { entry, state, proc });
    }
    Ok(taken)
}

/// Where a running task works: its executor's temporary repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecDir {
    /// The temporary repository (`.dvc/tmp/exps/tmpXXXXXXXX`).
    pub root_dir: PathBuf,
    /// The DVC project's `.dvc` inside it (`.dvc`, or `sub/.dvc` for a project in a
    /// subdirectory of its git repository).
    pub dvc_dir: String,
    /// The executor's name (`dvc-task`).
    pub location: String,
}

impl ExecDir {
    /// The DVC project inside the temporary repository — where `exp show` reads the
    /// running experiment's params and metrics, as DVC's `Repo(root_dir/dvc_dir)` does.
    pub fn project(&self) -> PathBuf {
        let dvc = self.root_dir.join(&self.dvc_dir);
        dvc.parent()
            .map_or(self.root_dir.clone(), Path::to_path_buf)
    }
}

/// A task a DVC worker is running now (taken from the queue, no result yet).
#[derive(Debug, Clone)]
pub struct DvcActive {
    /// The task.
    pub entry: DvcQueued,
    /// Its executor's directory; `None` while the worker is still setting it up (DVC
    /// has not written the executor info file yet).
    pub exec: Option<ExecDir>,
    /// The worker process record, once there is one.
    pub proc: Option<ProcInfo>,
}

impl DvcActive {
    /// `executor` of the running entry in `dvc exp show --json`
    /// (`ExpExecutor("running", name=info.location, local=LocalExpExecutor(…))`; no
    /// `local` without a process record).
    pub fn executor_json(&self) -> Value {
        let local = match &self.proc {
            Some(p) => json!({
                "root": self.exec.as_ref().map(|e| e.root_dir.to_string_lossy().into_owned()),
                "log": p.stdout,
                "pid": p.pid,
                "returncode": null,
                "task_id": self.entry.stash_rev,
            }),
            None => Value::Null,
        };
        json!({
            "state": "running",
            "name": self.exec.as_ref().map(|e| e.location.clone()),
            "local": local,
        })
    }
}

/// Running tasks' stash commits and the DVC projects their executors work in; an
/// unreadable queue has none (callers only use this to find live readings).
pub fn running_projects(root: &Path) -> Vec<(String, PathBuf)> {
    list_taken(root)
        .map(|t| t.active)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| Some((a.entry.stash_rev, a.exec?.project())))
        .collect()
}

/// The queued entry whose name is `what` or whose stash commit starts with it (DVC's
/// `match_queue_entry_by_name`).
pub fn find_queued(root: &Path, what: &str) -> Result<Option<DvcQueued>, DvcQueueError> {
    let all = list_queued(root)?;
    if let Some(q) = all.iter().find(|q| q.name.as_deref() == Some(what)) {
        return Ok(Some(q.clone()));
    }
    let hex = !what.is_empty() && what.bytes().all(|b| b.is_ascii_hexdigit());
    Ok(all
        .into_iter()
        .find(|q| hex && q.stash_rev.starts_with(&what.to_ascii_lowercase())))
}

#[derive(Deserialize)]
struct Message {
    body: String,
    #[serde(default)]
    headers: Headers,
    #[serde(default)]
    properties: Properties,
}

#[derive(Deserialize, Default)]
struct Headers {
    task: Option<String>,
    id: Option<String>,
}

#[derive(Deserialize, Default)]
struct Properties {
    body_encoding: Option<String>,
    #[serde(default)]
    delivery_info: DeliveryInfo,
}

#[derive(Deserialize, Default)]
struct DeliveryInfo {
    routing_key: Option<String>,
}

#[derive(Deserialize)]
struct EntryDict {
    stash_rev: String,
    baseline_rev: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// One message: `Ok(None)` for messages DVC's `iter_queued` skips (other tasks, other
/// queues), `Err` for ones it could not decode either.
fn parse_message(bytes: &[u8]) -> Result<Option<DvcQueued>, String> {
    let msg: Message = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if msg.properties.delivery_info.routing_key.as_deref() != Some(DEFAULT_QUEUE)
        || msg.headers.task.as_deref() != Some(RUN_EXP_TASK)
    {
        return Ok(None);
    }
    let body = match msg.properties.body_encoding.as_deref() {
        Some("base64") => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(msg.body.trim())
                .map_err(|e| format!("body is not valid base64: {e}"))?
        }
        None => msg.body.into_bytes(),
        Some(other) => return Err(format!("unknown body encoding '{other}'")),
    };
    // celery protocol 2: `[args, kwargs, embed]`; DVC's task takes the entry as the
    // first argument or as `entry_dict=` (`kwargs.get("entry_dict", args[0])`).
    let payload: Value = serde_json::from_slice(&body).map_err(|e| format!("body: {e}"))?;
    let entry = payload
        .get(1)
        .and_then(|kw| kw.get("entry_dict"))
        .or_else(|| payload.get(0).and_then(|args| args.get(0)))
        .ok_or("no queue entry in the task arguments")?;
    let e: EntryDict =
        serde_json::from_value(entry.clone()).map_err(|e| format!("queue entry: {e}"))?;
    for rev in [&e.stash_rev, &e.baseline_rev] {
        if rev.len() != 40 || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("'{rev}' is not a commit id"));
        }
    }
    Ok(Some(DvcQueued {
        stash_rev: e.stash_rev,
        baseline_rev: e.baseline_rev,
        name: e.name,
        branch: e.branch,
        task_id: msg.headers.id.unwrap_or_default(),
        message: PathBuf::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message as dvc 3.67.1 writes it (trimmed headers), body included verbatim.
    const MSG: &str = r#"{"body": "W1t7ImR2Y19yb290IjogIi90bXAvZHEvciIsICJzY21fcm9vdCI6ICIvdG1wL2RxL3IiLCAic3Rhc2hfcmVmIjogInJlZnMvZXhwcy9jZWxlcnkvc3Rhc2giLCAic3Rhc2hfcmV2IjogImE0YzQzMzNhMmExZWJlZGVlYTQ0MTJhN2EwZTc4NDMwODY5NDExYjIiLCAiYmFzZWxpbmVfcmV2IjogIjU5NDRkMzZjZDlhMmY4MGE4OTJjYTliOGU5MTRlMTdlNGY5YjM5MTUiLCAiYnJhbmNoIjogbnVsbCwgIm5hbWUiOiAicTEiLCAiaGVhZF9yZXYiOiAiNTk0NGQzNmNkOWEyZjgwYTg5MmNhOWI4ZTkxNGUxN2U0ZjliMzkxNSJ9XSwgeyJjb3B5X3BhdGhzIjogW10sICJtZXNzYWdlIjogbnVsbH0sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "dvc.repo.experiments.queue.tasks.run_exp", "id": "dbfcb92b-868c-4ba0-b79d-81d0bf7608fc"}, "properties": {"correlation_id": "dbfcb92b-868c-4ba0-b79d-81d0bf7608fc", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "celery"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "75fa29f0-2014-4210-aaf8-237b326af0fd"}}"#;

    #[test]
    fn reads_a_dvc_message() {
        let q = parse_message(MSG.as_bytes()).unwrap().unwrap();
        assert_eq!(q.stash_rev, "a4c4333a2a1ebedeea4412a7a0e78430869411b2");
        assert_eq!(q.baseline_rev, "5944d36cd9a2f80a892ca9b8e914e17e4f9b3915");
        assert_eq!(q.name.as_deref(), Some("q1"));
        assert_eq!(q.branch, None);
        assert_eq!(q.task_id, "dbfcb92b-868c-4ba0-b79d-81d0bf7608fc");
    }

    #[test]
    fn skips_other_tasks_and_rejects_garbage() {
        let other = MSG.replace("queue.tasks.run_exp", "queue.tasks.cleanup_exp");
        assert_eq!(parse_message(other.as_bytes()), Ok(None));
        let other_queue = MSG.replace(r#""routing_key": "celery""#, r#""routing_key": "x""#);
        assert_eq!(parse_message(other_queue.as_bytes()), Ok(None));
        assert!(parse_message(b"{").is_err());
        let bad_body = MSG.replace(r#""body": "W1t7"#, r#""body": "!!!!W1t7"#);
        assert!(parse_message(bad_body.as_bytes()).is_err());
    }
}
