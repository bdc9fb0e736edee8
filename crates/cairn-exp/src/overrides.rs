//! `-S [FILE:]KEY=VALUE` overrides: DVC's grouping by file, the Hydra override grammar
//! DVC uses (`key=v`, `+key=v`, `++key=v`, `~key`; values typed like Hydra: ints, floats,
//! bools, null, quoted strings, `[lists]`, `{dicts}`), sweeps (`a,b,c`, `range()`,
//! `choice()`) expanded to a grid like Hydra's `BasicSweeper`, and rewriting params files
//! the way DVC does (YAML edited in place so comments stay where ruamel keeps them; JSON
//! re-dumped like `json.dump`).

use cairn_pipeline::data::Data;
use indexmap::IndexMap;

use crate::error::ExpError;

/// DVC's default params file.
pub const DEFAULT_FILE: &str = "params.yaml";

/// Groups `[file:]override` strings by file (DVC's `to_path_overrides`).
pub fn to_path_overrides(items: &[String]) -> IndexMap<String, Vec<String>> {
    let mut out: IndexMap<String, Vec<String>> = IndexMap::new();
    for item in items {
        let name = item.split('=').next().unwrap_or("");
        let (path, ov) = match name.find(':') {
            Some(_) => {
                let (p, rest) = item.split_once(':').unwrap_or((DEFAULT_FILE, item));
                (p.to_string(), rest.to_string())
            }
            None => (DEFAULT_FILE.to_string(), item.clone()),
        };
        out.entry(path).or_default().push(ov);
    }
    out
}

/// How an override changes the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideKind {
    /// `key=value`: the key must exist.
    Change,
    /// `+key=value`: the key must not exist.
    Add,
    /// `++key=value`: set whether or not it exists.
    ForceAdd,
    /// `~key`: delete.
    Delete,
}

/// An override's value.
#[derive(Debug, Clone, PartialEq)]
pub enum OverrideValue {
    /// One value.
    Single(Data),
    /// A sweep over values (`a,b`, `range()`, `choice()`), with each value's text.
    Sweep(Vec<(Data, String)>),
}

/// One parsed override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Kind.
    pub kind: OverrideKind,
    /// Dotted key.
    pub key: String,
    /// Value (absent for a bare `~key`).
    pub value: Option<OverrideValue>,
}

impl Override {
    /// Whether it expands to several experiments.
    pub fn is_sweep(&self) -> bool {
        matches!(self.value, Some(OverrideValue::Sweep(_)))
    }

    fn prefix(&self) -> &'static str {
        match self.kind {
            OverrideKind::Change => "",
            OverrideKind::Add => "+",
            OverrideKind::ForceAdd => "++",
            OverrideKind::Delete => "~",
        }
    }
}

/// Parses one override.
pub fn parse_override(s: &str) -> Result<Override, ExpError> {
    let bad = |why: &str| ExpError::Invalid(format!("invalid `--set-param` value '{s}': {why}"));
    let (kind, rest) = if let Some(r) = s.strip_prefix("++") {
        (OverrideKind::ForceAdd, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (OverrideKind::Add, r)
    } else if let Some(r) = s.strip_prefix('~') {
        (OverrideKind::Delete, r)
    } else {
        (OverrideKind::Change, s)
    };
    let (key, value) = match rest.split_once('=') {
        Some((k, v)) => (k.trim(), Some(v)),
        None if kind == OverrideKind::Delete => (rest.trim(), None),
        None => return Err(bad("expected KEY=VALUE")),
    };
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_alphanumeric() || "_-./@$\\".contains(c))
    {
        return Err(bad("bad key"));
    }
    let value = match value {
        None => None,
        Some(v) => Some(parse_value(v).map_err(|e| bad(&e))?),
    };
    Ok(Override {
        kind,
        key: key.to_string(),
        value,
    })
}

