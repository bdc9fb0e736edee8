//! The interpolation context: `params.yaml` plus `vars`, merged the way DVC merges them.
//!
//! Mirrors `dvc/parsing/context.py`: the `params.yaml` next to `dvc.yaml` is loaded first if
//! it exists; each `vars` entry then adds a file (optionally only some top-level keys,
//! `file.yaml:a,b`) or an inline dict. Nested dicts merge; redefining a leaf is an error, and
//! so is loading the same file both whole and partially. `item`/`key` are reserved while a
//! `foreach`/`matrix` stage is generated.

use std::collections::HashMap;

use cairn_yaml::{Node, Value};
use indexmap::IndexMap;

use crate::data::Data;
use crate::fs::{RepoFs, join, normpath};
use crate::params_file;

/// Name of the params file DVC loads into the context automatically.
pub const DEFAULT_PARAMS_FILE: &str = "params.yaml";

/// The variables visible to `${…}` in one pipeline file (or one stage, with stage `vars`).
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Top-level variables.
    pub data: IndexMap<String, Data>,
    /// Where each top-level variable came from (file path or `vars[i]`), for messages.
    sources: HashMap<String, String>,
    /// Files loaded so far: `None` if loaded whole, else the keys taken from it.
    imports: IndexMap<String, Option<Vec<String>>>,
    /// Keys that `vars` may not define (`item`, `key` inside foreach/matrix).
    reserved: Vec<String>,
}

