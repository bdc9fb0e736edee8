//! Turning user-given paths into safe repository paths.
//!
//! A target must resolve inside the repository, not through a symlink that leaves it,
//! and never into `.git` or `.dvc`: writing there would corrupt the repository.

use std::path::{Component, Path, PathBuf};

use crate::error::{DataError, Result};

/// Joins `path` onto `base` and removes `.`/`..` lexically (no filesystem access).
pub fn normalize(base: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in base.join(path).components() {
        match comp {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Resolves a user path to an absolute path inside `root`, or explains why not.
pub fn resolve_in_repo(root: &Path, cwd: &Path, user: &Path) -> Result<PathBuf> {
    let bad = |reason: &str| DataError::BadPath {
        path: user.to_path_buf(),
        reason: reason.to_string(),
    };
    let abs = normalize(cwd, user);
    let rel = abs
        .strip_prefix(root)
        .map_err(|_| bad("is outside the repository"))?;
    if rel.as_os_str().is_empty() {
        return Err(bad(
            "is the repository root; name a file or directory inside it",
        ));
    }
    check_rel(rel).map_err(|r| bad(&r))?;
    // Symlinks: the real location of the parent must still be inside the repository.
    let real_root = root.canonicalize().map_err(|e| DataError::io(root, e))?;
    if let Some(parent) = abs.parent()
        && let Ok(real_parent) = parent.canonicalize()
        && !real_parent.starts_with(&real_root)
    {
        return Err(bad(
            "is inside a symlinked directory that points outside the repository",
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(&abs)
        && meta.file_type().is_symlink()
    {
        match abs.canonicalize() {
            Ok(real)
                if real.starts_with(&real_root)
                    && check_rel(real.strip_prefix(&real_root).unwrap_or(&real)).is_ok() => {}
            // A workspace copy that `cache.type = symlink` linked to its cache object.
            Ok(real) if points_into_cache(root, &real) => {}
            _ => {
                return Err(bad(
                    "is a symlink pointing outside the repository (or into .git/.dvc)",
                ));
            }
        }
    }
    Ok(abs)
}

/// Whether `real` (a resolved path) is a file in the cache of the repository at `root`
/// (`.dvc/cache`, or `cache.dir` from its config).
fn points_into_cache(root: &Path, real: &Path) -> bool {
    let Ok(config) = crate::config::Config::load(&root.join(".dvc")) else {
        return false;
    };
    config
        .cache_dir
        .canonicalize()
        .is_ok_and(|cache| real.starts_with(cache) && real.is_file())
}

/// Checks a repository-relative path: no `..`, not absolute, not in `.git` or `.dvc`.
pub fn check_rel(rel: &Path) -> std::result::Result<(), String> {
    let mut comps = rel.components().peekable();
    if let Some(Component::Normal(first)) = comps.peek()
        && *first == ".dvc"
    {
        return Err("is inside .dvc, which DVC manages".into());
    }
    for c in rel.components() {
        match c {
            Component::Normal(n) if n == ".git" => return Err("is inside .git".into()),
            Component::ParentDir => return Err("escapes the repository with `..`".into()),
            Component::RootDir | Component::Prefix(_) => return Err("is an absolute path".into()),
            _ => {}
        }
    }
    Ok(())
}

/// Renders a path relative to `base` with `/` separators, for DVC-style output.
pub fn rel_slash(path: &Path, base: &Path) -> String {
    let rel = relative(path, base);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` relative to `base`, with `..` where needed (both absolute and normalised).
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes_and_dvc_internals() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        let r = |p: &str| {
            resolve_in_repo(&root, &root.join("sub"), Path::new(p)).map_err(|e| e.to_string())
        };
        assert!(
            r("../../etc/passwd")
                .unwrap_err()
                .contains("outside the repository")
        );
        assert!(
            r("/etc/passwd")
                .unwrap_err()
                .contains("outside the repository")
        );
        assert!(r("../.dvc/config").unwrap_err().contains(".dvc"));
        assert!(r("../.git/HEAD").unwrap_err().contains(".git"));
        assert_eq!(r("x/../y").unwrap(), root.join("sub/y"));
        std::os::unix::fs::symlink("/tmp", root.join("out")).unwrap();
        assert!(
            resolve_in_repo(&root, &root, Path::new("out"))
                .unwrap_err()
                .to_string()
                .contains("symlink")
        );
        assert!(
            resolve_in_repo(&root, &root, Path::new("out/f"))
                .unwrap_err()
                .to_string()
                .contains("symlinked directory")
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(rel_slash(Path::new("/r/a/b"), Path::new("/r")), "a/b");
        assert_eq!(rel_slash(Path::new("/r/a/b"), Path::new("/r/c")), "../a/b");
    }
}
