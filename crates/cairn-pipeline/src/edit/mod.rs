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

mod check;
mod doc;
mod snippet;
mod write;

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

/// Why an edit was refused. Nothing is written in any of these cases.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    /// No stage has that address.
    #[error("no stage `{0}` in this project\n  hint: `cairn stage list` shows the stages")]
    NoSuchStage(String),
    /// The name is taken.
    #[error(
        "{file}:{line}: stage `{name}` already exists\n  hint: choose another name, or replace it (`--force`)"
    )]
    StageExists {
        /// The name.
        name: String,
        /// Its file.
        file: String,
        /// Its line.
        line: usize,
    },
    /// The name has characters DVC refuses.
    #[error(
        "`{0}` is not a valid stage name\n  hint: use letters, digits, `_` and `-` (no other punctuation)"
    )]
    BadName(String),
    /// The command is empty.
    #[error("the command of stage `{0}` is empty\n  hint: enter the command the stage runs")]
    EmptyCmd(String),
    /// The stage comes from a `foreach`/`matrix` template.
    #[error(
        "{file}:{line}: stage `{stage}` is generated from `{group}` by foreach/matrix\n  hint: edit the `do` template of `{group}` in the file"
    )]
    Generated {
        /// The generated stage.
        stage: String,
        /// The template.
        group: String,
        /// Its file.
        file: String,
        /// Its line.
        line: usize,
    },
    /// The stage is a `.dvc` file.
    #[error("`{0}` is data tracked by a .dvc file, not a pipeline stage")]
    DataSource(String),
    /// The part to change is written in flow style.
    #[error(
        "{file}:{line}: {what} is written in flow style (`{{…}}` or `[…]`), which Cairn does not rewrite\n  hint: edit it in the file, or write it in block style"
    )]
    FlowStyle {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// What ("the stages", "stage `train`").
        what: String,
    },
    /// A path leaves the repository.
    #[error(
        "`{0}` is outside the repository\n  hint: pipelines can only use paths inside the project"
    )]
    OutsideRepo(String),
    /// A new dependency does not exist and nothing produces it.
    #[error(
        "dependency `{0}` does not exist and no stage outputs it\n  hint: create it first, or add the stage that writes it"
    )]
    MissingDep(String),
    /// The path is already there.
    #[error("stage `{stage}` already lists `{path}` in its {list}")]
    AlreadyListed {
        /// The stage.
        stage: String,
        /// The path.
        path: String,
        /// "dependencies" or "outputs".
        list: &'static str,
    },
    /// The path is not there.
    #[error("stage `{stage}` does not list `{path}` in its {list}")]
    NotListed {
        /// The stage.
        stage: String,
        /// The path.
        path: String,
        /// "dependencies" or "outputs".
        list: &'static str,
    },
    /// The file is broken already, so it cannot be edited safely.
    #[error("{0}\n  (fix the file first; nothing was changed)")]
    Broken(PipelineError),
    /// The edited pipeline would not load or its graph would not build.
    #[error("this change would leave the pipeline invalid, so nothing was written:\n{0}")]
    WouldBreak(PipelineError),
    /// The file changed on disk between reading and writing it.
    #[error(
        "{0} changed on disk while this edit was being made, so nothing was written\n  hint: look at the file again, then redo the edit"
    )]
    Conflict(String),
    /// Another process holds the repository lock.
    #[error("{0}")]
    Locked(String),
    /// Writing failed.
    #[error("{file}: cannot write: {message}")]
    Write {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
}

impl EditError {
    /// A short stable identifier for machine-readable output.
    pub fn kind(&self) -> &'static str {
        match self {
            EditError::NoSuchStage(_) | EditError::NotListed { .. } => "not_found",
            EditError::StageExists { .. } | EditError::AlreadyListed { .. } => "exists",
            EditError::WouldBreak(PipelineError::Cycle { .. }) => "cycle",
            EditError::MissingDep(_) => "missing_dep",
            EditError::OutsideRepo(_) => "path_outside_repo",
            EditError::Conflict(_) => "conflict",
            EditError::Locked(_) => "locked",
            EditError::Write { .. } => "io",
            _ => "invalid",
        }
    }
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

