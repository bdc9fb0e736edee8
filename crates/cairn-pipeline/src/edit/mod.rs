//! Structural edits to `dvc.yaml`: add or remove a stage, change its command, wire a path
//! into or out of its deps and outs.
//!
//! An edit rewrites only the lines it is about. Everything else (comments, blank lines, key
//! order, the author's indentation) stays byte for byte, which is kinder than DVC's
//! ruamel round-trip that re-indents the whole file. New lines are written as DVC writes
//! them, so on a file in DVC's own layout `add_stage` gives the bytes `dvc stage add` gives.
//!
//! [`plan`] only computes the new text and checks it: the edited file must still load, the
//! graph must still build (no cycle, no output claimed twice), paths must stay inside the
//! repository and new dependencies must exist or be some stage's output. Writing the file
//! (atomically, under the repository lock) is the caller's job.

mod add_stage;
mod check;
mod doc;
mod error;
mod paths;
mod remove_stage;
mod set_cmd;
mod set_frozen;
mod snippet;
mod write;

use add_stage::add_stage;
pub use error::EditError;
use paths::{add_path, remove_path};
use remove_stage::remove_stage;
use set_cmd::set_cmd;
use set_frozen::set_frozen;

use cairn_yaml::{Node, Value};

use crate::error::PipelineError;
use crate::fs::{RepoFs, parent, repo_path};
use crate::stage::{OutKind, Stage};
use doc::{Entry, Lines, col0, entries, find, is_block};
use snippet::{block_at, cmd_entry_at, entry_at, map, s, seq};
pub use write::{revert, write};

/// Which path list of a stage an edit is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathList {
    /// `deps`.
    Deps,
    /// `outs` (and, when removing, `metrics` and `plots`).
    Outs,
}

impl PathList {
    fn noun(self) -> &'static str {
        match self {
            PathList::Deps => "dependencies",
            PathList::Outs => "outputs",
        }
    }
}

/// An output of a new stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOut {
    /// Path as written (relative to the stage's directory).
    pub path: String,
    /// `outs`, `metrics` or `plots`.
    pub kind: OutKind,
    /// `cache: false` when false.
    pub cache: bool,
    /// `persist: true` when true.
    pub persist: bool,
}

/// The params a new stage reads from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsSpec {
    /// The params file; `params.yaml` when `None`.
    pub file: Option<String>,
    /// Keys; empty means the whole file.
    pub keys: Vec<String>,
}

/// A stage to add, as `dvc stage add` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewStage {
    /// Its name.
    pub name: String,
    /// One command, or several run in order.
    pub cmd: Vec<String>,
    /// Working directory relative to the `dvc.yaml`, if not its own directory.
    pub wdir: Option<String>,
    /// Dependencies, as written.
    pub deps: Vec<String>,
    /// Params.
    pub params: Vec<ParamsSpec>,
    /// Outputs.
    pub outs: Vec<NewOut>,
    /// `desc:`.
    pub desc: Option<String>,
    /// `always_changed: true`.
    pub always_changed: bool,
}

/// One edit. Stages are named by their address (`train`, `sub/dvc.yaml:train`); paths in
/// [`Edit::AddPath`]/[`Edit::RemovePath`] are repo-relative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Adds a stage to pipeline file `file` (created if missing); `force` replaces a stage
    /// of the same name.
    AddStage {
        /// Repo-relative `dvc.yaml` path.
        file: String,
        /// The stage.
        stage: NewStage,
        /// Replace an existing stage of that name.
        force: bool,
    },
    /// Removes a stage.
    RemoveStage {
        /// Its address.
        stage: String,
    },
    /// Replaces a stage's command.
    SetCmd {
        /// Its address.
        stage: String,
        /// The new command(s).
        cmd: Vec<String>,
    },
    /// Freezes a stage (`frozen: true`: never run, as `dvc freeze`) or unfreezes it.
    SetFrozen {
        /// Its address.
        stage: String,
        /// Frozen or not.
        frozen: bool,
    },
    /// Adds a path to a stage's deps or outs.
    AddPath {
        /// Its address.
        stage: String,
        /// Deps or outs.
        list: PathList,
        /// Repo-relative path.
        path: String,
    },
    /// Removes a path from a stage's deps or outs (outs includes metrics and plots).
    RemovePath {
        /// Its address.
        stage: String,
        /// Deps or outs.
        list: PathList,
        /// Repo-relative path.
        path: String,
    },
}

