//! `.gitignore` entries for tracked data, written exactly as DVC (scmrepo) writes them.

use std::path::Path;

use cairn_git::Git;

use crate::error::{DataError, Result};

/// gitwildmatch escaping of the characters `\[]!*#?`, as pathspec's `escape` does.
fn escape(entry: &str) -> String {
    let mut out = String::with_capacity(entry.len());
    for c in entry.chars() {
        if "\\[]!*#?".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The escaped `/name` entry for `path`, the `.gitignore` next to it, and that file's
/// text (`None` if there is none).
fn entry_for(path: &Path) -> Result<(String, std::path::PathBuf, Option<String>)> {
    let dir = path.parent().expect("tracked paths have a parent");
    let name = path
        .file_name()
        .expect("tracked paths have a name")
        .to_string_lossy();
    let gitignore = dir.join(".gitignore");
    let existing = match std::fs::read_to_string(&gitignore) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(DataError::io(&gitignore, e)),
    };
    Ok((escape(&format!("/{name}")), gitignore, existing))
}

/// Adds `/name` to the `.gitignore` next to `path` unless git already ignores `path`.
/// Returns the `.gitignore` written, if any.
pub fn ignore(git: Option<&Git>, path: &Path) -> Result<Option<std::path::PathBuf>> {
    if git.is_some_and(|g| g.is_ignored(path)) {
        return Ok(None);
    }
    let (entry, gitignore, existing) = entry_for(path)?;
    let existing = existing.unwrap_or_default();
    let line = format!("{entry}\n");
    if existing.split_inclusive('\n').any(|l| l == line) {
        return Ok(None);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&line);
    cairn_core::write_atomic(&gitignore, text.as_bytes())
        .map_err(|e| DataError::io(&gitignore, e))?;
    Ok(Some(gitignore))
}

/// Removes the `/name` entry for `path` from the `.gitignore` next to it (deleting a
/// `.gitignore` left empty), as scmrepo's `ignore_remove` does. Returns the
/// `.gitignore` changed, if any.
pub fn unignore(path: &Path) -> Result<Option<std::path::PathBuf>> {
    let (entry, gitignore, existing) = entry_for(path)?;
    let Some(existing) = existing else {
        return Ok(None);
    };
    let kept: String = existing
        .split_inclusive('\n')
        .filter(|l| l.trim() != entry)
        .collect();
    if kept == existing {
        return Ok(None);
    }
    let written = if kept.is_empty() {
        std::fs::remove_file(&gitignore)
    } else {
        cairn_core::write_atomic(&gitignore, kept.as_bytes())
    };
    written.map_err(|e| DataError::io(&gitignore, e))?;
    Ok(Some(gitignore))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_once_with_newline_fix_and_escaping() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "/a").unwrap();
        ignore(None, &dir.path().join("b[1]#.txt")).unwrap();
        ignore(None, &dir.path().join("b[1]#.txt")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
            "/a\n/b\\[1\\]\\#.txt\n"
        );
        unignore(&dir.path().join("b[1]#.txt")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
            "/a\n"
        );
        unignore(&dir.path().join("a")).unwrap();
        assert!(
            !dir.path().join(".gitignore").exists(),
            "an emptied .gitignore goes"
        );
    }
}