/// The stage as DVC's `to_pipeline_file` serialises it (key order, sorted deps and outs).
fn stage_node(st: &NewStage) -> Node {
    let mut body: Vec<(&str, Node)> = Vec::new();
    if let Some(d) = st.desc.as_deref().filter(|d| !d.is_empty()) {
        body.push(("desc", s(d)));
    }
    body.push(("cmd", cmd_node(&st.cmd)));
    if let Some(w) = st.wdir.as_deref().filter(|w| !w.is_empty() && *w != ".") {
        body.push(("wdir", s(w)));
    }
    let mut deps = st.deps.clone();
    deps.sort();
    deps.dedup();
    if !deps.is_empty() {
        body.push(("deps", seq(deps.iter().map(|d| s(d)).collect())));
    }
    let params = params_node(&st.params);
    if !params.is_empty() {
        body.push(("params", seq(params)));
    }
    let mut outs = st.outs.clone();
    outs.sort_by(|a, b| a.path.cmp(&b.path));
    for (key, kind) in [
        ("outs", OutKind::Out),
        ("metrics", OutKind::Metric),
        ("plots", OutKind::Plot),
    ] {
        let items: Vec<Node> = outs
            .iter()
            .filter(|o| o.kind == kind)
            .map(|o| {
                let mut flags = Vec::new();
                if !o.cache {
                    flags.push(("cache", Node::new(Value::Bool(false))));
                }
                if o.persist {
                    flags.push(("persist", Node::new(Value::Bool(true))));
                }
                if flags.is_empty() {
                    s(&o.path)
                } else {
                    map(vec![(&o.path, map(flags))])
                }
            })
            .collect();
        if !items.is_empty() {
            body.push((key, seq(items)));
        }
    }
    if st.always_changed {
        body.push(("always_changed", Node::new(Value::Bool(true))));
    }
    map(body)
}

/// DVC's `_serialize_params_keys`: keys of `params.yaml` first (sorted), then one
/// `{file: [keys]}` per other file in path order.
fn params_node(params: &[ParamsSpec]) -> Vec<Node> {
    let mut by_file: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in params {
        let file = p.file.clone().unwrap_or_else(|| "params.yaml".into());
        by_file
            .entry(file)
            .or_default()
            .extend(p.keys.iter().cloned());
    }
    let mut out: Vec<Node> = Vec::new();
    for (file, mut keys) in by_file {
        keys.sort();
        keys.dedup();
        if !keys.is_empty() && file == "params.yaml" {
            let mut first: Vec<Node> = keys.iter().map(|k| s(k)).collect();
            first.append(&mut out);
            out = first;
        } else {
            let v = if keys.is_empty() {
                Node::new(Value::Null)
            } else {
                seq(keys.iter().map(|k| s(k)).collect())
            };
            out.push(map(vec![(&file, v)]));
        }
    }
    out
}

fn add_stage(
    fs: &dyn RepoFs,
    file: &str,
    st: &NewStage,
    force: bool,
) -> Result<(Change, Vec<String>), EditError> {
    if !valid_name(&st.name) {
        return Err(EditError::BadName(st.name.clone()));
    }
    let mut st = st.clone();
    st.cmd = clean_cmd(&st.cmd);
    if st.cmd.is_empty() {
        return Err(EditError::EmptyCmd(st.name.clone()));
    }
    let dir = repo_path(parent(file), st.wdir.as_deref().unwrap_or("."));
    let new_deps: Vec<String> = st.deps.iter().map(|d| repo_path(&dir, d)).collect();
    for p in st
        .deps
        .iter()
        .chain(st.outs.iter().map(|o| &o.path))
        .filter(|p| crate::fs::url_scheme(p).is_none())
    {
        let rp = repo_path(&dir, p);
        if crate::fs::outside_repo(p, &rp) {
            return Err(EditError::OutsideRepo(p.clone()));
        }
    }
    let before = read(fs, file)?;
    let summary = format!("added stage `{}` to {file}", st.name);
    let text = before.clone().unwrap_or_default();
    let parsed = Parsed::new(file, &text)?;
    let is_empty_doc = matches!(parsed.root.value, Value::Null);
    if !is_empty_doc && parsed.root.as_map().is_none() {
        return Err(EditError::Broken(PipelineError::Schema {
            at: crate::Location::new(file, 1, 1),
            key: String::new(),
            message: "the file is not a mapping".into(),
            hint: "a dvc.yaml starts with `stages:`".into(),
        }));
    }
    let mut lines = parsed.lines.clone();
    match parsed.stages(file)? {
        Some((stages_entry, stages)) if !stages.is_empty() => {
            let col = col0(stages[0].key);
            // The file's own step from a stage key to its body (DVC writes 2).
            let step = stages[0]
                .value
                .as_map()
                .and_then(|m| m.first())
                .map(|(k, _)| col0(k).saturating_sub(col))
                .filter(|s| *s > 0)
                .unwrap_or(2);
            let offset = seq_offset(&parsed.lines, &stages);
            let layout = |lines| offset_sequences(reindent(lines, col, step), offset);
            let node = stage_lines(&st, col);
            if let Some(existing) = find(&stages, &st.name) {
                if !force {
                    return Err(EditError::StageExists {
                        name: st.name.clone(),
                        file: file.to_string(),
                        line: existing.start + 1,
                    });
                }
                let new = layout(node);
                lines.splice(existing.start, existing.end, new);
            } else {
                let last = stages.last().expect("non-empty");
                let at = last.end.max(stages_entry.start + 1);
                lines.splice(at, at, layout(node));
            }
        }
        Some((stages_entry, _)) => {
            // `stages:` with nothing (or `{}`) under it.
            let new = with_stages_key(stage_lines(&st, 2));
            lines.splice(stages_entry.start, stages_entry.end, new);
        }
        None => {
            let new = with_stages_key(stage_lines(&st, 2));
            let at = if is_empty_doc {
                0
            } else {
                lines.content_end(0, lines.end())
            };
            if is_empty_doc {
                lines = Lines(vec![String::new()]);
            }
            lines.splice(at, at, new);
        }
    }
    let mut after = lines.text();
    if !after.ends_with('\n') {
        after.push('\n');
    }
    Ok((
        Change {
            file: file.to_string(),
            before,
            after,
            summary,
            also: Vec::new(),
        },
        new_deps,
    ))
}

