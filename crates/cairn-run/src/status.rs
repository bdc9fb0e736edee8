//! What changed in each stage, decided as DVC's `Stage.status` / `Stage.changed` decide.
//!
//! Order of the items and the words used (`modified`, `deleted`, `new`, `not in cache`,
//! `always changed`, `changed command`) follow DVC so `cairn status --json` and
//! `dvc status --json` can be compared directly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cairn_core::Progress;
use cairn_data::hash::HashKind;
use cairn_data::pointer::{HashInfo, Out as PointerOut};
use cairn_data::workspace::Hasher;
use cairn_pipeline::data::Data;
use cairn_pipeline::{LockFile, LockStage, Project, Stage};
use indexmap::IndexMap;
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::error::RunError;
use crate::params;

/// How one dependency changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepChange {
    /// A file or directory dependency: `modified` / `deleted`.
    Path(&'static str),
    /// A whole params file: `new` (never recorded) / `deleted`.
    ParamsFile(&'static str),
    /// Individual params keys: key → `modified` / `new` / `deleted`.
    Params(IndexMap<String, &'static str>),
}

/// One reason a stage is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusItem {
    /// Dependencies changed (repo-relative path → change).
    ChangedDeps(IndexMap<String, DepChange>),
    /// Outputs changed (repo-relative path → word).
    ChangedOuts(IndexMap<String, &'static str>),
    /// `always_changed`, or a stage with no deps and no outs.
    AlwaysChanged,
    /// The command differs from the one recorded in `dvc.lock`.
    ChangedCommand,
}

/// The status of one stage; `items` is empty when it is up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageStatus {
    /// Stage address.
    pub stage: String,
    /// Why it is stale, in DVC's order.
    pub items: Vec<StatusItem>,
    /// Whether the stage is frozen (never re-run).
    pub frozen: bool,
}

impl StageStatus {
    /// DVC's JSON for this stage's list, with paths rendered by `rel`.
    pub fn to_json(&self, rel: &dyn Fn(&str) -> String) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|item| match item {
                StatusItem::ChangedDeps(m) => {
                    let deps: serde_json::Map<String, Value> = m
                        .iter()
                        .map(|(p, c)| {
                            let v = match c {
                                DepChange::Path(w) | DepChange::ParamsFile(w) => json!(w),
                                DepChange::Params(keys) => json!(keys),
                            };
                            (rel(p), v)
                        })
                        .collect();
                    json!({"changed deps": deps})
                }
                StatusItem::ChangedOuts(m) => {
                    let outs: serde_json::Map<String, Value> =
                        m.iter().map(|(p, w)| (rel(p), json!(w))).collect();
                    json!({"changed outs": outs})
                }
                StatusItem::AlwaysChanged => json!("always changed"),
                StatusItem::ChangedCommand => json!("changed command"),
            })
            .collect();
        Value::Array(items)
    }

    /// A one-line reason for people ("params.yaml: lr modified", "command changed").
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for item in &self.items {
            match item {
                StatusItem::ChangedDeps(m) => {
                    for (p, c) in m {
                        match c {
                            DepChange::Path(w) | DepChange::ParamsFile(w) => {
                                parts.push(format!("{p} {w}"))
                            }
                            DepChange::Params(keys) => {
                                parts.extend(keys.iter().map(|(k, w)| format!("{p}: {k} {w}")))
                            }
                        }
                    }
                }
                StatusItem::ChangedOuts(m) => {
                    parts.extend(m.iter().map(|(p, w)| format!("output {p} {w}")))
                }
                StatusItem::AlwaysChanged => parts.push("always changed".into()),
                StatusItem::ChangedCommand => parts.push("command changed".into()),
            }
        }
        parts.join(", ")
    }
}

/// The lock files of a project, by pipeline file.
#[derive(Debug, Default)]
pub struct Locks {
    files: HashMap<String, LockFile>,
}

/// `dvc.yaml` → `dvc.lock`, `sub/dvc.yaml` → `sub/dvc.lock`.
pub fn lock_path_for(dvcfile: &str) -> String {
    match dvcfile.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/dvc.lock"),
        None => "dvc.lock".to_string(),
    }
}

