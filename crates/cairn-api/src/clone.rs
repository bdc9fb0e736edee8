//! "Clone…" on Home: a repository from a URL becomes a project without a terminal.
//! The clone is listed but not trusted: its pipeline runs only once the user says so.

use std::path::{Path, PathBuf};

use cairn_git::clone::{CloneError, default_name};

use crate::Api;
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::tasks::Task;

impl Api {
    /// `clone_project`.
    pub fn clone_project(&self, args: CloneArgs) -> ApiResult<ProjectSummary> {
        let url = args.url.trim();
        if url.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                "enter the repository's URL (https://… or git@…) or a path",
            ));
        }
        let folder = Path::new(args.folder.trim());
        if !folder.is_absolute() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                format!(
                    "{}: choose an absolute folder to clone into",
                    folder.display()
                ),
            ));
        }
        let name = match args
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) => n.to_string(),
            None => default_name(url).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidArguments,
                    format!("{url}: cannot tell a folder name from this URL; enter a name"),
                )
            })?,
        };
        check_name(&name)?;
        let dest = folder.join(&name);
        let key = dest.to_string_lossy().into_owned();
        let task = Task::start(self, &key, &format!("Cloning {name}"), true);
        cairn_git::clone::clone(url, &dest, task.cancel_flag(), &mut |p| {
            task.report(&p.phase, p.done, Some(p.total))
        })
        .map_err(clone_error)?;
        drop(task);
        self.add_project(PathArgs { path: key })
    }

    /// Where "Clone…" suggests cloning: beside the most recently opened project (not the
    /// demo, which lives in Cairn's data dir), else the home folder.
    pub(crate) fn clone_folder(&self) -> String {
        let data_dir = self.data_dir().to_path_buf();
        let recent = self.index().list().ok().and_then(|rows| {
            rows.into_iter()
                .map(|r| PathBuf::from(r.path))
                .find(|p| !p.starts_with(&data_dir) && p.is_dir())
        });
        recent
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("/"))
            .to_string_lossy()
            .into_owned()
    }
}

/// A project name is one folder name.
pub(crate) fn check_name(name: &str) -> ApiResult<()> {
    if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(ApiError::new(
            ErrorCode::InvalidArguments,
            format!("{name:?}: a project name is one folder name, without slashes"),
        ));
    }
    Ok(())
}

fn clone_error(e: CloneError) -> ApiError {
    let code = match e {
        CloneError::NoGit | CloneError::Failed { .. } => ErrorCode::Git,
        CloneError::Exists(_) => ErrorCode::Conflict,
        CloneError::Cancelled => ErrorCode::Cancelled,
        CloneError::Io { .. } => ErrorCode::Io,
    };
    ApiError::new(code, e.to_string())
}
