//! The Data tab: tracked files with status, add, checkout, "Save version" (a git commit of
//! pointer files, dvc.lock, params and code, for people who never learned git), and the
//! version history of one dataset with checkout of any version.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cairn_core::NoProgress;
use cairn_data::Repo;
use cairn_data::paths::rel_slash;
use cairn_data::pointer::Pointer;
use cairn_data::status::Change;
use cairn_git::Git;
use cairn_git::history::FileChange;

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode, io_error};
use crate::tasks::Task;
use crate::workspace::Workspace;
use crate::workspace::types::Direction;
use crate::{Api, project_root};

pub(crate) fn open_repo(root: &Path) -> ApiResult<Repo> {
    Ok(Repo::open(root)?)
}

fn open_git(root: &Path) -> ApiResult<Git> {
    Ok(Git::discover(root)?)
}

fn short(md5: &str) -> String {
    md5.trim_end_matches(".dir").chars().take(8).collect()
}

fn data_state(c: Option<Change>) -> DataState {
    match c {
        None => DataState::InSync,
        Some(Change::Modified) => DataState::Modified,
        Some(Change::NotInCache) => DataState::NotInCache,
        Some(Change::Deleted) => DataState::Deleted,
        Some(Change::New) => DataState::New,
    }
}

fn unsaved(root: &Path) -> Vec<ChangedFile> {
    let Ok(git) = Git::discover(root) else {
        return Vec::new();
    };
    git.changes()
        .unwrap_or_default()
        .into_iter()
        .map(|(path, c)| ChangedFile {
            path,
            change: match c {
                FileChange::Added => "added",
                FileChange::Modified => "modified",
                FileChange::Deleted => "deleted",
            }
            .into(),
        })
        .collect()
}

impl Api {
    /// `data_status`.
    pub fn data_status(&self, args: ProjectArgs) -> ApiResult<DataView> {
        let root = project_root(&args.project)?;
        let repo = open_repo(&root)?;
        let (changed, errors) = cairn_data::status::status(&repo, &NoProgress)?;
        let changes: HashMap<PathBuf, Change> = changed
            .into_iter()
            .flat_map(|s| s.changes.into_iter())
            .collect();
        let (tracked, more) = cairn_data::collect::pointers(repo.root())?;
        let mut items = Vec::new();
        for t in &tracked {
            for (i, out) in t.pointer.outs.iter().enumerate() {
                let path = t.out_path(i);
                items.push(TrackedItem {
                    path: rel_slash(&path, repo.root()),
                    pointer: rel_slash(&t.file, repo.root()),
                    stage: None,
                    is_dir: out.hash.as_ref().is_some_and(|h| h.is_dir()) || path.is_dir(),
                    size: out.hash.as_ref().and_then(|h| h.size),
                    nfiles: out.hash.as_ref().and_then(|h| h.nfiles),
                    md5: out.hash.as_ref().map(|h| short(&h.md5)),
                    state: data_state(changes.get(&path).copied()),
                });
            }
        }
        // Then what the pipeline writes: models, features, anything a stage caches.
        let stage_outputs = Workspace::at(repo.root())?.stage_outputs(&NoProgress)?;
        for o in stage_outputs {
            if items.iter().any(|i| i.path == o.path) {
                continue;
            }
            let abs = repo.root().join(&o.path);
            let h = o.hash.as_ref();
            items.push(TrackedItem {
                is_dir: h.is_some_and(|h| h.is_dir()) || abs.is_dir(),
                size: h.and_then(|h| h.size),
                nfiles: h.and_then(|h| h.nfiles),
                md5: h.map(|h| short(&h.md5)),
                state: match (h, o.change) {
                    (None, _) => DataState::NotRecorded,
                    (Some(_), c) => data_state(c),
                },
                path: o.path,
                pointer: o.lock,
                stage: Some(o.stage),
            });
        }
        items.sort_by(|a, b| a.path.cmp(&b.path));
        let remote = crate::remotes::remote_view(repo.config());
        Ok(DataView {
            items,
            unsaved: unsaved(repo.root()),
            problems: errors.into_iter().chain(more).map(ApiError::from).collect(),
            remote,
        })
    }

