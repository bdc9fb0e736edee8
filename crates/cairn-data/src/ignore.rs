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
        let bytes = std::fs::read(&file).map_err(|e| DataError::io(&file, e))?;
        self.add_text(dir, &String::from_utf8_lossy(&bytes))
    }

    /// No patterns but the built-in ones, for a repository at `root`.
    pub fn empty(root: &Path) -> DvcIgnore {
        DvcIgnore {
            root: root.to_path_buf(),
            matchers: BTreeMap::new(),
        }
    }

    /// Adds the patterns `text` of the `.dvcignore` in `dir` (read from disk, or from a
    /// git revision); whether it holds any.
    pub fn add_text(&mut self, dir: &Path, text: &str) -> Result<bool> {
        let file = dir.join(FILE_NAME);
        let invalid = |line: usize, e: ignore::Error| DataError::Syntax {
            path: file.clone(),
            line,
            col: 1,
            message: format!("invalid pattern: {e}"),
        };
        let mut b = GitignoreBuilder::new(dir);
        for (i, line) in text.lines().enumerate() {
            b.add_line(Some(file.clone()), line)
                .map_err(|e| invalid(i + 1, e))?;
        }
        let gi = b.build().map_err(|e| invalid(1, e))?;
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
        matches!(self.deciding(path, is_dir), Some((true, _)))
    }

    /// The pattern that decides `path` on its own (parents aside): whether it ignores
    /// it, and the pattern. Deepest `.dvcignore` first; the first with an opinion
    /// decides, as DVC's merged patterns (a subfolder's after its parents') do.
    fn deciding(&self, path: &Path, is_dir: bool) -> Option<(bool, &ignore::gitignore::Glob)> {
        for (dir, gi) in self.matchers.iter().rev() {
            if !path.starts_with(dir) || path == dir {
                continue;
            }
            match gi.matched(path, is_dir) {
                Match::Ignore(g) => return Some((true, g)),
                Match::Whitelist(g) => return Some((false, g)),
                Match::None => {}
            }
        }
        None
    }

    /// Why `path` (absolute, under the root) is or is not ignored, as `dvc
    /// check-ignore` tells it: a parent that is ignored decides, else the path's own
    /// last matching pattern (a `!` pattern says it is kept).
    pub fn explain(&self, path: &Path, is_dir: bool) -> Explained {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return Explained::default();
        };
        let comps: Vec<_> = rel.components().collect();
        let mut at = self.root.clone();
        for (i, c) in comps.iter().enumerate() {
            at.push(c);
            let last = i + 1 == comps.len();
            let as_dir = is_dir || !last;
            let name = c.as_os_str();
            // DVC's own patterns, which any .dvcignore pattern matching first overrides.
            let builtin = if name == ".git" {
                Some(if as_dir && !last { ".git/" } else { ".git" })
            } else if as_dir && name == ".hg" {
                Some(".hg/")
            } else if as_dir && i == 0 && name == ".dvc" {
                Some(".dvc/")
            } else {
                None
            };
            let decided = match self.deciding(&at, as_dir) {
                Some((ignored, g)) => Some((ignored, Some(pattern_source(g)))),
                None => builtin.map(|b| (true, Some(PatternSource::builtin(b)))),
            };
            match decided {
                Some((true, pattern)) => {
                    return Explained {
                        ignored: true,
                        pattern,
                    };
                }
                Some((false, pattern)) if last => {
                    return Explained {
                        ignored: false,
                        pattern,
                    };
                }
                _ => {}
            }
        }
        Explained::default()
    }
}

/// Why a path is or is not ignored (see [`DvcIgnore::explain`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explained {
    /// Whether it is ignored.
    pub ignored: bool,
    /// The deciding pattern, if any matched.
    pub pattern: Option<PatternSource>,
}

/// A pattern and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternSource {
    /// The `.dvcignore` holding it; `None` for DVC's built-in ones.
    pub file: Option<PathBuf>,
    /// Its line there (1-based).
    pub line: usize,
    /// The pattern as written.
    pub pattern: String,
}

impl PatternSource {
    fn builtin(pattern: &str) -> PatternSource {
        PatternSource {
            file: None,
            line: 0,
            pattern: pattern.to_string(),
        }
    }
}

/// Where `glob` is written: its file and the last line holding it (a later duplicate
/// is the one that matches last).
fn pattern_source(glob: &ignore::gitignore::Glob) -> PatternSource {
    let file = glob.from().map(Path::to_path_buf);
    let line = file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|text| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.trim() == glob.original())
                .map(|(i, _)| i + 1)
                .last()
        })
        .unwrap_or(0);
    PatternSource {
        file,
        line,
        pattern: glob.original().to_string(),
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
