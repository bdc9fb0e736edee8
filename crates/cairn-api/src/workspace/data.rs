//! Data versioning: init, add, status, checkout, diff, gc, fsck and the remote transfers.

use std::path::{Path, PathBuf};

use cairn_data::DataError;
use cairn_data::add::Added;
use cairn_data::checkout::CheckedOut;
use cairn_data::diff::{DataDiff, Snapshot};
use cairn_data::fsck::FsckReport;
use cairn_data::gc::GcReport;
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
            let mut snap = Snapshot::at_revision(&self.repo, &git, rev)?;
            let fs = cairn_exp::snapshot::RevFs::new(&git, rev);
            for (path, hash) in pipeline_outputs(&fs) {
                snap.add_recorded(self.repo.odb(), path, hash.as_ref());
            }
            Ok(snap)
        };
        let old = at(a)?;
        let new = match b {
            Some(b) => at(b)?,
            None => {
                let fs = cairn_pipeline::LocalFs::new(self.root());
                let paths: Vec<String> =
                    pipeline_outputs(&fs).into_iter().map(|(p, _)| p).collect();
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

/// The cached outputs (`cache: true`) of every stage the pipelines in `fs` declare,
/// repo-relative, each with the hash its lock entry records (none for a stage never
/// run): what `dvc diff` compares besides the `.dvc` files. A pipeline file that does
/// not load contributes nothing.
fn pipeline_outputs(
    fs: &dyn cairn_pipeline::RepoFs,
) -> Vec<(String, Option<cairn_data::pointer::HashInfo>)> {
    let (project, _) = cairn_pipeline::load_project_lenient(fs);
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
                out.push((path, hash));
            }
        }
    }
    out
}