    /// `data_sync`: pushes the work tree's data to a folder remote, or pulls it (fetch,
    /// then restore), with progress events.
    pub fn data_sync(&self, args: SyncArgs) -> ApiResult<SyncResult> {
        let root = project_root(&args.project)?;
        let (direction, title) = match args.direction {
            SyncDirection::Push => (Direction::Push, "Pushing data"),
            SyncDirection::Pull => (Direction::Pull, "Pulling data"),
        };
        if direction == Direction::Pull && self.is_running(&root) {
            return Err(ApiError::new(
                ErrorCode::AlreadyRunning,
                "a run is in progress in this project; pull once it has finished",
            ));
        }
        let ws = Workspace::at(&root)?;
        let task = Task::start(self, &args.project, title, false);
        let (report, problems) = ws.sync(direction, args.remote.as_deref(), &[], false, &task)?;
        let t = report.transfer;
        Ok(SyncResult {
            remote: t.remote,
            transferred: t.transferred as u64,
            bytes: t.bytes,
            up_to_date: t.up_to_date as u64,
            missing: t.missing,
            restored: report.restored,
            problems: problems.into_iter().map(ApiError::from).collect(),
        })
    }

    /// `remote_check`: the recorded outputs the default remote lacks.
    pub fn remote_check(&self, args: ProjectArgs) -> ApiResult<RemoteCheck> {
        let ws = Workspace::at(&project_root(&args.project)?)?;
        let task = Task::start(self, &args.project, "Checking the remote", false);
        let (remote, missing, checked) = ws.not_on_remote(None, &task)?;
        Ok(RemoteCheck {
            remote,
            missing,
            checked: checked as u64,
        })
    }

