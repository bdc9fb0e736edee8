//! What a queued experiment has logged so far while it runs in a working copy of its own
//! (a worktree here, or a folder on an SSH worker): its metrics and step series, read from
//! that copy every second and kept beside the queue entry as `<id>.live.json`. The
//! experiments table and its charts read them there, so a sweep is followed live as a run
//! in the work tree is.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::collect::FileResult;
use crate::series::Series;
use crate::snapshot::Snapshot;

/// Points kept per series: enough for a chart, small enough to send every second. The
/// whole series arrives with the experiment's commit — or, for a run in a worktree on
/// this machine, is read from there whenever a chart asks ([`series_in_place`]).
const POINTS: usize = 1000;

/// How often the working copy is read.
const EVERY: Duration = Duration::from_secs(1);

/// A running experiment's results so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Live {
    /// Metrics files (repo-relative) and their values.
    pub metrics: IndexMap<String, Value>,
    /// Step series, decimated to [`POINTS`].
    pub series: Vec<Series>,
}

impl Live {
    /// Nothing logged yet.
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty() && self.series.is_empty()
    }

    /// The metrics as the experiments table reads a revision's.
    pub fn metric_results(&self) -> IndexMap<String, FileResult> {
        self.metrics
            .iter()
            .map(|(f, v)| (f.clone(), FileResult::Data(v.clone())))
            .collect()
    }
}

/// The moment from which files in the working copy at `wt` are the run's results, on
/// the file system's clock: its timestamps are coarser than [`SystemTime::now`] and may
/// lag it, so it is read from a file written now.
pub fn start(wt: &Path) -> SystemTime {
    let marker = marker(wt);
    let stamped = marker.parent().map(std::fs::create_dir_all);
    match stamped.map(|_| std::fs::write(&marker, b"")) {
        Some(Ok(())) => std::fs::metadata(&marker)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now()),
        _ => SystemTime::now(),
    }
}

/// The file whose time [`start`] stamps.
fn marker(wt: &Path) -> PathBuf {
    wt.join(".dvc").join("tmp").join("cairn-live-since")
}

/// What the working copy at `wt` holds that was written after `since` (the baseline's
/// files, checked out before the run began, are not this run's results).
pub fn read(wt: &Path, since: SystemTime) -> Live {
    read_with(wt, since, Some(POINTS))
}

/// Every point of the step series running entry `id` has logged so far, when it runs
/// in a worktree on this machine (`None` otherwise: a worker's run is known only by the
/// readings it sends). A long run's chart can then be zoomed to its full resolution
/// while it trains.
pub fn series_in_place(root: &Path, id: &str) -> Option<Vec<Series>> {
    // Only while it runs: its readings are kept until it ends.
    if !is_entry_id(id) || !path(root, id).is_file() {
        return None;
    }
    let wt = crate::queue::worktree_path(root, id);
    let since = std::fs::metadata(marker(&wt))
        .and_then(|m| m.modified())
        .ok()?;
    Some(read_with(&wt, since, None).series)
}

fn read_with(wt: &Path, since: SystemTime, points: Option<usize>) -> Live {
    let fresh = |rel: &str| {
        std::fs::metadata(wt.join(rel))
            .and_then(|m| m.modified())
            .is_ok_and(|t| t > since)
    };
    let snap = Snapshot::workspace(wt);
    let metrics = crate::collect::read_metrics(&snap)
        .into_iter()
        .filter(|(f, _)| fresh(f))
        .filter_map(|(f, r)| match r {
            FileResult::Data(v) => Some((f, v)),
            // Half-written while we read it: the next reading has it.
            FileResult::Error(_) => None,
        })
        .collect();
    let series = crate::series::load_all(&snap)
        .into_iter()
        .filter(|s| fresh(&s.file))
        .map(|mut s| {
            if let Some(n) = points {
                s.points = crate::series::decimate(&s.points, n, None);
            }
            s
        })
        .collect();
    Live { metrics, series }
}

/// Reads `wt` every second until `stop`, handing each reading that differs from the last
/// one (as JSON) to `publish`.
pub fn follow(wt: &Path, since: SystemTime, stop: &AtomicBool, publish: &(dyn Fn(&str) + Sync)) {
    let mut last = String::new();
    let report = |last: &mut String| {
        let live = read(wt, since);
        if live.is_empty() {
            return;
        }
        let json = serde_json::to_string(&live).expect("serialisable");
        if json != *last {
            publish(&json);
            *last = json;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        // Sleep in short steps so the run's end is not held up.
        for _ in 0..10 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(EVERY / 10);
        }
        report(&mut last);
    }
}

/// `.dvc/tmp/cairn/queue/<id>.live.json`.
pub fn path(root: &Path, id: &str) -> PathBuf {
    crate::queue::queue_dir(root).join(format!("{id}.live.json"))
}