/// A new stage's lines with its name at column `col`, as DVC writes them, except that a
/// command ruamel's folding would change is quoted (see `snippet::cmd_entry_at`).
fn stage_lines(st: &NewStage, col: usize) -> Vec<String> {
    const MARK: &str = "cairn-command-goes-here";
    let mut with_mark = st.clone();
    with_mark.cmd = vec![MARK.to_string()];
    let mut lines = entry_at(&st.name, stage_node(&with_mark), col);
    if let Some(i) = lines
        .iter()
        .position(|l| l.trim_start() == format!("cmd: {MARK}"))
    {
        let indent = lines[i].len() - lines[i].trim_start().len();
        lines.splice(i..=i, cmd_entry_at(cmd_node(&st.cmd), indent));
    }
    lines
}

fn with_stages_key(stage: Vec<String>) -> Vec<String> {
    std::iter::once("stages:".to_string())
        .chain(stage)
        .collect()
}

/// Scales the indentation of `lines` (written with a step of 2 from column `col`) to the
/// file's own `step`, so a stage added to a file indented by 4 is indented by 4 too.
fn reindent(lines: Vec<String>, col: usize, step: usize) -> Vec<String> {
    if step == 2 {
        return lines;
    }
    lines
        .into_iter()
        .map(|l| {
            let indent = l.len() - l.trim_start().len();
            let extra = indent.saturating_sub(col) * step / 2;
            format!("{}{}", " ".repeat(col + extra), l.trim_start())
        })
        .collect()
}

