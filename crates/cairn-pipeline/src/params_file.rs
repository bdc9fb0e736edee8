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
            let v: toml::Table = toml::from_str(text).map_err(|e| {
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

fn from_toml(v: &toml::Value) -> Data {
    match v {
        toml::Value::String(s) => Data::Str(s.clone()),
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
    }
}
