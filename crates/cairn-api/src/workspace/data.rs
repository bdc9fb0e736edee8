//! Data versioning: init, add, status, checkout, diff, gc, fsck and the remote transfers.

use std::path::{Path, PathBuf};

use cairn_data::DataError;
use cairn_data::add::Added;
use cairn_data::checkout::CheckedOut;
use cairn_data::data_status::{Changes, Scope};
use cairn_data::diff::{DataDiff, RecordedOut, Snapshot};
use cairn_data::fsck::FsckReport;
use cairn_data::gc::GcReport;
use cairn_data::hash::HashKind;
use cairn_data::move_data::Moved;
use cairn_data::status::PointerStatus;
use cairn_git::RevScope;
use cairn_run::status::StageStatus;
use cairn_run::sync::{Direction, SyncReport};

use super::{Progress, Result, Workspace, io};

pub use cairn_data::init::Init;

/// What `status` found: stale stages, changed tracked data, and the pointer files that
/// could not be read.
#[derive(Debug)]
pub struct StatusReport {
    /// Stages whose deps, outs, params or command changed.
    pub stages: Vec<StageStatus>,
    /// `.dvc` files whose outputs changed.
    pub data: Vec<PointerStatus>,
    /// Unreadable pointer files (the rest is still reported).
    pub errors: Vec<DataError>,
}

impl StatusReport {
    /// Nothing changed and nothing failed.
    pub fn is_clean(&self) -> bool {
        self.stages.is_empty() && self.data.is_empty() && self.errors.is_empty()
    }
}

/// What `data status` looks at beyond the outputs themselves.
#[derive(Debug, Clone, Default)]
pub struct DataStatusOptions {
    /// Also compare the files inside tracked folders.
    pub granular: bool,
    /// Also list files neither git nor DVC tracks.
    pub untracked: bool,
    /// Also ask the remote which recorded data it lacks.
    pub not_in_remote: bool,
    /// The remote to ask (default `core.remote`).
    pub remote: Option<String>,
}

/// What `data status` found, in `dvc data status --json`'s order and names.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DataStatus {
    /// Recorded in the work tree but not in the cache.
    pub not_in_cache: Vec<String>,
    /// Recorded in the work tree but not on the remote (when asked).
    pub not_in_remote: Vec<String>,
    /// The work tree's records against the last commit's: to commit to git.
    pub committed: Changes,
    /// The data against the work tree's records: to `add`/`commit` or check out.
    pub uncommitted: Changes,
    /// Files neither git nor DVC tracks (when asked), relative to where it was asked.
    pub untracked: Vec<String>,
    /// Recorded alike in the last commit and the work tree, and present unchanged.
    pub unchanged: Vec<String>,
    /// git has no commit yet.
    #[serde(skip)]
    pub git_is_empty: bool,
    /// git sees other changes (staged, unstaged, or untracked when asked).
    #[serde(skip)]
    pub git_is_dirty: bool,
}

/// What `status --cloud` found.
#[derive(Debug)]
pub struct CloudStatus {
    /// The remote compared with.
    pub remote: String,
    /// Objects not both in the cache and on the remote, by name.
    pub objects: Vec<(String, cairn_data::remote::CloudState)>,
    /// Unreadable `.dvc` files (the rest is still compared).
    pub errors: Vec<DataError>,
}

/// Lays out DVC in the git work tree at `dir`, as `dvc init` does (nothing changes if
/// it is one already).
pub fn init(dir: &Path) -> Result<Init> {
    let dir = dir.canonicalize().map_err(io(dir))?;
    Ok(cairn_data::init::init(&dir)?)
}

impl Workspace {
    /// Tracks `targets` (typed paths): hashes and stores them, writes their `.dvc`
    /// files. A target that cannot be tracked is reported, the others still are.
    pub fn add(
        &self,
        targets: &[PathBuf],
        progress: &dyn Progress,
    ) -> (Vec<Added>, Vec<DataError>) {
        let mut errors = Vec::new();
        let mut resolved = Vec::new();
        for t in targets {
            match cairn_data::paths::resolve_in_repo(self.root(), &self.cwd, t) {
                Ok(p) => resolved.push(p),
                Err(e) => errors.push(e),
            }
        }
        let (added, more) = cairn_data::add::add(&self.repo, &resolved, progress);
        errors.extend(more);
        (added, errors)
    }

