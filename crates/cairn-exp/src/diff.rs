//! `metrics show|diff`, `params diff`, `exp diff` (DVC's `dvc.utils.diff` semantics:
//! flattened keys, `diff = new - old` for numbers, unchanged rows only with `all`) and
//! metric trends along a branch, all read from git objects.

use std::path::Path;

use cairn_git::Git;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::collect::{FileResult, flatten, read_metrics, read_params};
use crate::error::ExpError;
use crate::refs::resolve;
use crate::snapshot::Snapshot;

/// A revision to read: the work tree or a commit/branch/tag/experiment name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rev {
    /// The work tree.
    Workspace,
    /// Anything git or the experiment refs resolve.
    Named(String),
}

impl Rev {
    /// Parses a user argument (`workspace` means the work tree).
    pub fn parse(s: &str) -> Rev {
        if s == "workspace" {
            Rev::Workspace
        } else {
            Rev::Named(s.to_string())
        }
    }

    /// The label DVC prints in table headers.
    pub fn label(&self) -> &str {
        match self {
            Rev::Workspace => "workspace",
            Rev::Named(s) => s,
        }
    }
}

/// Resolves a revision name: git revisions first, then experiment names.
pub fn resolve_rev(git: &Git, name: &str) -> Result<String, ExpError> {
    match git.resolve(name) {
        Ok(c) => Ok(c),
        Err(e) => resolve(git, name).map(|r| r.commit).map_err(|_| e.into()),
    }
}

/// What to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Metrics files.
    Metrics,
    /// Params files.
    Params,
}

/// Reads params or metrics at a revision.
pub fn read(root: &Path, rev: &Rev, kind: Kind) -> Result<IndexMap<String, FileResult>, ExpError> {
    let read = |snap: &Snapshot<'_>| match kind {
        Kind::Metrics => read_metrics(snap),
        Kind::Params => read_params(snap),
    };
    match rev {
        Rev::Workspace => Ok(read(&Snapshot::workspace(root))),
        Rev::Named(n) => {
            let git = Git::discover(root)?;
            let c = resolve_rev(&git, n)?;
            Ok(read(&Snapshot::at(&git, &c)))
        }
    }
}

/// One changed (or, with `all`, unchanged) value.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Old value (`None` when absent).
    pub old: Option<Value>,
    /// New value.
    pub new: Option<Value>,
    /// `new - old` when both are numbers.
    pub diff: Option<Value>,
}

/// File → flattened key → change, keys sorted.
pub type DiffResult = IndexMap<String, IndexMap<String, Change>>;

fn is_num(v: &Value) -> bool {
    v.is_number() || v.is_boolean() || cairn_pipeline::pynum::marker_f64(v).is_some()
}

/// Python's `new - old` for numbers: exact for ints of any size, float otherwise.
pub fn subtract(new: &Value, old: &Value) -> Value {
    use crate::pyvalue::{Num, number};
    match (number(new), number(old)) {
        (Some(Num::Int(a)), Some(Num::Int(b))) => {
            let d = a - b;
            match i64::try_from(&d) {
                Ok(i) => json!(i),
                Err(_) => cairn_pipeline::pynum::big_int(&d.to_string()),
            }
        }
        (a, b) => {
            let f = |n: Option<Num>| n.map_or(f64::NAN, |n| n.as_f64());
            let d = f(a) - f(b);
            serde_json::Number::from_f64(d)
                .map(Value::Number)
                .unwrap_or_else(|| cairn_pipeline::pynum::special_float(d))
        }
    }
}

/// A file's values by flattened key, lists turned into their Python `str()` first as
/// DVC's `format_dict` does.
fn flat(r: Option<&FileResult>) -> Option<IndexMap<String, Value>> {
    let Some(FileResult::Data(v)) = r else {
        return None;
    };
    let v = crate::pyvalue::format_lists(v);
    let mut m = IndexMap::new();
    if v.is_object() {
        flatten("", &v, &mut m);
    } else {
        m.insert(String::new(), v);
    }
    Some(m)
}

