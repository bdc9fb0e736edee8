//! Reading `dvc.lock`: the 2.0 schema DVC 3 writes, and the 1.x layout for migration.
//!
//! DVC 3 refuses a 1.x lock file (stage names at the top level, no `schema:` key) and with
//! it the whole pipeline, so [`validate`] does too; [`parse`] reads both layouts so that a
//! migration tool can still get at the recorded hashes.

use cairn_yaml::{Mark, Node, Value};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::data::Data;
use crate::error::{Location, PipelineError};
use crate::stage::Cmd;

/// Which layout a lock file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockSchema {
    /// `schema: '2.0'` with a `stages:` mapping (DVC 2 and 3).
    V2,
    /// DVC 1.x: stage names at the top level.
    Legacy,
}

/// One recorded dep or out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockEntry {
    /// Path as written in `dvc.yaml`.
    pub path: String,
    /// `hash:` — the hash kind (`md5` for DVC 3 outputs; absent for 2.x `md5-dos2unix`).
    pub hash: Option<String>,
    /// The md5 (or etag/checksum for remote deps), directories end in `.dir`.
    pub md5: Option<String>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Number of files, for directories.
    pub nfiles: Option<u64>,
    /// Executable bit.
    pub isexec: Option<bool>,
}

/// One stage's lock entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockStage {
    /// The command that ran.
    pub cmd: Cmd,
    /// Recorded deps.
    pub deps: Vec<LockEntry>,
    /// Recorded params: file → key → value.
    pub params: IndexMap<String, IndexMap<String, serde_json::Value>>,
    /// Recorded outs.
    pub outs: Vec<LockEntry>,
}

/// A parsed lock file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockFile {
    /// The layout it was written in.
    pub schema: LockSchema,
    /// Stages by name (generated names like `eval@small` included).
    pub stages: IndexMap<String, LockStage>,
}

fn fail(file: &str, mark: Mark, key: &str, message: &str) -> PipelineError {
    PipelineError::Lock {
        at: Location::at(file, mark),
        key: key.to_string(),
        message: message.to_string(),
        hint: "dvc.lock is generated; delete it and rerun the pipeline to regenerate it (DVC 3 does not read 1.x lock files)".into(),
    }
}

fn parse_yaml(text: &str, file: &str) -> Result<Node, PipelineError> {
    cairn_yaml::parse(text).map_err(|e| PipelineError::Syntax {
        at: Location::new(file, e.line, e.col),
        message: e.message,
    })
}

/// Bumped whenever [`LockFile`] or its parts change shape, so older caches are ignored.
const CACHE_VERSION: u32 = 1;

/// A parse of one lock file, kept with the exact text it came from.
#[derive(Deserialize)]
struct CachedLock {
    version: u32,
    source: String,
    lock: LockFile,
}

#[derive(Serialize)]
struct CachedLockRef<'a> {
    version: u32,
    source: &'a str,
    lock: &'a LockFile,
}

/// Like [`load`], but answered from `scratch` (a per-checkout cache directory) when it
/// holds a parse of exactly this text. A 200-stage `dvc.lock` is ~50 KB of YAML, which
/// takes longer to scan than the rest of a `status` needs; its JSON twin reads in a
/// fraction of that. Keyed by the file's full text (compared byte for byte), so a cache
/// can only be stale by being ignored.
pub fn load_cached(
    text: &str,
    file: &str,
    scratch: Option<&std::path::Path>,
) -> Result<LockFile, PipelineError> {
    let Some(dir) = scratch else {
        return load(text, file);
    };
    let cache = dir.join(format!("{}.json", file.replace('/', "%2F")));
    if let Ok(bytes) = std::fs::read(&cache)
        && let Ok(c) = serde_json::from_slice::<CachedLock>(&bytes)
        && c.version == CACHE_VERSION
        && c.source == text
    {
        return Ok(c.lock);
    }
    let lock = load(text, file)?;
    let fresh = CachedLockRef {
        version: CACHE_VERSION,
        source: text,
        lock: &lock,
    };
    // Best effort: without the cache the next load only parses again.
    if let Ok(bytes) = serde_json::to_vec(&fresh) {
        let _ = cairn_core::write_atomic(&cache, &bytes);
    }
    Ok(lock)
}

