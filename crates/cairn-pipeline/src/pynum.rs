//! Python numbers that `serde_json::Value` cannot hold: `inf`, `-inf`, `nan` and integers
//! beyond 64 bits. Params files hold them (`-S lr=inf`, `-S seed=2**70` as digits) and DVC
//! prints them with Python's `json.dumps` (`Infinity`, `NaN`, all the digits).
//!
//! Inside a `Value` such a number travels as a marker string (a control character no
//! params file writes, then the JSON text); [`dumps`] turns markers back into bare
//! numbers, and [`crate::data::Data::from_json`] into numbers again. Turning on
//! serde_json's `arbitrary_precision` instead would change number handling for every
//! crate in the workspace (and still not hold NaN).

use serde_json::Value;

use crate::data::Data;

const MARK: &str = "\u{1}pynum:";

/// The marker for a non-finite float.
pub fn special_float(f: f64) -> Value {
    let text = if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    };
    Value::String(format!("{MARK}{text}"))
}

/// The marker for an integer given as decimal text.
pub fn big_int(digits: &str) -> Value {
    Value::String(format!("{MARK}{digits}"))
}

/// The JSON text of a marker (`Infinity`, `123…`), if `s` is one.
pub fn marker_text(s: &str) -> Option<&str> {
    s.strip_prefix(MARK)
}

/// The value a marker stands for.
pub fn from_marker(s: &str) -> Option<Data> {
    let t = marker_text(s)?;
    Some(match t {
        "NaN" => Data::Float(f64::NAN),
        "Infinity" => Data::Float(f64::INFINITY),
        "-Infinity" => Data::Float(f64::NEG_INFINITY),
        digits => Data::BigInt(digits.to_string()),
    })
}

/// The marker's value as a float (for diffs and charts).
pub fn marker_f64(v: &Value) -> Option<f64> {
    match v.as_str().and_then(from_marker)? {
        Data::Float(f) => Some(f),
        Data::BigInt(s) => s.parse().ok(),
        _ => None,
    }
}

/// `json.dumps(value)`: [`cairn_core::pyjson::dumps`] with markers written as bare numbers.
pub fn dumps(value: &Value, sort_keys: bool) -> String {
    let out = cairn_core::pyjson::dumps(value, sort_keys);
    // pyjson escapes the marker's control character as `\u0001`; a quoted string that
    // starts with it can only be a marker.
    const QUOTED: &str = "\"\\u0001pynum:";
    if !out.contains(QUOTED) {
        return out;
    }
    let mut res = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find(QUOTED) {
        res.push_str(&rest[..i]);
        rest = &rest[i + QUOTED.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        res.push_str(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or("");
    }
    res.push_str(rest);
    res
}

/// Python's `json.loads` on text serde_json refuses: `NaN`, `Infinity`, `-Infinity` and
/// integers beyond 64 bits outside strings become markers first.
pub fn loads(text: &str) -> serde_json::Result<Value> {
    match serde_json::from_str(text) {
        Ok(v) if !needs_markers(text) => Ok(v),
        _ => serde_json::from_str(&mark_specials(text)),
    }
}

fn needs_markers(text: &str) -> bool {
    // Cheap pre-check: a long digit run or one of the special words anywhere.
    let mut run = 0;
    for b in text.bytes() {
        if b.is_ascii_digit() {
            run += 1;
            if run > 18 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    text.contains("NaN") || text.contains("Infinity")
}

fn mark_specials(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            out.push_str(&text[start..i]);
            continue;
        }
        let word = |w: &str| text[i..].starts_with(w);
        let special = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| word(w));
        if let Some(w) = special {
            out.push('"');
            out.push_str("\\u0001pynum:");
            out.push_str(w);
            out.push('"');
            i += w.len();
            continue;
        }
        if c == b'-' || c.is_ascii_digit() {
            let start = i;
            let mut j = i + usize::from(c == b'-');
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let is_float = j < b.len() && matches!(b[j], b'.' | b'e' | b'E');
            let digits = &text[start..j];
            if !is_float
                && digits.len() > usize::from(c == b'-')
                && digits.parse::<i64>().is_err()
                && digits.parse::<u64>().is_err()
            {
                out.push_str("\"\\u0001pynum:");
                out.push_str(digits);
                out.push('"');
                i = j;
                continue;
            }
            out.push_str(&text[start..j.max(start + 1)]);
            i = j.max(start + 1);
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_json_numbers_round_trip() {
        let text = r#"{"a": NaN, "b": -Infinity, "c": [Infinity, 123456789012345678901234], "d": "NaN 99999999999999999999", "e": 1.5e+300, "f": -18446744073709551617}"#;
        let v = loads(text).unwrap();
        assert_eq!(dumps(&v, false), text);
        let d = Data::from_json(&v);
        let Data::Dict(m) = &d else { panic!() };
        assert!(matches!(m["a"], Data::Float(f) if f.is_nan()));
        assert_eq!(m["f"], Data::BigInt("-18446744073709551617".into()));
        assert_eq!(m["d"], Data::Str("NaN 99999999999999999999".into()));
        assert_eq!(dumps(&d.to_json(), false), text);
        assert_eq!(loads("[1, 2]").unwrap(), serde_json::json!([1, 2]));
    }
}
