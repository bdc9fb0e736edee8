//! Changing `.dvc/config` or `.dvc/config.local` the way `dvc remote add|modify|default`
//! and `dvc config` do, touching only the lines that change: comments, order and other
//! sections stay as the user (or DVC) wrote them. Written atomically under the repo lock.

use std::path::Path;

use crate::error::{DataError, Result};
use crate::repo::Repo;

/// Which of the two config files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFile {
    /// `.dvc/config`: committed, shared with the team.
    Repo,
    /// `.dvc/config.local`: this clone only (git-ignored) — where secrets go.
    Local,
}

impl ConfigFile {
    /// Its file name in `.dvc/`.
    pub fn name(self) -> &'static str {
        match self {
            ConfigFile::Repo => "config",
            ConfigFile::Local => "config.local",
        }
    }
}

/// One setting to write (`Some`) or remove (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Section as DVC names it without brackets and quotes: `core`, `remote "store"`.
    pub section: String,
    /// Key within it.
    pub key: String,
    /// New value; `None` removes the key.
    pub value: Option<String>,
}

impl Setting {
    /// `section.key = value`.
    pub fn set(
        section: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Setting {
        Setting {
            section: section.into(),
            key: key.into(),
            value: Some(value.into()),
        }
    }

    /// Removes `section.key`.
    pub fn unset(section: impl Into<String>, key: impl Into<String>) -> Setting {
        Setting {
            section: section.into(),
            key: key.into(),
            value: None,
        }
    }
}

/// The section name of remote `name`.
pub fn remote_section(name: &str) -> String {
    format!("remote \"{name}\"")
}

/// Refuses names DVC's config cannot hold (quotes, brackets, line breaks) or that are empty.
pub fn check_remote_name(name: &str) -> Result<()> {
    if name.trim().is_empty()
        || name.trim() != name
        || name.contains(['"', '\'', '[', ']', '\n', '\r'])
    {
        return Err(DataError::Remote(format!(
            "`{name}` cannot name a remote: use letters, digits, `-` or `_`"
        )));
    }
    Ok(())
}

/// Applies `settings` to `file` of `repo`, under the repo lock.
pub fn edit(repo: &Repo, file: ConfigFile, settings: &[Setting]) -> Result<()> {
    for s in settings {
        if let Some(v) = &s.value
            && (v.contains(['\n', '\r']) || v.trim() != v)
        {
            return Err(DataError::Remote(format!(
                "{}.{}: a value cannot start or end with spaces or hold a line break",
                s.section, s.key
            )));
        }
    }
    let _lock = repo.lock()?;
    edit_file(&repo.dvc_dir().join(file.name()), settings)
}

/// Applies `settings` to the config file at `path` (no lock: see [`edit`]).
pub fn edit_file(path: &Path, settings: &[Setting]) -> Result<()> {
    let text = read(path)?.unwrap_or_default();
    let new = apply(&text, settings);
    if new != text {
        cairn_core::write_atomic(path, new.as_bytes()).map_err(|e| DataError::io(path, e))?;
    }
    Ok(())
}

/// Removes a whole section (a remote), wherever it appears, from the file at `path`.
pub fn remove_section(repo: &Repo, file: ConfigFile, section: &str) -> Result<bool> {
    let _lock = repo.lock()?;
    let path = repo.dvc_dir().join(file.name());
    let Some(text) = read(&path)? else {
        return Ok(false);
    };
    let mut lines: Vec<&str> = text.lines().collect();
    let mut removed = false;
    while let Some((start, end)) = find_section(&lines, section) {
        lines.drain(start..end);
        removed = true;
    }
    if removed {
        let new = join(&lines);
        cairn_core::write_atomic(&path, new.as_bytes()).map_err(|e| DataError::io(&path, e))?;
    }
    Ok(removed)
}

/// The config file's text; `None` when it does not exist (yet).
fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DataError::io(path, e)),
    }
}

fn header_name(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    // `['remote "x"']` → `remote "x"`: one layer of quotes around the whole name.
    Some(
        inner
            .strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
            .unwrap_or(inner),
    )
}

/// Every `(section, key, value)` assignment of a config file's `text`, in file order,
/// sections named as [`Setting::section`] names them.
pub fn entries_of(text: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(name) = header_name(line) {
            section = name.to_string();
        } else if let Some(key) = key_of(line)
            && let Some((_, value)) = line.split_once('=')
        {
            out.push((section.clone(), key.to_string(), value.trim().to_string()));
        }
    }
    out
}

/// `[start, end)` lines of the first section named `section` (header included).
fn find_section(lines: &[&str], section: &str) -> Option<(usize, usize)> {
    let start = lines.iter().position(|l| header_name(l) == Some(section))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| header_name(l).is_some())
        .map_or(lines.len(), |i| start + 1 + i);
    Some((start, end))
}