/// Checks and reads a lock file from one parse: [`validate`], then [`parse`].
pub fn load(text: &str, file: &str) -> Result<LockFile, PipelineError> {
    let root = parse_yaml(text, file)?;
    validate_node(&root, file)?;
    Ok(from_node(&root))
}

/// Checks a lock file the way DVC 3 does (`LOCKFILE_SCHEMA`): only the 2.0 layout passes.
pub fn validate(text: &str, file: &str) -> Result<(), PipelineError> {
    validate_node(&parse_yaml(text, file)?, file)
}

fn validate_node(root: &Node, file: &str) -> Result<(), PipelineError> {
    let empty = crate::schema::is_falsy(root);
    let Some(entries) = root.as_map().or(if empty { Some(&[]) } else { None }) else {
        return Err(fail(
            file,
            root.mark,
            "the top level",
            "expected a dictionary",
        ));
    };
    let has_schema = entries.iter().any(|(k, _)| k.as_str() == Some("schema"));
    let looks_legacy = entries.iter().any(|(_, v)| v.get("cmd").is_some());
    if !has_schema
        && looks_legacy
        && let Some((k, _)) = entries.first()
    {
        return Err(fail(
            file,
            k.mark,
            k.as_str().unwrap_or("?"),
            "extra keys not allowed (this is a DVC 1.x lock file: stage names at the top level, no `schema: '2.0'`)",
        ));
    }
    for (k, v) in entries {
        match k.as_str() {
            Some("schema") => {
                if v.as_str() != Some("2.0") {
                    return Err(fail(file, v.mark, "schema", "invalid schema version"));
                }
            }
            Some("datasets") => {}
            Some("stages") => {
                let Some(stages) = v.as_map() else {
                    return Err(fail(file, v.mark, "stages", "expected a dictionary"));
                };
                for (name, st) in stages {
                    let n = name.as_str().unwrap_or("?");
                    if name.as_str().is_none() {
                        return Err(fail(file, name.mark, "stages", "extra keys not allowed"));
                    }
                    validate_stage(file, st, &format!("stages -> {n}"))?;
                }
            }
            _ => {
                let shown = k
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| format!("{:?}", k.value));
                return Err(fail(file, k.mark, &shown, "extra keys not allowed"));
            }
        }
    }
    if !entries.iter().any(|(k, _)| k.as_str() == Some("schema")) {
        return Err(fail(file, root.mark, "schema", "required key not provided"));
    }
    Ok(())
}

fn validate_stage(file: &str, st: &Node, path: &str) -> Result<(), PipelineError> {
    let Some(entries) = st.as_map() else {
        return Err(fail(file, st.mark, path, "expected a dictionary"));
    };
    let mut has_cmd = false;
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        let p = format!("{path} -> {key}");
        match key {
            "cmd" => {
                has_cmd = true;
                if !matches!(v.value, Value::Str(_) | Value::Seq(_)) {
                    return Err(fail(file, v.mark, &p, "expected str or list"));
                }
            }
            "deps" | "outs" => {
                let Some(items) = v.as_seq() else {
                    return Err(fail(file, v.mark, &p, "expected a list"));
                };
                for (i, item) in items.iter().enumerate() {
                    validate_entry(file, item, &format!("{p} -> {i}"), true)?;
                }
            }
            "params" => {
                let Some(files) = v.as_map() else {
                    return Err(fail(file, v.mark, &p, "expected a dictionary"));
                };
                for (f, vals) in files {
                    if f.as_str().is_none()
                        || vals
                            .as_map()
                            .is_none_or(|m| m.iter().any(|(pk, _)| pk.as_str().is_none()))
                    {
                        return Err(fail(
                            file,
                            vals.mark,
                            &p,
                            "expected a dictionary of str keys",
                        ));
                    }
                }
            }
            _ => return Err(fail(file, k.mark, &p, "extra keys not allowed")),
        }
    }
    if !has_cmd {
        return Err(fail(
            file,
            st.mark,
            &format!("{path} -> cmd"),
            "required key not provided",
        ));
    }
    Ok(())
}

