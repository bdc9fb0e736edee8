//! Python's view of loaded params and metrics, where DVC's diffs depend on it.
//!
//! DVC diffs values after `format_dict`, which turns every list into its Python `str()`
//! (`[1, 2.0, 'a']`), and compares with Python's `==`: `1 == 1.0 == True`, while a NaN
//! equals nothing, itself included. JSON values compared as JSON would disagree with DVC
//! on all three. Python ints have no size limit, so neither do ours here.

use cairn_pipeline::data::Data;
use num_bigint::BigInt;
use num_traits::{FromPrimitive, ToPrimitive};
use serde_json::Value;

/// Python's `old == new` for two loaded values.
pub fn py_eq(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => match (x, y) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (Num::Float(x), Num::Float(y)) => x == y,
            // Python compares an int and a float exactly (2**53 + 1 != 2.0**53).
            (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
                f.fract() == 0.0 && BigInt::from_f64(f).is_some_and(|g| g == i)
            }
        },
        (None, None) => match (a, b) {
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
            }
            _ => a == b,
        },
        _ => false,
    }
}

/// DVC's `format_dict`: every list, at any depth of dictionaries, becomes its Python
/// `str()`.
pub fn format_lists(v: &Value) -> Value {
    match v {
        Value::Array(_) => Value::String(py_str(v)),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), format_lists(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Python's `str()` of a loaded value (`repr()` for what sits inside containers).
pub fn py_str(v: &Value) -> String {
    Data::from_json(v).py_str()
}

/// A loaded number as Python holds it: an int of any size, or a float (bools are ints).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Num {
    Int(BigInt),
    Float(f64),
}

impl Num {
    /// `float(x)`.
    pub(crate) fn as_f64(&self) -> f64 {
        match self {
            Num::Int(i) => i.to_f64().unwrap_or(f64::NAN),
            Num::Float(f) => *f,
        }
    }
}

/// The number a loaded value is, if it is one.
pub(crate) fn number(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Int(BigInt::from(u8::from(*b)))),
        Value::Number(n) => n
            .as_i64()
            .map(|i| Num::Int(i.into()))
            .or_else(|| n.as_u64().map(|u| Num::Int(u.into())))
            .or_else(|| n.as_f64().map(Num::Float)),
        Value::String(s) => match cairn_pipeline::pynum::from_marker(s)? {
            Data::BigInt(d) => d.parse::<BigInt>().ok().map(Num::Int),
            Data::Float(f) => Some(Num::Float(f)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_is_pythons() {
        assert!(py_eq(&json!(1), &json!(1.0)));
        assert!(py_eq(&json!(true), &json!(1)));
        assert!(!py_eq(&json!(true), &json!(2)));
        let nan = cairn_pipeline::pynum::special_float(f64::NAN);
        assert!(!py_eq(&nan, &nan), "nan == nan is False");
        assert!(py_eq(&json!({"a": [1, 2]}), &json!({"a": [1.0, 2]})));
        assert!(!py_eq(&json!("1"), &json!(1)));
        let big = |d: &str| cairn_pipeline::pynum::big_int(d);
        assert!(!py_eq(
            &big("340282366920938463463374607431768211457"),
            &big("340282366920938463463374607431768211458")
        ));
        assert!(py_eq(
            &big("-9223372036854775809"),
            &big("-9223372036854775809")
        ));
        assert!(!py_eq(
            &json!(9007199254740993u64),
            &json!(9007199254740992.0)
        ));
        assert!(py_eq(
            &json!(9007199254740992u64),
            &json!(9007199254740992.0)
        ));
    }

    #[test]
    fn lists_print_as_python_does() {
        let nan = cairn_pipeline::pynum::special_float(f64::NAN);
        let v = json!([1, 1.0, 1e-5, "it's", "a'b\"c", null, true, {"k": [2]}]);
        assert_eq!(
            py_str(&v),
            r#"[1, 1.0, 1e-05, "it's", 'a\'b"c', None, True, {'k': [2]}]"#
        );
        assert_eq!(py_str(&json!([nan])), "[nan]");
        assert_eq!(
            format_lists(&json!({"a": {"b": [1, 2]}, "c": 3})),
            json!({"a": {"b": "[1, 2]"}, "c": 3})
        );
    }
}