fn key_of(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.starts_with(['#', ';']) {
        return None;
    }
    t.split_once('=').map(|(k, _)| k.trim())
}

fn header(section: &str) -> String {
    // DVC quotes sections whose names hold a space (`['remote "x"']`).
    if section.contains(' ') {
        format!("['{section}']")
    } else {
        format!("[{section}]")
    }
}

fn join(lines: &[impl AsRef<str>]) -> String {
    let mut out = String::new();
    for l in lines {
        out.push_str(l.as_ref());
        out.push('\n');
    }
    out
}

/// `text` with `settings` applied; unchanged lines kept byte for byte.
pub fn apply(text: &str, settings: &[Setting]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for s in settings {
        let view: Vec<&str> = lines.iter().map(String::as_str).collect();
        match (find_section(&view, &s.section), &s.value) {
            (Some((start, end)), value) => {
                let at = (start + 1..end).find(|&i| key_of(&lines[i]) == Some(s.key.as_str()));
                match (at, value) {
                    (Some(i), Some(v)) => {
                        let indent: String =
                            lines[i].chars().take_while(|c| c.is_whitespace()).collect();
                        lines[i] = format!("{indent}{} = {v}", s.key);
                    }
                    (Some(i), None) => {
                        lines.remove(i);
                        // A section left without keys goes too, as DVC drops it.
                        if !(start + 1..end - 1).any(|j| key_of(&lines[j]).is_some()) {
                            lines.remove(start);
                        }
                    }
                    (None, Some(v)) => {
                        // After the section's last non-blank line.
                        let last = (start..end)
                            .rev()
                            .find(|&i| !lines[i].trim().is_empty())
                            .unwrap_or(start);
                        lines.insert(last + 1, format!("    {} = {v}", s.key));
                    }
                    (None, None) => {}
                }
            }
            (None, Some(v)) => {
                // DVC writes plain sections (`core`, `cache`…) before the named ones
                // (`remote "x"`), so a new plain section goes before the first of those.
                let at = if s.section.contains(' ') {
                    None
                } else {
                    lines
                        .iter()
                        .position(|l| header_name(l).is_some_and(|h| h.contains(' ')))
                };
                let new = [header(&s.section), format!("    {} = {v}", s.key)];
                match at {
                    Some(i) => {
                        lines.splice(i..i, new);
                    }
                    None => lines.extend(new),
                }
            }
            (None, None) => {}
        }
    }
    join(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_remote_is_written_as_dvc_writes_it() {
        let out = apply(
            "",
            &[
                Setting::set("core", "remote", "store"),
                Setting::set(remote_section("store"), "url", "/tmp/x"),
            ],
        );
        assert_eq!(
            out,
            "[core]\n    remote = store\n['remote \"store\"']\n    url = /tmp/x\n"
        );
    }

    #[test]
    fn other_lines_comments_and_sections_are_kept() {
        let text = "# team settings\n[core]\n    autostage = true\n['remote \"a\"']\n    url = s3://b/p\n    ; old endpoint\n    endpointurl = http://old\n[cache]\n    type = copy\n";
        let out = apply(
            text,
            &[
                Setting::set(remote_section("a"), "endpointurl", "http://new:9000"),
                Setting::set(remote_section("a"), "region", "eu-west-1"),
                Setting::set("core", "remote", "a"),
                Setting::unset("cache", "type"),
                Setting::unset("cache", "missing"),
            ],
        );
        assert_eq!(
            out,
            "# team settings\n[core]\n    autostage = true\n    remote = a\n['remote \"a\"']\n    url = s3://b/p\n    ; old endpoint\n    endpointurl = http://new:9000\n    region = eu-west-1\n"
        );
        // A new plain section goes before the remotes, as DVC orders them.
        assert_eq!(
            apply(&out, &[Setting::set("cache", "type", "symlink")]),
            "# team settings\n[core]\n    autostage = true\n    remote = a\n[cache]\n    type = symlink\n['remote \"a\"']\n    url = s3://b/p\n    ; old endpoint\n    endpointurl = http://new:9000\n    region = eu-west-1\n"
        );
        assert_eq!(
            apply(&out, &[Setting::set("core", "remote", "a")]),
            out,
            "idempotent"
        );
    }

    #[test]
    fn names_dvc_cannot_hold_are_refused() {
        for bad in ["", " x", "a\"b", "a]b", "a\nb"] {
            assert!(check_remote_name(bad).is_err(), "{bad:?}");
        }
        for good in ["store", "my-remote_2", "s3"] {
            assert!(check_remote_name(good).is_ok(), "{good}");
        }
    }
}