    /// Why the typed `target` is or is not hidden by `.dvcignore`, as `dvc check-ignore`
    /// explains it. A path outside the repository is not ignored.
    pub fn check_ignore(&self, target: &Path) -> Result<cairn_data::ignore::Explained> {
        let abs = cairn_data::paths::normalize(&self.cwd, target);
        let Some(dir) = abs.parent().filter(|d| d.starts_with(self.root())) else {
            return Ok(Default::default());
        };
        let ignore = cairn_data::ignore::DvcIgnore::load_for(self.root(), dir)?;
        Ok(ignore.explain(&abs, abs.is_dir()))
    }

    /// Unprotects tracked data (typed paths, or paths inside tracked folders): copies
    /// linked to the cache become files of their own, writable, as `dvc unprotect`
    /// does. Returns how many files were copied.
    pub fn unprotect(&self, targets: &[PathBuf]) -> Result<usize> {
        let (tracked, _) = cairn_data::collect::pointers(self.root())?;
        let mut outputs: Vec<PathBuf> = tracked
            .iter()
            .flat_map(|t| (0..t.pointer.outs.len()).map(|i| t.out_path(i)))
            .collect();
        outputs.extend(
            cairn_run::outputs::recorded_outputs(self.root())
                .into_iter()
                .map(|r| r.path),
        );
        let mut paths = Vec::new();
        for t in targets {
            // Not through `resolve_in_repo`: with a symlink cache the data itself is a
            // link into `.dvc/cache`, which that refuses. Only tracked outputs (or paths
            // inside them) are touched, so the path is checked against those instead.
            let abs = cairn_data::paths::normalize(&self.cwd, t);
            if !outputs.iter().any(|o| abs.starts_with(o)) {
                return Err(DataError::BadPath {
                    path: t.clone(),
                    reason: "is not tracked data (a .dvc file's or a stage's cached output)".into(),
                }
                .into());
            }
            paths.push(abs);
        }
        let _lock = self.repo.lock()?;
        let mut copied = 0;
        for p in &paths {
            copied += cairn_data::unprotect::unprotect(self.root(), p)?;
        }
        Ok(copied)
    }

    /// Moves tracked data (typed paths) with its `.dvc` file and `.gitignore` entry, as
    /// `dvc move` does.
    pub fn move_data(&self, from: &Path, to: &Path) -> Result<Moved> {
        let from = cairn_data::paths::resolve_in_repo(self.root(), &self.cwd, from)?;
        let to = cairn_data::paths::resolve_in_repo(self.root(), &self.cwd, to)?;
        Ok(cairn_data::move_data::move_data(&self.repo, &from, &to)?)
    }

    /// Stale stages and changed tracked data, as `dvc status` decides them.
    pub fn status(&self, progress: &dyn Progress) -> Result<StatusReport> {
        let stages = cairn_run::status(self.root(), progress)?;
        let (data, errors) = cairn_data::status::status(&self.repo, progress)?;
        Ok(StatusReport {
            stages,
            data,
            errors,
        })
    }

