//! DVC's experiment ref layout: `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`, plus
//! the bookkeeping refs (`refs/exps/exec/EXEC_*`, `refs/exps/apply/ORIG_HEAD`...).

use cairn_git::Git;

use crate::error::ExpError;

/// The namespace.
pub const EXPS_NAMESPACE: &str = "refs/exps";
/// Baseline of the experiment being run in the workspace.
pub const EXEC_HEAD: &str = "refs/exps/exec/EXEC_HEAD";
/// Where `exp apply` remembers HEAD.
pub const APPLY_HEAD: &str = "refs/exps/apply/ORIG_HEAD";

/// One experiment ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpRef {
    /// Full ref name.
    pub refname: String,
    /// Baseline commit (40 hex).
    pub baseline: String,
    /// Experiment name.
    pub name: String,
    /// The commit it points at.
    pub commit: String,
}

/// `refs/exps/ab/cdef…/name`.
pub fn ref_name(baseline: &str, name: &str) -> String {
    format!(
        "{EXPS_NAMESPACE}/{}/{}/{name}",
        &baseline[..2],
        &baseline[2..]
    )
}

/// Parses a ref name of the experiment layout.
pub fn parse_ref(refname: &str) -> Option<(String, String)> {
    let rest = refname.strip_prefix("refs/exps/")?;
    let mut it = rest.splitn(3, '/');
    let a = it.next()?;
    let b = it.next()?;
    let name = it.next()?;
    if a.len() != 2
        || b.len() != 38
        || !a.chars().chain(b.chars()).all(|c| c.is_ascii_hexdigit())
        || name.is_empty()
        || name.contains('/')
    {
        return None;
    }
    Some((format!("{a}{b}"), name.to_string()))
}

/// Every experiment ref, sorted by ref name.
pub fn list_exp_refs(git: &Git) -> Result<Vec<ExpRef>, ExpError> {
    let mut out: Vec<ExpRef> = git
        .refs_glob("refs/exps/*")?
        .into_iter()
        .filter_map(|(refname, commit)| {
            let (baseline, name) = parse_ref(&refname)?;
            Some(ExpRef {
                refname,
                baseline,
                name,
                commit,
            })
        })
        .collect();
    out.sort_by(|a, b| a.refname.cmp(&b.refname));
    Ok(out)
}

/// DVC's `check_ref_format`-like rule for names given with `--name`.
pub fn validate_name(name: &str) -> Result<(), ExpError> {
    let bad = name.is_empty()
        || name.contains('/')
        || name.contains("..")
        || name.starts_with('.')
        || name.starts_with('-')
        || name.ends_with(".lock")
        || name.ends_with('.')
        || name
            .chars()
            .any(|c| c.is_control() || " ~^:?*[\\".contains(c))
        || name.contains("@{");
    if bad {
        return Err(ExpError::Invalid(format!(
            "invalid experiment name '{name}': it must be a valid git ref name without '/'"
        )));
    }
    Ok(())
}

/// Finds experiments by name, ref or (prefix of a) commit id. Names are looked up under
/// the HEAD baseline first, then everywhere (like DVC's `resolve_name`).
pub fn resolve(git: &Git, what: &str) -> Result<ExpRef, ExpError> {
    let refs = list_exp_refs(git)?;
    if let Some(r) = refs.iter().find(|r| r.refname == what) {
        return Ok(r.clone());
    }
    let head = git.head_commit();
    let by_name: Vec<&ExpRef> = refs.iter().filter(|r| r.name == what).collect();
    if let Some(r) = by_name.iter().find(|r| Some(&r.baseline) == head.as_ref()) {
        return Ok((*r).clone());
    }
    match by_name.len() {
        1 => return Ok(by_name[0].clone()),
        n if n > 1 => {
            return Err(ExpError::Invalid(format!(
                "'{what}' is ambiguous: {n} experiments have that name; use the full ref"
            )));
        }
        _ => {}
    }
    if what.len() >= 4 && what.chars().all(|c| c.is_ascii_hexdigit()) {
        let hits: Vec<&ExpRef> = refs.iter().filter(|r| r.commit.starts_with(what)).collect();
        if hits.len() == 1 {
            return Ok(hits[0].clone());
        }
    }
    Err(ExpError::UnknownExperiment(what.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let b = "30d2b1c47a74403c850b9f361d9657c72b7ad062";
        let r = ref_name(b, "e-lr02");
        assert_eq!(
            r,
            "refs/exps/30/d2b1c47a74403c850b9f361d9657c72b7ad062/e-lr02"
        );
        assert_eq!(parse_ref(&r), Some((b.to_string(), "e-lr02".to_string())));
        assert_eq!(parse_ref("refs/exps/exec/EXEC_HEAD"), None);
        assert_eq!(parse_ref("refs/exps/celery/stash"), None);
        assert!(validate_name("ok-name_1").is_ok());
        assert!(validate_name("bad/name").is_err());
    }
}
