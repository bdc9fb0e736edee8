//! DVC's run cache: `.dvc/cache/runs/<key[:2]>/<key>/<value>` holds a stage's lock entry,
//! keyed by what went in (cmd, deps, params, out paths), so a stage whose inputs were
//! seen before is restored from the cache instead of re-run.
//!
//! key   = sha256(json.dumps(entry with outs reduced to their paths, sort_keys=True))
//! value = sha256(json.dumps(entry, sort_keys=True)), both without `size`/`nfiles`.

use std::path::{Path, PathBuf};

use cairn_yaml::Node;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::lockwrite::node_to_json;

fn filtered(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(filtered).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "size" && k.as_str() != "nfiles")
                .map(|(k, v)| (k.clone(), filtered(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn sha256_json(v: &Value) -> String {
    let bytes = cairn_pipeline::pynum::dumps(&filtered(v), true);
    cairn_data::hash::hex(&Sha256::digest(bytes.as_bytes()))
}

/// `(key, value)` for a complete lock entry.
pub fn key_value(entry: &Node) -> (String, String) {
    let full = node_to_json(entry);
    let value = sha256_json(&full);
    let mut keyed = full;
    if let Some(outs) = keyed.get_mut("outs").and_then(Value::as_array_mut) {
        *outs = outs
            .iter()
            .map(|o| o.get("path").cloned().unwrap_or(Value::Null))
            .collect();
    }
    (sha256_json(&keyed), value)
}

/// The key for a stage about to run: its entry without outs, plus the out paths.
pub fn key_for_inputs(entry_without_outs: &Node, out_paths: &[String]) -> String {
    let mut keyed = node_to_json(entry_without_outs);
    let mut paths: Vec<&String> = out_paths.iter().collect();
    paths.sort();
    if let Value::Object(m) = &mut keyed {
        m.insert(
            "outs".into(),
            Value::Array(
                paths
                    .into_iter()
                    .map(|p| Value::String(p.clone()))
                    .collect(),
            ),
        );
    }
    sha256_json(&keyed)
}

fn dir_for(cache: &Path, key: &str) -> PathBuf {
    cache.join("runs").join(&key[..2]).join(key)
}

/// Stores `entry` unless an identical one exists.
pub fn save(cache: &Path, entry: &Node) -> std::io::Result<()> {
    let (key, value) = key_value(entry);
    let path = dir_for(cache, &key).join(value);
    if path.exists() {
        return Ok(());
    }
    cairn_core::write_atomic(&path, cairn_yaml::to_string(entry).as_bytes())
}

/// The newest entry stored under `key`.
pub fn load(cache: &Path, key: &str) -> Option<Node> {
    let dir = dir_for(cache, key);
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let (_, newest) = files.pop()?;
    cairn_yaml::parse(&std::fs::read_to_string(newest).ok()?).ok()
}