fn parse_value(v: &str) -> Result<OverrideValue, String> {
    let t = v.trim();
    for (fname, is_range) in [("range(", true), ("choice(", false)] {
        if let Some(inner) = t.strip_prefix(fname).and_then(|r| r.strip_suffix(')')) {
            let args = split_top(inner, ',')?;
            let items: Vec<Data> = args
                .iter()
                .map(|a| parse_element(a))
                .collect::<Result<_, _>>()?;
            if !is_range {
                return Ok(OverrideValue::Sweep(
                    items.into_iter().map(|d| (d.clone(), render(&d))).collect(),
                ));
            }
            return range_values(&items).map(OverrideValue::Sweep);
        }
    }
    let parts = split_top(t, ',')?;
    if parts.len() == 1 {
        return Ok(OverrideValue::Single(parse_element(&parts[0])?));
    }
    if parts.len() > 1 {
        let items: Vec<(Data, String)> = parts
            .iter()
            .map(|p| parse_element(p).map(|d| (d, p.trim().to_string())))
            .collect::<Result<_, _>>()?;
        return Ok(OverrideValue::Sweep(items));
    }
    Ok(OverrideValue::Single(parse_element(t)?))
}

fn range_values(args: &[Data]) -> Result<Vec<(Data, String)>, String> {
    let num = |d: &Data| match d {
        Data::Int(i) => Ok((*i as f64, true)),
        Data::Float(f) => Ok((*f, false)),
        _ => Err("range() takes numbers".to_string()),
    };
    let (start, stop, step) = match args.len() {
        1 => ((0.0, true), num(&args[0])?, (1.0, true)),
        2 => (num(&args[0])?, num(&args[1])?, (1.0, true)),
        3 => (num(&args[0])?, num(&args[1])?, num(&args[2])?),
        _ => return Err("range() takes 1 to 3 arguments".into()),
    };
    if step.0 == 0.0 {
        return Err("range() step must not be zero".into());
    }
    let ints = start.1 && stop.1 && step.1;
    let mut out = Vec::new();
    let mut i = 0u64;
    loop {
        let x = start.0 + step.0 * i as f64;
        if (step.0 > 0.0 && x >= stop.0) || (step.0 < 0.0 && x <= stop.0) || i > 100_000 {
            break;
        }
        let d = if ints {
            Data::Int(x as i64)
        } else {
            Data::Float(x)
        };
        out.push((d.clone(), render(&d)));
        i += 1;
    }
    Ok(out)
}

/// Splits on `sep` outside brackets and quotes.
fn split_top(s: &str, sep: char) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                cur.push(c);
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                // Hydra's escapes outside quotes (`a\,b`, `a\ b`): the character itself.
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    } else {
                        cur.push('\\');
                    }
                }
                '\'' | '"' => {
                    quote = Some(c);
                    cur.push(c);
                }
                '[' | '{' | '(' => {
                    depth += 1;
                    cur.push(c);
                }
                ']' | '}' | ')' => {
                    depth -= 1;
                    cur.push(c);
                }
                c if c == sep && depth == 0 => out.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            },
        }
    }
    if quote.is_some() || depth != 0 {
        return Err("unbalanced quotes or brackets".into());
    }
    out.push(cur);
    Ok(out)
}

