//! A new project from nothing, for someone who never ran `git init`: a folder with a
//! git repository, DVC's files (as `dvc init` writes them) and a README, committed once,
//! listed and trusted (its creator wrote it). A failure part-way removes the folder.

use std::path::Path;

use crate::Api;
use crate::clone::check_name;
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};

const README: &str = "# {name}\n\nA machine-learning project versioned with DVC's formats (works with Cairn and the `dvc` CLI).\n\n- Track data sets and models: Cairn's Data tab, or `dvc add data/`.\n- Describe the pipeline in `dvc.yaml`: Cairn's *Add stage*, or `dvc stage add`.\n- Run it and compare experiments: Cairn, or `dvc repro` and `dvc exp show`.\n";

impl Api {
    /// `create_project`: `folder/name` as a new, committed DVC project.
    pub fn create_project(&self, args: CreateProjectArgs) -> ApiResult<ProjectSummary> {
        let name = args.name.trim();
        check_name(name)?;
        let folder = Path::new(args.folder.trim());
        if !folder.is_absolute() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                format!("{}: choose an absolute folder", folder.display()),
            ));
        }
        let dest = folder.join(name);
        if dest.exists() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!(
                    "{}: already exists; choose another name, or use Add folder… to open what is there",
                    dest.display()
                ),
            ));
        }
        std::fs::create_dir_all(&dest).map_err(|e| crate::error::io_error(&dest, e))?;
        if let Err(e) = fill(&dest, name) {
            // Nothing half-made is left behind.
            let _ = std::fs::remove_dir_all(&dest);
            return Err(e);
        }
        let key = dest.to_string_lossy().into_owned();
        let summary = self.add_project(PathArgs { path: key.clone() })?;
        self.index().set_trusted(&summary.path, true)?;
        Ok(ProjectSummary {
            trusted: true,
            ..summary
        })
    }
}

/// git, DVC's files and a README in `dest`, committed.
fn fill(dest: &Path, name: &str) -> ApiResult<()> {
    let git = cairn_git::Git::init(dest)?;
    cairn_data::init::init(dest)?;
    let readme = dest.join("README.md");
    cairn_core::write_atomic(&readme, README.replace("{name}", name).as_bytes())
        .map_err(|e| crate::error::io_error(&readme, e))?;
    git.commit_all("Start the project")?;
    Ok(())
}