    /// The objects of the recorded data that are not both in the cache and on `remote`
    /// (default: `core.remote`), as `dvc status --cloud` lists them.
    pub fn cloud_status(
        &self,
        remote: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<CloudStatus> {
        let remote = cairn_data::remote::resolve(&self.repo, remote)?;
        let (wanted, errors) = cairn_run::sync::workspace_objects(self.root())?;
        let objects = cairn_data::remote::cloud_status(&self.repo, &remote, &wanted, progress)?;
        Ok(CloudStatus {
            remote: remote.name,
            objects,
            errors,
        })
    }

    /// Whether the project tracks anything: a `.dvc` file or a pipeline stage.
    pub fn tracks_anything(&self) -> bool {
        let pointers = cairn_data::collect::pointers(self.root())
            .map(|(t, e)| !t.is_empty() || !e.is_empty())
            .unwrap_or(true);
        pointers || self.stages().map(|s| !s.is_empty()).unwrap_or(true)
    }

    /// Puts tracked data (all of it, or only what lies under the typed `targets`) back
    /// in the work tree from the cache; `force` overwrites changes that are not in the
    /// cache. A target outside the repository (or in `.git`/`.dvc`) is refused.
    pub fn checkout(
        &self,
        targets: &[PathBuf],
        force: bool,
        progress: &dyn Progress,
    ) -> Result<(Vec<CheckedOut>, Vec<DataError>)> {
        let targets = targets
            .iter()
            .map(|t| match self.typed(t) {
                root if root == self.root() => Ok(root),
                _ => cairn_data::paths::resolve_in_repo(self.root(), &self.cwd, t),
            })
            .collect::<Result<Vec<PathBuf>, DataError>>()?;
        let filter = (!targets.is_empty()).then_some(targets.as_slice());
        // As `dvc checkout`: the `.dvc` files' outputs and the pipeline's cached ones.
        let recorded = cairn_run::outputs::recorded_outputs(self.root());
        Ok(cairn_data::checkout::checkout_with(
            &self.repo, filter, force, &recorded, progress,
        )?)
    }

    /// Data added, deleted, renamed and modified between revision `a` (default `HEAD`)
    /// and `b` (default: the work tree, which also lists what is not in the cache).
    pub fn data_diff(
        &self,
        a: Option<&str>,
        b: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<DataDiff> {
        let git = self.git()?;
        let a = a.unwrap_or("HEAD");
        let at = |rev: &str| -> Result<Snapshot> {
            let mut snap = Snapshot::default();
            self.add_recorded_at(&mut snap, &git, rev)?;
            Ok(snap)
        };
        let old = at(a)?;
        let new = match b {
            Some(b) => at(b)?,
            None => {
                let fs = cairn_pipeline::LocalFs::new(self.root());
                let paths: Vec<String> =
                    pipeline_outputs(&fs).into_iter().map(|o| o.path).collect();
                Snapshot::workspace(&self.repo, &paths, progress)?
            }
        };
        // The same commit on both sides: nothing to compare (as DVC).
        if b.is_some_and(|b| git.resolve(a).ok() == git.resolve(b).ok()) {
            return Ok(DataDiff::default());
        }
        Ok(cairn_data::diff::diff(
            self.repo.odb(),
            &old,
            &new,
            b.is_none(),
        ))
    }

    /// Adds to `snap` the data recorded at git revision `rev`: its `.dvc` files' and
    /// its pipelines' cached outputs.
    pub(super) fn add_recorded_at(
        &self,
        snap: &mut Snapshot,
        git: &cairn_git::Git,
        rev: &str,
    ) -> Result<()> {
        snap.add_revision(&self.repo, git, rev)?;
        let fs = cairn_exp::snapshot::RevFs::new(git, rev);
        for o in pipeline_outputs(&fs) {
            snap.add_recorded(self.repo.odb(), o.path, o.hash.as_ref());
        }
        Ok(())
    }

    /// The work tree's records (dvc's index): the `.dvc` files' and the pipelines'
    /// cached outputs, and the outputs themselves. A folder's listing gone from the
    /// cache is still known if this machine saw it, as dvc's own index remembers it.
    pub(super) fn recorded_index(&self) -> Result<(Snapshot, Vec<RecordedOut>)> {
        let mut index = Snapshot::default();
        let mut outs = index.add_pointers(&self.repo)?;
        for o in pipeline_outputs_checked(&cairn_pipeline::LocalFs::new(self.root()))? {
            index.add_recorded(self.repo.odb(), o.path.clone(), o.hash.as_ref());
            outs.push(RecordedOut {
                path: o.path,
                kind: o.hash.as_ref().map_or(HashKind::Md5, |h| h.kind),
                push: o.push,
            });
        }
        Ok((index, outs))
    }

    /// The recorded outputs (per output) that `remote` (default: `core.remote`) lacks:
    /// its name, the outputs' paths, and how many outputs were asked about.
    pub fn not_on_remote(
        &self,
        remote: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<(String, Vec<String>, usize)> {
        let remote = cairn_data::remote::resolve(&self.repo, remote)?;
        let (index, outs) = self.recorded_index()?;
        let asked = outs
            .iter()
            .filter(|o| o.push && index.records(&o.path))
            .count();
        progress.event(cairn_core::ProgressEvent::Start {
            phase: "checking the remote",
            total_files: Some(asked as u64),
            total_bytes: None,
        });
        let missing = missing_on_remote(Some(&remote), &index, &outs, &Scope::default())?;
        progress.event(cairn_core::ProgressEvent::Finish);
        Ok((remote.name, missing, asked))
    }

    /// How the data differs between the last commit's records, the work tree's `.dvc`
    /// and lock files, and the data itself (or only under the typed `targets`), as
    /// `dvc data status` tells it.
    pub fn data_status(
        &self,
        targets: &[PathBuf],
        opts: &DataStatusOptions,
        progress: &dyn Progress,
    ) -> Result<DataStatus> {
        let targets: Vec<String> = targets.iter().map(|t| self.typed_rel(t)).collect();
        let scope = Scope {
            granular: opts.granular,
            // The root itself (`.`) selects everything.
            targets: if targets.iter().any(String::is_empty) {
                Vec::new()
            } else {
                cairn_data::data_status::prune_targets(targets)
            },
        };
        let odb = self.repo.odb();
        let (index, outs) = self.recorded_index()?;
        // The data itself, hashed only where a target can reach.
        let wanted: Vec<(String, HashKind)> = outs
            .iter()
            .filter(|o| {
                scope.targets.is_empty()
                    || scope.targets.iter().any(|t| {
                        cairn_data::data_status::contains(t, &o.path)
                            || cairn_data::data_status::contains(&o.path, t)
                    })
            })
            .map(|o| (o.path.clone(), o.kind))
            .collect();
        let mut work = Snapshot::default();
        work.add_hashed_paths(&self.repo, &wanted, progress)?;
        let uncommitted = cairn_data::data_status::compare(odb, &index, &work, &scope, true);

        let git = self.git().ok();
        let head = git.as_ref().filter(|g| g.has_commits());
        let committed = match head {
            Some(g) => {
                let mut last = Snapshot::default();
                self.add_recorded_at(&mut last, g, "HEAD")?;
                Some(cairn_data::data_status::compare(
                    odb, &last, &index, &scope, false,
                ))
            }
            // No commit yet: everything recorded is new to git.
            None if git.is_some() => Some(cairn_data::data_status::compare(
                odb,
                &Snapshot::default(),
                &index,
                &scope,
                false,
            )),
            None => None,
        };
        let unchanged = match &committed {
            Some(c) => {
                let both: std::collections::HashSet<&String> = c.unchanged.iter().collect();
                uncommitted
                    .unchanged
                    .iter()
                    .filter(|p| both.contains(p))
                    .cloned()
                    .collect()
            }
            None => uncommitted.unchanged.clone(),
        };
        let not_in_remote = if opts.not_in_remote {
            // No remote at all: nothing is on one (dvc's answer too).
            let remote = match (&opts.remote, &self.repo.config().default_remote) {
                (None, None) => None,
                (name, _) => Some(cairn_data::remote::resolve(&self.repo, name.as_deref())?),
            };
            missing_on_remote(remote.as_ref(), &index, &outs, &scope)?
        } else {
            Vec::new()
        };
        let mut untracked = Vec::new();
        let (mut is_empty, mut is_dirty) = (false, false);
        if let Some(g) = &git {
            is_empty = !g.has_commits();
            is_dirty = g.is_dirty();
            if opts.untracked {
                for rel in g.untracked()? {
                    let abs = g.root().join(&rel);
                    let Ok(in_repo) = abs.strip_prefix(self.root()) else {
                        continue;
                    };
                    let key = in_repo.to_string_lossy().replace('\\', "/");
                    if scope.targets.is_empty()
                        || scope
                            .targets
                            .iter()
                            .any(|t| cairn_data::data_status::contains(t, &key))
                    {
                        untracked.push(self.shown(in_repo));
                    }
                }
                is_dirty |= !untracked.is_empty();
            }
        }
        Ok(DataStatus {
            not_in_cache: uncommitted.not_in_cache,
            not_in_remote,
            committed: committed.map(|c| c.changes).unwrap_or_default(),
            uncommitted: uncommitted.changes,
            untracked,
            unchanged,
            git_is_empty: is_empty,
            git_is_dirty: is_dirty,
        })
    }

    /// Removes cache objects nothing in `scope` refers to (only lists them if `dry_run`).
    pub fn gc(&self, scope: RevScope, dry_run: bool) -> Result<GcReport> {
        Ok(cairn_data::gc::gc(&self.repo, scope, dry_run)?)
    }

    /// Re-hashes every cache object and moves corrupt ones to `quarantine/`.
    pub fn fsck(&self) -> Result<FsckReport> {
        Ok(cairn_data::fsck::fsck(&self.repo)?)
    }

    /// Where the cache keeps its objects.
    pub fn cache_dir(&self) -> &Path {
        self.repo.odb().root()
    }

    /// Moves the data the work tree refers to (or only what lies under the typed
    /// `targets`) between the cache and `remote` (default: `core.remote`); a pull then
    /// checks it out. Also returns the problems that did not stop it.
    pub fn sync(
        &self,
        direction: Direction,
        remote: Option<&str>,
        targets: &[PathBuf],
        force: bool,
        progress: &dyn Progress,
    ) -> Result<(SyncReport, Vec<DataError>)> {
        let targets: Vec<String> = targets.iter().map(|t| self.typed_rel(t)).collect();
        Ok(cairn_run::sync::sync(
            self.root(),
            remote,
            direction,
            &targets,
            force,
            progress,
        )?)
    }
}

impl Workspace {
    /// Tracked data (a `.dvc` file's, a stage output's, or a file inside a tracked
    /// folder; `target` typed) as recorded at `rev` (default: now), compared with the
    /// version at `against` if given.
    pub fn preview(
        &self,
        target: &Path,
        rev: Option<String>,
        against: Option<String>,
    ) -> Result<crate::dto::DataPreview> {
        let abs = cairn_data::paths::resolve_in_repo(self.root(), &self.cwd, target)?;
        let at = crate::preview::find_recorded(self.root(), &abs)?;
        Ok(crate::preview::preview(crate::dto::PreviewArgs {
            project: self.root().display().to_string(),
            pointer: at.pointer,
            output: at.output,
            commit: rev,
            inner: at.inner,
            compare_to: against,
        })?)
    }
}

impl Workspace {
    /// Every stage's cached output with its recorded version and how the work tree and
    /// the cache stand against it, as `dvc status` would judge a `.dvc` file's output. A
    /// pipeline file that does not load contributes nothing (the pipeline view names it).
    pub fn stage_outputs(&self, progress: &dyn Progress) -> Result<Vec<StageOutput>> {
        let state = self.repo.state();
        let hasher = cairn_data::workspace::Hasher::new(self.root(), &state, progress);
        let mut out = Vec::new();
        for o in pipeline_outputs(&cairn_pipeline::LocalFs::new(self.root())) {
            let change = match &o.hash {
                None => None,
                Some(h) => {
                    let recorded = cairn_data::pointer::Out {
                        path: o.path.clone(),
                        hash: Some(h.clone()),
                        isexec: false,
                        cache: true,
                        extra: Vec::new(),
                        mark: Default::default(),
                    };
                    let abs = self.root().join(&o.path);
                    cairn_data::status::out_status(self.repo.odb(), &hasher, &recorded, &abs)?
                }
            };
            out.push(StageOutput {
                path: o.path,
                stage: o.stage,
                lock: o.lock,
                hash: o.hash,
                change,
            });
        }
        // Remembering hashes only saves time next time; failing to is not an error.
        let _ = state.save();
        Ok(out)
    }
}

/// `missing_on_remote` with the outputs `push: false` keeps local left out.
fn missing_on_remote(
    remote: Option<&cairn_data::remote::Remote>,
    index: &Snapshot,
    outs: &[RecordedOut],
    scope: &Scope,
) -> Result<Vec<String>> {
    let local_only = outs
        .iter()
        .filter(|o| !o.push)
        .map(|o| o.path.clone())
        .collect();
    Ok(cairn_data::data_status::missing_on_remote(
        remote,
        index,
        &local_only,
        scope,
    )?)
}

/// A pipeline's cached output as a lock file records it.
struct PipelineOut {
    /// Repo-relative.
    path: String,
    /// `None` for a stage never run.
    hash: Option<cairn_data::pointer::HashInfo>,
    /// `push: false` keeps it local.
    push: bool,
    /// The stage that writes it, as `dvc` addresses it.
    stage: String,
    /// The repo-relative `dvc.lock` that records it.
    lock: String,
}

/// A stage's cached output, beside the `.dvc`-tracked data.
#[derive(Debug, Clone)]
pub struct StageOutput {
    /// Repo-relative.
    pub path: String,
    /// The stage that writes it, as `dvc` addresses it (`train`, `sub/dvc.yaml:train`).
    pub stage: String,
    /// The repo-relative `dvc.lock` that records its versions.
    pub lock: String,
    /// The version recorded; `None` until the stage has run.
    pub hash: Option<cairn_data::pointer::HashInfo>,
    /// How the work tree and the cache differ from that version (`None`: in sync, or
    /// nothing recorded yet).
    pub change: Option<cairn_data::status::Change>,
}

/// The cached outputs (`cache: true`) of every stage the pipelines in `fs` declare,
/// each with the hash its lock entry records: what `dvc diff` and `dvc data status`
/// compare besides the `.dvc` files. A pipeline file that does not load contributes
/// nothing (see [`pipeline_outputs_checked`]).
fn pipeline_outputs(fs: &dyn cairn_pipeline::RepoFs) -> Vec<PipelineOut> {
    pipeline_outputs_of(cairn_pipeline::load_project_lenient(fs).0)
}

/// [`pipeline_outputs`], failing on the first pipeline file that does not load (as
/// `dvc data status` fails): its file, line and what is wrong.
fn pipeline_outputs_checked(fs: &dyn cairn_pipeline::RepoFs) -> Result<Vec<PipelineOut>> {
    let (project, errors) = cairn_pipeline::load_project_lenient(fs);
    match errors.into_iter().next() {
        Some(e) => Err(e.into()),
        None => Ok(pipeline_outputs_of(project)),
    }
}

fn pipeline_outputs_of(project: cairn_pipeline::Project) -> Vec<PipelineOut> {
    let locks = cairn_run::status::Locks::of(&project);
    let mut out = Vec::new();
    // `.dvc` files load as data-source stages: their outputs are the pointers' own.
    for stage in project.stages().filter(|s| !s.data_source) {
        let entry = locks.entry(stage);
        for o in stage.outs.iter().filter(|o| o.cache) {
            let hash = entry
                .and_then(|e| e.outs.iter().find(|l| l.path == o.path))
                .and_then(cairn_run::status::locked_hash);
            if let Some(path) = stage.dep_repo_path(&o.path) {
                out.push(PipelineOut {
                    path,
                    hash,
                    push: o.push,
                    stage: stage.addressing.clone(),
                    lock: super::pipeline::lock_file_of(&stage.addressing),
                });
            }
        }
    }
    out
}