fn validate_entry(file: &str, item: &Node, path: &str, top: bool) -> Result<(), PipelineError> {
    let Some(entries) = item.as_map() else {
        return Err(fail(file, item.mark, path, "expected a dictionary"));
    };
    let mut has_path = false;
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        let p = format!("{path} -> {key}");
        let ok = match key {
            "md5" | "checksum" | "etag" => match &v.value {
                Value::Null => true,
                Value::Str(s) => s.is_empty() || s.chars().count() >= 3,
                Value::Int(i) => i.to_string().len() >= 3,
                _ => false,
            },
            "size" | "nfiles" => matches!(v.value, Value::Int(_) | Value::Bool(_)),
            "isexec" => matches!(v.value, Value::Bool(_)),
            "version_id" | "hash" => matches!(v.value, Value::Str(_)),
            "path" if top => {
                has_path = true;
                matches!(v.value, Value::Str(_))
            }
            "relpath" if !top => {
                has_path = true;
                matches!(v.value, Value::Str(_))
            }
            "cloud" => v.as_map().is_some_and(|m| m.len() <= 1),
            "files" if top => match v.as_seq() {
                Some(files) => {
                    for (i, f) in files.iter().enumerate() {
                        validate_entry(file, f, &format!("{p} -> {i}"), false)?;
                    }
                    true
                }
                None => false,
            },
            "dataset" if top => v.as_map().is_some(),
            _ => return Err(fail(file, k.mark, &p, "extra keys not allowed")),
        };
        if !ok {
            return Err(fail(
                file,
                v.mark,
                &p,
                &format!("invalid value ({})", v.type_name()),
            ));
        }
    }
    if !has_path {
        let missing = if top { "path" } else { "relpath" };
        return Err(fail(
            file,
            item.mark,
            &format!("{path} -> {missing}"),
            "required key not provided",
        ));
    }
    Ok(())
}

fn entry(node: &Node) -> Option<LockEntry> {
    let get = |k: &str| node.get(k);
    let uint = |k: &str| match get(k).map(|n| &n.value) {
        Some(Value::Int(i)) if *i >= 0 => Some(*i as u64),
        _ => None,
    };
    let text = |k: &str| match get(k).map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.clone()),
        Some(Value::Int(i)) => Some(i.to_string()),
        _ => None,
    };
    Some(LockEntry {
        path: get("path")?.as_str()?.to_string(),
        hash: text("hash"),
        md5: text("md5")
            .or_else(|| text("etag"))
            .or_else(|| text("checksum")),
        size: uint("size"),
        nfiles: uint("nfiles"),
        isexec: match get("isexec").map(|n| &n.value) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        },
    })
}

fn lock_stage(node: &Node) -> Option<LockStage> {
    let cmd = match &node.get("cmd")?.value {
        Value::Str(s) => Cmd::Str(s.clone()),
        Value::Seq(items) => Cmd::List(items.iter().map(|i| Data::from_node(i).py_str()).collect()),
        _ => return None,
    };
    let list = |k: &str| -> Vec<LockEntry> {
        node.get(k)
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(entry).collect())
            .unwrap_or_default()
    };
    let mut params = IndexMap::new();
    if let Some(files) = node.get("params").and_then(Node::as_map) {
        for (f, vals) in files {
            let Some(fname) = f.as_str() else { continue };
            let mut m = IndexMap::new();
            for (k, v) in vals.as_map().unwrap_or(&[]) {
                if let Some(key) = k.as_str() {
                    m.insert(key.to_string(), Data::from_node(v).to_json());
                }
            }
            params.insert(fname.to_string(), m);
        }
    }
    Some(LockStage {
        cmd,
        deps: list("deps"),
        params,
        outs: list("outs"),
    })
}