/// What an edit does: the pipeline file's text before (`None` if it did not exist) and
/// after, and what it does to other files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Repo-relative path of the pipeline file.
    pub file: String,
    /// Text before.
    pub before: Option<String>,
    /// Text after.
    pub after: String,
    /// One line for people ("added stage `train` to dvc.yaml").
    pub summary: String,
    /// Other files the edit changes, as `dvc remove` does: the stage's `dvc.lock` entry and
    /// its outputs' `.gitignore` lines when a stage is removed.
    pub also: Vec<FileChange>,
}

/// A change to one more file; `after: None` deletes it (an emptied `dvc.lock` or
/// `.gitignore`, as DVC deletes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Repo-relative path.
    pub file: String,
    /// Text before (`None`: it did not exist).
    pub before: Option<String>,
    /// Text after (`None`: deleted).
    pub after: Option<String>,
}

/// Computes and checks the new text of the file `edit` changes.
pub fn plan(fs: &dyn RepoFs, edit: &Edit) -> Result<Change, EditError> {
    let (project, problems) = crate::load_project_lenient(fs);
    // A stage that is not there may be in a file that does not load: say that instead.
    let editable = |address: &str| {
        editable(&project, address).map_err(|e| match (&e, problems.first()) {
            (EditError::NoSuchStage(_), Some(p)) => EditError::Broken(p.clone()),
            _ => e,
        })
    };
    let (change, new_deps) = match edit {
        Edit::AddStage { file, stage, force } => add_stage(fs, file, stage, *force)?,
        Edit::RemoveStage { stage } => {
            let st = editable(stage)?;
            (remove_stage(fs, st)?, vec![])
        }
        Edit::SetCmd { stage, cmd } => {
            let st = editable(stage)?;
            (set_cmd(fs, st, cmd)?, vec![])
        }
        Edit::SetFrozen { stage, frozen } => {
            let st = editable(stage)?;
            (set_frozen(fs, st, *frozen)?, vec![])
        }
        Edit::AddPath { stage, list, path } => {
            let st = editable(stage)?;
            let change = add_path(fs, st, *list, path)?;
            let deps = if *list == PathList::Deps {
                vec![crate::fs::normpath(path)]
            } else {
                vec![]
            };
            (change, deps)
        }
        Edit::RemovePath { stage, list, path } => {
            let st = editable(stage)?;
            (remove_path(fs, st, *list, path)?, vec![])
        }
    };
    check::after_edit(fs, &project, &change, &new_deps)?;
    Ok(change)
}

/// The commands of a stage as written in its file (before `${…}` interpolation), for
/// editing; `None` for generated stages and `.dvc` files.
pub fn written_cmd(fs: &dyn RepoFs, stage: &Stage) -> Option<Vec<String>> {
    if stage.data_source || stage.generated_from.is_some() {
        return None;
    }
    let text = fs.read_to_string(&stage.dvcfile).ok()?;
    let root = cairn_yaml::parse(&text).ok()?;
    let cmd = root.get("stages")?.get(&stage.name)?.get("cmd")?;
    match &cmd.value {
        Value::Str(c) => Some(vec![c.clone()]),
        Value::Seq(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// DVC's `is_valid_name`: no punctuation other than `_` and `-`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_ascii_punctuation() && c != '_' && c != '-')
}

fn editable<'a>(project: &'a crate::Project, address: &str) -> Result<&'a Stage, EditError> {
    let st = project
        .stage(address)
        .ok_or_else(|| EditError::NoSuchStage(address.to_string()))?;
    if st.data_source {
        return Err(EditError::DataSource(address.to_string()));
    }
    if let Some(group) = &st.generated_from {
        return Err(EditError::Generated {
            stage: address.to_string(),
            group: group.clone(),
            file: st.dvcfile.clone(),
            line: st.line,
        });
    }
    Ok(st)
}

