//! `dvc config` option names (`core.remote`, `remote.store.url`) and what DVC's schema
//! accepts, so `cairn config` reads and writes what `dvc config` does and refuses what
//! it refuses.

use std::path::Path;

use crate::config_edit::ConfigFile;
use crate::error::{DataError, Result};

/// An option as the config file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionName {
    /// Section as written without brackets and quotes: `core`, `remote "store"`.
    pub section: String,
    /// Key within it.
    pub key: String,
}

/// Sections whose options are named `section.name.option`.
const NAMED: [&str; 3] = ["remote", "db", "machine"];

/// Keys DVC's schema allows, for the sections that have a fixed set (the rest — remotes,
/// `feature` — take what their backends take).
const KEYS: [(&str, &[&str]); 8] = [
    (
        "core",
        &[
            "remote",
            "checksum_jobs",
            "interactive",
            "analytics",
            "hardlink_lock",
            "no_scm",
            "autostage",
            "experiments",
            "check_update",
            "site_cache_dir",
            "machine",
        ],
    ),
    (
        "cache",
        &[
            "dir",
            "type",
            "protected",
            "shared",
            "slow_link_warning",
            "verify",
            "local",
            "s3",
            "gs",
            "hdfs",
            "webhdfs",
            "ssh",
            "azure",
        ],
    ),
    ("state", &["dir", "row_limit", "row_cleanup_quota"]),
    ("index", &["dir"]),
    ("plots", &["html_template", "auto_open", "out_dir"]),
    ("exp", &["auto_push", "git_remote"]),
    ("parsing", &["bool", "list"]),
    ("hydra", &["enabled", "config_name", "plugins_path"]),
];

/// Sections whose keys are not checked here.
const OPEN: [&str; 2] = ["feature", "studio"];

/// Parses `core.remote` or `remote.store.url`, as `dvc config` takes it.
pub fn parse(name: &str) -> Result<OptionName> {
    let bad = || {
        DataError::Config(format!(
            "`{name}`: name an option as section.option or remote.name.option (e.g. core.remote, remote.store.url)"
        ))
    };
    let parts: Vec<&str> = name.split('.').collect();
    let parsed = match parts.as_slice() {
        [section, name, key] if NAMED.contains(section) && !name.is_empty() && !key.is_empty() => {
            OptionName {
                section: format!("{section} \"{name}\""),
                key: key.to_string(),
            }
        }
        [section, key] if !NAMED.contains(section) && !section.is_empty() && !key.is_empty() => {
            OptionName {
                section: section.to_string(),
                key: key.to_string(),
            }
        }
        _ => return Err(bad()),
    };
    Ok(parsed)
}

/// `dvc config -l`'s name for `section`/`key`.
pub fn display(section: &str, key: &str) -> String {
    match section.split_once(' ') {
        Some((kind, name)) => format!("{kind}.{}.{key}", name.trim_matches('"')),
        None => format!("{section}.{key}"),
    }
}

/// Refuses options DVC's schema does not have, and `cache.type` values it would reject,
/// before anything is written.
pub fn check(option: &OptionName, value: Option<&str>) -> Result<()> {
    let kind = option.section.split(' ').next().unwrap_or_default();
    if NAMED.contains(&kind) || OPEN.contains(&kind) {
        return Ok(());
    }
    let Some((_, keys)) = KEYS.iter().find(|(s, _)| *s == kind) else {
        return Err(DataError::Config(format!(
            "there is no config section `{kind}` (DVC has core, cache, remote, state, index, machine, feature, plots, exp, parsing, hydra, studio, db)"
        )));
    };
    if !keys.contains(&option.key.as_str()) {
        return Err(DataError::Config(format!(
            "`{}` is not an option DVC knows (in `{kind}`: {})",
            display(&option.section, &option.key),
            keys.join(", ")
        )));
    }
    if let (("cache", "type"), Some(v)) = ((kind, option.key.as_str()), value)
        && v.split(',')
            .any(|t| crate::config::LinkType::parse(t.trim()).is_none())
    {
        return Err(DataError::Config(format!(
            "cache.type `{v}` must be a comma list of reflink, hardlink, symlink, copy"
        )));
    }
    Ok(())
}

/// Every `(section, key, value)` set in `file` of the repository whose `.dvc` is
/// `dvc_dir`, in file order.
pub fn entries(dvc_dir: &Path, file: ConfigFile) -> Result<Vec<(String, String, String)>> {
    let path = dvc_dir.join(file.name());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(DataError::io(path, e)),
    };
    Ok(crate::config_edit::entries_of(&text))
}

/// `entries` in the order `dvc config --list` shows them: remotes, machines and
/// databases first (DVC gathers the named sections ahead of the rest), then the plain
/// sections, each in file order.
pub fn listing_order(entries: Vec<(String, String, String)>) -> Vec<(String, String, String)> {
    let rank = |section: &str| {
        NAMED
            .iter()
            .position(|n| section.split(' ').next() == Some(n) && section.contains(' '))
            .unwrap_or(NAMED.len())
    };
    let mut ranked: Vec<(usize, (String, String, String))> =
        entries.into_iter().map(|e| (rank(&e.0), e)).collect();
    // Stable: file order within each rank.
    ranked.sort_by_key(|(r, _)| *r);
    ranked.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_dvc_reads_them() {
        let o = parse("remote.store.url").unwrap();
        assert_eq!(
            (o.section.as_str(), o.key.as_str()),
            ("remote \"store\"", "url")
        );
        assert_eq!(display(&o.section, &o.key), "remote.store.url");
        assert_eq!(parse("core.remote").unwrap().section, "core");
        for bad in ["core", "remote.url", "core.a.b", ".x", "a."] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(check(&parse("core.nope").unwrap(), Some("x")).is_err());
        assert!(check(&parse("nope.x").unwrap(), Some("x")).is_err());
        assert!(check(&parse("cache.type").unwrap(), Some("symlink,copy")).is_ok());
        assert!(check(&parse("cache.type").unwrap(), Some("tape")).is_err());
        assert!(check(&parse("remote.s.anything").unwrap(), Some("x")).is_ok());
    }
}
