//! The parts of TensorFlow's protocol buffers that an event file's scalars and
//! hyperparameters are read from (`event.proto`, `summary.proto`, `tensor.proto`,
//! `tensor_shape.proto`, the hparams plugin's `plugin_data.proto`, and
//! `google/protobuf/struct.proto`'s `Value`). Fields not declared here (graphs, images,
//! histograms, audio…) are skipped by the decoder. A `oneof` member is declared as an
//! optional field: on the wire it is one.

use std::collections::HashMap;

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Event {
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    #[prost(int64, tag = "2")]
    pub step: i64,
    #[prost(string, optional, tag = "3")]
    pub file_version: Option<String>,
    #[prost(message, optional, tag = "5")]
    pub summary: Option<Summary>,
    #[prost(message, optional, tag = "7")]
    pub session_log: Option<SessionLog>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Summary {
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<SummaryValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct SummaryValue {
    #[prost(string, tag = "1")]
    pub tag: String,
    /// Legacy, pre-tag name (TensorBoard falls back to it).
    #[prost(string, tag = "7")]
    pub node_name: String,
    #[prost(float, optional, tag = "2")]
    pub simple_value: Option<f32>,
    #[prost(message, optional, tag = "8")]
    pub tensor: Option<TensorProto>,
    #[prost(message, optional, tag = "9")]
    pub metadata: Option<SummaryMetadata>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct SummaryMetadata {
    #[prost(message, optional, tag = "1")]
    pub plugin_data: Option<PluginData>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct PluginData {
    #[prost(string, tag = "1")]
    pub plugin_name: String,
    #[prost(bytes = "vec", tag = "2")]
    pub content: Vec<u8>,
}

/// `SessionLog.status` of a session's start (after the first, a restart).
pub(super) const SESSION_START: i32 = 1;

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct SessionLog {
    #[prost(int32, tag = "1")]
    pub status: i32,
}

/// `DataType` values of the numeric scalars a metric can be.
pub(super) mod dtype {
    pub const FLOAT: i32 = 1;
    pub const DOUBLE: i32 = 2;
    pub const INT32: i32 = 3;
    pub const UINT8: i32 = 4;
    pub const INT16: i32 = 5;
    pub const INT8: i32 = 6;
    pub const INT64: i32 = 9;
    pub const BOOL: i32 = 10;
    pub const BFLOAT16: i32 = 14;
    pub const UINT16: i32 = 17;
    pub const HALF: i32 = 19;
    pub const UINT32: i32 = 22;
    pub const UINT64: i32 = 23;
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct TensorProto {
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    #[prost(message, optional, tag = "2")]
    pub tensor_shape: Option<TensorShape>,
    #[prost(bytes = "vec", tag = "4")]
    pub tensor_content: Vec<u8>,
    #[prost(float, repeated, tag = "5")]
    pub float_val: Vec<f32>,
    #[prost(double, repeated, tag = "6")]
    pub double_val: Vec<f64>,
    #[prost(int32, repeated, tag = "7")]
    pub int_val: Vec<i32>,
    #[prost(int64, repeated, tag = "10")]
    pub int64_val: Vec<i64>,
    #[prost(bool, repeated, tag = "11")]
    pub bool_val: Vec<bool>,
    #[prost(int32, repeated, tag = "13")]
    pub half_val: Vec<i32>,
    #[prost(uint32, repeated, tag = "16")]
    pub uint32_val: Vec<u32>,
    #[prost(uint64, repeated, tag = "17")]
    pub uint64_val: Vec<u64>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct TensorShape {
    #[prost(message, repeated, tag = "2")]
    pub dim: Vec<Dim>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Dim {
    #[prost(int64, tag = "1")]
    pub size: i64,
}

/// The hparams plugin's content (`HParamsPluginData`): only `session_start_info`, which
/// holds a run's hyperparameter values.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct HParamsPluginData {
    #[prost(message, optional, tag = "3")]
    pub session_start_info: Option<SessionStartInfo>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct SessionStartInfo {
    #[prost(map = "string, message", tag = "1")]
    pub hparams: HashMap<String, StructValue>,
}

/// `google.protobuf.Value` (lists and structs are not hyperparameter values).
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct StructValue {
    #[prost(double, optional, tag = "2")]
    pub number_value: Option<f64>,
    #[prost(string, optional, tag = "3")]
    pub string_value: Option<String>,
    #[prost(bool, optional, tag = "4")]
    pub bool_value: Option<bool>,
}

impl TensorProto {
    /// Its value if it holds exactly one number (what the scalars dashboard draws).
    pub fn scalar(&self) -> Option<f64> {
        let count: i64 = self
            .tensor_shape
            .as_ref()
            .map_or(1, |s| s.dim.iter().map(|d| d.size).product());
        if count != 1 {
            return None;
        }
        let content = &self.tensor_content;
        let le = |n: usize| -> Option<&[u8]> { content.get(..n) };
        match self.dtype {
            dtype::FLOAT => self.float_val.first().map(|&v| widen(v)).or_else(|| {
                le(4).map(|b| widen(f32::from_le_bytes(b.try_into().expect("4 bytes"))))
            }),
            dtype::DOUBLE => self
                .double_val
                .first()
                .copied()
                .or_else(|| le(8).map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))),
            dtype::HALF | dtype::BFLOAT16 => {
                let bits = match self.half_val.first() {
                    Some(&v) => v as u16,
                    None => u16::from_le_bytes(le(2)?.try_into().expect("2 bytes")),
                };
                Some(match self.dtype {
                    dtype::HALF => f64::from(half::f16::from_bits(bits)),
                    _ => f64::from(half::bf16::from_bits(bits)),
                })
            }
            dtype::INT32 | dtype::INT16 | dtype::INT8 | dtype::UINT8 | dtype::UINT16 => {
                self.int_val.first().map(|&v| f64::from(v)).or_else(|| {
                    let n = match self.dtype {
                        dtype::INT32 => 4,
                        dtype::INT16 | dtype::UINT16 => 2,
                        _ => 1,
                    };
                    let b = le(n)?;
                    Some(match self.dtype {
                        dtype::INT32 => f64::from(i32::from_le_bytes(b.try_into().ok()?)),
                        dtype::INT16 => f64::from(i16::from_le_bytes(b.try_into().ok()?)),
                        dtype::UINT16 => f64::from(u16::from_le_bytes(b.try_into().ok()?)),
                        dtype::INT8 => f64::from(b[0] as i8),
                        _ => f64::from(b[0]),
                    })
                })
            }
            dtype::INT64 => self.int64_val.first().map(|&v| v as f64).or_else(|| {
                le(8).map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")) as f64)
            }),
            dtype::UINT32 => self.uint32_val.first().map(|&v| f64::from(v)).or_else(|| {
                le(4).map(|b| f64::from(u32::from_le_bytes(b.try_into().expect("4 bytes"))))
            }),
            dtype::UINT64 => self.uint64_val.first().map(|&v| v as f64).or_else(|| {
                le(8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as f64)
            }),
            dtype::BOOL => self
                .bool_val
                .first()
                .copied()
                .or_else(|| le(1).map(|b| b[0] != 0))
                .map(|b| if b { 1.0 } else { 0.0 }),
            _ => None,
        }
    }
}

/// A 32-bit float as the decimal it was most likely logged as: `0.7f32` is
/// 0.699999988079071 exactly, but `0.7` is the shortest decimal that rounds to it, and
/// what the user wrote.
pub(super) fn widen(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}
