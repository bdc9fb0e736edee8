//! Building a stage's `dvc.lock` entry after it ran, and writing it into the lock file.
//!
//! The entry is DVC's `to_single_stage_lockfile`: `cmd`, then `deps` and `outs` sorted by
//! path (each `path, hash, md5, size, nfiles, isexec`), `params` with `params.yaml` first
//! and keys sorted at the first level; empty sections left out. Existing entries keep
//! their place; new ones are appended in plan order even when stages finish out of order
//! in parallel, so the file matches what a sequential `dvc repro` writes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use cairn_data::workspace::Hashed;
use cairn_pipeline::data::Data;
use cairn_pipeline::{Cmd, Stage};
use cairn_yaml::{Mark, Node, Value};
use indexmap::IndexMap;

use crate::error::RunError;
use crate::status::lock_path_for;

fn s(v: &str) -> Node {
    Node::new(Value::Str(v.to_string()))
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::new(Value::Map(
        entries.into_iter().map(|(k, v)| (s(k), v)).collect(),
    ))
}

/// What was measured for a stage after its command ran.
#[derive(Debug, Default)]
pub struct Recorded {
    /// File/dir deps as written in dvc.yaml, with their hashes.
    pub deps: Vec<(String, Hashed)>,
    /// Params files as written, with the tracked values.
    pub params: Vec<(String, IndexMap<String, Data>)>,
    /// Outputs as written, with their hashes.
    pub outs: Vec<(String, Hashed)>,
}

fn cmd_node(cmd: &Cmd) -> Node {
    match cmd {
        Cmd::Str(c) => s(c),
        Cmd::List(l) => Node::new(Value::Seq(l.iter().map(|c| s(c)).collect())),
    }
}

fn entry_item(path: &str, h: &Hashed) -> Node {
    let mut m = vec![("path", s(path))];
    if h.info.kind == cairn_data::hash::HashKind::Md5 {
        m.push(("hash", s("md5")));
    }
    m.push(("md5", s(&h.info.md5)));
    if let Some(size) = h.info.size {
        m.push(("size", Node::new(Value::Int(size as i64))));
    }
    if let Some(n) = h.info.nfiles {
        m.push(("nfiles", Node::new(Value::Int(n as i64))));
    }
    if h.isexec {
        m.push(("isexec", Node::new(Value::Bool(true))));
    }
    map(m)
}

/// The lock entry for `stage` (its value under `stages:`).
pub fn entry_node(stage: &Stage, rec: &Recorded) -> Node {
    let mut m = vec![("cmd", cmd_node(&stage.cmd))];
    let mut deps: Vec<&(String, Hashed)> = rec.deps.iter().collect();
    deps.sort_by(|a, b| a.0.cmp(&b.0));
    if !deps.is_empty() {
        m.push((
            "deps",
            Node::new(Value::Seq(
                deps.iter().map(|(p, h)| entry_item(p, h)).collect(),
            )),
        ));
    }
    let mut params: Vec<&(String, IndexMap<String, Data>)> = rec.params.iter().collect();
    params.sort_by(|a, b| (a.0 != "params.yaml", &a.0).cmp(&(b.0 != "params.yaml", &b.0)));
    let params: Vec<(Node, Node)> = params
        .into_iter()
        .filter(|(_, vals)| !vals.is_empty())
        .map(|(file, vals)| {
            let mut keys: Vec<&String> = vals.keys().collect();
            keys.sort();
            let inner = keys
                .into_iter()
                .map(|k| (s(k), vals[k].to_node(Mark::default())))
                .collect();
            (s(file), Node::new(Value::Map(inner)))
        })
        .collect();
    if !params.is_empty() {
        m.push(("params", Node::new(Value::Map(params))));
    }
    let mut outs: Vec<&(String, Hashed)> = rec.outs.iter().collect();
    outs.sort_by(|a, b| a.0.cmp(&b.0));
    if !outs.is_empty() {
        m.push((
            "outs",
            Node::new(Value::Seq(
                outs.iter().map(|(p, h)| entry_item(p, h)).collect(),
            )),
        ));
    }
    map(m)
}

/// Serialises lock writes, keeps new entries in plan order, and batches writes.
///
/// Re-reading and re-writing the whole lock file after every stage is quadratic in
/// the number of stages; instead the documents stay in memory and are written at most
/// every [`FLUSH_EVERY`] while stages finish, and always by [`LockWriter::flush`] at
/// the end of a run (also after a cancel or failure), so finished stages are recorded.
#[derive(Default)]
pub struct LockWriter {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Lock file (repo-relative) → document, once read.
    docs: HashMap<String, Node>,
    /// Lock files changed since the last write.
    dirty: Vec<String>,
    /// Per lock file: stages this run appended, with their plan index.
    appended: HashMap<String, Vec<(String, usize)>>,
    last_flush: Option<std::time::Instant>,
}