/// DVC's `dvc.utils.diff.diff`.
pub fn diff(
    old: &IndexMap<String, FileResult>,
    new: &IndexMap<String, FileResult>,
    all: bool,
) -> DiffResult {
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut out = DiffResult::new();
    for p in paths {
        let o = flat(old.get(p)).unwrap_or_default();
        let n = flat(new.get(p)).unwrap_or_default();
        let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
        keys.sort();
        keys.dedup();
        let mut changes = IndexMap::new();
        for k in keys {
            let ov = o.get(k).cloned();
            let nv = n.get(k).cloned();
            let unchanged = match (&ov, &nv) {
                (Some(a), Some(b)) => crate::pyvalue::py_eq(a, b),
                (None, None) => true,
                _ => false,
            };
            if !all && unchanged {
                continue;
            }
            let d = match (&ov, &nv) {
                (Some(a), Some(b)) if is_num(a) && is_num(b) => Some(subtract(b, a)),
                _ => None,
            };
            changes.insert(
                k.clone(),
                Change {
                    old: ov,
                    new: nv,
                    diff: d,
                },
            );
        }
        if !changes.is_empty() {
            out.insert(p.clone(), changes);
        }
    }
    out
}

/// `--json` of `metrics diff` / `params diff`.
pub fn diff_to_json(d: &DiffResult) -> Value {
    Value::Object(
        d.iter()
            .map(|(p, ch)| {
                let inner: Map<String, Value> = ch
                    .iter()
                    .map(|(k, c)| {
                        let mut m = Map::new();
                        m.insert("old".into(), c.old.clone().unwrap_or(Value::Null));
                        m.insert("new".into(), c.new.clone().unwrap_or(Value::Null));
                        if let Some(x) = &c.diff {
                            m.insert("diff".into(), x.clone());
                        }
                        (k.clone(), Value::Object(m))
                    })
                    .collect();
                (p.clone(), Value::Object(inner))
            })
            .collect(),
    )
}

/// `metrics show --json`: `{rev_label: {"data": {file: {"data": ...}}}}` (`""` = work tree).
pub fn show_json(label: &str, files: &IndexMap<String, FileResult>) -> Value {
    let data: Map<String, Value> = files
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect();
    let mut o = Map::new();
    o.insert(label.to_string(), json!({ "data": data }));
    Value::Object(o)
}

/// A metric's value at each commit of a branch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrendPoint {
    /// Commit.
    pub rev: String,
    /// Commit time (seconds).
    pub time: i64,
    /// Flattened `file:key` → value.
    pub metrics: IndexMap<String, Value>,
}

/// Metrics at the last `n` first-parent commits of `rev` (0 = all), oldest first, read in
/// parallel from git objects without checkout.
pub fn trend(root: &Path, rev: &str, n: usize) -> Result<Vec<TrendPoint>, ExpError> {
    let git = Git::discover(root)?;
    let root = git.root().to_path_buf();
    let tip = resolve_rev(&git, rev)?;
    let mut commits = git.first_parents(&tip, n)?;
    commits.reverse();
    let pts: Vec<TrendPoint> = commits
        .par_iter()
        .map_init(
            || Git::discover(&root).ok(),
            |g, c| {
                let Some(g) = g else {
                    return TrendPoint {
                        rev: c.clone(),
                        time: 0,
                        metrics: IndexMap::new(),
                    };
                };
                let snap = Snapshot::at(g, c);
                let m = read_metrics(&snap);
                let mut flat = IndexMap::new();
                for (file, r) in &m {
                    if let Some(v) = r.data() {
                        let mut f = IndexMap::new();
                        flatten("", v, &mut f);
                        for (k, v) in f {
                            flat.insert(format!("{file}:{k}"), v);
                        }
                    }
                }
                TrendPoint {
                    rev: c.clone(),
                    time: g.commit_time(c).unwrap_or(0),
                    metrics: flat,
                }
            },
        )
        .collect();
    Ok(pts)
}

