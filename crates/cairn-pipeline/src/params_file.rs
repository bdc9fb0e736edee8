//! Loading params and `vars` files (YAML, JSON, TOML) into context [`Data`].
//!
//! DVC picks the parser by file suffix and falls back to YAML for anything unknown
//! (`dvc.utils.serialize.LOADERS`), and an empty document reads as `{}`. We do the same.
//! Python (`.py`) params files are read by [`crate::pyparams`] (no interpreter involved).

use crate::data::Data;
use crate::error::{Location, PipelineError};
use crate::fs::RepoFs;

/// Reads `rel` and parses it according to its suffix.
pub fn load(fs: &dyn RepoFs, rel: &str) -> Result<Data, PipelineError> {
    let text = fs.read_to_string(rel).map_err(|e| PipelineError::Io {
        path: rel.to_string(),
        message: e.to_string(),
    })?;
    parse(rel, &text)
}

/// Parses `text` as the file `rel` would be parsed.
pub fn parse(rel: &str, text: &str) -> Result<Data, PipelineError> {
    let suffix = rel.rsplit('/').next().unwrap_or(rel);
    let suffix = suffix
        .rfind('.')
        .map(|i| suffix[i..].to_lowercase())
        .unwrap_or_default();
    let data = match suffix.as_str() {
        ".json" => {
            let v: serde_json::Value =
                crate::pynum::loads(text).map_err(|e| PipelineError::Syntax {
                    at: Location::new(rel, e.line(), e.column()),
                    message: format!("JSON file structure is corrupted: {e}"),
                })?;
            Data::from_json(&v)
        }
        ".toml" => {
            let marked = mark_toml_big_ints(text);
            let v: toml::Table = toml::from_str(&marked).map_err(|e| {
                let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
                PipelineError::Syntax {
                    at: Location::new(rel, line, col),
                    message: format!("TOML file structure is corrupted: {}", e.message()),
                }
            })?;
            from_toml(&toml::Value::Table(v))
        }
        ".py" => crate::pyparams::parse(text).map_err(|e| PipelineError::Syntax {
            at: Location::new(rel, e.line, 0),
            message: format!("Python file structure is corrupted: {}", e.message),
        })?,
        _ => {
            let node = cairn_yaml::parse(text).map_err(|e| PipelineError::Syntax {
                at: Location::new(rel, e.line, e.col),
                message: e.message,
            })?;
            Data::from_node(&node)
        }
    };
    // `load(...) or {}`: any falsy document (empty, null, 0, "", []) reads as an empty dict.
    Ok(if is_falsy(&data) {
        Data::Dict(Default::default())
    } else {
        data
    })
}

fn is_falsy(d: &Data) -> bool {
    match d {
        Data::Null => true,
        Data::Bool(b) => !b,
        Data::Int(i) => *i == 0,
        Data::BigInt(_) => false,
        Data::Float(f) => *f == 0.0,
        Data::Str(s) => s.is_empty(),
        Data::List(l) => l.is_empty(),
        Data::Dict(m) => m.is_empty(),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// tomlkit reads integers of any size; the `toml` crate stops at 64 bits. Integer values
/// beyond that become [`crate::pynum`] marker strings before parsing (keys, strings and
/// comments are left alone).
fn mark_toml_big_ints(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let mut out = String::new();
    let (mut i, mut copied) = (0, 0);
    let mut prev = b'\n';
    while i < b.len() {
        let c = b[i];
        if c == b'"' || c == b'\'' {
            let triple = b[i..].starts_with(if c == b'"' { b"\"\"\"" } else { b"'''" });
            let q = if triple { 3 } else { 1 };
            i += q;
            while i < b.len() && !(b[i] == c && (!triple || b[i..].starts_with(&[c, c, c]))) {
                i += if c == b'"' && b[i] == b'\\' { 2 } else { 1 };
            }
            i += q;
            prev = c;
            continue;
        }
        if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let value_pos = matches!(prev, b'=' | b',') || (prev == b'[' && i > 0);
        if value_pos && (c.is_ascii_digit() || c == b'-' || c == b'+') {
            let start = i;
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'_') {
                j += 1;
            }
            let next = text[j..].trim_start_matches([' ', '\t']).bytes().next();
            let tok: String = text[start..j].chars().filter(|&c| c != '_').collect();
            let int = tok.trim_start_matches(['+', '-']);
            if !matches!(next, Some(b'=' | b'.' | b'e' | b'E' | b':' | b'-'))
                && !int.is_empty()
                && int.bytes().all(|d| d.is_ascii_digit())
                && tok.parse::<i64>().is_err()
            {
                out.push_str(&text[copied..start]);
                let sign = if tok.starts_with('-') { "-" } else { "" };
                out.push_str(&format!(
                    "\"\\u0001pynum:{sign}{}\"",
                    int.trim_start_matches('0')
                ));
                copied = j;
            }
            i = j;
            prev = b'0';
            continue;
        }
        if !c.is_ascii_whitespace() || c == b'\n' {
            prev = c;
        }
        i += 1;
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

fn from_toml(v: &toml::Value) -> Data {
    match v {
        toml::Value::String(s) => match crate::pynum::from_marker(s) {
            Some(d) => d,
            None => Data::Str(s.clone()),
        },
        toml::Value::Integer(i) => Data::Int(*i),
        toml::Value::Float(f) => Data::Float(*f),
        toml::Value::Boolean(b) => Data::Bool(*b),
        // tomlkit gives datetime objects; their str() is close to the TOML spelling.
        toml::Value::Datetime(d) => Data::Str(d.to_string()),
        toml::Value::Array(items) => Data::List(items.iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Data::Dict(t.iter().map(|(k, v)| (k.clone(), from_toml(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_suffix() {
        let y = parse("p.yaml", "a: 1\nb: [x, 1e-3]\n").unwrap();
        assert_eq!(y.py_str(), "{'a': 1, 'b': ['x', 0.001]}");
        let j = parse("p.json", "{\"b\": 2, \"a\": {\"c\": true}}").unwrap();
        assert_eq!(j.py_str(), "{'b': 2, 'a': {'c': True}}");
        let t = parse("p.toml", "z = 1\n[t]\nx = \"s\"\n").unwrap();
        assert_eq!(t.py_str(), "{'z': 1, 't': {'x': 's'}}");
        assert_eq!(parse("p.yaml", "").unwrap(), Data::Dict(Default::default()));
        assert!(parse("p.json", "{").is_err());
        let t = parse(
            "p.toml",
            "a = 12345678901234567890123\nb = [1, -99999999999999999999]\n\"c\" = \"99999999999999999999\"\n[t]\nx = 1_000\n",
        )
        .unwrap();
        assert_eq!(
            t.py_str(),
            "{'a': 12345678901234567890123, 'b': [1, -99999999999999999999], 'c': '99999999999999999999', 't': {'x': 1000}}"
        );
    }
}
