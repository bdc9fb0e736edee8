//! The Home screen: the projects index, "Add folder…" (find git repositories under a
//! folder), per-project summaries and trust.

use std::path::Path;

use cairn_git::Git;

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::tasks::Task;
use crate::{Api, ApiEvent, project_root};

/// How deep "Add folder…" looks for repositories.
const SCAN_DEPTH: usize = 4;

pub(crate) fn name_of(root: &Path) -> String {
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| root.display().to_string())
}

/// Commits looked at when counting what is new since a project was last opened.
const NEWS_COMMITS: usize = 100;

/// A project's summary; never fails (problems go into the summary). With `opened_ms`
/// (when it was last opened), what happened since.
pub(crate) fn summarize(
    api: &Api,
    path: &str,
    name: &str,
    opened_ms: Option<i64>,
) -> ProjectSummary {
    let root = Path::new(path);
    let trusted = api.index().is_trusted(path).unwrap_or(false);
    let mut s = ProjectSummary {
        name: name.to_string(),
        path: path.to_string(),
        branch: None,
        last_commit: None,
        last_commit_time: None,
        stage_count: 0,
        stale_count: None,
        last_run: None,
        trusted,
        problem: None,
        missing: !root.is_dir(),
        news: None,
    };
    if s.missing {
        return s;
    }
    if let Ok(git) = Git::discover(root) {
        let head = git.head_info();
        s.branch = head.branch;
        if let Some(c) = head.commit {
            s.last_commit = Some(c.summary);
            s.last_commit_time = Some(c.time);
        }
        s.news = opened_ms.and_then(|ms| news_since(&git, ms));
    }
    let fs = cairn_pipeline::LocalFs::new(root);
    let (project, errors) = cairn_pipeline::load_project_lenient(&fs);
    s.stage_count = project.stages().filter(|st| !st.data_source).count() as u32;
    if let Some(e) = errors.into_iter().next() {
        s.problem = Some(e.into());
    } else if s.stage_count > 0 {
        match crate::runs::stage_status(root) {
            Ok(states) => {
                s.stale_count = Some(
                    project
                        .stages()
                        .filter(|st| !st.data_source)
                        .filter(|st| {
                            states.get(&st.addressing).map(|x| x.0) == Some(StageState::Stale)
                        })
                        .count() as u32,
                );
            }
            Err(e) => s.problem = Some(e),
        }
    } else {
        s.stale_count = Some(0);
    }
    s.last_run = crate::runs::last_run(root);
    s
}

/// Commits on the current branch and experiments made after `opened_ms`; `None` if
/// there are none (or the repository cannot be read).
fn news_since(git: &Git, opened_ms: i64) -> Option<ProjectNews> {
    let after = |rev: &str| git.commit_time(rev).is_ok_and(|t| t * 1000 > opened_ms);
    let head = git.head_commit()?;
    let commits = git
        .first_parents(&head, NEWS_COMMITS)
        .ok()?
        .iter()
        .take_while(|c| after(c))
        .count() as u32;
    let experiments = cairn_exp::refs::list_exp_refs(git)
        .map(|refs| refs.iter().filter(|r| after(&r.commit)).count() as u32)
        .unwrap_or(0);
    (commits > 0 || experiments > 0).then_some(ProjectNews {
        commits,
        experiments,
    })
}

/// Git repositories at or under `dir` (not descending into one once found, nor into
/// hidden folders or `node_modules`).
pub fn find_repos(dir: &Path, depth: usize) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if dir.join(".git").exists() {
        out.push(dir.to_path_buf());
        return out;
    }
    if depth == 0 {
        return out;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut subdirs: Vec<_> = rd
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            !n.starts_with('.') && n != "node_modules" && n != "target"
        })
        .collect();
    subdirs.sort();
    for d in subdirs {
        out.extend(find_repos(&d, depth - 1));
    }
    out
}

impl Api {
    /// `list_projects`.
    pub fn list_projects(&self, _: NoArgs) -> ApiResult<Vec<ProjectSummary>> {
        let rows = self.index().list()?;
        // Each summary reads a repository (git, pipeline, status): in parallel, so a Home
        // with many projects opens in about the time of the slowest one.
        use rayon::prelude::*;
        Ok(rows
            .par_iter()
            .map(|r| summarize(self, &r.path, &r.name, r.opened_ms))
            .collect())
    }

    /// `add_project`: the git repository containing `path`.
    pub fn add_project(&self, args: PathArgs) -> ApiResult<ProjectSummary> {
        let root = project_root(&args.path)?;
        let git = Git::discover(&root).map_err(|_| {
            ApiError::new(
                ErrorCode::Git,
                format!(
                    "{}: not inside a git repository; Cairn projects are git repositories (run `git init` there first)",
                    root.display()
                ),
            )
        })?;
        let root = git.root().to_path_buf();
        let key = root.to_string_lossy().into_owned();
        let name = name_of(&root);
        self.index().add(&key, &name)?;
        self.emit(ApiEvent::ProjectsChanged {});
        Ok(summarize(self, &key, &name, None))
    }

    /// `add_folder`: every git repository under `path`.
    pub fn add_folder(&self, args: PathArgs) -> ApiResult<AddFolderResult> {
        let dir = project_root(&args.path)?;
        let mut added = Vec::new();
        let mut already = 0;
        let task = Task::start(self, &args.path, "Adding projects", false);
        task.report("looking for repositories", 0, None);
        let repos = find_repos(&dir, SCAN_DEPTH);
        let total = Some(repos.len() as u64);
        for (i, repo) in repos.iter().enumerate() {
            task.report("reading projects", i as u64, total);
            let key = repo.to_string_lossy().into_owned();
            let name = name_of(repo);
            if self.index().add(&key, &name)? {
                added.push(summarize(self, &key, &name, None));
            } else {
                already += 1;
            }
        }
        if added.is_empty() && already == 0 {
            return Err(ApiError::not_found(format!(
                "no git repositories under {}",
                dir.display()
            )));
        }
        self.emit(ApiEvent::ProjectsChanged {});
        Ok(AddFolderResult {
            added,
            already_listed: already,
        })
    }

    /// `remove_project`.
    pub fn remove_project(&self, args: ProjectArgs) -> ApiResult<()> {
        // The folder may be gone: remove by the listed path as given.
        let key = Path::new(&args.project)
            .canonicalize()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or(args.project.clone());
        let removed = self.index().remove(&key)?;
        let removed = removed || self.index().remove(&args.project)?;
        if !removed {
            return Err(ApiError::not_found(format!(
                "{} is not in the list",
                args.project
            )));
        }
        self.stop_watching(&key);
        self.emit(ApiEvent::ProjectsChanged {});
        Ok(())
    }

    /// `open_project`: summary, mark as opened, watch its files.
    pub fn open_project(&self, args: ProjectArgs) -> ApiResult<ProjectSummary> {
        let root = project_root(&args.project)?;
        let key = root.to_string_lossy().into_owned();
        if !self.index().contains(&key)? {
            self.add_project(PathArgs { path: key.clone() })?;
        }
        self.index().touch(&key)?;
        self.watch(&root);
        Ok(summarize(self, &key, &name_of(&root), None))
    }

    /// `set_trust`.
    pub fn set_trust(&self, args: TrustArgs) -> ApiResult<()> {
        let root = project_root(&args.project)?;
        self.index()
            .set_trusted(&root.to_string_lossy(), args.trusted)?;
        self.emit(ApiEvent::ProjectsChanged {});
        Ok(())
    }
}
