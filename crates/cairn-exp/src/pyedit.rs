//! `-S params.py:key=value`: rewriting a Python params file exactly as DVC's `modify_py`
//! (`dvc/utils/serialize/_py.py`, `_dump`) does.
//!
//! DVC does not re-serialise Python. For every value that changed it takes the line of the
//! assignment and replaces the text ` = <str(old)>` with ` = <str(new)>` in that line,
//! nothing else. So a change only lands where the old value is written the way Python
//! prints it (`lr = 0.1` changes, `lr = 1e-1` and `name = "cnn"` do not: `str()` of a
//! string has no quotes), entries of a dict literal never change (their line reads
//! `"a": 1`, not ` = 1`), and every occurrence on the line is replaced (a trailing
//! `# default = 0.1` too). Cairn reproduces those outcomes rather than "fixing" them, so
//! both tools leave the same file. Where DVC crashes (a key that is not in the file, a
//! nested dict inside a dict literal) Cairn refuses with an error instead.

use cairn_pipeline::data::Data;
use cairn_pipeline::pyparams::{self, Lined};
use indexmap::IndexMap;

use crate::error::ExpError;

/// The new text of the Python params file `rel` after its values became `new`.
pub fn rewrite(rel: &str, text: &str, new: &Data) -> Result<String, ExpError> {
    let old = pyparams::parse_lined(text)
        .map_err(|e| ExpError::Invalid(format!("{rel}:{}: {}", e.line, e.message)))?;
    let mut lines: Vec<String> = split_lines(text);
    let Data::Dict(new) = new else {
        return Ok(text.to_string());
    };
    let mut written: Vec<(usize, String)> = Vec::new();
    update(&mut lines, &old, new, &mut written).map_err(|key| {
        ExpError::Invalid(format!(
            "{rel}: cannot set '{key}': DVC can only change values already assigned in a \
             Python params file (new keys and nested dicts inside dict literals are not \
             supported; dvc fails with KeyError: '{key}')"
        ))
    })?;
    let out: String = lines.concat();
    // DVC re-parses the result (`ast.parse`) and refuses a file it broke, e.g. with
    // `name = hello world`. Cairn checks the tokens and that each value written is an
    // expression Python accepts.
    let corrupted = || {
        ExpError::Invalid(format!(
            "{rel}: Python file structure is corrupted after update params"
        ))
    };
    pyparams::check_syntax(&out).map_err(|_| corrupted())?;
    for (line, value) in &written {
        if !valid_expression(value) {
            let _ = line;
            return Err(corrupted());
        }
    }
    Ok(out)
}

/// Python's `splitlines(True)` for the line breaks `ast` counts.
fn split_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        cur.push(c);
        if c == '\r' && it.peek() == Some(&'\n') {
            cur.push('\n');
            it.next();
        }
        if c == '\n' || c == '\r' {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// DVC's `_update_lines`; `Err(key)` where DVC raises `KeyError(key)`.
fn update(
    lines: &mut [String],
    old: &IndexMap<String, Lined>,
    new: &IndexMap<String, Data>,
    written: &mut Vec<(usize, String)>,
) -> Result<(), String> {
    for (key, value) in new {
        let Some(entry) = old.get(key) else {
            return Err(key.clone());
        };
        match (value, entry) {
            (Data::Dict(sub), Lined::Map(old_sub)) => update(lines, old_sub, sub, written)?,
            // `old_dct[key]` is `{"lineno", "value"}` here, so any key of the new dict
            // but those two is missing.
            (Data::Dict(sub), Lined::Leaf { .. }) => {
                if let Some(k) = sub.keys().next() {
                    return Err(k.clone());
                }
            }
            // `old_dct[key]["value"]` on a class or dict literal.
            (_, Lined::Map(_)) => return Err("value".into()),
            (v, Lined::Leaf { line, value: was }) => {
                if cairn_run::params::py_eq(v, was) && !is_nan(v) {
                    continue;
                }
                let Some(l) = lines.get_mut(line - 1) else {
                    continue;
                };
                let from = format!(" = {}", was.py_str());
                if l.contains(&from) {
                    *l = l.replace(&from, &format!(" = {}", v.py_str()));
                    written.push((*line, v.py_str()));
                }
            }
        }
    }
    Ok(())
}

fn is_nan(d: &Data) -> bool {
    matches!(d, Data::Float(f) if f.is_nan())
}

/// Whether `text` (what `str()` gave) parses as a Python expression. Numbers, `True`,
/// `None`, reprs of lists and dicts, `inf`/`nan` (names) and other names do; for any
/// other string Cairn accepts dotted names and literals only and reports the rest as
/// corrupted (DVC would accept a few more, such as `a-b`).
fn valid_expression(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let names = t.split('.').all(|part| {
        let mut cs = part.chars();
        cs.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && cs.all(|c| c.is_alphanumeric() || c == '_')
    });
    if names && !t.split('.').any(is_reserved) {
        return true;
    }
    // A literal: reuse the params reader on a one-line module.
    matches!(pyparams::parse(&format!("x = {t}\n")), Ok(Data::Dict(m)) if m.contains_key("x"))
}

/// Keywords that cannot stand as an expression (the constants `True`, `False` and
/// `None` can).
fn is_reserved(w: &str) -> bool {
    pyparams::is_keyword(w) && !matches!(w, "True" | "False" | "None")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, f: impl FnOnce(&mut IndexMap<String, Data>)) -> Result<String, ExpError> {
        let Data::Dict(mut m) = pyparams::parse(text).unwrap() else {
            panic!()
        };
        f(&mut m);
        rewrite("params.py", text, &Data::Dict(m))
    }

    #[test]
    fn replaces_like_dvc() {
        // Each expectation is what `dvc exp run -S params.py:…` leaves (checked by hand
        // against dvc 3.67.1; the e2e test compares the bytes).
        let src = "lr = 0.1  # lr = 0.1\nsmall = 1e-3\nname = \"cnn\"\nn: int = 3\nd = {\"a\": 1}\nclass T:\n    def __init__(self):\n        self.s = 4\n";
        let out = set(src, |m| {
            m.insert("lr".into(), Data::Float(0.2));
            m.insert("small".into(), Data::Float(0.002));
            m.insert("name".into(), Data::Str("rnn".into()));
            m.insert("n".into(), Data::Float(3.0)); // equal: untouched
            let Some(Data::Dict(d)) = m.get_mut("d") else {
                panic!()
            };
            d.insert("a".into(), Data::Int(9));
            let Some(Data::Dict(t)) = m.get_mut("T") else {
                panic!()
            };
            t.insert("s".into(), Data::Float(f64::INFINITY));
        })
        .unwrap();
        assert_eq!(
            out,
            "lr = 0.2  # lr = 0.2\nsmall = 1e-3\nname = \"cnn\"\nn: int = 3\nd = {\"a\": 1}\nclass T:\n    def __init__(self):\n        self.s = inf\n"
        );
        let e = set("x = 1\n", |m| {
            m.insert("y".into(), Data::Int(1));
        });
        assert!(e.is_err());
        let e = set("x = 1\n", |m| {
            m.insert("x".into(), Data::Str("hello world".into()));
        })
        .unwrap_err();
        assert!(e.to_string().contains("corrupted after update"), "{e}");
        let ok = set("x = 1\n", |m| {
            m.insert("x".into(), Data::Str("abc".into()));
        })
        .unwrap();
        assert_eq!(ok, "x = abc\n");
    }
}
