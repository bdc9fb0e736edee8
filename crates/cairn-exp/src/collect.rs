//! What DVC's `SerializableExp.from_repo` gathers for one revision: params, metrics,
//! deps and outs (hashes from `dvc.lock` / `.dvc` files), in DVC's order and shape.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::snapshot::{ReadError, Snapshot};

/// A file's parsed content or why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum FileResult {
    /// Parsed data.
    Data(Value),
    /// Unreadable.
    Error(ReadError),
}

impl FileResult {
    /// `{"data": ...}` or `{"error": {"type": ..., "msg": ...}}`.
    pub fn to_json(&self) -> Value {
        match self {
            FileResult::Data(v) => json!({ "data": v }),
            FileResult::Error(e) => {
                let (typ, msg) = e.to_dvc();
                json!({ "error": { "type": typ, "msg": msg } })
            }
        }
    }

    /// The data, if any.
    pub fn data(&self) -> Option<&Value> {
        match self {
            FileResult::Data(v) => Some(v),
            FileResult::Error(_) => None,
        }
    }
}

/// A dep's or out's recorded hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Hashed {
    /// md5 (or `None` if never recorded).
    pub hash: Option<String>,
    /// Size.
    pub size: Option<u64>,
    /// Files in a directory.
    pub nfiles: Option<u64>,
}

/// An output's entry in `exp show`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutInfo {
    /// Recorded hash.
    pub hashed: Hashed,
    /// `cache:`.
    pub use_cache: bool,
    /// Defined by a `.dvc` file.
    pub is_data_source: bool,
}

/// Everything `exp show` reports about one revision.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpData {
    /// Commit id or `workspace`.
    pub rev: String,
    /// Commit time as DVC prints it (`2026-11-27T08:35:10`).
    pub timestamp: Option<String>,
    /// Params files.
    pub params: IndexMap<String, FileResult>,
    /// Metrics files.
    pub metrics: IndexMap<String, FileResult>,
    /// Deps.
    pub deps: IndexMap<String, Hashed>,
    /// Outs (not metrics or plots).
    pub outs: IndexMap<String, OutInfo>,
}

fn hashed_json(h: &Hashed) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("hash".into(), json!(h.hash));
    m.insert("size".into(), json!(h.size));
    m.insert("nfiles".into(), json!(h.nfiles));
    m
}

impl ExpData {
    /// DVC's `SerializableExp.dumpd()`.
    pub fn to_json(&self) -> Value {
        let files = |m: &IndexMap<String, FileResult>| {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
        };
        let mut o = Map::new();
        o.insert("rev".into(), json!(self.rev));
        o.insert("timestamp".into(), json!(self.timestamp));
        o.insert("params".into(), files(&self.params));
        o.insert("metrics".into(), files(&self.metrics));
        o.insert(
            "deps".into(),
            Value::Object(
                self.deps
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::Object(hashed_json(v))))
                    .collect(),
            ),
        );
        o.insert(
            "outs".into(),
            Value::Object(
                self.outs
                    .iter()
                    .map(|(k, v)| {
                        let mut m = hashed_json(&v.hashed);
                        m.insert("use_cache".into(), json!(v.use_cache));
                        m.insert("is_data_source".into(), json!(v.is_data_source));
                        (k.clone(), Value::Object(m))
                    })
                    .collect(),
            ),
        );
        o.insert("meta".into(), json!({}));
        Value::Object(o)
    }

    /// Whether any params or metrics file failed to read.
    pub fn contains_error(&self) -> bool {
        self.params
            .values()
            .chain(self.metrics.values())
            .any(|r| matches!(r, FileResult::Error(_)))
    }

    /// The inverse of [`ExpData::to_json`] for error-free data (what the experiment
    /// cache stores); `None` if the shape is not that.
    pub fn from_json(v: &Value) -> Option<ExpData> {
        let files = |v: &Value| -> Option<IndexMap<String, FileResult>> {
            v.as_object()?
                .iter()
                .map(|(k, r)| Some((k.clone(), FileResult::Data(r.get("data")?.clone()))))
                .collect()
        };
        let hashed = |v: &Value| Hashed {
            hash: v.get("hash").and_then(Value::as_str).map(str::to_string),
            size: v.get("size").and_then(Value::as_u64),
            nfiles: v.get("nfiles").and_then(Value::as_u64),
        };
        Some(ExpData {
            rev: v.get("rev")?.as_str()?.to_string(),
            timestamp: v.get("timestamp")?.as_str().map(str::to_string),
            params: files(v.get("params")?)?,
            metrics: files(v.get("metrics")?)?,
            deps: v
                .get("deps")?
                .as_object()?
                .iter()
                .map(|(k, d)| (k.clone(), hashed(d)))
                .collect(),
            outs: v
                .get("outs")?
                .as_object()?
                .iter()
                .map(|(k, o)| {
                    Some((
                        k.clone(),
                        OutInfo {
                            hashed: hashed(o),
                            use_cache: o.get("use_cache")?.as_bool()?,
                            is_data_source: o.get("is_data_source")?.as_bool()?,
                        },
                    ))
                })
                .collect::<Option<_>>()?,
        })
    }

    /// Params flattened to `file:key.sub` → value (lists kept as values).
    pub fn flat_params(&self) -> IndexMap<String, Value> {
        flatten_files(&self.params)
    }

    /// Metrics flattened to `file:key.sub` → value.
    pub fn flat_metrics(&self) -> IndexMap<String, Value> {
        flatten_files(&self.metrics)
    }
}