/// How far right of their key the file writes list dashes (`deps:` then `  - a` is 2;
/// DVC writes 0), from the first block list in its stages.
fn seq_offset(lines: &Lines, stages: &[Entry<'_>]) -> usize {
    for stage in stages {
        let Some(body) = stage.value.as_map() else {
            continue;
        };
        for (k, v) in body {
            if let Value::Seq(items) = &v.value
                && is_block(lines, k, v)
            {
                return doc::dash_col(lines, items).saturating_sub(col0(k));
            }
        }
    }
    0
}

/// Moves each block list item (and the lines that continue it) `offset` columns right of
/// where ruamel puts it (at its key's column), to match the file's own list style.
fn offset_sequences(lines: Vec<String>, offset: usize) -> Vec<String> {
    if offset == 0 {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    let mut item_col: Option<usize> = None;
    for l in lines {
        let trimmed = l.trim_start();
        let indent = l.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        if is_item {
            item_col = Some(indent);
        } else if item_col.is_none_or(|c| indent <= c) {
            item_col = None;
            out.push(l);
            continue;
        }
        out.push(format!("{}{trimmed}", " ".repeat(indent + offset)));
    }
    out
}

fn remove_stage(fs: &dyn RepoFs, st: &Stage) -> Result<Change, EditError> {
    let file = &st.dvcfile;
    let text = read(fs, file)?.unwrap_or_default();
    let parsed = Parsed::new(file, &text)?;
    let (stages_entry, stages) = parsed
        .stages(file)?
        .ok_or_else(|| EditError::NoSuchStage(st.addressing.clone()))?;
    let (e, _) = parsed.stage(file, &st.name)?;
    let mut lines = parsed.lines.clone();
    if stages.len() == 1 {
        // The last stage: keep an empty `stages` mapping, as ruamel would leave it.
        let indent = col0(stages_entry.key);
        let new = vec![format!("{}stages: {{}}", " ".repeat(indent))];
        lines.splice(stages_entry.start, stages_entry.end, new);
    } else {
        let start = lines.comments_above(e.start, stages_entry.start + 1);
        let mut end = e.end;
        // Take the blank line that separated it, not the one before it too (nor leave one
        // right under `stages:`).
        let blank = |i: usize| lines.0.get(i).is_some_and(|l| l.trim().is_empty());
        let first = start == stages_entry.start + 1;
        if start > 0 && (blank(start - 1) || first) && end < lines.end() && blank(end) {
            end += 1;
        }
        lines.splice(start, end, vec![]);
    }
    Ok(Change {
        file: file.clone(),
        before: Some(text),
        after: lines.text(),
        summary: format!("removed stage `{}` from {file}", st.name),
        also: forget_stage(fs, st)?,
    })
}

/// What `dvc remove` does besides the pipeline file: the stage's entry leaves `dvc.lock`
/// (the file goes when it has no stage left) and its cached outputs leave their
/// `.gitignore` (likewise deleted when empty). The outputs themselves stay.
fn forget_stage(fs: &dyn RepoFs, st: &Stage) -> Result<Vec<FileChange>, EditError> {
    let mut out = Vec::new();
    let lock = crate::fs::join(parent(&st.dvcfile), "dvc.lock");
    if let Some(text) = read(fs, &lock)? {
        let parsed = Parsed::new(&lock, &text)?;
        if let Some((stages_entry, stages)) = parsed.stages(&lock)?
            && let Some(e) = find(&stages, &st.name)
        {
            let after = if stages.len() == 1 {
                None
            } else {
                let mut lines = parsed.lines.clone();
                lines.splice(e.start, e.next.max(e.end).min(stages_entry.next), vec![]);
                Some(lines.text())
            };
            out.push(FileChange {
                file: lock,
                before: Some(text),
                after,
            });
        }
    }
    for o in st.outs.iter().filter(|o| o.cache) {
        let Some(rp) = o.repo_path(st) else { continue };
        let (dir, name) = match rp.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", rp.as_str()),
        };
        let file = crate::fs::join(dir, ".gitignore");
        let entry = format!("/{name}");
        // Several outputs can share one .gitignore: edit what the earlier ones left.
        let (before, current) = match out.iter().position(|c: &FileChange| c.file == file) {
            Some(i) => {
                let c = out.remove(i);
                (c.before, c.after)
            }
            None => {
                let t = read(fs, &file)?;
                (t.clone(), t)
            }
        };
        let Some(current) = current else {
            out.push(FileChange {
                file,
                before,
                after: None,
            });
            continue;
        };
        let kept: String = current
            .split_inclusive('\n')
            .filter(|l| l.trim() != entry)
            .collect();
        let after = (!kept.is_empty()).then_some(kept);
        out.push(FileChange {
            file,
            before,
            after,
        });
    }
    out.retain(|c| c.before != c.after);
    Ok(out)
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

fn set_cmd(fs: &dyn RepoFs, st: &Stage, cmd: &[String]) -> Result<Change, EditError> {
    let cmd = clean_cmd(cmd);
    if cmd.is_empty() {
        return Err(EditError::EmptyCmd(st.addressing.clone()));
    }
    let summary = format!("changed the command of stage `{}`", st.addressing);
    edit_stage(fs, st, summary, |_, body, lines, col| {
        // A command written as a list stays a list: `dvc.lock` records it as written, so
        // turning `[x]` into `x` would make DVC call the stage changed.
        let was_list = find(body, "cmd").is_some_and(|e| matches!(e.value.value, Value::Seq(_)));
        let node = if was_list {
            seq(cmd.iter().map(|c| s(c)).collect())
        } else {
            cmd_node(&cmd)
        };
        let new = cmd_entry_at(node, col);
        match find(body, "cmd") {
            Some(e) => lines.splice(e.start, e.end, new),
            None => {
                let at = body.first().map(|b| b.start).unwrap_or(0);
                lines.splice(at, at, new)
            }
        }
        Ok(())
    })
}

/// DVC's key order inside a stage, for placing a key that is not there yet.
const KEY_ORDER: &[&str] = &[
    "desc",
    "cmd",
    "wdir",
    "deps",
    "params",
    "outs",
    "metrics",
    "plots",
    "frozen",
    "always_changed",
    "meta",
];

fn rank(key: &str) -> usize {
    KEY_ORDER
        .iter()
        .position(|k| *k == key)
        .unwrap_or(KEY_ORDER.len())
}

/// `path` (normalised, repo-relative) relative to directory `dir` (repo-relative, `""` for
/// the root), with `..` where needed.
fn relative_to(dir: &str, path: &str) -> String {
    let d: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let common = d.iter().zip(&p).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; d.len() - common];
    parts.extend(&p[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// The path of a list item: a string, or the key of a one-entry mapping (`- out: {…}`).
fn item_path(item: &Node) -> Option<&str> {
    match &item.value {
        Value::Str(p) => Some(p),
        Value::Map(m) if m.len() == 1 => m[0].0.as_str(),
        _ => None,
    }
}

fn add_path(fs: &dyn RepoFs, st: &Stage, list: PathList, path: &str) -> Result<Change, EditError> {
    let norm = crate::fs::normpath(path);
    if crate::fs::outside_repo(path, &norm) || norm == "." {
        return Err(EditError::OutsideRepo(path.to_string()));
    }
    let listed = match list {
        PathList::Deps => st
            .deps
            .iter()
            .any(|d| st.dep_repo_path(&d.path) == Some(norm.clone())),
        PathList::Outs => st
            .outs
            .iter()
            .any(|o| o.repo_path(st) == Some(norm.clone())),
    };
    if listed {
        return Err(EditError::AlreadyListed {
            stage: st.addressing.clone(),
            path: norm,
            list: list.noun(),
        });
    }
    let written = relative_to(st.wdir_rel(), &norm);
    let key = match list {
        PathList::Deps => "deps",
        PathList::Outs => "outs",
    };
    let summary = format!(
        "added `{norm}` to the {} of stage `{}`",
        list.noun(),
        st.addressing
    );
    edit_stage(fs, st, summary, |parsed, body, lines, col| {
        match find(body, key) {
            Some(e) => match &e.value.value {
                Value::Seq(items) if is_block(&parsed.lines, e.key, e.value) => {
                    let dash = doc::dash_col(&parsed.lines, items);
                    lines.splice(e.end, e.end, block_at(seq(vec![s(&written)]), dash));
                }
                Value::Seq(items) => {
                    let mut items = items.clone();
                    items.push(s(&written));
                    lines.splice(e.start, e.end, entry_at(key, seq(items), col));
                }
                _ => {
                    return Err(EditError::FlowStyle {
                        file: st.dvcfile.clone(),
                        line: e.start + 1,
                        what: format!("`{key}` of stage `{}`", st.name),
                    });
                }
            },
            None => {
                let at = body
                    .iter()
                    .filter(|b| b.key.as_str().is_some_and(|k| rank(k) < rank(key)))
                    .map(|b| b.end)
                    .max()
                    .unwrap_or_else(|| body.first().map(|b| b.start).unwrap_or(0));
                lines.splice(at, at, entry_at(key, seq(vec![s(&written)]), col));
            }
        }
        Ok(())
    })
}

fn remove_path(
    fs: &dyn RepoFs,
    st: &Stage,
    list: PathList,
    path: &str,
) -> Result<Change, EditError> {
    let norm = crate::fs::normpath(path);
    let keys: &[&str] = match list {
        PathList::Deps => &["deps"],
        PathList::Outs => &["outs", "metrics", "plots"],
    };
    let dir = st.wdir_rel();
    let summary = format!(
        "removed `{norm}` from the {} of stage `{}`",
        list.noun(),
        st.addressing
    );
    edit_stage(fs, st, summary, |parsed, body, lines, _| {
        for key in keys {
            let Some(e) = find(body, key) else { continue };
            let Value::Seq(items) = &e.value.value else {
                continue;
            };
            let Some(idx) = items
                .iter()
                .position(|i| item_path(i).is_some_and(|p| repo_path(dir, p) == norm || p == path))
            else {
                continue;
            };
            if items.len() == 1 {
                lines.splice(e.start, e.end, vec![]);
            } else if is_block(&parsed.lines, e.key, e.value) {
                let (a, b) = doc::seq_items(&parsed.lines, items, e.end)[idx];
                lines.splice(a, b, vec![]);
            } else {
                let mut rest = items.clone();
                rest.remove(idx);
                lines.splice(e.start, e.end, entry_at(key, seq(rest), col0(e.key)));
            }
            return Ok(());
        }
        Err(EditError::NotListed {
            stage: st.addressing.clone(),
            path: norm.clone(),
            list: list.noun(),
        })
    })
}

#[cfg(test)]
mod tests;
