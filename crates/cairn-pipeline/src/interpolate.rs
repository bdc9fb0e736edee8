//! `${…}` interpolation, as `dvc/parsing/interpolate.py` and `context.py` do it.
//!
//! The rules that matter for byte-identical results:
//! - a reference is the non-greedy regex `(?<!\\)\$\{(.*?)\}` (no newlines inside);
//! - the inside is `word ( .word | [word] )*` where a word is anything but `.[]`
//!   (whitespace included, stripped only at lookup), joined with dots for lookup;
//! - a string that is exactly one reference takes the referenced value with its type;
//! - otherwise each value is turned into text with Python `str()`, except booleans
//!   (`true`/`false`) and dicts (expanded to `--key value` flags, allowed in `cmd` only);
//! - lists and dicts cannot be substituted into stage fields other than `cmd`/`foreach`;
//! - `\${` is left alone by the regex and then unescaped to `${`.

use cairn_core::pyfloat;
use cairn_yaml::{Mark, Node, Value};

use crate::data::{Data, shlex_quote};

/// A `${…}` occurrence: byte span of the whole reference and of its inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// Start of `${`.
    pub start: usize,
    /// One past the closing `}`.
    pub end: usize,
}

impl Reference {
    /// The text between the braces.
    pub fn inner<'a>(&self, s: &'a str) -> &'a str {
        &s[self.start + 2..self.end - 1]
    }
}

/// Finds references the way Python's `KEYCRE.finditer` does.
pub fn find_references(s: &str) -> Vec<Reference> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' && (i == 0 || bytes[i - 1] != b'\\') {
            // `.` in the regex does not match a newline, so the first `}` must come first.
            let rest = &s[i + 2..];
            let close = rest.find('}');
            let newline = rest.find('\n');
            if let Some(c) = close
                && newline.is_none_or(|n| n > c)
            {
                let end = i + 2 + c + 1;
                out.push(Reference { start: i, end });
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Whether `s` contains any reference.
pub fn is_interpolated(s: &str) -> bool {
    !find_references(s).is_empty()
}

/// Parses the inside of a reference into the dotted lookup key (`a[0].b` → `a.0.b`), or
/// explains the syntax error like pyparsing would.
pub fn parse_expr(inner: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = Vec::new();
    let bytes = inner.as_bytes();
    let word_end = |from: usize| -> usize {
        inner[from..]
            .find(['.', '[', ']'])
            .map(|p| from + p)
            .unwrap_or(inner.len())
    };
    let explain = |pos: usize, expected: &str| -> String {
        let found = inner[pos..]
            .chars()
            .next()
            .map(|c| format!("'{c}'"))
            .unwrap_or_else(|| "'}'".into());
        format!(
            "${{{inner}}}\n{}^\nParseException: Expected {expected}, found {found}  (at char {})",
            " ".repeat(pos + 2),
            pos + 2
        )
    };
    let mut i = word_end(0);
    if i == 0 {
        return Err(explain(0, "a name"));
    }
    parts.push(&inner[..i]);
    while i < bytes.len() {
        match bytes[i] {
            b'.' => {
                let e = word_end(i + 1);
                if e == i + 1 {
                    return Err(explain(i, "end of text"));
                }
                parts.push(&inner[i + 1..e]);
                i = e;
            }
            b'[' => {
                let e = word_end(i + 1);
                if e == i + 1 || bytes.get(e) != Some(&b']') {
                    return Err(explain(i, "end of text"));
                }
                parts.push(&inner[i + 1..e]);
                i = e + 1;
            }
            _ => return Err(explain(i, "end of text")),
        }
    }
    Ok(parts.join("."))
}

/// Python's `int(s)` for list indexes (`-1` counts from the end).
fn py_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let v: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Looks up a dotted key (already through [`parse_expr`]) in a context dict.
pub fn select<'a>(root: &'a indexmap::IndexMap<String, Data>, key: &str) -> Option<&'a Data> {
    let normalized = key.replace('[', ".").replace(']', "");
    let mut parts = normalized.split('.');
    let first = parts.next()?.trim();
    let mut cur = root.get(first)?;
    for part in parts {
        let part = part.trim();
        cur = match cur {
            Data::Dict(m) => m.get(part)?,
            Data::List(items) => {
                let idx = py_int(part)?;
                let idx = if idx < 0 {
                    items.len() as i64 + idx
                } else {
                    idx
                };
                items.get(usize::try_from(idx).ok()?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// How a value becomes text inside a larger string (DVC's `to_str`).
pub fn to_str(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Bool(true) => "true".into(),
        Data::Bool(false) => "false".into(),
        Data::Float(f) => pyfloat::repr(*f),
        Data::Dict(m) => return dict_to_flags(m),
        other => other.py_str(),
    })
}

/// `--key value` flags for a dict in `cmd`, with nested keys joined by dots
/// (DVC's defaults: `parsing.bool: store_true`, `parsing.list: nargs`).
fn dict_to_flags(m: &indexmap::IndexMap<String, Data>) -> Result<String, String> {
    let mut flat: Vec<(String, &Data)> = Vec::new();
    fn flatten<'a>(
        prefix: &str,
        m: &'a indexmap::IndexMap<String, Data>,
        out: &mut Vec<(String, &'a Data)>,
    ) {
        for (k, v) in m {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                // flatten_dict drops empty nested dicts entirely.
                Data::Dict(inner) => flatten(&key, inner, out),
                _ => out.push((key, v)),
            }
        }
    }
    flatten("", m, &mut flat);
    let mut result = String::new();
    for (k, v) in flat {
        match v {
            Data::Bool(true) => result.push_str(&format!("--{k} ")),
            Data::Bool(false) => {}
            Data::Str(s) => result.push_str(&format!("--{k} {} ", shlex_quote(s))),
            Data::List(items) => {
                for (n, item) in items.iter().enumerate() {
                    let text = match item {
                        Data::Str(s) => shlex_quote(s),
                        Data::List(_) | Data::Dict(_) => {
                            return Err(format!("Cannot interpolate nested iterable in '{k}'"));
                        }
                        other => other.py_str(),
                    };
                    if n > 0 {
                        result.push_str(&format!("{text} "));
                    } else {
                        result.push_str(&format!("--{k} {text} "));
                    }
                }
            }
            other => result.push_str(&format!("--{k} {} ", other.py_str())),
        }
    }
    Ok(result.trim_end().to_string())
}

/// DVC's `validate_value`: only primitives may be substituted into stage fields, except a
/// dict in `cmd`; `key` is the top-level field (`None` outside stages and for `foreach`).
pub fn validate_value(d: &Data, key: Option<&str>) -> Result<(), String> {
    let composite = d.is_map_or_seq();
    let checked = key.is_some_and(|k| !k.contains("foreach"));
    if composite && checked {
        if matches!(d, Data::Dict(_)) && key == Some("cmd") {
            return Ok(());
        }
        return Err(format!("Cannot interpolate data of type '{}'", d.py_type()));
    }
    Ok(())
}

/// The result of resolving one string.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// The whole string was one reference: the value with its type.
    Value(Data),
    /// Text after substitution.
    Text(String),
}

