//! Repo-relative paths and the file access the pipeline loader needs.
//!
//! The loader only ever reads a handful of files (pipelines, lock files, params/vars files)
//! by repo-relative path, so it goes through [`RepoFs`]: the working tree today, a git
//! revision tomorrow (`cairn-git` can implement the trait) without touching the loader.

use std::io;
use std::path::{Path, PathBuf};

/// Read access to a repository's files by repo-relative `/`-separated path.
pub trait RepoFs {
    /// The file's text.
    fn read_to_string(&self, rel: &str) -> io::Result<String>;
    /// Whether anything exists at `rel` (following symlinks).
    fn exists(&self, rel: &str) -> bool;
    /// Whether `rel` is a directory (following symlinks).
    fn is_dir(&self, rel: &str) -> bool;
    /// The entries of directory `rel` as `(name, is_dir)`, in the order the OS lists them
    /// (the order Python's `os.walk` sees, which decides DVC's stage order).
    fn list_dir(&self, rel: &str) -> io::Result<Vec<(String, bool)>>;
    /// A per-checkout directory where parses of these files may be cached, if any (a
    /// working tree has one; a git revision does not need one).
    fn scratch_dir(&self) -> Option<PathBuf> {
        None
    }
}

/// The working tree on disk.
#[derive(Debug, Clone)]
pub struct LocalFs {
    root: PathBuf,
}

impl LocalFs {
    /// A view of the tree rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalFs { root: root.into() }
    }

    /// The absolute path for a repo-relative one.
    pub fn abs(&self, rel: &str) -> PathBuf {
        if rel.is_empty() || rel == "." {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl RepoFs for LocalFs {
    fn read_to_string(&self, rel: &str) -> io::Result<String> {
        std::fs::read_to_string(self.abs(rel))
    }

    fn scratch_dir(&self) -> Option<PathBuf> {
        let dvc = self.root.join(".dvc");
        dvc.is_dir()
            .then(|| dvc.join("tmp").join("cairn").join("parsed"))
    }

    fn exists(&self, rel: &str) -> bool {
        self.abs(rel).exists()
    }

    fn is_dir(&self, rel: &str) -> bool {
        self.abs(rel).is_dir()
    }

    fn list_dir(&self, rel: &str) -> io::Result<Vec<(String, bool)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.abs(rel))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Like `os.walk`, a symlink to a directory counts as a directory here (it is
            // listed but the walker does not descend into symlinks).
            let ft = entry.file_type()?;
            let is_dir = if ft.is_symlink() {
                entry.path().is_dir()
            } else {
                ft.is_dir()
            };
            out.push((name, is_dir));
        }
        Ok(out)
    }
}

/// `posixpath.normpath`: folds `.`, `..` and repeated or trailing `/`. Leading `..` stay,
/// an empty result is `.`.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// `posixpath.join(a, b)`: `b` wins if absolute; an empty `a` adds nothing.
pub fn join(a: &str, b: &str) -> String {
    if b.starts_with('/') || a.is_empty() {
        b.to_string()
    } else if a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// The directory part of a repo-relative path (`""` for top-level files).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

/// Normalises `path` relative to the repo root after joining it to `dir`; `""` is the root.
pub fn repo_path(dir: &str, path: &str) -> String {
    let p = normpath(&join(dir, path));
    if p == "." { String::new() } else { p }
}

/// Whether `path` as written, normalised to `key` (repo-relative), leaves the repository:
/// absolute, or climbing above the root.
pub fn outside_repo(path: &str, key: &str) -> bool {
    path.starts_with('/') || key == ".." || key.starts_with("../")
}

/// Whether two repo-relative paths are the same or one lies inside the other: how an
/// output feeds a dependency.
pub fn overlaps(a: &str, b: &str) -> bool {
    let inside = |x: &str, dir: &str| {
        x.len() > dir.len() && x.starts_with(dir) && x.as_bytes()[dir.len()] == b'/'
    };
    a == b || inside(a, b) || inside(b, a)
}

/// The URL scheme of a dep/out path, if it has one DVC would treat as a remote filesystem.
/// Windows drive letters (`c:`) are not schemes.
pub fn url_scheme(path: &str) -> Option<&str> {
    let (scheme, rest) = path.split_once("://")?;
    if scheme.len() < 2 || rest.is_empty() && scheme.is_empty() {
        return None;
    }
    let ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    ok.then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_is_by_whole_components() {
        assert!(
            overlaps("data", "data")
                && overlaps("data/x.csv", "data")
                && overlaps("data", "data/x.csv")
        );
        assert!(!overlaps("data2", "data") && !overlaps("data", "dat"));
        assert!(
            outside_repo("/etc", "/etc")
                && outside_repo("../x", "../x")
                && !outside_repo("a/../b", "b")
        );
    }

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("a/./b/../c/"), "a/c");
        assert_eq!(normpath("../x"), "../x");
        assert_eq!(normpath("a/../.."), "..");
        assert_eq!(normpath(""), ".");
        assert_eq!(normpath("./"), ".");
        assert_eq!(repo_path("sub", "../x.txt"), "x.txt");
        assert_eq!(repo_path("", "data/"), "data");
        assert_eq!(url_scheme("s3://bucket/x"), Some("s3"));
        assert_eq!(url_scheme("data/x"), None);
    }
}