impl Locks {
    /// The lock files the project loader read beside its pipeline files.
    pub fn of(project: &Project) -> Locks {
        Locks {
            files: project
                .files
                .iter()
                .filter_map(|f| Some((f.path.clone(), f.lock.clone()?)))
                .collect(),
        }
    }

    /// The recorded entry of `stage`, if any.
    pub fn entry(&self, stage: &Stage) -> Option<&LockStage> {
        self.files.get(&stage.dvcfile)?.stages.get(&stage.name)
    }
}

/// Decides staleness for stages of one repository.
pub struct Checker<'a> {
    /// Repository root.
    pub root: &'a Path,
    /// The data repository (cache).
    pub repo: &'a cairn_data::Repo,
    /// Workspace hashing with the state table.
    pub hasher: Hasher<'a>,
}

/// The hash a lock entry records, as the data engine names objects (`hash: md5` is
/// DVC 3's; no `hash` key is 2.x's md5-dos2unix).
pub fn locked_hash(e: &cairn_pipeline::LockEntry) -> Option<HashInfo> {
    e.md5.as_ref().map(|md5| HashInfo {
        md5: md5.clone(),
        size: e.size,
        nfiles: e.nfiles,
        kind: kind_of(&e.hash),
    })
}

fn kind_of(hash: &Option<String>) -> HashKind {
    match hash.as_deref() {
        Some(_) => HashKind::Md5,
        None => HashKind::LegacyDos2Unix,
    }
}

impl Checker<'_> {
    fn abs(&self, stage: &Stage, path: &str) -> Option<(String, PathBuf)> {
        let rel = stage.dep_repo_path(path)?;
        let abs = self.root.join(&rel);
        Some((rel, abs))
    }

    /// Current hash of a workspace path (`None` if missing). Only the hash, size and
    /// file count are meaningful: a directory's manifest may be left out.
    pub fn current(
        &self,
        abs: &Path,
        kind: HashKind,
    ) -> Result<Option<cairn_data::workspace::Hashed>, RunError> {
        Ok(self.hasher.hash_to_compare(abs, kind)?)
    }

    /// Changed file/directory and params deps, in DVC's order (files, then params).
    pub fn dep_changes(
        &self,
        stage: &Stage,
        lock: Option<&LockStage>,
    ) -> Result<IndexMap<String, DepChange>, RunError> {
        let mut out = IndexMap::new();
        for dep in &stage.deps {
            let Some((rel, abs)) = self.abs(stage, &dep.path) else {
                continue;
            };
            let recorded = lock.and_then(|l| l.deps.iter().find(|e| e.path == dep.path));
            let kind = recorded.map_or(HashKind::Md5, |r| kind_of(&r.hash));
            match self.current(&abs, kind)? {
                None => {
                    out.insert(rel, DepChange::Path("deleted"));
                }
                Some(cur)
                    if recorded.and_then(|r| r.md5.as_deref()) != Some(cur.info.md5.as_str()) =>
                {
                    out.insert(rel, DepChange::Path("modified"));
                }
                Some(_) => {}
            }
        }
        for p in &stage.params {
            let rel = stage
                .dep_repo_path(&p.file)
                .unwrap_or_else(|| p.file.clone());
            let Some(actual) =
                params::read(self.root, stage, p).map_err(|message| RunError::Params {
                    stage: stage.addressing.clone(),
                    message,
                })?
            else {
                out.insert(rel, DepChange::ParamsFile("deleted"));
                continue;
            };
            let Some(info) = lock.and_then(|l| l.params.get(&p.file)) else {
                out.insert(rel, DepChange::ParamsFile("new"));
                continue;
            };
            let info: IndexMap<String, Data> = info
                .iter()
                .map(|(k, v)| (k.clone(), Data::from_json(v)))
                .collect();
            let keys: Vec<String> = if p.keys.is_empty() {
                let mut ks: Vec<String> = actual.keys().cloned().collect();
                ks.extend(info.keys().filter(|k| !actual.contains_key(*k)).cloned());
                ks
            } else {
                p.keys.clone()
            };
            let mut changes = IndexMap::new();
            for k in keys {
                let word = match (actual.get(&k), info.get(&k)) {
                    (None, _) => "deleted",
                    (Some(_), None) => "new",
                    (Some(a), Some(b)) if !params::py_eq(a, b) => "modified",
                    _ => continue,
                };
                changes.insert(k, word);
            }
            if !changes.is_empty() {
                out.insert(rel, DepChange::Params(changes));
            }
        }
        Ok(out)
    }

    /// Changed outputs, in declaration order.
    pub fn out_changes(
        &self,
        stage: &Stage,
        lock: Option<&LockStage>,
    ) -> Result<IndexMap<String, &'static str>, RunError> {
        let mut out = IndexMap::new();
        for o in &stage.outs {
            let Some((rel, abs)) = self.abs(stage, &o.path) else {
                continue;
            };
            let recorded = lock.and_then(|l| l.outs.iter().find(|e| e.path == o.path));
            let hash = recorded.and_then(locked_hash);
            let pointer_out = PointerOut {
                path: o.path.clone(),
                hash,
                isexec: false,
                cache: o.cache,
                extra: Vec::new(),
                mark: Default::default(),
            };
            if let Some(change) =
                cairn_data::status::out_status(self.repo.odb(), &self.hasher, &pointer_out, &abs)?
            {
                out.insert(rel, change.as_str());
            }
        }
        Ok(out)
    }

    /// The full status of a stage (what `dvc status` lists for it).
    pub fn stage_status(
        &self,
        stage: &Stage,
        lock: Option<&LockStage>,
    ) -> Result<StageStatus, RunError> {
        let mut items = Vec::new();
        if !stage.frozen {
            let deps = self.dep_changes(stage, lock)?;
            if !deps.is_empty() {
                items.push(StatusItem::ChangedDeps(deps));
            }
        }
        let outs = self.out_changes(stage, lock)?;
        if !outs.is_empty() {
            items.push(StatusItem::ChangedOuts(outs));
        }
        if is_callback(stage) || stage.always_changed {
            items.push(StatusItem::AlwaysChanged);
        }
        if cmd_changed(stage, lock) {
            items.push(StatusItem::ChangedCommand);
        }
        Ok(StageStatus {
            stage: stage.addressing.clone(),
            items,
            frozen: stage.frozen,
        })
    }
}