/// How DVC's tables print floats, which differs per command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fmt {
    /// `str(value)` (`params diff`, the params of `exp diff`, CSV).
    Raw,
    /// `str(round(value, n))`: `n` digits after the point (`metrics show`/`diff`).
    Round(usize),
    /// `f"{value:.{n}g}"`: `n` significant digits (`exp show`, the metrics of `exp diff`).
    Sig(usize),
}

/// Formats a value as DVC's tables do; `-` when absent.
pub fn fmt_value(v: Option<&Value>, fmt: Fmt) -> String {
    match v {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(s)) => match cairn_pipeline::pynum::from_marker(s) {
            Some(cairn_pipeline::data::Data::Float(f)) => fmt_float(f, fmt),
            Some(d) => d.py_str(),
            None => s.clone(),
        },
        Some(Value::Number(n)) if n.is_f64() => fmt_float(n.as_f64().unwrap_or(f64::NAN), fmt),
        Some(v) => cairn_pipeline::pynum::dumps(v, false),
    }
}

fn fmt_float(f: f64, fmt: Fmt) -> String {
    use cairn_core::pyfloat::repr;
    if !f.is_finite() {
        return repr(f);
    }
    match fmt {
        Fmt::Raw => repr(f),
        // Rust's fixed-precision formatting rounds the exact binary value, as Python's
        // `round` does.
        Fmt::Round(n) => repr(format!("{f:.n$}").parse().unwrap_or(f)),
        Fmt::Sig(n) => py_g(f, n.max(1)),
    }
}

/// Python's `format(f, ".{n}g")` for a finite `f`.
pub(crate) fn py_g(f: f64, n: usize) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{f:.prec$e}", prec = n - 1);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if (-4..n as i32).contains(&exp) {
        let decimals = (n as i32 - 1 - exp).max(0) as usize;
        strip(&format!("{f:.decimals$}"))
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip(mant), exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_like_dvc() {
        let mut a = IndexMap::new();
        a.insert(
            "m.json".to_string(),
            FileResult::Data(json!({"acc": 0.30000000000000004, "loss": 0.9, "n": {"x": 1}})),
        );
        let mut b = IndexMap::new();
        b.insert(
            "m.json".to_string(),
            FileResult::Data(json!({"acc": 0.6000000000000001, "loss": 0.9, "n": {"x": 3}})),
        );
        let d = diff(&a, &b, false);
        let j = diff_to_json(&d);
        assert_eq!(
            cairn_pipeline::pynum::dumps(&j, true),
            r#"{"m.json": {"acc": {"diff": 0.30000000000000004, "new": 0.6000000000000001, "old": 0.30000000000000004}, "n.x": {"diff": 2, "new": 3, "old": 1}}}"#
        );
        assert_eq!(
            fmt_value(Some(&json!(0.30000000000000004)), Fmt::Sig(5)),
            "0.3"
        );
        assert_eq!(
            fmt_value(Some(&json!(-0.09999999999999998)), Fmt::Sig(5)),
            "-0.1"
        );
        // Checked against Python 3: f"{x:.5g}", str(round(x, 5)), str(x).
        let cases: &[(f64, &str, &str, &str)] = &[
            (123.456789, "123.46", "123.45679", "123.456789"),
            (
                9007199254740992.0,
                "9.0072e+15",
                "9007199254740992.0",
                "9007199254740992.0",
            ),
            (0.000012345678, "1.2346e-05", "1e-05", "1.2345678e-05"),
            (0.00012345678, "0.00012346", "0.00012", "0.00012345678"),
            (99999.5, "1e+05", "99999.5", "99999.5"),
            (12345.0, "12345", "12345.0", "12345.0"),
            (-2.5, "-2.5", "-2.5", "-2.5"),
            (1e22, "1e+22", "1e+22", "1e+22"),
        ];
        for &(x, g, r, raw) in cases {
            let v = json!(x);
            assert_eq!(fmt_value(Some(&v), Fmt::Sig(5)), g, "{x} .5g");
            assert_eq!(fmt_value(Some(&v), Fmt::Round(5)), r, "{x} round 5");
            assert_eq!(fmt_value(Some(&v), Fmt::Raw), raw, "{x} str");
        }
    }
}
