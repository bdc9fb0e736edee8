//! Plain values for the interpolation context, and how Python would print them.
//!
//! DVC builds its `${…}` context from params/vars files loaded as Python objects, then turns
//! them back into text with `str()`. Reproducing DVC's commands byte for byte therefore needs
//! Python's spelling of every value: `True` inside a list repr but `true` when substituted
//! alone, `1e-05` rather than `0.00001`, `'single quotes'` in reprs, and so on.

use cairn_core::pyfloat;
use cairn_yaml::{Node, Value};
use indexmap::IndexMap;

/// A value in the interpolation context (what a params file holds once loaded).
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Python `None`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// An integer beyond 64 bits (Python ints have no limit), as canonical decimal text.
    BigInt(String),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Data>),
    /// A mapping with string keys, in file order.
    Dict(IndexMap<String, Data>),
}

impl Data {
    /// Converts a YAML node. Non-string mapping keys are dropped, as DVC's context does
    /// (`CtxDict.__setitem__` ignores them).
    pub fn from_node(node: &Node) -> Data {
        match &node.value {
            Value::Null => Data::Null,
            Value::Bool(b) => Data::Bool(*b),
            Value::Int(i) => Data::Int(*i),
            Value::BigInt(s) => Data::BigInt(s.clone()),
            Value::Float(f) => Data::Float(*f),
            Value::Str(s) => Data::Str(s.clone()),
            Value::Seq(items) => Data::List(items.iter().map(Data::from_node).collect()),
            Value::Map(entries) => {
                let mut m = IndexMap::new();
                for (k, v) in entries {
                    if let Value::Str(key) = &k.value {
                        m.insert(key.clone(), Data::from_node(v));
                    }
                }
                Data::Dict(m)
            }
        }
    }

    /// Converts to a YAML node placed at `mark` (substituted values take the position of
    /// the `${…}` that produced them, so later errors still point at the right line).
    pub fn to_node(&self, mark: cairn_yaml::Mark) -> Node {
        let value = match self {
            Data::Null => Value::Null,
            Data::Bool(b) => Value::Bool(*b),
            Data::Int(i) => Value::Int(*i),
            Data::BigInt(s) => Value::BigInt(s.clone()),
            Data::Float(f) => Value::Float(*f),
            Data::Str(s) => Value::Str(s.clone()),
            Data::List(items) => Value::Seq(items.iter().map(|d| d.to_node(mark)).collect()),
            Data::Dict(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| {
                        (
                            Node {
                                value: Value::Str(k.clone()),
                                mark,
                            },
                            v.to_node(mark),
                        )
                    })
                    .collect(),
            ),
        };
        Node { value, mark }
    }

    /// Converts to JSON (for the serialisable model and tests). Numbers JSON cannot hold
    /// (Infinity, NaN, integers beyond 64 bits) become [`crate::pynum`] markers.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Data::Null => serde_json::Value::Null,
            Data::Bool(b) => (*b).into(),
            Data::Int(i) => (*i).into(),
            Data::BigInt(s) => crate::pynum::big_int(s),
            Data::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| crate::pynum::special_float(*f)),
            Data::Str(s) => s.clone().into(),
            Data::List(items) => items.iter().map(Data::to_json).collect(),
            Data::Dict(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// Converts JSON (from a `.json` params file) into context data.
    pub fn from_json(v: &serde_json::Value) -> Data {
        match v {
            serde_json::Value::Null => Data::Null,
            serde_json::Value::Bool(b) => Data::Bool(*b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Data::Int(i),
                (None, Some(u)) => Data::BigInt(u.to_string()),
                _ => Data::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => match crate::pynum::from_marker(s) {
                Some(d) => d,
                None => Data::Str(s.clone()),
            },
            serde_json::Value::Array(items) => {
                Data::List(items.iter().map(Data::from_json).collect())
            }
            serde_json::Value::Object(m) => Data::Dict(
                m.iter()
                    .map(|(k, v)| (k.clone(), Data::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Python's `type(x).__name__`, used in DVC's error messages.
    pub fn py_type(&self) -> &'static str {
        match self {
            Data::Null => "NoneType",
            Data::Bool(_) => "bool",
            Data::Int(_) | Data::BigInt(_) => "int",
            Data::Float(_) => "float",
            Data::Str(_) => "str",
            Data::List(_) => "list",
            Data::Dict(_) => "dict",
        }
    }

    /// True for lists and dicts (DVC's `is_map_or_seq`).
    pub fn is_map_or_seq(&self) -> bool {
        matches!(self, Data::List(_) | Data::Dict(_))
    }

    /// Python `str(x)`: like [`Data::py_repr`] except that a top-level string is bare.
    pub fn py_str(&self) -> String {
        match self {
            Data::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// Python `repr(x)` for the types a params file can hold.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            Data::Null => out.push_str("None"),
            Data::Bool(true) => out.push_str("True"),
            Data::Bool(false) => out.push_str("False"),
            Data::Int(i) => out.push_str(&i.to_string()),
            Data::BigInt(s) => out.push_str(s),
            Data::Float(f) => out.push_str(&pyfloat::repr(*f)),
            Data::Str(s) => out.push_str(&py_repr_str(s)),
            Data::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                out.push(']');
            }
            Data::Dict(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&py_repr_str(k));
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }
}

/// Python's `repr(str)`: single quotes unless the text has a `'` and no `"`.
pub fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `shlex.quote`, which DVC applies to strings when it expands a dict into
/// `--key value` flags.
pub fn shlex_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_string();
    }
    let safe = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_spellings() {
        let list = Data::List(vec![
            Data::Str("a'b".into()),
            Data::Int(1),
            Data::Bool(true),
            Data::Null,
            Data::Float(1e-5),
            Data::Float(2.0),
        ]);
        assert_eq!(list.py_str(), "[\"a'b\", 1, True, None, 1e-05, 2.0]");
        assert_eq!(Data::Str("x".into()).py_str(), "x");
        assert_eq!(shlex_quote("x y"), "'x y'");
        assert_eq!(shlex_quote("a/b.c"), "a/b.c");
        assert_eq!(shlex_quote("it's"), "'it'\"'\"'s'");
        assert_eq!(shlex_quote(""), "''");
    }
}
