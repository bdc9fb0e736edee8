//! What `exp show` collected per commit, kept in `.dvc/tmp/cairn/exp-show-cache.json`
//! (one file, read once). A commit's params, metrics and recorded hashes never change,
//! so entries never go stale; like DVC's experiment cache, only results without read
//! errors are kept (a metric that needed a pull may be readable later). Writes are
//! atomic; concurrent writers lose entries at worst, never corrupt the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use crate::collect::ExpData;

/// Format version of the file; a different one is ignored. Bump it whenever what is
/// collected per commit changes, or old entries would be served.
const VERSION: u64 = 3;

/// The cache, loaded.
pub struct ExpCache {
    path: PathBuf,
    enabled: bool,
    entries: HashMap<String, Value>,
    added: Mutex<Vec<(String, Value)>>,
}

impl ExpCache {
    /// The cache file of the repository at `root`.
    pub fn path_for(root: &Path) -> PathBuf {
        root.join(".dvc")
            .join("tmp")
            .join("cairn")
            .join("exp-show-cache.json")
    }

    /// Loads it (empty if absent or unreadable).
    pub fn load(root: &Path) -> ExpCache {
        let path = Self::path_for(root);
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .filter(|v| v.get("version").and_then(Value::as_u64) == Some(VERSION))
            .and_then(|v| match v.get("commits") {
                Some(Value::Object(m)) => {
                    Some(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                }
                _ => None,
            })
            .unwrap_or_default();
        ExpCache {
            path,
            enabled: true,
            entries,
            added: Mutex::new(Vec::new()),
        }
    }

    /// A cache that remembers nothing and writes nothing.
    pub fn disabled() -> ExpCache {
        ExpCache {
            path: PathBuf::new(),
            enabled: false,
            entries: HashMap::new(),
            added: Mutex::new(Vec::new()),
        }
    }

    /// A commit's data, if cached.
    pub fn get(&self, commit: &str) -> Option<ExpData> {
        ExpData::from_json(self.entries.get(commit)?)
    }

    /// Remembers a commit's (error-free) data.
    pub fn put(&mut self, commit: &str, data: &ExpData) {
        if self.enabled && !self.entries.contains_key(commit) && !data.contains_error() {
            self.added
                .get_mut()
                .unwrap_or_else(|p| p.into_inner())
                .push((commit.to_string(), data.to_json()));
        }
    }

    /// Writes the file if anything was added.
    pub fn save(&mut self) {
        let added = std::mem::take(self.added.get_mut().unwrap_or_else(|p| p.into_inner()));
        if added.is_empty() {
            return;
        }
        self.entries.extend(added);
        let mut commits = serde_json::Map::new();
        let mut keys: Vec<&String> = self.entries.keys().collect();
        keys.sort();
        for k in keys {
            commits.insert(k.clone(), self.entries[k].clone());
        }
        let v = serde_json::json!({"version": VERSION, "commits": commits});
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = cairn_core::write_atomic(&self.path, v.to_string().as_bytes());
    }
}
