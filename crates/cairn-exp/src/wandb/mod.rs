//! Weights & Biases runs in a project: every run folder W&B leaves under `wandb/`
//! (`offline-run-…` in offline mode, `run-…` online), read from its `run-<id>.wandb`
//! file without W&B, its server or an account. That file is the run's whole record —
//! in offline mode the only one — and W&B's sync uploads it as it is: the run's name
//! and start, its config, each `log` call's values at their step, the summary (the last
//! value of each key unless the program set or `define_metric` chose another) and the
//! exit code. The file grows while the run trains (W&B flushes every few seconds), and
//! is re-read from where the last read stopped.

mod file;
mod log;
mod proto;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::series::Series;
use crate::tail::Tail;
use file::FileData;

/// The column file of W&B config values and metrics.
pub const FILE: &str = "wandb";

/// A run whose file has not changed for this long without an exit record is taken to
/// have died (W&B writes system metrics every 15 s while a run lives).
const ALIVE: Duration = Duration::from_secs(120);

static FILES: Tail<FileData> = Tail::new();

/// How a run ended, as far as its file tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exited with code 0.
    Finished,
    /// Exited with another code.
    Failed(i32),
    /// No exit record, and the file changed lately: still training.
    Running,
    /// No exit record and no change for minutes: killed, or its machine stopped (W&B
    /// shows it as crashed).
    Crashed,
}

/// One W&B run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its folder relative to the project (`wandb/offline-run-20261128_120551-784hdeh2`).
    pub id: String,
    /// W&B's run id (`784hdeh2`).
    pub run_id: String,
    /// Its display name (W&B's generated one unless the program named it).
    pub name: String,
    pub start_ms: Option<i64>,
    pub status: Status,
    /// The config, nested dicts flattened with `.`.
    pub config: BTreeMap<String, Value>,
    /// The summary's numbers, nested dicts flattened with `.` (W&B's own `_…` keys and
    /// logged media left out).
    pub summary: BTreeMap<String, f64>,
    /// Each logged number's `(step, value)` points in step order (then logging order).
    pub history: BTreeMap<String, Vec<(f64, f64)>>,
    /// Where a checksum or the framing of its file failed: nothing after it is read.
    pub damaged_at: Option<u64>,
}

impl Run {
    /// Each metric's value as W&B's runs table shows it: the summary (which W&B keeps
    /// at each key's last value unless told otherwise); the last logged values when a
    /// file holds no summary.
    pub fn latest(&self) -> BTreeMap<String, f64> {
        if self.summary.is_empty() {
            crate::series::latest(&self.history)
        } else {
            self.summary.clone()
        }
    }

    /// The logged numbers as step series (named by key).
    pub fn series(&self) -> Vec<Series> {
        crate::series::from_histories(&self.history, &format!("{FILE}/{}", self.id))
    }
}

/// Whether a file name is a W&B run file's (`run-<id>.wandb`).
pub fn is_run_file(name: &str) -> bool {
    name.starts_with("run-") && name.ends_with(".wandb")
}

/// Every W&B run under `root` that logged anything, newest first.
pub fn runs(root: &Path) -> Vec<Run> {
    let mut out: Vec<Run> = crate::logdirs::folders(root, is_run_file)
        .into_iter()
        .filter_map(|(dir, files)| read_run(root, &dir, files.first()?))
        .collect();
    out.sort_by(|a, b| b.start_ms.cmp(&a.start_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The run in folder `id` (as [`Run::id`]); only that folder is read.
pub fn run(root: &Path, id: &str) -> Option<Run> {
    let (dir, files) = crate::logdirs::folder(root, id, is_run_file)?;
    read_run(root, &dir, files.first()?)
}

fn read_run(root: &Path, dir: &Path, file: &Path) -> Option<Run> {
    let data = FILES.load(file)?;
    if data.run_id.is_empty() {
        // Nothing flushed yet (or not a run's file).
        return None;
    }
    let status = match data.exit {
        Some(0) => Status::Finished,
        Some(code) => Status::Failed(code),
        None => {
            let changed = std::fs::metadata(file).and_then(|m| m.modified()).ok();
            let idle = changed.and_then(|t| SystemTime::now().duration_since(t).ok());
            if idle.is_some_and(|d| d > ALIVE) {
                Status::Crashed
            } else {
                Status::Running
            }
        }
    };
    let mut config = indexmap::IndexMap::new();
    crate::collect::flatten("", &Value::Object(data.config.clone()), &mut config);
    let mut summary = Vec::new();
    for (k, v) in &data.summary {
        file::numeric_leaves(k, v, &mut summary);
    }
    let history = data
        .history
        .iter()
        .map(|(k, pts)| {
            let mut pts = pts.clone();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            (k.clone(), pts)
        })
        .collect();
    Some(Run {
        id: crate::logdirs::id(root, dir),
        run_id: data.run_id.clone(),
        name: if data.name.is_empty() {
            data.run_id.clone()
        } else {
            data.name.clone()
        },
        start_ms: data.start_ms,
        status,
        config: config.into_iter().filter(|(k, _)| !k.is_empty()).collect(),
        summary: summary.into_iter().collect(),
        history,
        damaged_at: data.corrupt_at,
    })
}

#[cfg(test)]
mod tests;