fn read(fs: &dyn RepoFs, file: &str) -> Result<Option<String>, EditError> {
    if !fs.exists(file) {
        return Ok(None);
    }
    fs.read_to_string(file).map(Some).map_err(|e| {
        EditError::Broken(PipelineError::Io {
            path: file.to_string(),
            message: e.to_string(),
        })
    })
}

fn parse(file: &str, text: &str) -> Result<Node, EditError> {
    cairn_yaml::parse(text).map_err(|e| {
        EditError::Broken(PipelineError::Syntax {
            at: crate::Location::new(file, e.line, e.col),
            message: e.message,
        })
    })
}

/// A parsed pipeline file and where its `stages` mapping is.
struct Parsed {
    lines: Lines,
    root: Node,
}

impl Parsed {
    fn new(file: &str, text: &str) -> Result<Self, EditError> {
        Ok(Parsed {
            lines: Lines::new(text),
            root: parse(file, text)?,
        })
    }

    fn root_entries(&self) -> Vec<Entry<'_>> {
        match &self.root.value {
            Value::Map(pairs) => entries(&self.lines, pairs, self.lines.end()),
            _ => Vec::new(),
        }
    }

    /// The `stages` entry and its stage entries (empty if `stages` is empty or null).
    fn stages(&self, file: &str) -> Result<Option<(Entry<'_>, Vec<Entry<'_>>)>, EditError> {
        let Some(e) = find(&self.root_entries(), "stages") else {
            return Ok(None);
        };
        match &e.value.value {
            Value::Map(pairs) if !pairs.is_empty() => {
                if !is_block(&self.lines, e.key, e.value) {
                    return Err(EditError::FlowStyle {
                        file: file.to_string(),
                        line: e.start + 1,
                        what: "`stages`".into(),
                    });
                }
                Ok(Some((e, entries(&self.lines, pairs, e.next))))
            }
            _ => Ok(Some((e, Vec::new()))),
        }
    }

    /// The entry of stage `name` and its body entries.
    fn stage<'a>(
        &'a self,
        file: &str,
        name: &str,
    ) -> Result<(Entry<'a>, Vec<Entry<'a>>), EditError> {
        let (_, stages) = self
            .stages(file)?
            .ok_or_else(|| EditError::NoSuchStage(name.to_string()))?;
        let e = find(&stages, name).ok_or_else(|| EditError::NoSuchStage(name.to_string()))?;
        let Value::Map(pairs) = &e.value.value else {
            return Err(EditError::NoSuchStage(name.to_string()));
        };
        if !is_block(&self.lines, e.key, e.value) {
            return Err(EditError::FlowStyle {
                file: file.to_string(),
                line: e.start + 1,
                what: format!("stage `{name}`"),
            });
        }
        Ok((e, entries(&self.lines, pairs, e.next)))
    }
}

fn cmd_node(cmd: &[String]) -> Node {
    match cmd {
        [one] => s(one),
        many => seq(many.iter().map(|c| s(c)).collect()),
    }
}

/// Commands with blank ones dropped; empty if nothing is left.
fn clean_cmd(cmd: &[String]) -> Vec<String> {
    cmd.iter()
        .filter(|c| !c.trim().is_empty())
        .cloned()
        .collect()
}

/// Reads the file of stage `st` and lets `rewrite` change a copy of its lines, given the
/// parsed file, the stage's body entries and the body's column.
fn edit_stage(
    fs: &dyn RepoFs,
    st: &Stage,
    summary: String,
    rewrite: impl FnOnce(&Parsed, &[Entry<'_>], &mut Lines, usize) -> Result<(), EditError>,
) -> Result<Change, EditError> {
    let file = &st.dvcfile;
    let text = read(fs, file)?.unwrap_or_default();
    let parsed = Parsed::new(file, &text)?;
    let (_, body) = parsed.stage(file, &st.name)?;
    let mut lines = parsed.lines.clone();
    let col = body.first().map(|b| col0(b.key)).unwrap_or(0);
    rewrite(&parsed, &body, &mut lines, col)?;
    Ok(Change {
        file: file.clone(),
        after: lines.text(),
        before: Some(text),
        summary,
        also: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
