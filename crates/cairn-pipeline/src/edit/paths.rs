//! `add_path` / `remove_path`: one path wired into or out of a stage's deps or outs, the
//! key added in DVC's key order when the stage has no such list yet.

use super::*;

/// DVC's key order inside a stage, for placing a key that is not there yet.
const KEY_ORDER: &[&str] = &[
    "desc",
    "cmd",
    "wdir",
    "deps",
    "params",
    "outs",
    "metrics",
    "plots",
    "frozen",
    "always_changed",
    "meta",
];

fn rank(key: &str) -> usize {
    KEY_ORDER
        .iter()
        .position(|k| *k == key)
        .unwrap_or(KEY_ORDER.len())
}

/// `path` (normalised, repo-relative) relative to directory `dir` (repo-relative, `""` for
/// the root), with `..` where needed.
fn relative_to(dir: &str, path: &str) -> String {
    let d: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let common = d.iter().zip(&p).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; d.len() - common];
    parts.extend(&p[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// The path of a list item: a string, or the key of a one-entry mapping (`- out: {…}`).
fn item_path(item: &Node) -> Option<&str> {
    match &item.value {
        Value::Str(p) => Some(p),
        Value::Map(m) if m.len() == 1 => m[0].0.as_str(),
        _ => None,
    }
}

pub(super) fn add_path(
    fs: &dyn RepoFs,
    st: &Stage,
    list: PathList,
    path: &str,
) -> Result<Change, EditError> {
    let norm = crate::fs::normpath(path);
    if crate::fs::outside_repo(path, &norm) || norm == "." {
        return Err(EditError::OutsideRepo(path.to_string()));
    }
    let listed = match list {
        PathList::Deps => st
            .deps
            .iter()
            .any(|d| st.dep_repo_path(&d.path) == Some(norm.clone())),
        PathList::Outs => st
            .outs
            .iter()
            .any(|o| o.repo_path(st) == Some(norm.clone())),
    };
    if listed {
        return Err(EditError::AlreadyListed {
            stage: st.addressing.clone(),
            path: norm,
            list: list.noun(),
        });
    }
    let written = relative_to(st.wdir_rel(), &norm);
    let key = match list {
        PathList::Deps => "deps",
        PathList::Outs => "outs",
    };
    let summary = format!(
        "added `{norm}` to the {} of stage `{}`",
        list.noun(),
        st.addressing
    );
    edit_stage(fs, st, summary, |parsed, body, lines, col| {
        match find(body, key) {
            Some(e) => match &e.value.value {
                Value::Seq(items) if is_block(&parsed.lines, e.key, e.value) => {
                    let dash = doc::dash_col(&parsed.lines, items);
                    lines.splice(e.end, e.end, block_at(seq(vec![s(&written)]), dash));
                }
                Value::Seq(items) => {
                    let mut items = items.clone();
                    items.push(s(&written));
                    lines.splice(e.start, e.end, entry_at(key, seq(items), col));
                }
                _ => {
                    return Err(EditError::FlowStyle {
                        file: st.dvcfile.clone(),
                        line: e.start + 1,
                        what: format!("`{key}` of stage `{}`", st.name),
                    });
                }
            },
            None => {
                let at = body
                    .iter()
                    .filter(|b| b.key.as_str().is_some_and(|k| rank(k) < rank(key)))
                    .map(|b| b.end)
                    .max()
                    .unwrap_or_else(|| body.first().map(|b| b.start).unwrap_or(0));
                lines.splice(at, at, entry_at(key, seq(vec![s(&written)]), col));
            }
        }
        Ok(())
    })
}

pub(super) fn remove_path(
    fs: &dyn RepoFs,
    st: &Stage,
    list: PathList,
    path: &str,
) -> Result<Change, EditError> {
    let norm = crate::fs::normpath(path);
    let keys: &[&str] = match list {
        PathList::Deps => &["deps"],
        PathList::Outs => &["outs", "metrics", "plots"],
    };
    let dir = st.wdir_rel();
    let summary = format!(
        "removed `{norm}` from the {} of stage `{}`",
        list.noun(),
        st.addressing
    );
    edit_stage(fs, st, summary, |parsed, body, lines, _| {
        for key in keys {
            let Some(e) = find(body, key) else { continue };
            let Value::Seq(items) = &e.value.value else {
                continue;
            };
            let Some(idx) = items
                .iter()
                .position(|i| item_path(i).is_some_and(|p| repo_path(dir, p) == norm || p == path))
            else {
                continue;
            };
            if items.len() == 1 {
                lines.splice(e.start, e.end, vec![]);
            } else if is_block(&parsed.lines, e.key, e.value) {
                let (a, b) = doc::seq_items(&parsed.lines, items, e.end)[idx];
                lines.splice(a, b, vec![]);
            } else {
                let mut rest = items.clone();
                rest.remove(idx);
                lines.splice(e.start, e.end, entry_at(key, seq(rest), col0(e.key)));
            }
            return Ok(());
        }
        Err(EditError::NotListed {
            stage: st.addressing.clone(),
            path: norm.clone(),
            list: list.noun(),
        })
    })
}