/// Why a string could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpError {
    /// Bad `${…}` syntax.
    Syntax(String),
    /// A name that is not in the context.
    NotFound(String),
    /// A value of the wrong type for the place it is used in.
    Type(String),
}

impl InterpError {
    /// The message, DVC style.
    pub fn message(&self) -> String {
        match self {
            InterpError::Syntax(m) | InterpError::Type(m) => m.clone(),
            InterpError::NotFound(k) => format!("Could not find '{k}'"),
        }
    }
}

/// Resolves every reference in `s` against `ctx`.
pub fn resolve_str(
    s: &str,
    ctx: &indexmap::IndexMap<String, Data>,
    key: Option<&str>,
) -> Result<Resolved, InterpError> {
    let refs = find_references(s);
    if refs.len() == 1 && refs[0].start == 0 && refs[0].end == s.len() {
        let expr = parse_expr(refs[0].inner(s)).map_err(InterpError::Syntax)?;
        let value = select(ctx, &expr).ok_or(InterpError::NotFound(expr))?;
        validate_value(value, key).map_err(InterpError::Type)?;
        return Ok(Resolved::Value(value.clone()));
    }
    let mut buf = String::with_capacity(s.len());
    let mut index = 0;
    for r in &refs {
        let expr = parse_expr(r.inner(s)).map_err(InterpError::Syntax)?;
        let value = select(ctx, &expr).ok_or(InterpError::NotFound(expr))?;
        validate_value(value, key).map_err(InterpError::Type)?;
        buf.push_str(&s[index..r.start]);
        buf.push_str(&to_str(value).map_err(InterpError::Type)?);
        index = r.end;
    }
    buf.push_str(&s[index..]);
    Ok(Resolved::Text(buf.replace("\\${", "${")))
}

/// Checks the syntax of every reference in a tree (keys included), like DVC's
/// `check_recursive_parse_errors`; returns the first bad string's mark and message.
pub fn check_syntax(node: &Node) -> Result<(), (Mark, String)> {
    match &node.value {
        Value::Str(s) => {
            for r in find_references(s) {
                parse_expr(r.inner(s)).map_err(|m| (node.mark, m))?;
            }
            Ok(())
        }
        Value::Seq(items) => items.iter().try_for_each(check_syntax),
        Value::Map(entries) => entries.iter().try_for_each(|(k, v)| {
            check_syntax(k)?;
            check_syntax(v)
        }),
        _ => Ok(()),
    }
}