/// A stage with a command but no deps and no outs always runs.
pub fn is_callback(stage: &Stage) -> bool {
    stage.deps.is_empty() && stage.params.is_empty() && stage.outs.is_empty()
}

/// DVC compares the command only when a lock entry exists.
pub fn cmd_changed(stage: &Stage, lock: Option<&LockStage>) -> bool {
    lock.is_some_and(|l| l.cmd != stage.cmd)
}

/// Status of every stage of the project at `root` (stale ones only), in project order.
pub fn status(root: &Path, progress: &dyn Progress) -> Result<Vec<StageStatus>, RunError> {
    let repo = cairn_data::Repo::open(root)?;
    let project = cairn_pipeline::load_project(repo.root())?;
    if project.stages().all(|s| s.data_source) {
        return Ok(Vec::new());
    }
    let locks = Locks::of(&project);
    let state = repo.state();
    let checker = Checker {
        root: repo.root(),
        repo: &repo,
        hasher: Hasher::new(repo.root(), &state, progress),
    };
    // `.dvc` data sources are reported by `cairn_data::status`, under their file name.
    let stages: Vec<&Stage> = project.stages().filter(|s| !s.data_source).collect();
    // Stages are checked independently (read-only), in parallel; results keep project
    // order.
    let statuses: Vec<StageStatus> = stages
        .par_iter()
        .map(|stage| checker.stage_status(stage, locks.entry(stage)))
        .collect::<Result<_, RunError>>()?;
    let _ = state.save();
    Ok(statuses
        .into_iter()
        .filter(|s| !s.items.is_empty())
        .collect())
}
