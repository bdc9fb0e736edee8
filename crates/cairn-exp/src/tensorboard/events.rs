//! One event file's contents as far as Cairn uses them, built record by record as the
//! file grows: numeric summary values with the plugin each tag first declared, restarts,
//! hyperparameters, and the first and last wall times.

use std::collections::HashMap;

use indexmap::IndexSet;
use prost::Message as _;
use serde_json::Value;

use super::proto::{self, Event};

/// The tag and plugin of the hparams plugin's record of a run's hyperparameters.
const HPARAMS_TAG: &str = "_hparams_/session_start_info";
const HPARAMS_PLUGIN: &str = "hparams";
/// The plugin TensorBoard's scalars dashboard draws; legacy `simple_value`s belong to it.
pub(super) const SCALARS_PLUGIN: &str = "scalars";

/// What one event file holds, in file order.
#[derive(Debug, Clone, Default)]
pub(super) struct FileData {
    /// Tag names, indexed by [`Item::Point::tag`].
    pub tags: IndexSet<String>,
    /// The plugin each tag declared first in this file (TensorBoard writes a tag's
    /// metadata with its first value only).
    pub plugins: HashMap<usize, String>,
    pub items: Vec<Item>,
    /// Seconds since the epoch of the earliest and the latest event.
    pub first_wall: Option<f64>,
    pub last_wall: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    /// The file format's version (`brain.Event:2` is 2): from 2 on, restarts are marked.
    Version(f64),
    /// A `SessionLog START`. After the first of a run it marks a restart from a
    /// checkpoint at `step`: what was logged at or after it is orphaned.
    SessionStart { step: i64 },
    /// An event with a summary; its values' points follow. Before version 2 a step lower
    /// than the previous summary's is how a restart shows.
    Summary { step: i64 },
    /// A summary value holding one number.
    Point { tag: usize, step: i64, value: f64 },
    /// Hyperparameter values (the hparams plugin's `session_start_info`).
    HParams(Vec<(String, Value)>),
}

impl FileData {
    /// Adds one record; `false` if it is not an event (it is skipped).
    pub fn add_record(&mut self, record: &[u8]) -> bool {
        let Ok(event) = Event::decode(record) else {
            return false;
        };
        if event.wall_time > 0.0 {
            let t = event.wall_time;
            self.first_wall = Some(self.first_wall.map_or(t, |f| f.min(t)));
            self.last_wall = Some(self.last_wall.map_or(t, |l| l.max(t)));
        }
        if let Some(version) = event
            .file_version
            .as_deref()
            .and_then(|v| v.strip_prefix("brain.Event:"))
            .and_then(|v| v.parse().ok())
        {
            self.items.push(Item::Version(version));
        }
        if event
            .session_log
            .as_ref()
            .is_some_and(|l| l.status == proto::SESSION_START)
        {
            self.items.push(Item::SessionStart { step: event.step });
        }
        let Some(summary) = event.summary else {
            return true;
        };
        self.items.push(Item::Summary { step: event.step });
        for v in summary.value {
            let name = if v.tag.is_empty() { v.node_name } else { v.tag };
            let (tag, _) = self.tags.insert_full(name);
            // TensorBoard turns a legacy simple value into a tensor of the scalars plugin.
            let plugin = match (&v.simple_value, &v.metadata) {
                (Some(_), _) => Some(SCALARS_PLUGIN.to_string()),
                (None, Some(m)) => m.plugin_data.as_ref().map(|p| p.plugin_name.clone()),
                _ => None,
            };
            if let Some(p) = plugin {
                self.plugins.entry(tag).or_insert(p);
            }
            if self.tags[tag] == HPARAMS_TAG
                && let Some(data) = v.metadata.as_ref().and_then(|m| m.plugin_data.as_ref())
                && data.plugin_name == HPARAMS_PLUGIN
            {
                self.items.push(Item::HParams(hparams(&data.content)));
            }
            let value = match v.simple_value {
                Some(x) => Some(proto::widen(x)),
                None => v.tensor.as_ref().and_then(proto::TensorProto::scalar),
            };
            if let Some(value) = value {
                self.items.push(Item::Point {
                    tag,
                    step: event.step,
                    value,
                });
            }
        }
        true
    }
}

/// The hyperparameters in an hparams plugin's content, by name (none if it holds
/// something else, such as the experiment's declared domains).
fn hparams(content: &[u8]) -> Vec<(String, Value)> {
    let Ok(data) = proto::HParamsPluginData::decode(content) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Value)> = data
        .session_start_info
        .map(|s| s.hparams)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| {
            let value = match (v.number_value, v.string_value, v.bool_value) {
                (Some(n), _, _) => number(n),
                (_, Some(s), _) => Value::String(s),
                (_, _, Some(b)) => Value::Bool(b),
                _ => return None,
            };
            Some((k, value))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A protobuf number (always a double) as JSON: whole numbers as integers, as they
/// were most likely given (`epochs = 10`).
pub(super) fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}
