//! `.dvcignore`: gitignore-syntax patterns that hide files from DVC.
//!
//! DVC always ignores `.git`, `.hg` and `.dvc/`; every `.dvcignore` in the repository
//! adds patterns relative to its own directory, deeper files taking precedence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::{DataError, Result};

/// The name of the ignore file.
pub const FILE_NAME: &str = ".dvcignore";

/// All `.dvcignore` rules that apply under a repository root.
#[derive(Debug)]
pub struct DvcIgnore {
    root: PathBuf,
    /// Matchers keyed by the directory holding the `.dvcignore`.
    matchers: BTreeMap<PathBuf, Gitignore>,
}

impl DvcIgnore {
    /// Loads the `.dvcignore` files from `root` down to `dir` (inclusive) — the ones that
    /// can affect anything inside `dir`. Nested files below `dir` are found during walks.
    pub fn load_for(root: &Path, dir: &Path) -> Result<DvcIgnore> {
        let mut me = DvcIgnore {
            root: root.to_path_buf(),
            matchers: BTreeMap::new(),
        };
        let mut cur = root.to_path_buf();
        me.add_dir(&cur)?;
        if let Ok(rel) = dir.strip_prefix(root) {
            for comp in rel.components() {
                cur.push(comp);
                me.add_dir(&cur)?;
            }
        }
        Ok(me)
    }

    /// Adds the `.dvcignore` in `dir`, if there is one.
    pub fn add_dir(&mut self, dir: &Path) -> Result<bool> {
        let file = dir.join(FILE_NAME);
        if self.matchers.contains_key(dir) || !file.is_file() {
            return Ok(false);
        }
        let mut b = GitignoreBuilder::new(dir);
        if let Some(e) = b.add(&file) {
            return Err(DataError::Syntax {
                path: file,
                line: 1,
                col: 1,
                message: format!("invalid pattern: {e}"),
            });
        }
        let gi = b.build().map_err(|e| DataError::Syntax {
            path: file.clone(),
            line: 1,
            col: 1,
            message: format!("invalid pattern: {e}"),
        })?;
        // A comment-only file (as `dvc init` writes) matches nothing; keeping it out
        // lets walks skip pattern matching entirely.
        if gi.num_ignores() + gi.num_whitelists() == 0 {
            return Ok(false);
        }
        self.matchers.insert(dir.to_path_buf(), gi);
        Ok(true)
    }

    /// Whether any `.dvcignore` patterns were loaded (besides the built-in ones).
    pub fn has_patterns(&self) -> bool {
        !self.matchers.is_empty()
    }

    /// Whether `path` (absolute, under the root) is ignored, considering its parents too.
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        // Built-in patterns: anything inside .git, .hg or the top-level .dvc dir.
        let mut comps = rel.components();
        if let Some(first) = comps.next() {
            let first = first.as_os_str();
            if first == ".dvc" && (is_dir || rel.components().count() > 1) {
                return true;
            }
        }
        if rel
            .components()
            .any(|c| c.as_os_str() == ".git" || c.as_os_str() == ".hg")
        {
            return true;
        }
        // Check the path and each ancestor below the root: an ignored directory hides
        // everything in it.
        let mut ancestors: Vec<&Path> = path
            .ancestors()
            .take_while(|p| p.starts_with(&self.root) && *p != self.root)
            .collect();
        ancestors.reverse();
        for (i, p) in ancestors.iter().enumerate() {
            let last = i + 1 == ancestors.len();
            if self.matches(p, if last { is_dir } else { true }) {
                return true;
            }
        }
        false
    }

    fn matches(&self, path: &Path, is_dir: bool) -> bool {
        // Deepest .dvcignore first; the first that has an opinion decides.
        for (dir, gi) in self.matchers.iter().rev() {
            if !path.starts_with(dir) || path == dir {
                continue;
            }
            match gi.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_patterns_and_negation() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("data/tmp")).unwrap();
        std::fs::write(root.join(".dvcignore"), "*.log\n!keep.log\ntmp/\n").unwrap();
        let ig = DvcIgnore::load_for(root, &root.join("data")).unwrap();
        assert!(ig.is_ignored(&root.join("data/a.log"), false));
        assert!(!ig.is_ignored(&root.join("data/keep.log"), false));
        assert!(ig.is_ignored(&root.join("data/tmp/x.txt"), false));
        assert!(!ig.is_ignored(&root.join("data/x.txt"), false));
        assert!(ig.is_ignored(&root.join(".git/config"), false));
        assert!(ig.is_ignored(&root.join(".dvc/cache"), true));
    }
}
