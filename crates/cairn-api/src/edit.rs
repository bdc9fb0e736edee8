//! Editing the pipeline from the app: each edit is planned and checked by
//! `cairn_pipeline::edit`, written atomically under the repository lock, and remembered so
//! it can be undone while the file still holds what the edit wrote.

use cairn_pipeline::LocalFs;
use cairn_pipeline::OutKind;
use cairn_pipeline::edit::{self, Change, Edit, NewOut, NewStage, PathList};

use crate::dto::{EditArgs, EditResult, PipelineEdit, ProjectArgs};
use crate::error::{ApiError, ApiResult};
use crate::{Api, project_root};

/// How many edits per project can be undone.
const UNDO_DEPTH: usize = 50;

/// Lines of a command box as commands: one per line, except that a line ending in `\`
/// goes on into the next (a shell continuation), so a multi-line command stays one.
fn commands(cmd: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in cmd.lines() {
        match out.last_mut() {
            Some(last) if open => {
                last.push('\n');
                last.push_str(line);
            }
            _ => out.push(line.to_string()),
        }
        open = line.trim_end().ends_with('\\');
    }
    out
}

fn to_edit(e: PipelineEdit) -> Edit {
    let path_edit = |stage, list, path, add: bool| {
        if add {
            Edit::AddPath { stage, list, path }
        } else {
            Edit::RemovePath { stage, list, path }
        }
    };
    match e {
        PipelineEdit::AddStage {
            name,
            cmd,
            deps,
            outs,
            file,
        } => Edit::AddStage {
            file: file.unwrap_or_else(|| "dvc.yaml".into()),
            stage: NewStage {
                name,
                cmd: commands(&cmd),
                deps,
                outs: outs
                    .into_iter()
                    .map(|path| NewOut {
                        path,
                        kind: OutKind::Out,
                        cache: true,
                        persist: false,
                    })
                    .collect(),
                ..Default::default()
            },
            force: false,
        },
        PipelineEdit::RemoveStage { stage } => Edit::RemoveStage { stage },
        PipelineEdit::SetCmd { stage, cmd } => Edit::SetCmd {
            stage,
            cmd: commands(&cmd),
        },
        PipelineEdit::SetFrozen { stage, frozen } => Edit::SetFrozen { stage, frozen },
        PipelineEdit::AddDep { stage, path } => path_edit(stage, PathList::Deps, path, true),
        PipelineEdit::RemoveDep { stage, path } => path_edit(stage, PathList::Deps, path, false),
        PipelineEdit::AddOut { stage, path } => path_edit(stage, PathList::Outs, path, true),
        PipelineEdit::RemoveOut { stage, path } => path_edit(stage, PathList::Outs, path, false),
    }
}

impl Api {
    /// Remembers `change` (already written) as the project's latest undoable edit, and
    /// says what Undo would now take back.
    pub(crate) fn remember_edit(&self, project: &str, change: Change) -> Option<String> {
        self.undo_stack(project, |s| {
            s.push(change);
            if s.len() > UNDO_DEPTH {
                s.remove(0);
            }
        });
        self.next_undo(project)
    }

    fn undo_stack<T>(&self, project: &str, f: impl FnOnce(&mut Vec<Change>) -> T) -> T {
        let mut all = self
            .inner
            .edits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(all.entry(project.to_string()).or_default())
    }

    fn next_undo(&self, project: &str) -> Option<String> {
        self.undo_stack(project, |s| s.last().map(|c| c.summary.clone()))
    }

    /// `edit_pipeline`.
    pub fn edit_pipeline(&self, args: EditArgs) -> ApiResult<EditResult> {
        let root = project_root(&args.project)?;
        let key = root.to_string_lossy().into_owned();
        let change = edit::plan(&LocalFs::new(&root), &to_edit(args.edit))?;
        edit::write(&root, &change)?;
        let (summary, file) = (change.summary.clone(), change.file.clone());
        let undo = self.remember_edit(&key, change);
        Ok(EditResult {
            summary,
            file,
            undo,
        })
    }

    /// `undo_edit`: takes back the project's latest edit.
    pub fn undo_edit(&self, args: ProjectArgs) -> ApiResult<EditResult> {
        let root = project_root(&args.project)?;
        let key = root.to_string_lossy().into_owned();
        let change = self
            .undo_stack(&key, |s| s.pop())
            .ok_or_else(|| ApiError::not_found("there is no edit to undo"))?;
        // A file changed since (by hand, or by DVC) is not overwritten; that edit and the
        // ones before it can no longer be undone safely.
        if let Err(e) = edit::revert(&root, &change) {
            if matches!(e, edit::EditError::Conflict(_)) {
                self.undo_stack(&key, |s| s.retain(|c| c.file != change.file));
            } else {
                self.undo_stack(&key, |s| s.push(change));
            }
            return Err(e.into());
        }
        Ok(EditResult {
            summary: format!("undid: {}", change.summary),
            file: change.file,
            undo: self.next_undo(&key),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn continued_lines_stay_one_command() {
        let c = super::commands("make data\ndocker run \\\n  -v x:y \\\n  img\nmake report\n");
        assert_eq!(
            c,
            vec![
                "make data",
                "docker run \\\n  -v x:y \\\n  img",
                "make report"
            ]
        );
    }
}
