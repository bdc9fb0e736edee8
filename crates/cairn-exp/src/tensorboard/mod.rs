//! TensorBoard runs in a project: every folder holding event files
//! (`events.out.tfevents.*`, what PyTorch's `SummaryWriter`, Lightning's
//! `TensorBoardLogger`, Keras' `TensorBoard` callback and `tf.summary` write), read
//! without TensorBoard or TensorFlow, as TensorBoard reads them with the project as its
//! logdir: a run is a folder, named by its path; its files are read in name order; a
//! tag's values count as scalars when the tag's first metadata names the scalars plugin
//! (legacy `simple_value`s always do); a restart drops what was logged at or after its
//! step. Hyperparameters come from the hparams plugin and Lightning's `hparams.yaml`.

mod events;
mod proto;
mod reader;
mod record;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;

use crate::series::Series;
use events::Item;

/// The column file of TensorBoard hyperparameters and scalars.
pub const FILE: &str = "tensorboard";

/// One TensorBoard run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its folder relative to the project (`/`-separated; `.` for the project itself).
    pub id: String,
    /// The first event's time, ms since the epoch.
    pub start_ms: Option<i64>,
    /// Hyperparameters by name.
    pub hparams: BTreeMap<String, Value>,
    /// Each scalar tag's `(step, value)` points in step order (then logging order).
    pub scalars: BTreeMap<String, Vec<(f64, f64)>>,
}

impl Run {
    /// Each scalar's value at its highest step (the last logged there).
    pub fn latest(&self) -> BTreeMap<String, f64> {
        crate::series::latest(&self.scalars)
    }

    /// The scalars as step series (named by tag).
    pub fn series(&self) -> Vec<Series> {
        crate::series::from_histories(&self.scalars, &format!("{FILE}/{}", self.id))
    }
}

/// Whether a file name is an event file's (TensorBoard's test: it contains `tfevents`).
pub fn is_event_file(name: &str) -> bool {
    name.contains("tfevents")
}

/// Every run under `root` with scalars or hyperparameters, newest first.
pub fn runs(root: &Path) -> Vec<Run> {
    let mut out: Vec<Run> = crate::logdirs::folders(root, is_event_file)
        .into_iter()
        .filter_map(|(dir, files)| read_run(root, &dir, &files))
        .collect();
    out.sort_by(|a, b| b.start_ms.cmp(&a.start_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The run in folder `id` (as [`Run::id`]); only that folder is read.
pub fn run(root: &Path, id: &str) -> Option<Run> {
    let (dir, files) = crate::logdirs::folder(root, id, is_event_file)?;
    read_run(root, &dir, &files)
}

/// The files of one run merged in order, as TensorBoard's accumulator does.
fn read_run(root: &Path, dir: &Path, files: &[PathBuf]) -> Option<Run> {
    let mut acc = Accumulator::default();
    let mut read_any = false;
    for file in files {
        if let Some(data) = reader::load(file) {
            acc.add(&data);
            read_any = true;
        }
    }
    if !read_any {
        return None;
    }
    let mut hparams = acc.hparams;
    for (k, v) in lightning_hparams(dir) {
        hparams.entry(k).or_insert(v);
    }
    let plugins = acc.plugins;
    let scalars: BTreeMap<String, Vec<(f64, f64)>> = acc
        .points
        .into_iter()
        .filter(|(tag, pts)| {
            !pts.is_empty() && plugins.get(tag).map(String::as_str) == Some(events::SCALARS_PLUGIN)
        })
        .map(|(tag, mut pts)| {
            pts.sort_by_key(|p| p.0);
            (tag, pts.into_iter().map(|(s, v)| (s as f64, v)).collect())
        })
        .collect();
    if scalars.is_empty() && hparams.is_empty() {
        return None;
    }
    Some(Run {
        id: crate::logdirs::id(root, dir),
        start_ms: acc.start.map(|s| (s * 1000.0) as i64),
        hparams,
        scalars,
    })
}

/// TensorBoard's per-run state while it reads a run's events (`EventAccumulator`).
#[derive(Default)]
struct Accumulator {
    /// The plugin each tag declared first.
    plugins: HashMap<String, String>,
    points: IndexMap<String, Vec<(i64, f64)>>,
    hparams: BTreeMap<String, Value>,
    start: Option<f64>,
    version: Option<f64>,
    seen_start: bool,
    /// The step of the latest summary (TensorBoard starts from -1).
    recent_step: Option<i64>,
    /// Set by a summary whose step went back (before version 2): its tags are cut there.
    cut: Option<(i64, Vec<usize>)>,
}

impl Accumulator {
    fn add(&mut self, data: &events::FileData) {
        if let Some(t) = data.first_wall {
            self.start = Some(self.start.map_or(t, |s| s.min(t)));
        }
        for (tag, plugin) in &data.plugins {
            self.plugins
                .entry(data.tags[*tag].clone())
                .or_insert_with(|| plugin.clone());
        }
        // The file's tag numbers as this run's (one lookup per tag, not per point).
        let ids: Vec<usize> = data
            .tags
            .iter()
            .map(|t| match self.points.get_index_of(t) {
                Some(i) => i,
                None => self.points.insert_full(t.clone(), Vec::new()).0,
            })
            .collect();
        for item in &data.items {
            match item {
                Item::Version(v) => self.version = Some(*v),
                Item::SessionStart { step } if self.version.is_some_and(|v| v >= 2.0) => {
                    if self.seen_start {
                        for pts in self.points.values_mut() {
                            pts.retain(|p| p.0 < *step);
                        }
                    }
                    self.seen_start = true;
                }
                Item::SessionStart { .. } => {}
                Item::Summary { step } => {
                    let legacy = !self.version.is_some_and(|v| v >= 2.0);
                    self.cut = (legacy && *step < self.recent_step.unwrap_or(-1))
                        .then(|| (*step, Vec::new()));
                    self.recent_step = Some(*step);
                }
                Item::Point { tag, step, value } => {
                    let pts = &mut self.points[ids[*tag]];
                    if let Some((at, done)) = &mut self.cut
                        && !done.contains(tag)
                    {
                        pts.retain(|p| p.0 < *at);
                        done.push(*tag);
                    }
                    pts.push((*step, *value));
                }
                Item::HParams(values) => self.hparams.extend(values.iter().cloned()),
            }
        }
    }
}

/// Lightning's `hparams.yaml` beside the event files, flattened with `.`; nothing if it
/// is missing or is not plain YAML (Lightning may write Python object tags).
fn lightning_hparams(dir: &Path) -> Vec<(String, Value)> {
    let file = dir.join("hparams.yaml");
    let Ok(bytes) = std::fs::read(&file) else {
        return Vec::new();
    };
    let Ok(value) = crate::snapshot::parse_by_suffix("hparams.yaml", &bytes) else {
        return Vec::new();
    };
    let mut flat = indexmap::IndexMap::new();
    crate::collect::flatten("", &value, &mut flat);
    flat.into_iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_null())
        .collect()
}

#[cfg(test)]
mod tests;