/// Types one element like Hydra's grammar.
pub fn parse_element(s: &str) -> Result<Data, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(Data::Str(String::new()));
    }
    if (t.starts_with('\'') && t.ends_with('\'') || t.starts_with('"') && t.ends_with('"'))
        && t.len() >= 2
    {
        let q = t.chars().next().unwrap_or('\'');
        let inner = &t[1..t.len() - 1];
        let mut out = String::new();
        let mut it = inner.chars();
        while let Some(c) = it.next() {
            if c == '\\' {
                match it.next() {
                    Some(n) if n == q || n == '\\' => out.push(n),
                    Some(n) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        return Ok(Data::Str(out));
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if inner.trim().is_empty() {
            return Ok(Data::List(Vec::new()));
        }
        return split_top(inner, ',')?
            .iter()
            .map(|p| parse_element(p))
            .collect::<Result<Vec<_>, _>>()
            .map(Data::List);
    }
    if let Some(inner) = t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        let mut m = IndexMap::new();
        if !inner.trim().is_empty() {
            for p in split_top(inner, ',')? {
                let (k, v) = p
                    .split_once(':')
                    .ok_or_else(|| format!("bad dict item '{p}'"))?;
                m.insert(k.trim().to_string(), parse_element(v)?);
            }
        }
        return Ok(Data::Dict(m));
    }
    let lower = t.to_lowercase();
    match lower.as_str() {
        "null" => return Ok(Data::Null),
        "true" => return Ok(Data::Bool(true)),
        "false" => return Ok(Data::Bool(false)),
        "inf" | "+inf" => return Ok(Data::Float(f64::INFINITY)),
        "-inf" => return Ok(Data::Float(f64::NEG_INFINITY)),
        "nan" | "+nan" | "-nan" => return Ok(Data::Float(f64::NAN)),
        _ => {}
    }
    let digits = t.replace('_', "");
    let body = digits.trim_start_matches(['+', '-']);
    // Hydra's INT: `[+-]?('0' | [1-9](_?DIGIT)*)` (so `007` stays a string), and Python
    // ints have no size limit.
    let int_shape = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit())
        && (body == "0" || !body.starts_with('0'))
        && digits.len() - body.len() <= 1
        && !t.contains("__")
        && !t.ends_with('_')
        && !t.trim_start_matches(['+', '-']).starts_with('_');
    if int_shape {
        return Ok(match digits.parse::<i64>() {
            Ok(i) => Data::Int(i),
            Err(_) if digits.starts_with('-') => Data::BigInt(format!("-{body}")),
            Err(_) => Data::BigInt(body.to_string()),
        });
    }
    if is_float_literal(body)
        && let Ok(f) = digits.parse::<f64>()
    {
        return Ok(Data::Float(f));
    }
    Ok(Data::Str(t.to_string()))
}

fn is_float_literal(b: &str) -> bool {
    let (mant, exp) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let mant_ok = {
        let (a, c) = mant.split_once('.').unwrap_or((mant, ""));
        let has_dot = mant.contains('.');
        (a.chars().all(|x| x.is_ascii_digit()) && c.chars().all(|x| x.is_ascii_digit()))
            && (!a.is_empty() || !c.is_empty())
            && (has_dot || exp.is_some())
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.trim_start_matches(['+', '-']);
        !e.is_empty() && e.chars().all(|x| x.is_ascii_digit())
    });
    mant_ok && exp_ok
}

/// Text of a value as it goes back into an override string.
fn render(d: &Data) -> String {
    match d {
        Data::Str(s) => s.clone(),
        Data::Float(f) => cairn_core::pyfloat::repr(*f),
        Data::Null => "null".into(),
        Data::Bool(b) => b.to_string(),
        Data::Int(i) => i.to_string(),
        Data::BigInt(s) => s.clone(),
        other => other.py_str(),
    }
}

/// Expands sweeps into one override map per experiment (Hydra `BasicSweeper` order:
/// the first override varies slowest; files combine as a product too).
pub fn expand_sweeps(
    overrides: &IndexMap<String, Vec<String>>,
) -> Result<Vec<IndexMap<String, Vec<String>>>, ExpError> {
    let mut per_file: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for (file, items) in overrides {
        let mut choices: Vec<Vec<String>> = Vec::new();
        for it in items {
            let o = parse_override(it)?;
            match &o.value {
                Some(OverrideValue::Sweep(vals)) => choices.push(
                    vals.iter()
                        .map(|(_, text)| {
                            format!("{}{}={}", o.prefix(), o.key, quote_if_needed(text))
                        })
                        .collect(),
                ),
                _ => choices.push(vec![it.clone()]),
            }
        }
        per_file.push((file.clone(), product(&choices)));
    }
    let files: Vec<Vec<Vec<String>>> = per_file.iter().map(|(_, v)| v.clone()).collect();
    let combos = product(&files);
    Ok(combos
        .into_iter()
        .map(|combo| per_file.iter().map(|(f, _)| f.clone()).zip(combo).collect())
        .collect())
}