/// Reads a lock file in either layout. Entries that cannot be understood are skipped;
/// use [`validate`] first when DVC-3 strictness is wanted.
pub fn parse(text: &str, file: &str) -> Result<LockFile, PipelineError> {
    Ok(from_node(&parse_yaml(text, file)?))
}

fn from_node(root: &Node) -> LockFile {
    let empty: &[(Node, Node)] = &[];
    let top = root.as_map().unwrap_or(empty);
    let v2 = top.iter().any(|(k, _)| k.as_str() == Some("schema"));
    let mut stages = IndexMap::new();
    let source: &[(Node, Node)] = if v2 {
        root.get("stages").and_then(Node::as_map).unwrap_or(empty)
    } else {
        top
    };
    for (name, st) in source {
        if let (Some(n), Some(s)) = (name.as_str(), lock_stage(st)) {
            stages.insert(n.to_string(), s);
        }
    }
    LockFile {
        schema: if v2 {
            LockSchema::V2
        } else {
            LockSchema::Legacy
        },
        stages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: &str = "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n    - path: data.csv\n      hash: md5\n      md5: 0123456789abcdef0123456789abcdef\n      size: 12\n    params:\n      params.yaml:\n        lr: 0.01\n    outs:\n    - path: model\n      hash: md5\n      md5: 0123456789abcdef0123456789abcdef.dir\n      size: 30\n      nfiles: 2\n";
    const V1: &str = "train:\n  cmd: python train.py\n  deps:\n  - path: data.csv\n    md5: 0123456789abcdef0123456789abcdef\n  outs:\n  - path: model\n    md5: 0123456789abcdef0123456789abcdef.dir\n";

    #[test]
    fn cached_parses_are_used_only_for_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let scratch = Some(dir.path());
        let fresh = load_cached(V2, "sub/dvc.lock", scratch).unwrap();
        assert_eq!(fresh, load(V2, "sub/dvc.lock").unwrap());
        let cache = dir.path().join("sub%2Fdvc.lock.json");
        assert!(cache.is_file(), "the parse was kept");
        assert_eq!(load_cached(V2, "sub/dvc.lock", scratch).unwrap(), fresh);
        // Another text: parsed again (and validated again), never the stale parse.
        let edited = V2.replace("lr: 0.01", "lr: 0.02");
        let got = load_cached(&edited, "sub/dvc.lock", scratch).unwrap();
        assert_eq!(got.stages["train"].params["params.yaml"]["lr"], 0.02);
        assert!(load_cached(V1, "sub/dvc.lock", scratch).is_err());
        // A damaged cache is ignored.
        std::fs::write(&cache, b"{not json").unwrap();
        assert_eq!(load_cached(V2, "sub/dvc.lock", scratch).unwrap(), fresh);
    }

    #[test]
    fn reads_both_layouts() {
        validate(V2, "dvc.lock").unwrap();
        let lock = parse(V2, "dvc.lock").unwrap();
        assert_eq!(lock.schema, LockSchema::V2);
        let train = &lock.stages["train"];
        assert_eq!(train.outs[0].nfiles, Some(2));
        assert_eq!(train.deps[0].hash.as_deref(), Some("md5"));
        assert_eq!(train.params["params.yaml"]["lr"], serde_json::json!(0.01));

        let err = validate(V1, "dvc.lock").unwrap_err();
        assert!(
            matches!(err, PipelineError::Lock { ref at, .. } if at.line == 1),
            "{err}"
        );
        let legacy = parse(V1, "dvc.lock").unwrap();
        assert_eq!(legacy.schema, LockSchema::Legacy);
        assert_eq!(
            legacy.stages["train"].outs[0].md5.as_deref(),
            Some("0123456789abcdef0123456789abcdef.dir")
        );
    }
}
