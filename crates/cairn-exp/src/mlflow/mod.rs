//! MLflow runs kept in a project's `mlruns/` folder (MLflow's file store, what
//! `mlflow.log_param`/`log_metric` write without a tracking server, or what was rsync'd
//! back from a cluster), read without MLflow: each run's name, start time, status,
//! params and metric histories. Cairn shows them beside the DVC experiments, read-only.
//!
//! Layout: `mlruns/<experiment id>/meta.yaml` (the experiment's `name`), and per run
//! `mlruns/<experiment id>/<run id>/` with `meta.yaml` (`run_name`, `start_time` in ms,
//! `status` 1–5, `lifecycle_stage`), `params/<key>` (the value as text), `metrics/<key>`
//! (lines `timestamp value step`) and `tags/<key>`; keys with `/` are nested folders.

mod cache;

use std::collections::BTreeMap;
use std::path::Path;

use crate::series::Series;
use cache::{Witnesses, stamp};

/// The folder MLflow's file store uses by default, relative to where it ran.
pub const MLRUNS: &str = "mlruns";

/// One MLflow run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The run id (a 32-hex uuid).
    pub id: String,
    /// Its experiment's name (`Default` for id 0).
    pub experiment: String,
    /// The run's name (`run_name`, else the `mlflow.runName` tag, else its id).
    pub name: String,
    /// Start time, ms since the epoch.
    pub start_ms: Option<i64>,
    /// `running`, `scheduled`, `finished`, `failed` or `killed`.
    pub status: String,
    /// Params as logged (MLflow keeps them as text).
    pub params: BTreeMap<String, String>,
    /// Each metric's history as `(step, value)`, in step order (then logging order).
    pub metrics: BTreeMap<String, Vec<(f64, f64)>>,
}

impl Run {
    /// Each metric's latest value: the one at the highest step, the last logged there
    /// (what MLflow's UI shows as the metric's value).
    pub fn latest(&self) -> BTreeMap<String, f64> {
        crate::series::latest(&self.metrics)
    }

    /// The metric histories as step series (named by metric key).
    pub fn series(&self) -> Vec<Series> {
        crate::series::from_histories(&self.metrics, &format!("{MLRUNS}/{}", self.id))
    }
}