fn quote_if_needed(text: &str) -> String {
    if text.contains([',', ' ', '[', ']', '{', '}', '(', ')', '\'', '"']) {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
    } else {
        text.to_string()
    }
}

fn product<T: Clone>(lists: &[Vec<T>]) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = vec![Vec::new()];
    for l in lists {
        let mut next = Vec::new();
        for prefix in &out {
            for x in l {
                let mut p = prefix.clone();
                p.push(x.clone());
                next.push(p);
            }
        }
        out = next;
    }
    out
}

/// Whether any override is a sweep.
pub fn has_sweep(overrides: &IndexMap<String, Vec<String>>) -> Result<bool, ExpError> {
    for items in overrides.values() {
        for it in items {
            if parse_override(it)?.is_sweep() {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Applies overrides to parsed params (struct mode: `key=` must exist, `+key=` must not).
pub fn apply_to_data(data: &mut Data, overrides: &[String], file: &str) -> Result<(), ExpError> {
    if !matches!(data, Data::Dict(_)) {
        *data = Data::Dict(IndexMap::new());
    }
    for s in overrides {
        let o = parse_override(s)?;
        if o.is_sweep() {
            return Err(ExpError::Invalid(
                "Sweep overrides can't be used without `--queue`".into(),
            ));
        }
        let parts: Vec<&str> = o.key.split('.').collect();
        let (last, parents) = parts.split_last().expect("non-empty key");
        let mut cur = &mut *data;
        for (i, p) in parents.iter().enumerate() {
            // `+a.b=…` over a scalar `a` replaces it with a mapping (as Hydra does).
            if matches!(o.kind, OverrideKind::Add | OverrideKind::ForceAdd)
                && !matches!(cur, Data::Dict(_))
            {
                *cur = Data::Dict(IndexMap::new());
            }
            let Data::Dict(m) = cur else {
                return Err(ExpError::Invalid(format!(
                    "cannot set '{}' in '{file}': '{}' is not a mapping",
                    o.key,
                    parts[..i].join(".")
                )));
            };
            if !m.contains_key(*p) {
                if matches!(o.kind, OverrideKind::Add | OverrideKind::ForceAdd) {
                    m.insert((*p).to_string(), Data::Dict(IndexMap::new()));
                } else {
                    return Err(missing(&o.key, file));
                }
            }
            cur = m.get_mut(*p).expect("just inserted");
        }
        let Data::Dict(m) = cur else {
            return Err(ExpError::Invalid(format!(
                "cannot set '{}' in '{file}': parent is not a mapping",
                o.key
            )));
        };
        let exists = m.contains_key(*last);
        match o.kind {
            OverrideKind::Change if !exists => return Err(missing(&o.key, file)),
            OverrideKind::Add if exists => {
                return Err(ExpError::Invalid(format!(
                    "Could not append to config. An item is already at '{}'.",
                    o.key
                )));
            }
            OverrideKind::Delete => {
                if !exists {
                    return Err(missing(&o.key, file));
                }
                m.shift_remove(*last);
                continue;
            }
            _ => {}
        }
        if let Some(OverrideValue::Single(v)) = o.value {
            m.insert((*last).to_string(), v);
        }
    }
    Ok(())
}

fn missing(key: &str, file: &str) -> ExpError {
    ExpError::Invalid(format!(
        "Could not override '{key}' in '{file}': no such key. To append to your config use +{key}=VALUE"
    ))
}

/// Applies `overrides` to the params file at `path` (absolute), writing it like DVC.
pub fn apply_to_file(
    path: &std::path::Path,
    rel: &str,
    overrides: &[String],
) -> Result<(), ExpError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ExpError::io(rel, e)),
    };
    let lower = rel.to_lowercase();
    let old = if text.trim().is_empty() {
        Data::Dict(IndexMap::new())
    } else {
        cairn_pipeline::params_file::parse(rel, &text)?
    };
    let mut new = old.clone();
    apply_to_data(&mut new, overrides, rel)?;
    let out = if lower.ends_with(".json") {
        cairn_pipeline::pynum::dumps(&new.to_json(), false)
    } else if lower.ends_with(".toml")
        && let Some(t) = crate::tomledit::rewrite(&text, &old, &new)
    {
        t
    } else if lower.ends_with(".toml") {
        let v: toml::Value = serde_json::from_value(new.to_json())
            .map_err(|e| ExpError::Invalid(format!("{rel}: {e}")))?;
        toml::to_string(&v).map_err(|e| ExpError::Invalid(format!("{rel}: {e}")))?
    } else if lower.ends_with(".py") {
        crate::pyedit::rewrite(rel, &text, &new)?
    } else {
        crate::yamledit::rewrite(&text, &new)
    };
    cairn_core::write_atomic(path, out.as_bytes()).map_err(|e| ExpError::io(rel, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_and_typing() {
        let g = to_path_overrides(&["lr=0.1".into(), "cfg.json:a.b=2".into(), "x=a:b".into()]);
        assert_eq!(g["params.yaml"], vec!["lr=0.1", "x=a:b"]);
        assert_eq!(g["cfg.json"], vec!["a.b=2"]);
        assert_eq!(parse_element("1e-5").unwrap(), Data::Float(1e-5));
        assert_eq!(parse_element("10").unwrap(), Data::Int(10));
        assert_eq!(parse_element("True").unwrap(), Data::Bool(true));
        assert_eq!(parse_element("'1'").unwrap(), Data::Str("1".into()));
        assert_eq!(
            parse_element("hello world").unwrap(),
            Data::Str("hello world".into())
        );
        assert_eq!(
            parse_element("[3,4]").unwrap(),
            Data::List(vec![Data::Int(3), Data::Int(4)])
        );
    }

    #[test]
    fn sweeps_expand_to_a_grid() {
        let g = to_path_overrides(&["lr=0.1,0.2".into(), "epochs=range(1,3)".into()]);
        assert!(has_sweep(&g).unwrap());
        let all = expand_sweeps(&g).unwrap();
        let flat: Vec<Vec<String>> = all.iter().map(|m| m["params.yaml"].clone()).collect();
        assert_eq!(
            flat,
            vec![
                vec!["lr=0.1", "epochs=1"],
                vec!["lr=0.1", "epochs=2"],
                vec!["lr=0.2", "epochs=1"],
                vec!["lr=0.2", "epochs=2"],
            ]
        );
        let c = expand_sweeps(&to_path_overrides(&["opt=choice(adam,sgd)".into()])).unwrap();
        assert_eq!(c.len(), 2);
        // Hydra (through DVC's get_hydra_sweeps) gives exactly these, in this order.
        let g = to_path_overrides(&[
            "lr=range(0.1,0.5,0.1)".into(),
            "opt=choice(adam,sgd)".into(),
            "x=1,2".into(),
        ]);
        let all: Vec<String> = expand_sweeps(&g)
            .unwrap()
            .iter()
            .map(|m| m["params.yaml"].join(" "))
            .collect();
        assert_eq!(all.len(), 16);
        assert_eq!(all[0], "lr=0.1 opt=adam x=1");
        assert_eq!(all[1], "lr=0.1 opt=adam x=2");
        assert_eq!(all[2], "lr=0.1 opt=sgd x=1");
        assert_eq!(all[8], "lr=0.30000000000000004 opt=adam x=1");
        assert_eq!(all[15], "lr=0.4 opt=sgd x=2");
        let e = expand_sweeps(&to_path_overrides(&["e=range(3)".into()])).unwrap();
        assert_eq!(
            e.iter()
                .map(|m| m["params.yaml"][0].clone())
                .collect::<Vec<_>>(),
            ["e=0", "e=1", "e=2"]
        );
    }
}
