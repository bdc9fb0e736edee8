//! YAML for Cairn: a reader that keeps source positions and an emitter that writes
//! what DVC (ruamel.yaml) writes, byte for byte.

pub mod node;
pub mod parse;

pub use node::{Mark, Node, Value};
pub use parse::{ParseError, parse};