/// Whether any string in the tree (keys included) has a reference.
pub fn has_references(node: &Node) -> bool {
    match &node.value {
        Value::Str(s) => is_interpolated(s),
        Value::Seq(items) => items.iter().any(has_references),
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| has_references(k) || has_references(v)),
        _ => false,
    }
}

/// Resolves a whole tree (keys and values), like DVC's `Context.resolve`.
pub fn resolve_node(
    node: &Node,
    ctx: &indexmap::IndexMap<String, Data>,
    key: Option<&str>,
) -> Result<Node, (Mark, InterpError)> {
    Ok(match &node.value {
        Value::Str(s) => {
            if !s.contains("${") {
                return Ok(node.clone());
            }
            match resolve_str(s, ctx, key).map_err(|e| (node.mark, e))? {
                Resolved::Value(d) => d.to_node(node.mark),
                Resolved::Text(t) => Node {
                    value: Value::Str(t),
                    mark: node.mark,
                },
            }
        }
        Value::Seq(items) => Node {
            value: Value::Seq(
                items
                    .iter()
                    .map(|n| resolve_node(n, ctx, key))
                    .collect::<Result<_, _>>()?,
            ),
            mark: node.mark,
        },
        Value::Map(entries) => Node {
            value: Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((resolve_node(k, ctx, key)?, resolve_node(v, ctx, key)?)))
                    .collect::<Result<_, _>>()?,
            ),
            mark: node.mark,
        },
        _ => node.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    fn ctx() -> IndexMap<String, Data> {
        let node = cairn_yaml::parse(
            "lr: 0.001\nsmall: 1.0e-5\nbig: 1.0e+20\nflag: true\nname: m\nitems: [a, b]\n\
             nested: {x: {y: 3}}\nopts: {epochs: 3, verbose: true, quiet: false, tags: [a, 'b c'], out: x y}\n",
        )
        .unwrap();
        match Data::from_node(&node) {
            Data::Dict(m) => m,
            _ => unreachable!(),
        }
    }

    fn text(s: &str, key: Option<&str>) -> String {
        match resolve_str(s, &ctx(), key).unwrap() {
            Resolved::Text(t) => t,
            Resolved::Value(v) => format!("VALUE {v:?}"),
        }
    }

    #[test]
    fn python_str_of_values() {
        assert_eq!(
            text("--lr ${lr} --s ${small} --b ${big}", None),
            "--lr 0.001 --s 1e-05 --b 1e+20"
        );
        assert_eq!(text("x ${flag}", None), "x true");
        assert_eq!(text("${nested.x.y}/${items[1]}/${items.0}", None), "3/b/a");
        assert_eq!(text("${ name }-${items[-1]}", None), "m-b");
        assert_eq!(text("keep \\${name} ${name}", None), "keep ${name} m");
        assert_eq!(text("$name $(pwd) ${name", None), "$name $(pwd) ${name");
    }

    #[test]
    fn whole_value_keeps_type() {
        assert_eq!(
            resolve_str("${flag}", &ctx(), Some("frozen")).unwrap(),
            Resolved::Value(Data::Bool(true))
        );
        assert!(matches!(
            resolve_str("${items}", &ctx(), None).unwrap(),
            Resolved::Value(Data::List(_))
        ));
        assert_eq!(
            resolve_str("${items}", &ctx(), Some("outs")).unwrap_err(),
            InterpError::Type("Cannot interpolate data of type 'list'".into())
        );
    }

    #[test]
    fn dict_expands_to_flags_in_cmd() {
        assert_eq!(
            text("train ${opts}", Some("cmd")),
            "train --epochs 3 --verbose --tags a 'b c' --out 'x y'"
        );
        assert!(resolve_str("x ${opts}", &ctx(), Some("deps")).is_err());
    }

    #[test]
    fn errors() {
        assert_eq!(
            resolve_str("${ENVIRONMENT:-dev}", &ctx(), Some("cmd")).unwrap_err(),
            InterpError::NotFound("ENVIRONMENT:-dev".into())
        );
        assert!(matches!(
            resolve_str("${a..b}", &ctx(), None),
            Err(InterpError::Syntax(_))
        ));
        assert!(matches!(
            resolve_str("${}", &ctx(), None),
            Err(InterpError::Syntax(_))
        ));
        assert_eq!(parse_expr("a[0].b").unwrap(), "a.0.b");
        assert!(parse_expr("a[0]b").is_err());
    }
}