    /// `data_add`: starts tracking `paths` (repo-relative).
    pub fn data_add(&self, args: PathsArgs) -> ApiResult<DataView> {
        let ws = Workspace::at(&project_root(&args.project)?)?;
        if args.paths.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                "choose at least one file or folder to track",
            ));
        }
        let targets: Vec<PathBuf> = args.paths.iter().map(PathBuf::from).collect();
        let task = Task::start(self, &args.project, "Tracking data", false);
        let (_, errors) = ws.add(&targets, &task);
        drop(task);
        if let Some(e) = errors.into_iter().next() {
            return Err(e.into());
        }
        self.data_status(ProjectArgs {
            project: args.project,
        })
    }

    /// `data_checkout`: restores tracked data (everything when `paths` is empty).
    pub fn data_checkout(&self, args: PathsArgs) -> ApiResult<CheckoutResult> {
        let ws = Workspace::at(&project_root(&args.project)?)?;
        let targets: Vec<PathBuf> = args.paths.iter().map(PathBuf::from).collect();
        let task = Task::start(self, &args.project, "Restoring data", false);
        let (done, errors) = ws.checkout(&targets, args.force, &task)?;
        Ok(CheckoutResult {
            restored: done.into_iter().map(|c| c.path).collect(),
            problems: errors.into_iter().map(ApiError::from).collect(),
        })
    }

    /// `data_commit`: records `paths` (stage outputs or `.dvc`-tracked data) as they are
    /// now — hashed, stored, written into `dvc.lock` or the `.dvc` file — as `dvc commit
    /// -f` does. The rewritten records can be taken back with `undo_edit`.
    pub fn data_commit(&self, args: PathsArgs) -> ApiResult<RecordResult> {
        let root = project_root(&args.project)?;
        if args.paths.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                "choose what to record",
            ));
        }
        // The files that record the paths, and what they say now, for Undo.
        let mut records: Vec<String> = Vec::new();
        for p in &args.paths {
            let abs = cairn_data::paths::resolve_in_repo(&root, &root, Path::new(p))?;
            let at = crate::preview::find_recorded(&root, &abs)?;
            if !records.contains(&at.pointer) {
                records.push(at.pointer);
            }
        }
        let read = |f: &str| std::fs::read_to_string(root.join(f)).ok();
        let before: Vec<Option<String>> = records.iter().map(|f| read(f)).collect();
        let ws = Workspace::at(&root)?;
        let task = Task::start(self, &args.project, "Recording data", false);
        let opts = crate::workspace::types::RunOptions {
            targets: args.paths.clone(),
            commit_only: true,
            force: true,
            single_item: true,
            record: false,
            ..Default::default()
        };
        let summary = ws.repro(
            &opts,
            std::sync::Arc::new(|_| {}),
            &crate::workspace::types::CancelToken::new(),
        )?;
        drop(task);
        if let Some(e) = summary.error {
            return Err(ApiError::new(ErrorCode::Data, e));
        }
        let what = args.paths.join(", ");
        let mut changes: Vec<cairn_pipeline::edit::FileChange> = records
            .iter()
            .zip(before)
            .filter_map(|(f, before)| {
                let after = read(f);
                (after != before).then(|| cairn_pipeline::edit::FileChange {
                    file: f.clone(),
                    before,
                    after,
                })
            })
            .collect();
        if changes.is_empty() {
            return Ok(RecordResult {
                summary: format!("{what} was already recorded as it is"),
                changed: false,
                undo: None,
            });
        }
        let first = changes.remove(0);
        let summary = format!("recorded {what} as it is now");
        let undo = self.remember_edit(
            &root.to_string_lossy(),
            cairn_pipeline::edit::Change {
                file: first.file,
                before: first.before,
                after: first.after.unwrap_or_default(),
                summary: summary.clone(),
                also: changes,
            },
        );
        Ok(RecordResult {
            summary,
            changed: true,
            undo,
        })
    }

    /// `data_move`: moves tracked data (repo-relative paths) with its record, as
    /// `dvc move`; moving it back undoes it.
    pub fn data_move(&self, args: MoveArgs) -> ApiResult<MoveResult> {
        let root = project_root(&args.project)?;
        if args.to.trim().is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                "write where the data should go",
            ));
        }
        let ws = Workspace::at(&root)?;
        let moved = ws.move_data(Path::new(&args.from), Path::new(args.to.trim()))?;
        Ok(MoveResult {
            to: moved.to,
            pointer: moved.pointer,
        })
    }

    /// `save_version`: commits the chosen (or all changed) files with `message`.
    pub fn save_version(&self, args: SaveArgs) -> ApiResult<CommitView> {
        let root = project_root(&args.project)?;
        let message = args.message.trim();
        if message.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                "write a short message describing this version",
            ));
        }
        let git = open_git(&root)?;
        let paths: Vec<String> = if args.paths.is_empty() {
            unsaved(git.root()).into_iter().map(|c| c.path).collect()
        } else {
            args.paths
        };
        if paths.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                "nothing to save: no file differs from the last version",
            ));
        }
        let c = git.commit_paths(&paths, message)?;
        Ok(CommitView {
            id: c.id,
            summary: c.summary,
            author: c.author,
            time: c.time,
        })
    }

    /// `data_history`: versions of the dataset recorded by `pointer`.
    pub fn data_history(&self, args: HistoryArgs) -> ApiResult<Vec<DataVersion>> {
        let root = project_root(&args.project)?;
        let repo = open_repo(&root)?;
        let git = open_git(&root)?;
        // A stage output is found by path, like a preview's.
        let found = crate::preview::record_of(repo.root(), &args.pointer, args.output.as_deref())?;
        let (pointer, output) = (found.pointer, found.output);
        let abs = repo.root().join(&pointer);
        let hash_in = |text: &str, at: Option<&str>| {
            crate::preview::recorded_in(&abs, &pointer, output.as_deref(), text, at)
                .ok()
                .map(|(_, h)| h)
        };
        let current = std::fs::read_to_string(&abs)
            .ok()
            .and_then(|t| hash_in(&t, None));
        let mut out: Vec<DataVersion> = Vec::new();
        for c in git.file_history(&pointer, 100)? {
            let Some(bytes) = git.read_at(&c.id, &pointer)? else {
                continue;
            };
            let hash = hash_in(&String::from_utf8_lossy(&bytes), Some(&c.id));
            // A dvc.lock changes with every stage: list this output's changes only.
            if output.is_some()
                && out
                    .last()
                    .is_some_and(|prev| prev.md5 == hash.as_ref().map(|h| short(&h.md5)))
            {
                continue;
            }
            out.push(DataVersion {
                md5: hash.as_ref().map(|h| short(&h.md5)),
                size: hash.as_ref().and_then(|h| h.size),
                nfiles: hash.as_ref().and_then(|h| h.nfiles),
                current: hash.is_some()
                    && hash.as_ref().map(|h| &h.md5) == current.as_ref().map(|h| &h.md5),
                in_cache: hash
                    .as_ref()
                    .is_some_and(|h| cairn_data::status::cache_complete(repo.odb(), h)),
                commit: CommitView {
                    id: c.id,
                    summary: c.summary,
                    author: c.author,
                    time: c.time,
                },
            });
        }
        Ok(out)
    }

    /// `checkout_version`: rewrites the pointer as recorded in `commit`, then restores the
    /// data from the cache. Refuses (writing nothing) if the current data has unsaved changes.
    pub fn checkout_version(&self, args: CheckoutVersionArgs) -> ApiResult<CheckoutResult> {
        let root = project_root(&args.project)?;
        let repo = open_repo(&root)?;
        let git = open_git(&root)?;
        let abs =
            cairn_data::paths::resolve_in_repo(repo.root(), repo.root(), Path::new(&args.pointer))?;
        let bytes = git.read_at(&args.commit, &args.pointer)?.ok_or_else(|| {
            ApiError::not_found(format!("{} does not exist in that version", args.pointer))
        })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let wanted = Pointer::parse(&abs, &text)?;
        // Refuse before touching anything if the workspace has changes not in the cache.
        let (changed, _) = cairn_data::status::status(&repo, &NoProgress)?;
        if let Some(s) = changed.iter().find(|s| s.file == abs)
            && s.changes.iter().any(|(_, c)| *c == Change::Modified)
        {
            return Err(ApiError::new(
                ErrorCode::Data,
                format!(
                    "{}: the data has changes that are not saved; add them (or save a version) before switching",
                    args.pointer
                ),
            ));
        }
        if let Some(h) = wanted.outs.first().and_then(|o| o.hash.as_ref())
            && !cairn_data::status::cache_complete(repo.odb(), h)
        {
            return Err(ApiError::new(
                ErrorCode::Data,
                format!(
                    "{}: that version is not in the local cache (pull it from a remote first)",
                    args.pointer
                ),
            ));
        }
        let old = std::fs::read(&abs).map_err(|e| io_error(&abs, e))?;
        cairn_core::write_atomic(&abs, text.as_bytes()).map_err(|e| io_error(&abs, e))?;
        let task = Task::start(self, &args.project, "Restoring a version", false);
        match cairn_data::checkout::checkout(&repo, Some(std::slice::from_ref(&abs)), false, &task)
        {
            Ok((done, errors)) => Ok(CheckoutResult {
                restored: done.into_iter().map(|c| c.path).collect(),
                problems: errors.into_iter().map(ApiError::from).collect(),
            }),
            Err(e) => {
                let _ = cairn_core::write_atomic(&abs, &old);
                Err(e.into())
            }
        }
    }
}
