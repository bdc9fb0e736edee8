//! `init`: create the `.dvc` layout `dvc init` creates, or leave an existing one alone.

use std::path::Path;

use crate::error::{DataError, Result};

const DVC_GITIGNORE: &str = "/config.local\n/tmp\n/cache\n";
const DVCIGNORE: &str = "# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n";

/// What `init` found or made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// A new DVC repository was laid out.
    Created,
    /// `.dvc` already existed; nothing was changed.
    AlreadyInitialised,
}

/// Initialises `root` (which must be a git work tree) like `dvc init`.
pub fn init(root: &Path) -> Result<Init> {
    let dvc = root.join(".dvc");
    if dvc.is_dir() {
        return Ok(Init::AlreadyInitialised);
    }
    let git = cairn_git::Git::discover(root).map_err(|_| DataError::NotGit(root.to_path_buf()))?;
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| DataError::io(p, e)
    };
    let write = |p: &Path, text: &str| cairn_core::write_atomic(p, text.as_bytes()).map_err(io(p));
    std::fs::create_dir_all(dvc.join("tmp")).map_err(io(&dvc))?;
    write(&dvc.join(".gitignore"), DVC_GITIGNORE)?;
    write(&dvc.join("config"), "")?;
    write(&dvc.join("tmp").join("btime"), "")?;
    if !root.join(".dvcignore").exists() {
        write(&root.join(".dvcignore"), DVCIGNORE)?;
    }
    // `dvc init` stages its files (it does not commit); so do we.
    let _ = git.stage(&[
        &dvc.join(".gitignore"),
        &dvc.join("config"),
        &root.join(".dvcignore"),
    ]);
    Ok(Init::Created)
}
