//! YAML for Cairn: a reader that keeps source positions and an emitter that writes
//! what DVC (ruamel.yaml) writes, byte for byte.

pub mod emit;
pub mod node;
pub mod parse;
pub mod resolve;

pub use emit::to_string;
pub use node::{Mark, Node, Value};
pub use parse::{ParseError, parse};
pub use resolve::{PlainKind, resolve_plain};