/// Every live (not deleted) run under `root/mlruns`, newest first; none without the
/// folder. A run whose files cannot be read is skipped rather than failing the rest.
pub fn runs(root: &Path) -> Vec<Run> {
    let base = root.join(MLRUNS);
    let Ok(experiments) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for exp in experiments.flatten() {
        let dir = exp.path();
        let exp_meta = flat_yaml(&dir.join("meta.yaml"));
        // `.trash`, `models` and anything else without an experiment's meta.yaml.
        if exp_meta.is_empty()
            || exp_meta.get("lifecycle_stage").map(String::as_str) == Some("deleted")
        {
            continue;
        }
        let experiment = exp_meta.get("name").cloned().unwrap_or_default();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for run in entries.flatten() {
            let path = run.path();
            if path.is_dir()
                && let Some(r) = read_run(&path, &experiment)
            {
                out.push(r);
            }
        }
    }
    out.sort_by(|a, b| b.start_ms.cmp(&a.start_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The run `id` under `root/mlruns`, if there is one: only its own folder is read (a
/// chart asks for a few runs of a store that may hold thousands).
pub fn run(root: &Path, id: &str) -> Option<Run> {
    if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
        return None;
    }
    std::fs::read_dir(root.join(MLRUNS))
        .ok()?
        .flatten()
        .map(|exp| exp.path())
        .filter(|dir| dir.join(id).is_dir())
        .find_map(|dir| {
            let exp_meta = flat_yaml(&dir.join("meta.yaml"));
            if exp_meta.is_empty()
                || exp_meta.get("lifecycle_stage").map(String::as_str) == Some("deleted")
            {
                return None;
            }
            read_run(
                &dir.join(id),
                exp_meta.get("name").map_or("", String::as_str),
            )
        })
}

/// The run in `dir`, from the cache while nothing it was read from changed.
fn read_run(dir: &Path, experiment: &str) -> Option<Run> {
    cache::get(dir, || {
        let mut witnesses = Witnesses::new();
        let run = read_run_files(dir, experiment, &mut witnesses);
        (run, witnesses)
    })
}

fn read_run_files(dir: &Path, experiment: &str, witnesses: &mut Witnesses) -> Option<Run> {
    let meta_path = dir.join("meta.yaml");
    witnesses.push((meta_path.clone(), stamp(&meta_path)));
    let meta = flat_yaml(&meta_path);
    let id = meta.get("run_id").or_else(|| meta.get("run_uuid"))?.clone();
    if meta.get("lifecycle_stage").map(String::as_str) == Some("deleted") {
        return None;
    }
    let tags = texts(&dir.join("tags"), witnesses, |key| key == "mlflow.runName");
    let name = meta
        .get("run_name")
        .filter(|n| !n.is_empty())
        .or_else(|| tags.get("mlflow.runName"))
        .cloned()
        .unwrap_or_else(|| id.clone());
    let status = match meta.get("status").map(String::as_str) {
        Some("1" | "RUNNING") => "running",
        Some("2" | "SCHEDULED") => "scheduled",
        Some("4" | "FAILED") => "failed",
        Some("5" | "KILLED") => "killed",
        _ => "finished",
    };
    let metrics = texts(&dir.join("metrics"), witnesses, |_| true)
        .into_iter()
        .map(|(k, text)| (k, history(&text)))
        .filter(|(_, pts)| !pts.is_empty())
        .collect();
    Some(Run {
        id,
        experiment: experiment.to_string(),
        name,
        start_ms: meta.get("start_time").and_then(|t| t.parse().ok()),
        status: status.to_string(),
        params: texts(&dir.join("params"), witnesses, |_| false),
        metrics,
    })
}

/// A metric file's `timestamp value [step]` lines as `(step, value)` points in step
/// order (a stable sort: several values at one step keep their logging order).
fn history(text: &str) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let _timestamp = f.next()?;
            let value: f64 = f.next()?.parse().ok()?;
            let step: f64 = f.next().map_or(Some(0.0), |s| s.parse().ok())?;
            Some((step, value))
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

/// Every file under `dir` (keys with `/` are nested folders) with its text. Every
/// folder is witnessed (a new key adds a file), and the files whose key `changes` says
/// may be rewritten.
fn texts(
    dir: &Path,
    witnesses: &mut Witnesses,
    changes: impl Fn(&str) -> bool,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        witnesses.push((dir.to_path_buf(), None));
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_dir() {
            witnesses.push((entry.path().to_path_buf(), stamp(entry.path())));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let key = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if changes(&key) {
            witnesses.push((entry.path().to_path_buf(), stamp(entry.path())));
        }
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            out.insert(key, text.trim_end_matches('\n').to_string());
        }
    }
    out
}

/// The top-level `key: value` lines of one of MLflow's `meta.yaml` files (flat mappings
/// written by `yaml.safe_dump`; quotes around a value are dropped). Empty when missing.
fn flat_yaml(path: &Path) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    text.lines()
        .filter(|l| !l.starts_with([' ', '-', '#']))
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            let v = v.trim();
            let v = v
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| v.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                .unwrap_or(v);
            Some((k.trim().to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run as MLflow's file store writes it.
    fn write_run(exp: &Path, id: &str, meta: &str, files: &[(&str, &str)]) {
        let dir = exp.join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("meta.yaml"), meta).unwrap();
        for (rel, text) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    #[test]
    fn runs_are_read_as_mlflow_writes_them() {
        let root = tempfile::tempdir().unwrap();
        let exp = root.path().join("mlruns/0");
        std::fs::create_dir_all(&exp).unwrap();
        std::fs::write(
            exp.join("meta.yaml"),
            "artifact_location: file:///x/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
        )
        .unwrap();
        write_run(
            &exp,
            "a1",
            "artifact_uri: file:///x\nend_time: 1700000001000\nexperiment_id: '0'\nlifecycle_stage: active\nrun_id: a1\nrun_name: bold-fox-12\nrun_uuid: a1\nstart_time: 1700000000000\nstatus: 3\ntags: []\nuser_id: me\n",
            &[
                ("params/lr", "0.01"),
                ("params/model/depth", "4"),
                (
                    "metrics/loss",
                    "1700000000000 0.9 0\n1700000000100 0.5 1\n1700000000200 0.4 2\n",
                ),
                (
                    "metrics/train/acc",
                    "1700000000300 0.7 2\n1700000000000 0.6 1\n",
                ),
                ("tags/mlflow.runName", "bold-fox-12"),
            ],
        );
        // A later run named only by its tag, failed; a deleted one; the trash.
        write_run(
            &exp,
            "b2",
            "run_id: b2\nrun_name: ''\nstart_time: 1700000005000\nstatus: 4\nlifecycle_stage: active\n",
            &[
                ("tags/mlflow.runName", "tagged"),
                ("metrics/loss", "1 0.3 0\n"),
            ],
        );
        write_run(&exp, "c3", "run_id: c3\nlifecycle_stage: deleted\n", &[]);
        std::fs::create_dir_all(root.path().join("mlruns/.trash")).unwrap();

        let runs = runs(root.path());
        assert_eq!(
            runs.iter()
                .map(|r| (r.id.as_str(), r.name.as_str(), r.status.as_str()))
                .collect::<Vec<_>>(),
            [
                ("b2", "tagged", "failed"),
                ("a1", "bold-fox-12", "finished")
            ]
        );
        let a = &runs[1];
        assert_eq!(a.experiment, "Default");
        assert_eq!(a.start_ms, Some(1_700_000_000_000));
        assert_eq!(a.params["lr"], "0.01");
        assert_eq!(a.params["model/depth"], "4");
        assert_eq!(a.metrics["train/acc"], [(1.0, 0.6), (2.0, 0.7)]);
        assert_eq!(
            a.latest(),
            BTreeMap::from([("loss".into(), 0.4), ("train/acc".into(), 0.7)])
        );
        assert_eq!(a.series()[0].name, "loss");
        assert_eq!(
            run(root.path(), "a1").map(|r| r.name),
            Some("bold-fox-12".into())
        );
        assert!(super::runs(&root.path().join("nowhere")).is_empty());
    }

    #[test]
    fn a_run_read_again_shows_what_changed_since() {
        let root = tempfile::tempdir().unwrap();
        let exp = root.path().join("mlruns/0");
        std::fs::create_dir_all(&exp).unwrap();
        std::fs::write(exp.join("meta.yaml"), "experiment_id: '0'\nname: Default\n").unwrap();
        write_run(
            &exp,
            "r1",
            "run_id: r1\nrun_name: live\nstatus: 1\n",
            &[("metrics/loss", "1 0.9 0\n"), ("params/lr", "0.1")],
        );
        let read = || run(root.path(), "r1").unwrap();
        assert_eq!(
            (read().status.as_str(), read().metrics["loss"].len()),
            ("running", 1)
        );
        // Training appends a step, logs a new metric (nested) and a new param.
        let dir = exp.join("r1");
        let mut text = std::fs::read_to_string(dir.join("metrics/loss")).unwrap();
        text.push_str("2 0.5 1\n");
        std::fs::write(dir.join("metrics/loss"), text).unwrap();
        std::fs::create_dir_all(dir.join("metrics/val")).unwrap();
        std::fs::write(dir.join("metrics/val/acc"), "1 0.7 0\n").unwrap();
        std::fs::write(dir.join("params/epochs"), "3").unwrap();
        let r = read();
        assert_eq!(r.metrics["loss"], [(0.0, 0.9), (1.0, 0.5)]);
        assert_eq!(r.metrics["val/acc"], [(0.0, 0.7)]);
        assert_eq!(r.params["epochs"], "3");
        // A step appended to the nested metric; then the run finishes (meta rewritten).
        std::fs::write(dir.join("metrics/val/acc"), "1 0.7 0\n2 0.8 1\n").unwrap();
        assert_eq!(read().metrics["val/acc"].len(), 2);
        std::fs::write(
            dir.join("meta.yaml"),
            "run_id: r1\nrun_name: live\nstatus: 3\nend_time: 9\n",
        )
        .unwrap();
        assert_eq!(read().status, "finished");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(run(root.path(), "r1"), None, "gone with its folder");
    }
}
