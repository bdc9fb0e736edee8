//! Whether an edited pipeline still holds together, checked before anything is written.

use std::io;
use std::path::PathBuf;

use super::{Change, EditError};
use crate::fs::{RepoFs, parent};
use crate::project::Project;

/// The repository as it would be after the edit: one file's text replaced (or added).
struct Overlay<'a> {
    inner: &'a dyn RepoFs,
    change: &'a Change,
}

impl RepoFs for Overlay<'_> {
    fn read_to_string(&self, rel: &str) -> io::Result<String> {
        if rel == self.change.file {
            Ok(self.change.after.clone())
        } else {
            self.inner.read_to_string(rel)
        }
    }

    fn exists(&self, rel: &str) -> bool {
        rel == self.change.file || self.inner.exists(rel)
    }

    fn is_dir(&self, rel: &str) -> bool {
        rel != self.change.file && self.inner.is_dir(rel)
    }

    fn list_dir(&self, rel: &str) -> io::Result<Vec<(String, bool)>> {
        let mut entries = self.inner.list_dir(rel)?;
        let file = &self.change.file;
        if parent(file) == rel {
            let name = &file[file.rfind('/').map_or(0, |i| i + 1)..];
            if !entries.iter().any(|(n, _)| n == name) {
                entries.push((name.to_string(), false));
            }
        }
        Ok(entries)
    }

    fn scratch_dir(&self) -> Option<PathBuf> {
        self.inner.scratch_dir()
    }
}

/// Checks the project after `change`: the edited file loads, the graph builds (unless it
/// was already broken before, which is not this edit's doing), and each new dependency
/// exists or is inside, or contains, some stage's output.
pub(super) fn after_edit(
    fs: &dyn RepoFs,
    before: &Project,
    change: &Change,
    new_deps: &[String],
) -> Result<(), EditError> {
    let overlay = Overlay { inner: fs, change };
    crate::dvcfile::parse_pipeline_file(&overlay, &change.file, &change.after)
        .map_err(EditError::WouldBreak)?;
    let (after, _) = crate::load_project_lenient(&overlay);
    if let Err(e) = crate::build_dag(&after)
        && crate::build_dag(before).is_ok()
    {
        return Err(EditError::WouldBreak(e));
    }
    for dep in new_deps {
        if crate::fs::url_scheme(dep).is_some() || fs.exists(dep) {
            continue;
        }
        let produced = after.stages().any(|st| {
            st.outs
                .iter()
                .filter_map(|o| o.repo_path(st))
                .any(|o| crate::fs::overlaps(dep, &o))
        });
        if !produced {
            return Err(EditError::MissingDep(dep.clone()));
        }
    }
    Ok(())
}
