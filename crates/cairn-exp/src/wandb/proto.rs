//! The parts of W&B's `wandb_internal.proto` that a run's name, config, history,
//! summary and end are read from. Other records (system stats, console output, files,
//! telemetry, artifacts…) and fields are skipped by the decoder. A `oneof` member is
//! declared as an optional field: on the wire it is one.

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Record {
    #[prost(message, optional, tag = "2")]
    pub history: Option<HistoryRecord>,
    #[prost(message, optional, tag = "3")]
    pub summary: Option<Changes>,
    #[prost(message, optional, tag = "5")]
    pub config: Option<Changes>,
    #[prost(message, optional, tag = "17")]
    pub run: Option<RunRecord>,
    #[prost(message, optional, tag = "18")]
    pub exit: Option<RunExitRecord>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct HistoryRecord {
    #[prost(message, repeated, tag = "1")]
    pub item: Vec<Item>,
    #[prost(message, optional, tag = "2")]
    pub step: Option<HistoryStep>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct HistoryStep {
    #[prost(int64, tag = "1")]
    pub num: i64,
}

/// `HistoryItem`, `SummaryItem` and `ConfigItem`: a key (or a path of keys into nested
/// dicts) and its value. Writers send the value as JSON; history items may instead carry
/// it typed.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Item {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(string, repeated, tag = "2")]
    pub nested_key: Vec<String>,
    #[prost(sint64, optional, tag = "5")]
    pub integer: Option<i64>,
    #[prost(double, optional, tag = "6")]
    pub number: Option<f64>,
    #[prost(string, tag = "16")]
    pub value_json: String,
}

/// `SummaryRecord` and `ConfigRecord`: items set, then items removed.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Changes {
    #[prost(message, repeated, tag = "1")]
    pub update: Vec<Item>,
    #[prost(message, repeated, tag = "2")]
    pub remove: Vec<Item>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct RunRecord {
    #[prost(string, tag = "1")]
    pub run_id: String,
    #[prost(string, tag = "3")]
    pub project: String,
    #[prost(message, optional, tag = "4")]
    pub config: Option<Changes>,
    #[prost(message, optional, tag = "5")]
    pub summary: Option<Changes>,
    #[prost(string, tag = "8")]
    pub display_name: String,
    #[prost(message, optional, tag = "17")]
    pub start_time: Option<Timestamp>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct RunExitRecord {
    #[prost(int32, tag = "1")]
    pub exit_code: i32,
}
