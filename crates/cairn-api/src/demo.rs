//! The bundled demo project (`demo/` in the source tree, embedded in the binary): a small
//! real ML pipeline in standard-library Python. On first launch it is copied into
//! `<data dir>/projects/cairn-demo`, its data set is tracked with DVC, the whole thing is
//! committed to a new git repository, and it is trusted (its commands are ours).

use std::path::Path;

use cairn_git::Git;

use crate::Api;
use crate::dto::{NoArgs, PathArgs, ProjectSummary};
use crate::error::{ApiResult, io_error};

macro_rules! demo_files {
    ($($path:literal),* $(,)?) => {
        /// `(repo-relative path, contents)` of every demo file.
        pub const FILES: &[(&str, &[u8])] = &[
            $(($path, include_bytes!(concat!("../../../demo/", $path)))),*
        ];
    };
}

demo_files!(
    "README.md",
    "dvc.yaml",
    "params.yaml",
    ".gitignore",
    ".dvc/config",
    ".dvc/.gitignore",
    "src/common.py",
    "src/prepare.py",
    "src/featurize.py",
    "src/train.py",
    "src/evaluate.py",
    "data/flowers.csv",
);

/// The data set the demo tracks with DVC.
pub const TRACKED: &str = "data/flowers.csv";

/// Writes the demo into `dest` (which must not exist), tracks its data and commits it.
pub fn create(dest: &Path) -> ApiResult<()> {
    for (rel, bytes) in FILES {
        let p = dest.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        }
        cairn_core::write_atomic(&p, bytes).map_err(|e| io_error(&p, e))?;
    }
    let git = Git::init(dest)?;
    let repo = cairn_data::Repo::open(dest)?;
    let (_, errors) = cairn_data::add::add(&repo, &[dest.join(TRACKED)], &cairn_core::NoProgress);
    if let Some(e) = errors.into_iter().next() {
        return Err(e.into());
    }
    git.commit_all("Demo project: flower classifier pipeline")?;
    Ok(())
}

impl Api {
    /// `install_demo`.
    pub fn install_demo(&self, _: NoArgs) -> ApiResult<ProjectSummary> {
        let dest = self.data_dir().join("projects").join("cairn-demo");
        if !dest.join(".git").exists() {
            if dest.exists() {
                std::fs::remove_dir_all(&dest).map_err(|e| io_error(&dest, e))?;
            }
            create(&dest)?;
        }
        let dest = dest.canonicalize().map_err(|e| io_error(&dest, e))?;
        self.index().set_trusted(&dest.to_string_lossy(), true)?;
        self.add_project(PathArgs {
            path: dest.to_string_lossy().into_owned(),
        })
    }
}