/// Why a `vars` entry could not be loaded. The message is DVC's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarsError {
    /// Index of the offending `vars` entry, if one.
    pub index: Option<usize>,
    /// DVC's message.
    pub message: String,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a top-level name exists.
    pub fn contains(&self, key: &str) -> bool {
        self.data.contains_key(key)
    }

    /// Loads the default params file (if given and present) and then every `vars` entry.
    /// `wdir` is the repo-relative directory that relative paths start from.
    pub fn load_from_vars(
        &mut self,
        fs: &dyn RepoFs,
        vars: &[Node],
        wdir: &str,
        stage_name: Option<&str>,
        default: Option<&str>,
    ) -> Result<(), VarsError> {
        if let Some(default) = default {
            let path = normpath(&join(wdir, default));
            if fs.exists(&path) {
                self.merge_from(fs, default, wdir)
                    .map_err(|message| VarsError {
                        index: None,
                        message,
                    })?;
            }
        }
        for (index, item) in vars.iter().enumerate() {
            let err = |message| VarsError {
                index: Some(index),
                message,
            };
            match &item.value {
                Value::Str(s) => self.merge_from(fs, s, wdir).map_err(err)?,
                Value::Map(_) => {
                    let source = match stage_name {
                        Some(name) => format!("{name}.vars[{index}]"),
                        None => format!("vars[{index}]"),
                    };
                    let Data::Dict(m) = Data::from_node(item) else {
                        unreachable!()
                    };
                    self.merge_update(m, &source).map_err(err)?;
                }
                _ => {
                    return Err(err(format!(
                        "vars entry {index} must be a file name or a mapping"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Loads `path[:key1,key2]` relative to `wdir` and merges it in.
    pub fn merge_from(&mut self, fs: &dyn RepoFs, item: &str, wdir: &str) -> Result<(), String> {
        let (path, keys_str) = match item.split_once(':') {
            Some((p, k)) => (p, k),
            None => (item, ""),
        };
        let path = normpath(&join(wdir, path));
        let select_keys: Option<Vec<String>> = if keys_str.is_empty() {
            None
        } else {
            let keys: Vec<String> = keys_str
                .split(',')
                .filter(|k| !k.is_empty())
                .map(String::from)
                .collect();
            if keys.is_empty() { None } else { Some(keys) }
        };
        if let Some(imported) = self.imports.get(&path) {
            if select_keys.is_none() && imported.is_none() {
                return Ok(()); // the same whole file may be listed several times
            }
            check_loaded(imported, item, select_keys.as_deref())?;
        }

        if !fs.exists(&path) {
            return Err(format!("'{path}' does not exist"));
        }
        if fs.is_dir(&path) {
            return Err(format!("'{path}' is a directory"));
        }
        let data = params_file::load(fs, &path).map_err(|e| e.to_string())?;
        let Data::Dict(mut data) = data else {
            return Err(format!(
                "expected a dictionary, got '{}' in file '{path}'",
                data.py_type()
            ));
        };
        if let Some(keys) = &select_keys {
            let mut picked = IndexMap::new();
            for k in keys {
                match data.shift_remove(k) {
                    Some(v) => {
                        picked.insert(k.clone(), v);
                    }
                    None => return Err(format!("could not find '{k}' in '{path}'")),
                }
            }
            data = picked;
        }
        self.merge_update(data, &path).map_err(|e| {
            if e.starts_with("attempted to modify reserved") {
                format!("{e} in '{item}'")
            } else {
                e
            }
        })?;
        match self.imports.get_mut(&path) {
            None => {
                self.imports.insert(path, select_keys);
            }
            Some(Some(existing)) => {
                if let Some(keys) = select_keys {
                    existing.extend(keys);
                }
            }
            Some(None) => {}
        }
        Ok(())
    }

    /// Merges `other` in without overwriting: dicts merge recursively, anything else that
    /// already exists is an error naming both sources.
    pub fn merge_update(
        &mut self,
        other: IndexMap<String, Data>,
        source: &str,
    ) -> Result<(), String> {
        let clash: Vec<&String> = self
            .reserved
            .iter()
            .filter(|k| other.contains_key(*k))
            .collect();
        if !clash.is_empty() {
            let n = if clash.len() > 1 { "keys" } else { "key" };
            let names: Vec<String> = clash.iter().map(|k| format!("'{k}'")).collect();
            return Err(format!(
                "attempted to modify reserved {n} {}",
                names.join(" and ")
            ));
        }
        for (key, val) in other {
            let existing_source = self.sources.get(&key).cloned().unwrap_or_default();
            match self.data.get_mut(&key) {
                None => {
                    self.sources.insert(key.clone(), source.to_string());
                    self.data.insert(key, val);
                }
                Some(into) => merge_into(into, val, &key, source, &existing_source)?,
            }
        }
        Ok(())
    }

    /// Sets variables for the duration of one generated stage, reserving them; returns what
    /// to hand to [`Context::restore`].
    pub fn set_temporarily(&mut self, vals: Vec<(String, Data)>) -> Saved {
        let mut saved = Saved {
            previous: Vec::new(),
            reserved_added: Vec::new(),
        };
        for (k, v) in vals {
            if !self.reserved.contains(&k) {
                self.reserved.push(k.clone());
                saved.reserved_added.push(k.clone());
            }
            let prev = self.data.insert(k.clone(), v);
            saved.previous.push((k, prev));
        }
        saved
    }

    /// Undoes [`Context::set_temporarily`].
    pub fn restore(&mut self, saved: Saved) {
        for (k, prev) in saved.previous.into_iter().rev() {
            match prev {
                Some(v) => {
                    self.data.insert(k, v);
                }
                None => {
                    self.data.shift_remove(&k);
                }
            }
        }
        self.reserved.retain(|k| !saved.reserved_added.contains(k));
    }
}

/// State saved by [`Context::set_temporarily`].
#[derive(Debug)]
pub struct Saved {
    previous: Vec<(String, Option<Data>)>,
    reserved_added: Vec<String>,
}

fn merge_into(
    into: &mut Data,
    new: Data,
    path: &str,
    source: &str,
    existing: &str,
) -> Result<(), String> {
    match (into, new) {
        (Data::Dict(a), Data::Dict(b)) => {
            for (k, v) in b {
                let sub = format!("{path}.{k}");
                match a.get_mut(&k) {
                    None => {
                        a.insert(k, v);
                    }
                    Some(slot) => merge_into(slot, v, &sub, source, existing)?,
                }
            }
            Ok(())
        }
        _ => Err(format!(
            "cannot redefine '{path}' from '{source}' as it already exists in '{existing}'"
        )),
    }
}

fn check_loaded(
    imported: &Option<Vec<String>>,
    item: &str,
    keys: Option<&[String]>,
) -> Result<(), String> {
    match (keys, imported) {
        (None, Some(_)) => Err(format!(
            "cannot load '{item}' as it's partially loaded already"
        )),
        (Some(_), None) => Err(format!(
            "cannot partially load '{item}' as it's already loaded."
        )),
        (Some(keys), Some(done)) if keys.iter().any(|k| done.contains(k)) => Err(format!(
            "cannot load '{item}' as it's partially loaded already"
        )),
        _ => Ok(()),
    }
}