/// How often batched lock writes reach the disk while a run goes on.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

impl LockWriter {
    /// Records `entry` for `stage`; the file is written now or within [`FLUSH_EVERY`].
    pub fn write(
        &self,
        root: &Path,
        stage: &Stage,
        entry: Node,
        plan_index: usize,
    ) -> Result<(), RunError> {
        let mut inner = self.inner.lock().expect("lock writer mutex");
        let rel = lock_path_for(&stage.dvcfile);
        if !inner.docs.contains_key(&rel) {
            let doc = read_doc(root, &rel)?;
            inner.docs.insert(rel.clone(), doc);
        }
        let Inner {
            docs,
            appended,
            dirty,
            ..
        } = &mut *inner;
        let doc = docs.get_mut(&rel).expect("inserted above");
        let entries = stages_map(doc);
        if let Some(slot) = entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(&stage.name))
        {
            slot.1 = entry;
        } else {
            let mine = appended.entry(rel.clone()).or_default();
            let later = mine
                .iter()
                .filter(|(_, idx)| *idx > plan_index)
                .filter_map(|(n, _)| entries.iter().position(|(k, _)| k.as_str() == Some(n)))
                .min();
            let pos = later.unwrap_or(entries.len());
            entries.insert(pos, (s(&stage.name), entry));
            mine.push((stage.name.clone(), plan_index));
        }
        if !dirty.contains(&rel) {
            dirty.push(rel);
        }
        if inner.last_flush.is_none_or(|t| t.elapsed() >= FLUSH_EVERY) {
            Self::flush_inner(root, &mut inner)?;
        }
        Ok(())
    }

    /// Writes every changed lock file now.
    pub fn flush(&self, root: &Path) -> Result<(), RunError> {
        let mut inner = self.inner.lock().expect("lock writer mutex");
        Self::flush_inner(root, &mut inner)
    }

    fn flush_inner(root: &Path, inner: &mut Inner) -> Result<(), RunError> {
        for rel in std::mem::take(&mut inner.dirty) {
            let text = cairn_yaml::to_string(&inner.docs[&rel]);
            cairn_core::write_atomic(&root.join(&rel), text.as_bytes())
                .map_err(|e| RunError::io(&rel, e))?;
        }
        inner.last_flush = Some(std::time::Instant::now());
        Ok(())
    }
}

fn read_doc(root: &Path, rel: &str) -> Result<Node, RunError> {
    let doc = match std::fs::read_to_string(root.join(rel)) {
        Ok(text) if !text.trim().is_empty() => cairn_yaml::parse(&text).map_err(|e| {
            RunError::Pipeline(cairn_pipeline::PipelineError::Syntax {
                at: cairn_pipeline::Location::new(rel, e.line, e.col),
                message: e.message,
            })
        })?,
        Ok(_) => Node::new(Value::Null),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Node::new(Value::Null),
        Err(e) => return Err(RunError::io(rel, e)),
    };
    Ok(if matches!(doc.value, Value::Map(_)) {
        doc
    } else {
        map(vec![("schema", s("2.0"))])
    })
}

/// The `stages:` mapping of a lock document, created if absent.
fn stages_map(doc: &mut Node) -> &mut Vec<(Node, Node)> {
    let Value::Map(top) = &mut doc.value else {
        unreachable!("read_doc returns a map")
    };
    if !top.iter().any(|(k, _)| k.as_str() == Some("stages")) {
        top.push((s("stages"), Node::new(Value::Map(Vec::new()))));
    }
    let stages = top
        .iter_mut()
        .find(|(k, _)| k.as_str() == Some("stages"))
        .map(|(_, v)| v)
        .expect("inserted above");
    if !matches!(stages.value, Value::Map(_)) {
        stages.value = Value::Map(Vec::new());
    }
    let Value::Map(entries) = &mut stages.value else {
        unreachable!("made a map above")
    };
    entries
}

/// Converts an entry node to JSON (for run-cache hashing).
pub fn node_to_json(n: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &n.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::BigInt(s) => cairn_pipeline::pynum::big_int(s),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or_else(|| cairn_pipeline::pynum::special_float(*f)),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), node_to_json(v)))
                .collect(),
        ),
    }
}
