//! One `.wandb` file's run, built record by record as the file grows: the run record
//! (id, name, start, config at start), config and summary changes applied in order,
//! each history row's numbers at its step, and the exit code.

use prost::Message as _;
use serde_json::{Map, Value};

use super::log::{self, Next};
use super::proto::{Changes, Item, Record};
use crate::tail::Appended;

/// What one `.wandb` file holds so far.
#[derive(Debug, Clone, Default)]
pub(super) struct FileData {
    pub run_id: String,
    pub name: String,
    pub start_ms: Option<i64>,
    /// The config as nested JSON, W&B's own `_wandb` entry left out.
    pub config: Map<String, Value>,
    /// The summary as nested JSON, W&B's own `_…` entries left out.
    pub summary: Map<String, Value>,
    /// Each history key's `(step, value)` points in logging order (nested keys joined
    /// with `.`).
    pub history: indexmap::IndexMap<String, Vec<(f64, f64)>>,
    /// The exit code, once the run has finished.
    pub exit: Option<i32>,
    /// A checksum or framing error stopped reading at this offset.
    pub corrupt_at: Option<u64>,
}

impl Appended for FileData {
    fn append(&mut self, buf: &[u8], offset: u64) -> usize {
        if self.corrupt_at.is_some() {
            return buf.len();
        }
        let mut at = 0;
        loop {
            match log::next(&buf[at..], offset + at as u64) {
                Next::Record(bytes, used) => {
                    self.add_record(&bytes);
                    at += used;
                }
                Next::Incomplete => return at,
                Next::Corrupt => {
                    self.corrupt_at = Some(offset + at as u64);
                    return buf.len();
                }
            }
        }
    }
}

impl FileData {
    fn add_record(&mut self, bytes: &[u8]) {
        let Ok(record) = Record::decode(bytes) else {
            return;
        };
        if let Some(run) = record.run {
            // A later run record (a rename during the run) may leave fields unset.
            if !run.run_id.is_empty() {
                self.run_id = run.run_id;
            }
            if !run.display_name.is_empty() {
                self.name = run.display_name;
            }
            if let Some(t) = run.start_time {
                self.start_ms = Some(t.seconds * 1000 + i64::from(t.nanos) / 1_000_000);
            }
            if let Some(c) = &run.config {
                apply(&mut self.config, c, config_hidden);
            }
            if let Some(s) = &run.summary {
                apply(&mut self.summary, s, summary_hidden);
            }
        }
        if let Some(c) = &record.config {
            apply(&mut self.config, c, config_hidden);
        }
        if let Some(s) = &record.summary {
            apply(&mut self.summary, s, summary_hidden);
        }
        if let Some(h) = &record.history {
            // W&B's own `_…` values (`_timestamp`, `_runtime`) are not shown; `_step`
            // places the row.
            let mut step = h.step.as_ref().map(|s| s.num as f64);
            let mut values: Vec<(String, Value)> = Vec::with_capacity(h.item.len());
            for i in &h.item {
                let keys = path(i);
                match keys.first().map(String::as_str) {
                    Some("_step") if keys.len() == 1 => {
                        step = value(i).and_then(|v| v.as_f64()).or(step);
                    }
                    Some(k) if !k.starts_with('_') => {
                        if let Some(v) = value(i) {
                            values.push((keys.join("."), v));
                        }
                    }
                    _ => {}
                }
            }
            let step = step
                .unwrap_or_else(|| self.history.values().map(Vec::len).max().unwrap_or(0) as f64);
            for (key, v) in values {
                let mut numbers = Vec::new();
                numeric_leaves(&key, &v, &mut numbers);
                for (k, x) in numbers {
                    match self.history.get_mut(&k) {
                        Some(points) => points.push((step, x)),
                        None => {
                            self.history.insert(k, vec![(step, x)]);
                        }
                    }
                }
            }
        }
        if let Some(exit) = record.exit {
            self.exit = Some(exit.exit_code);
        }
    }
}

/// W&B's own config entry.
fn config_hidden(key: &str) -> bool {
    key == "_wandb"
}

/// W&B's own summary entries (`_wandb`, `_runtime`, `_step`, `_timestamp`).
fn summary_hidden(key: &str) -> bool {
    key.starts_with('_')
}

/// An item's key path: `key`, else `nested_key`.
fn path(item: &Item) -> &[String] {
    if item.key.is_empty() {
        &item.nested_key
    } else {
        std::slice::from_ref(&item.key)
    }
}

/// An item's value. W&B writes JSON as Python's `json` does, so a non-finite float is
/// the bare word `NaN`, `Infinity` or `-Infinity`.
fn value(item: &Item) -> Option<Value> {
    if !item.value_json.is_empty() {
        return match item.value_json.as_str() {
            "NaN" | "Infinity" | "-Infinity" => None,
            text => serde_json::from_str(text).ok(),
        };
    }
    item.integer.map(Value::from).or_else(|| {
        item.number
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
    })
}

/// Sets, then removes, the changes' items in a nested JSON object, except the top-level
/// keys `hidden` names (W&B's own entries, never shown).
fn apply(tree: &mut Map<String, Value>, changes: &Changes, hidden: fn(&str) -> bool) {
    for item in &changes.update {
        let keys = path(item);
        let Some((last, parents)) = keys.split_last() else {
            continue;
        };
        if hidden(&keys[0]) {
            continue;
        }
        let Some(v) = value(item) else {
            continue;
        };
        let mut node = &mut *tree;
        for k in parents {
            if !node.contains_key(k) {
                node.insert(k.clone(), Value::Object(Map::new()));
            }
            let child = node.get_mut(k).expect("just inserted");
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            node = child.as_object_mut().expect("an object");
        }
        match node.get_mut(last) {
            Some(slot) => *slot = v,
            None => {
                node.insert(last.clone(), v);
            }
        }
    }
    for item in &changes.remove {
        let keys = path(item);
        let Some((last, parents)) = keys.split_last() else {
            continue;
        };
        let mut node = Some(&mut *tree);
        for k in parents {
            node = node
                .and_then(|n| n.get_mut(k))
                .and_then(Value::as_object_mut);
        }
        if let Some(n) = node {
            n.remove(last);
        }
    }
}

/// The finite numbers in `v`, named from `key` down with `.`. Media and other logged
/// objects (a dict with a `_type`: images, histograms, tables) are not numbers to chart.
pub(super) fn numeric_leaves(key: &str, v: &Value, out: &mut Vec<(String, f64)>) {
    match v {
        Value::Number(n) => {
            if let Some(x) = n.as_f64().filter(|x| x.is_finite()) {
                out.push((key.to_string(), x));
            }
        }
        Value::Object(m) if !m.contains_key("_type") => {
            for (k, v) in m {
                numeric_leaves(&format!("{key}.{k}"), v, out);
            }
        }
        _ => {}
    }
}