fn flatten_files(files: &IndexMap<String, FileResult>) -> IndexMap<String, Value> {
    let mut out = IndexMap::new();
    for (file, r) in files {
        if let FileResult::Data(v) = r {
            let mut flat = IndexMap::new();
            flatten("", v, &mut flat);
            for (k, v) in flat {
                out.insert(format!("{file}:{k}"), v);
            }
        }
    }
    out
}

/// Flattens nested objects with `.`.
pub fn flatten(prefix: &str, v: &Value, out: &mut IndexMap<String, Value>) {
    match v {
        Value::Object(m) if !m.is_empty() || prefix.is_empty() => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

/// DVC's `_extract_metrics`: numbers, strings (and bools) and dicts of them; lists and
/// nulls are dropped, and so are dicts left empty.
pub fn extract_metrics(v: &Value) -> Option<Value> {
    match v {
        Value::Number(_) | Value::String(_) | Value::Bool(_) => Some(v.clone()),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                if let Some(x) = extract_metrics(v)
                    && x != Value::Object(Map::new())
                {
                    out.insert(k.clone(), x);
                }
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// `dpath.search(config, key, separator=".")` merged into `out` (keys that are absent
/// contribute nothing).
fn select_key(config: &Value, key: &str, out: &mut Map<String, Value>) {
    let parts: Vec<&str> = key.split('.').collect();
    fn go(cur: &Value, parts: &[&str], out: &mut Map<String, Value>) {
        let Some((first, rest)) = parts.split_first() else {
            return;
        };
        let Some(m) = cur.as_object() else { return };
        let Some(child) = m.get(*first) else { return };
        if rest.is_empty() {
            merge_into(out, first, child.clone());
            return;
        }
        if !child.is_object() {
            return;
        }
        let mut sub = match out.get(*first) {
            Some(Value::Object(s)) => s.clone(),
            _ => Map::new(),
        };
        let before = sub.len();
        go(child, rest, &mut sub);
        if sub.len() != before || out.contains_key(*first) {
            out.insert((*first).to_string(), Value::Object(sub));
        }
    }
    go(config, &parts, out);
}

fn merge_into(out: &mut Map<String, Value>, key: &str, v: Value) {
    match (out.get_mut(key), v) {
        (Some(Value::Object(a)), Value::Object(b)) => {
            for (k, v) in b {
                merge_into(a, &k, v);
            }
        }
        (_, v) => {
            out.insert(key.to_string(), v);
        }
    }
}

/// DVC's default params file.
pub const DEFAULT_PARAMS_FILE: &str = "params.yaml";

/// The params files (and their tracked keys; empty = whole file) DVC's `_collect_params`
/// finds for a revision, in its order.
pub fn params_files(snap: &Snapshot<'_>) -> IndexMap<String, Vec<String>> {
    params_files_with(snap, false)
}

/// Like [`params_files`]; with `deps_only` (`--param-deps`) only what stages depend on.
pub fn params_files_with(snap: &Snapshot<'_>, deps_only: bool) -> IndexMap<String, Vec<String>> {
    let mut list: Vec<(String, Vec<String>)> = Vec::new();
    if let Ok(project) = &snap.project {
        for s in project.stages() {
            for p in &s.params {
                if let Some(path) = s.dep_repo_path(&p.file) {
                    list.push((path, p.keys.clone()));
                }
            }
        }
        for f in project.files.iter().filter(|_| !deps_only) {
            let dir = cairn_pipeline::fs::parent(&f.path);
            for p in &f.params {
                if let Some(p) = p.as_str() {
                    list.push((cairn_pipeline::fs::repo_path(dir, p), Vec::new()));
                }
            }
        }
    }
    if !deps_only && snap.fs().exists(DEFAULT_PARAMS_FILE) {
        list.push((DEFAULT_PARAMS_FILE.to_string(), Vec::new()));
    }
    // `_merge_params`.
    let wholly: std::collections::HashSet<String> = list
        .iter()
        .filter(|(_, k)| k.is_empty())
        .map(|(f, _)| f.clone())
        .collect();
    let mut merged: IndexMap<String, Vec<String>> = IndexMap::new();
    for (f, keys) in list {
        let e = merged.entry(f.clone()).or_default();
        if wholly.contains(&f) {
            e.clear();
        } else {
            for k in keys {
                if !e.contains(&k) {
                    e.push(k);
                }
            }
        }
    }
    let mut out = IndexMap::new();
    for (f, keys) in merged {
        for p in snap.expand(&f) {
            out.insert(p, keys.clone());
        }
    }
    out
}

/// The metrics files DVC's `_collect_metrics` finds for a revision, in order.
pub fn metrics_files(snap: &Snapshot<'_>) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    if let Ok(project) = &snap.project {
        for s in project.stages() {
            for o in &s.outs {
                if o.kind == cairn_pipeline::OutKind::Metric
                    && let Some(p) = o.repo_path(s)
                {
                    list.push(p);
                }
            }
        }
        for f in &project.files {
            let dir = cairn_pipeline::fs::parent(&f.path);
            for m in &f.metrics {
                if let Some(m) = m.as_str() {
                    list.push(cairn_pipeline::fs::repo_path(dir, m));
                }
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for f in list {
        for p in snap.expand(&f) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Reads params for a revision.
pub fn read_params(snap: &Snapshot<'_>) -> IndexMap<String, FileResult> {
    read_params_with(snap, false)
}

/// Like [`read_params`]; with `deps_only` only the params stages depend on.
pub fn read_params_with(snap: &Snapshot<'_>, deps_only: bool) -> IndexMap<String, FileResult> {
    let mut out = IndexMap::new();
    for (file, keys) in params_files_with(snap, deps_only) {
        let r = match snap.load(&file) {
            Ok(v) if keys.is_empty() => FileResult::Data(v),
            Ok(v) => {
                let mut sel = Map::new();
                for k in &keys {
                    select_key(&v, k, &mut sel);
                }
                FileResult::Data(Value::Object(sel))
            }
            Err(e) => FileResult::Error(e),
        };
        out.insert(file, r);
    }
    for (file, vars) in tracked_vars(snap) {
        if !out.contains_key(&file) {
            out.insert(file, FileResult::Data(Value::Object(vars)));
        }
    }
    out
}

/// DVC's `_collect_vars`: values that stages interpolate (`${a.b}`) from `vars` files
/// (top-level and stage-level) and the pipeline's `params.yaml`, by file, with dotted keys;
/// files already read as params are left to that. Like DVC's `Context.track`, a whole
/// dict (`${model}`) tracks nothing, a list is tracked whole, and inline `vars` dicts and
/// `item`/`key` are local. Names come from each stage's `${}` expressions in definition
/// order (simple dotted names only).
fn tracked_vars(snap: &Snapshot<'_>) -> IndexMap<String, Map<String, Value>> {
    let mut out: IndexMap<String, Map<String, Value>> = IndexMap::new();
    let Ok(project) = &snap.project else {
        return out;
    };
    for f in &project.files {
        if f.path.ends_with(".dvc") {
            continue;
        }
        let Ok(text) = snap.fs().read_to_string(&f.path) else {
            continue;
        };
        if !text.contains("${") {
            continue;
        }
        let Ok(root) = cairn_yaml::parse(&text) else {
            continue;
        };
        let dir = cairn_pipeline::fs::parent(&f.path);
        let default = cairn_pipeline::fs::repo_path(dir, DEFAULT_PARAMS_FILE);
        let mut base_files = Vec::new();
        if snap.fs().exists(&default) {
            base_files.push(default);
        }
        let mut base_locals = Vec::new();
        vars_entries(root.get("vars"), dir, &mut base_files, &mut base_locals);
        let Some(stages) = root.get("stages").and_then(|s| s.as_map()) else {
            continue;
        };
        for (_, stage) in stages {
            let mut files = base_files.clone();
            let mut locals = base_locals.clone();
            let wdir = match stage.get("wdir").and_then(|w| w.as_str()) {
                Some(w) if !w.contains("${") => cairn_pipeline::fs::repo_path(dir, w),
                _ => dir.to_string(),
            };
            let body = stage.get("do").unwrap_or(stage);
            vars_entries(body.get("vars"), &wdir, &mut files, &mut locals);
            let loaded: Vec<(String, Value)> = files
                .iter()
                .filter_map(|p| snap.load(p).ok().map(|v| (p.clone(), v)))
                .collect();
            let mut names = Vec::new();
            if let Some(m) = body.as_map() {
                for (k, v) in m {
                    if !matches!(k.as_str(), Some("vars" | "matrix" | "foreach" | "do")) {
                        interpolated_names(v, &mut names);
                    }
                }
            }
            let mut tracked: IndexMap<String, Map<String, Value>> = IndexMap::new();
            for name in names {
                let first = name.split('.').next().unwrap_or("");
                if first == "item" || first == "key" || locals.iter().any(|l| l == first) {
                    continue;
                }
                let found = loaded.iter().find_map(|(path, data)| {
                    let mut cur = data;
                    for part in name.split('.') {
                        cur = cur.get(part)?;
                    }
                    Some((path, cur))
                });
                if let Some((path, v)) = found
                    && !v.is_object()
                {
                    tracked
                        .entry(path.clone())
                        .or_default()
                        .insert(name.clone(), v.clone());
                }
            }
            for (file, vars) in tracked {
                out.entry(file).or_default().extend(vars);
            }
        }
    }
    out
}

/// The files (and inline dicts' top-level names) of a `vars:` list.
fn vars_entries(
    vars: Option<&cairn_yaml::Node>,
    dir: &str,
    files: &mut Vec<String>,
    locals: &mut Vec<String>,
) {
    for item in vars.and_then(|v| v.as_seq()).unwrap_or_default() {
        if let Some(s) = item.as_str() {
            let file = s.split(':').next().unwrap_or(s);
            let path = cairn_pipeline::fs::repo_path(dir, file);
            if !files.contains(&path) {
                files.push(path);
            }
        } else if let Some(m) = item.as_map() {
            locals.extend(m.iter().filter_map(|(k, _)| k.as_str().map(str::to_string)));
        }
    }
}

/// The `${name}` expressions of a stage definition, in order.
fn interpolated_names(node: &cairn_yaml::Node, out: &mut Vec<String>) {
    if let Some(s) = node.as_str() {
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            rest = &rest[i + 2..];
            let Some(j) = rest.find('}') else { break };
            let name = rest[..j].trim();
            rest = &rest[j + 1..];
            let simple = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.');
            if simple {
                out.push(name.to_string());
            }
        }
    } else if let Some(items) = node.as_seq() {
        items.iter().for_each(|n| interpolated_names(n, out));
    } else if let Some(m) = node.as_map() {
        m.iter().for_each(|(_, v)| interpolated_names(v, out));
    }
}

/// Reads metrics for a revision.
pub fn read_metrics(snap: &Snapshot<'_>) -> IndexMap<String, FileResult> {
    let mut out = IndexMap::new();
    for file in metrics_files(snap) {
        let r = match snap.load(&file) {
            Ok(v) => {
                let v = extract_metrics(&v).filter(truthy).unwrap_or(json!({}));
                FileResult::Data(v)
            }
            Err(e) => FileResult::Error(e),
        };
        out.insert(file, r);
    }
    out
}

/// Gathers everything for one revision.
pub fn collect(snap: &Snapshot<'_>, timestamp: Option<String>) -> ExpData {
    collect_with(snap, timestamp, false)
}

/// Like [`collect`]; `param_deps` keeps only the params stages depend on.
pub fn collect_with(snap: &Snapshot<'_>, timestamp: Option<String>, param_deps: bool) -> ExpData {
    let mut deps = IndexMap::new();
    let mut outs = IndexMap::new();
    if let Ok(project) = &snap.project {
        for s in project.stages() {
            for d in &s.deps {
                let Some(p) = s.dep_repo_path(&d.path) else {
                    continue;
                };
                let h = lock_hashed(snap, s, &d.path, "deps");
                deps.insert(p, h);
            }
        }
        for s in project.stages() {
            for o in &s.outs {
                if o.kind != cairn_pipeline::OutKind::Out {
                    continue;
                }
                let Some(p) = o.repo_path(s) else { continue };
                let hashed = if s.data_source {
                    match snap.recorded.get(&p) {
                        Some(r) => Hashed {
                            hash: Some(r.md5.clone()),
                            size: r.size,
                            nfiles: r.nfiles,
                        },
                        None => Hashed {
                            hash: None,
                            size: None,
                            nfiles: None,
                        },
                    }
                } else {
                    lock_hashed(snap, s, &o.path, "outs")
                };
                outs.insert(
                    p,
                    OutInfo {
                        hashed,
                        use_cache: o.cache,
                        is_data_source: s.data_source,
                    },
                );
            }
        }
    }
    ExpData {
        rev: snap.rev.clone().unwrap_or_else(|| "workspace".into()),
        timestamp,
        params: read_params_with(snap, param_deps),
        metrics: read_metrics(snap),
        deps,
        outs,
    }
}

fn lock_hashed(snap: &Snapshot<'_>, s: &cairn_pipeline::Stage, path: &str, key: &str) -> Hashed {
    let none = Hashed {
        hash: None,
        size: None,
        nfiles: None,
    };
    let Some(stages) = snap.locks.get(&s.dvcfile) else {
        return none;
    };
    let Some(entries) = stages
        .get(&s.name)
        .and_then(|e| e.get(key))
        .and_then(Value::as_array)
    else {
        return none;
    };
    for e in entries {
        if e.get("path").and_then(Value::as_str) == Some(path) {
            return Hashed {
                hash: e
                    .get("md5")
                    .or_else(|| e.get("etag"))
                    .or_else(|| e.get("checksum"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                size: e.get("size").and_then(Value::as_u64),
                nfiles: e.get("nfiles").and_then(Value::as_u64),
            };
        }
    }
    none
}

/// `datetime.fromtimestamp(t).isoformat()`: the machine's local time without an offset,
/// as DVC prints experiment timestamps (from `TZ` or `/etc/localtime`).
pub fn iso_timestamp(secs: i64) -> String {
    use chrono::TimeZone;
    match chrono::Local.timestamp_opt(secs, 0).earliest() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_metric_extraction() {
        // Python is the oracle: same process environment, so the same local zone.
        for t in [1795779467_i64, 0, 1_700_000_000] {
            let py = std::process::Command::new("python3")
                .args([
                    "-c",
                    &format!(
                        "import datetime; print(datetime.datetime.fromtimestamp({t}).isoformat())"
                    ),
                ])
                .output()
                .expect("python3 runs");
            assert_eq!(
                iso_timestamp(t),
                String::from_utf8_lossy(&py.stdout).trim(),
                "t={t}"
            );
        }
        let v = json!({"a": 1, "l": [1, 2], "n": null, "d": {"x": [1]}, "s": "t", "b": true});
        assert_eq!(
            extract_metrics(&v).unwrap(),
            json!({"a": 1, "s": "t", "b": true})
        );
        let cfg = json!({"lr": 0.1, "model": {"depth": 2, "name": "x"}, "z": 1});
        let mut out = Map::new();
        select_key(&cfg, "model.depth", &mut out);
        select_key(&cfg, "lr", &mut out);
        select_key(&cfg, "missing.key", &mut out);
        assert_eq!(
            Value::Object(out),
            json!({"model": {"depth": 2}, "lr": 0.1})
        );
    }
}
