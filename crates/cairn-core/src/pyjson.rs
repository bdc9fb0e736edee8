//! JSON serialisation byte-identical to Python's `json.dumps(obj, sort_keys=...)`.
//!
//! DVC hashes such bytes (`.dir` manifests, run-cache keys, experiment ids), so the
//! separators (`", "`, `": "`), `ensure_ascii` escaping (with UTF-16 surrogate pairs),
//! and float `repr` must all match CPython exactly. `serde_json` writes raw UTF-8 and
//! Rust float formatting, so it cannot be used for these bytes.

use serde_json::Value;

use crate::pyfloat;

/// Serialises `value` as `json.dumps(value, sort_keys=sort_keys)` would.
pub fn dumps(value: &Value, sort_keys: bool) -> String {
    let mut out = String::new();
    write_value(&mut out, value, sort_keys);
    out
}

fn write_value(out: &mut String, value: &Value, sort_keys: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                out.push_str(&float(n.as_f64().unwrap_or(f64::NAN)));
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, sort_keys);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if sort_keys {
                // Rust's `str` ordering is byte order, which equals code-point order
                // for UTF-8 — the order Python's `sorted` gives `str` keys.
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k);
                out.push_str(": ");
                write_value(out, v, sort_keys);
            }
            out.push('}');
        }
    }
}

/// Python's `float.__repr__` as `json` uses it (`Infinity`/`NaN` for the specials).
fn float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        pyfloat::repr(f)
    }
}

/// Writes `s` as a JSON string with `ensure_ascii=True`.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    // Most strings need no escape at all: copy printable ASCII runs whole.
    let plain = |b: &u8| (0x20..=0x7e).contains(b) && *b != b'"' && *b != b'\\';
    let run = s.bytes().take_while(plain).count();
    out.push_str(&s[..run]);
    for ch in s[run..].chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_for_a_dvc_manifest() {
        let v = json!([
            {"relpath": "emoji_😀.txt", "md5": "3a3ea00cfc35332cedf6e5e9a32e94da"},
            {"relpath": "q\"uote\\x.txt", "md5": "6d7fce9fee471194aa8b5b6e47267f03"},
            {"relpath": "sp ace é.txt", "md5": "x"},
        ]);
        assert_eq!(
            dumps(&v, true),
            r#"[{"md5": "3a3ea00cfc35332cedf6e5e9a32e94da", "relpath": "emoji_\ud83d\ude00.txt"}, {"md5": "6d7fce9fee471194aa8b5b6e47267f03", "relpath": "q\"uote\\x.txt"}, {"md5": "x", "relpath": "sp ace \u00e9.txt"}]"#
        );
    }

    #[test]
    fn escapes_controls_and_del_like_python() {
        assert_eq!(dumps(&json!("a\u{1}\u{7f}/"), false), r#""a\u0001\u007f/""#);
    }

    #[test]
    fn floats_use_python_repr() {
        assert_eq!(
            dumps(&json!({"b": 1e-5, "a": 2.0, "c": 3}), true),
            r#"{"a": 2.0, "b": 1e-05, "c": 3}"#
        );
    }
}