/// Keeps a reading (JSON from [`follow`], here or from a worker) for entry `id`; one
/// that does not parse is dropped.
pub fn save(root: &Path, id: &str, json: &str) {
    if serde_json::from_str::<Live>(json).is_ok() {
        let p = path(root, id);
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = cairn_core::write_atomic(&p, json.as_bytes());
    }
}

/// The last reading of entry `id`, if it is running and has logged something.
pub fn load(root: &Path, id: &str) -> Option<Live> {
    if !is_entry_id(id) {
        return None;
    }
    let text = std::fs::read_to_string(path(root, id)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Entry ids are hex; anything else (a branch, `HEAD~1`) is no entry.
fn is_entry_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Forgets entry `id`'s readings (its run is over).
pub fn remove(root: &Path, id: &str) {
    let _ = std::fs::remove_file(path(root, id));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_run_wrote_is_read_and_series_are_decimated() {
        let dir = tempfile::tempdir().unwrap();
        let wt = dir.path();
        std::fs::write(
            wt.join("dvc.yaml"),
            "stages:\n  train:\n    cmd: python train.py\n    metrics:\n    - metrics.json:\n        cache: false\n    - old.json:\n        cache: false\n",
        )
        .unwrap();
        std::fs::write(wt.join("old.json"), r#"{"acc": 0.1}"#).unwrap();
        let since = start(wt);
        assert!(
            read(wt, since).is_empty(),
            "the baseline's files are not the run's"
        );
        // A tick of the file system's clock later.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(wt.join("metrics.json"), r#"{"acc": 0.9}"#).unwrap();
        let plots = wt.join("dvclive/plots/metrics");
        std::fs::create_dir_all(&plots).unwrap();
        let mut tsv = String::from("step\tloss\n");
        for i in 0..5000 {
            tsv.push_str(&format!("{i}\t{}\n", 1.0 / (i + 1) as f64));
        }
        std::fs::write(plots.join("loss.tsv"), tsv).unwrap();
        let live = read(wt, since);
        assert_eq!(live.metrics.keys().collect::<Vec<_>>(), ["metrics.json"]);
        assert_eq!(live.metrics["metrics.json"]["acc"], 0.9);
        let loss = live.series.iter().find(|s| s.name == "loss").unwrap();
        assert!(loss.points.len() <= 2 * POINTS && loss.points.len() > 100);
        assert_eq!(loss.points.first(), Some(&(0.0, 1.0)));
        assert_eq!(loss.points.last().unwrap().0, 4999.0);
        let back: Live = serde_json::from_str(&serde_json::to_string(&live).unwrap()).unwrap();
        assert_eq!(back, live);
    }

    #[test]
    fn a_run_in_a_worktree_here_is_charted_at_full_resolution() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let id = "abc123";
        let init = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(root)
            .status()
            .unwrap();
        assert!(init.success());
        let wt = crate::queue::worktree_path(root, id);
        std::fs::create_dir_all(wt.join("dvclive/plots/metrics")).unwrap();
        std::fs::write(
            wt.join("dvc.yaml"),
            "stages:\n  train:\n    cmd: python train.py\n",
        )
        .unwrap();
        let since = start(&wt);
        std::thread::sleep(Duration::from_millis(20));
        let mut tsv = String::from("step\tloss\n");
        for i in 0..5000 {
            tsv.push_str(&format!("{i}\t{}\n", (i % 7) as f64));
        }
        std::fs::write(wt.join("dvclive/plots/metrics/loss.tsv"), tsv).unwrap();
        // Not running (no readings kept): nothing read in place.
        assert_eq!(series_in_place(root, id), None);
        save(root, id, &serde_json::to_string(&read(&wt, since)).unwrap());
        let decimated = load(root, id).unwrap().series;
        assert!(decimated[0].points.len() < 5000);
        let full = series_in_place(root, id).unwrap();
        assert_eq!(full[0].points.len(), 5000);
        // The app's charts get the full series (decimated only for their width later).
        let charted = crate::series::load_rev(root, Some(id)).unwrap();
        assert_eq!(charted[0].points.len(), 5000);
        remove(root, id);
        assert_eq!(series_in_place(root, id), None);
    }

    #[test]
    fn readings_are_kept_per_entry_and_only_under_hex_ids() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let live = Live {
            metrics: [("m.json".to_string(), serde_json::json!({"a": 1}))].into(),
            series: Vec::new(),
        };
        save(root, "abc123", &serde_json::to_string(&live).unwrap());
        save(root, "abc124", "{not json");
        assert_eq!(load(root, "abc123"), Some(live));
        assert_eq!(load(root, "abc124"), None);
        assert_eq!(load(root, "../abc123"), None);
        remove(root, "abc123");
        assert_eq!(load(root, "abc123"), None);
    }
}
