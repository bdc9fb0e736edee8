//! `.dvc/config` and `.dvc/config.local` (configobj INI), the keys the data engine uses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// How checkout materialises files from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// Copy-on-write clone (falls through when the filesystem can't).
    Reflink,
    /// Hard link to the cache object (workspace file becomes read-only).
    Hardlink,
    /// Symbolic link to the cache object (absolute target, as DVC writes).
    Symlink,
    /// An independent copy.
    Copy,
}

impl LinkType {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "reflink" => Some(LinkType::Reflink),
            "hardlink" => Some(LinkType::Hardlink),
            "symlink" => Some(LinkType::Symlink),
            "copy" => Some(LinkType::Copy),
            _ => None,
        }
    }
}

/// The configuration the data engine needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The cache directory (absolute).
    pub cache_dir: PathBuf,
    /// Link types to try in order; DVC's default is `reflink,copy`.
    pub cache_types: Vec<LinkType>,
    /// `core.remote`: the remote push and pull use when none is named.
    pub default_remote: Option<String>,
    /// `['remote "NAME"'] url = …`, in file order, with the config file's directory
    /// (a relative local URL is relative to it, as DVC reads it).
    pub remotes: Vec<RemoteConfig>,
}

/// One configured remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// Its name.
    pub name: String,
    /// `url` as written.
    pub url: String,
    /// The directory of the file that set it.
    pub base: PathBuf,
    /// Its other settings (`endpointurl`, `region`, `profile`, `access_key_id`...), from
    /// `.dvc/config` and `.dvc/config.local` (later wins).
    pub options: BTreeMap<String, String>,
}

impl Config {
    /// Reads `.dvc/config` then `.dvc/config.local` (later wins), resolving `cache.dir`
    /// relative to the file that sets it, as DVC does.
    pub fn load(dvc_dir: &Path) -> Result<Config> {
        let mut cache_dir = dvc_dir.join("cache");
        let mut cache_types = vec![LinkType::Reflink, LinkType::Copy];
        let mut default_remote = None;
        let mut remotes: Vec<RemoteConfig> = Vec::new();
        for name in ["config", "config.local"] {
            let path = dvc_dir.join(name);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(DataError::io(path, e)),
            };
            let ini = parse_ini(&text);
            for (section, key, value, line) in ini {
                match (section.as_str(), key.as_str()) {
                    ("cache", "dir") => cache_dir = dvc_dir.join(value),
                    ("cache", "type") => {
                        let types: Option<Vec<_>> = value.split(',').map(LinkType::parse).collect();
                        cache_types = types.ok_or_else(|| DataError::Syntax {
                            path: path.clone(),
                            line,
                            col: 1,
                            message: format!("cache.type `{value}` must be a comma list of reflink, hardlink, symlink, copy"),
                        })?;
                    }
                    ("core", "remote") => default_remote = Some(value.clone()),
                    (section, key) if section.starts_with("remote ") => {
                        let name = section["remote ".len()..]
                            .trim()
                            .trim_matches('"')
                            .to_string();
                        let i = match remotes.iter().position(|r| r.name == name) {
                            Some(i) => i,
                            None => {
                                remotes.push(RemoteConfig {
                                    name,
                                    url: String::new(),
                                    base: dvc_dir.to_path_buf(),
                                    options: BTreeMap::new(),
                                });
                                remotes.len() - 1
                            }
                        };
                        if key == "url" {
                            remotes[i].url = value.clone();
                            remotes[i].base = dvc_dir.to_path_buf();
                        } else {
                            remotes[i].options.insert(key.to_string(), value.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        // Settings for a remote whose `url` is nowhere (a stale config.local) name nothing.
        remotes.retain(|r| !r.url.is_empty());
        Ok(Config {
            cache_dir,
            cache_types,
            default_remote,
            remotes,
        })
    }
}

/// `(section, key, value, line)` for every assignment; section names lose their quotes
/// (`['remote "x"']` → `remote "x"`).
fn parse_ini(text: &str) -> Vec<(String, String, String, usize)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().trim_matches(['\'', '"']).to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            out.push((
                section.clone(),
                k.trim().to_string(),
                v.trim().to_string(),
                i + 1,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_config_overrides_repo_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config"),
            "[core]\n    remote = r\n[cache]\n    type = hardlink,copy\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("config.local"),
            "[cache]\n    dir = ../../shared-cache\n",
        )
        .unwrap();
        let c = Config::load(dir.path()).unwrap();
        assert_eq!(c.cache_types, vec![LinkType::Hardlink, LinkType::Copy]);
        assert_eq!(c.cache_dir, dir.path().join("../../shared-cache"));
        assert_eq!(c.default_remote.as_deref(), Some("r"));
    }

    #[test]
    fn remotes_are_read_with_their_urls() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config"),
            "[core]\n    remote = store\n['remote \"store\"']\n    url = ../../store\n['remote \"s3\"']\n    url = s3://bucket/x\n",
        )
        .unwrap();
        let c = Config::load(dir.path()).unwrap();
        let names: Vec<(&str, &str)> = c
            .remotes
            .iter()
            .map(|r| (r.name.as_str(), r.url.as_str()))
            .collect();
        assert_eq!(names, [("store", "../../store"), ("s3", "s3://bucket/x")]);
        assert_eq!(c.remotes[0].base, dir.path());
    }

    #[test]
    fn remote_settings_merge_from_config_local() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config"),
            "['remote \"s3\"']\n    url = s3://bucket/x\n    endpointurl = http://127.0.0.1:9000\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("config.local"),
            "['remote \"s3\"']\n    access_key_id = AK\n    secret_access_key = SK\n['remote \"ghost\"']\n    region = x\n",
        )
        .unwrap();
        let c = Config::load(dir.path()).unwrap();
        assert_eq!(
            c.remotes.len(),
            1,
            "a remote without a url is dropped: {:?}",
            c.remotes
        );
        let opts: Vec<(&str, &str)> = c.remotes[0]
            .options
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            opts,
            [
                ("access_key_id", "AK"),
                ("endpointurl", "http://127.0.0.1:9000"),
                ("secret_access_key", "SK")
            ]
        );
    }

    #[test]
    fn bad_link_type_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), "[cache]\n  type = hardlinks\n").unwrap();
        let e = Config::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("config:2:1") && e.contains("hardlinks"), "{e}");
    }
}
