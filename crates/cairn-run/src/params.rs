//! Params dependencies: reading tracked values and comparing them the way Python does.

use cairn_pipeline::data::Data;
use cairn_pipeline::{LocalFs, ParamsDep, Stage, params_file};
use indexmap::IndexMap;

/// The current values of one params dependency: dotted key → value (for a whole-file
/// dependency, every top-level key), or `None` when the file is missing.
pub fn read(
    root: &std::path::Path,
    stage: &Stage,
    dep: &ParamsDep,
) -> Result<Option<IndexMap<String, Data>>, String> {
    let rel = stage
        .dep_repo_path(&dep.file)
        .unwrap_or_else(|| dep.file.clone());
    if !root.join(&rel).is_file() {
        return Ok(None);
    }
    let data = params_file::load(&LocalFs::new(root), &rel).map_err(|e| e.to_string())?;
    let mut out = IndexMap::new();
    if dep.keys.is_empty() {
        if let Data::Dict(m) = data {
            out.extend(m);
        }
        return Ok(Some(out));
    }
    for key in &dep.keys {
        if let Some(v) = get_dotted(&data, key) {
            out.insert(key.clone(), v.clone());
        }
    }
    Ok(Some(out))
}

/// `dpath.get(config, key, separator=".")`: dict keys and list indices.
pub fn get_dotted<'a>(data: &'a Data, key: &str) -> Option<&'a Data> {
    let mut cur = data;
    for part in key.split('.') {
        cur = match cur {
            Data::Dict(m) => m.get(part)?,
            Data::List(l) => l.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Python's `==` on loaded values: `1 == 1.0`, `True == 1`, dicts ignore order.
pub fn py_eq(a: &Data, b: &Data) -> bool {
    fn num(d: &Data) -> Option<f64> {
        match d {
            Data::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Data::Int(i) => Some(*i as f64),
            Data::BigInt(s) => s.parse().ok(),
            Data::Float(f) => Some(*f),
            _ => None,
        }
    }
    match (a, b) {
        (Data::Int(x), Data::Int(y)) => x == y,
        // Both canonical decimal text; an i64 is never a BigInt.
        (Data::BigInt(x), Data::BigInt(y)) => x == y,
        (Data::BigInt(_), Data::Int(_)) | (Data::Int(_), Data::BigInt(_)) => false,
        (Data::Str(x), Data::Str(y)) => x == y,
        (Data::Null, Data::Null) => true,
        (Data::List(x), Data::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Data::Dict(x), Data::Dict(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => matches!((num(a), num(b)), (Some(x), Some(y)) if x == y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_equality() {
        assert!(py_eq(&Data::Int(1), &Data::Float(1.0)));
        assert!(py_eq(&Data::Bool(true), &Data::Int(1)));
        assert!(!py_eq(&Data::Str("1".into()), &Data::Int(1)));
        let mut a = IndexMap::new();
        a.insert("x".to_string(), Data::Int(1));
        a.insert("y".to_string(), Data::Int(2));
        let b: IndexMap<_, _> = a
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert!(py_eq(&Data::Dict(a), &Data::Dict(b)));
    }

    #[test]
    fn dotted_lookup_through_lists() {
        let d = Data::from_json(&serde_json::json!({"a": {"b": [10, {"c": 3}]}}));
        assert_eq!(get_dotted(&d, "a.b.1.c"), Some(&Data::Int(3)));
        assert_eq!(get_dotted(&d, "a.x"), None);
    }
}
