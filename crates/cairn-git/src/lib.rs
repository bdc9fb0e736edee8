//! Git access for Cairn, through git2 (the only crate that links it).
//!
//! The data engine asks git three kinds of question: is a path ignored (so `add` writes
//! `.gitignore` entries exactly when DVC would), what did a file contain at a revision
//! (`diff`, `gc` across history — read from objects, never by checking out), and which
//! revisions exist (`gc --all-branches/--all-tags/--all-commits`).

pub mod clone;
pub mod exp;
pub mod history;
pub mod notes;
pub mod tags;

use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

/// Errors from git.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No git repository around the path.
    #[error("{0} is not inside a git repository; run `git init` first")]
    NotARepo(PathBuf),
    /// A revision name did not resolve.
    #[error("unknown revision `{0}`; use a branch, tag or commit that exists (see `git log`)")]
    BadRevision(String),
    /// Anything else libgit2 reported.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// A git repository.
pub struct Git {
    repo: Repository,
    root: PathBuf,
}

/// A path in a commit's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitPath {
    /// Repo-relative, `/`-separated.
    pub path: String,
    /// Whether it is a folder (a tree).
    pub is_dir: bool,
    /// The size of its object (a tree's is its encoded entry list's, as pygit2 gives it).
    pub size: u64,
    /// A file git records as executable.
    pub exec: bool,
}

/// Which revisions to visit.
#[derive(Debug, Clone, Copy, Default)]
pub struct RevScope {
    /// Every local branch head.
    pub all_branches: bool,
    /// Every tag.
    pub all_tags: bool,
    /// Every commit reachable from any ref.
    pub all_commits: bool,
}

impl Git {
    /// Opens the repository containing `path`.
    pub fn discover(path: &Path) -> Result<Git, GitError> {
        let repo =
            Repository::discover(path).map_err(|_| GitError::NotARepo(path.to_path_buf()))?;
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .ok_or_else(|| GitError::NotARepo(path.to_path_buf()))?;
        let root = root.canonicalize().unwrap_or(root);
        Ok(Git { repo, root })
    }

    /// The work tree root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether git ignores `path` (absolute, inside the work tree).
    pub fn is_ignored(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        self.repo.is_path_ignored(rel).unwrap_or(false)
    }

    /// Whether `path` (absolute) is tracked in the index.
    pub fn is_tracked(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let Ok(index) = self.repo.index() else {
            return false;
        };
        let rel = rel.to_string_lossy();
        if index.get_path(Path::new(rel.as_ref()), 0).is_some() {
            return true;
        }
        let prefix = format!("{rel}/");
        index.iter().any(|e| e.path.starts_with(prefix.as_bytes()))
    }

    /// Resolves a revision name (branch, tag, sha, `HEAD~1`...) to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        let obj = self
            .repo
            .revparse_single(rev)
            .map_err(|_| GitError::BadRevision(rev.to_string()))?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| GitError::BadRevision(rev.to_string()))?;
        Ok(commit.id().to_string())
    }

    /// The bytes of `rel` (repo-relative, `/`-separated) at `rev`, if it exists there.
    pub fn read_at(&self, rev: &str, rel: &str) -> Result<Option<Vec<u8>>, GitError> {
        let commit = self.commit_of(rev)?;
        let tree = commit.tree()?;
        let Ok(entry) = tree.get_path(Path::new(rel)) else {
            return Ok(None);
        };
        let obj = entry.to_object(&self.repo)?;
        Ok(obj.as_blob().map(|b| b.content().to_vec()))
    }

    /// Every file at `rev` whose path satisfies `want`, with its bytes.
    pub fn files_at(
        &self,
        rev: &str,
        want: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<(String, Vec<u8>)>, GitError> {
        let commit = self.commit_of(rev)?;
        let tree = commit.tree()?;
        let mut paths = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                if want(&path) {
                    paths.push((path, entry.id()));
                }
            }
            TreeWalkResult::Ok
        })?;
        paths
            .into_iter()
            .map(|(p, id)| Ok((p, self.repo.find_blob(id)?.content().to_vec())))
            .collect()
    }

    /// The commit `rev` names (a branch, tag, commit or expression like `HEAD~1`).
    fn commit_of(&self, rev: &str) -> Result<git2::Commit<'_>, GitError> {
        self.repo
            .revparse_single(rev)
            .map_err(|_| GitError::BadRevision(rev.to_string()))?
            .peel_to_commit()
            .map_err(|_| GitError::BadRevision(rev.to_string()))
    }

    /// Every path of the tree at `rev` (folders too, the root as `""`), with its object's size and, for a
    /// file, whether git records it executable — what `dvc ls --rev` shows of git's side.
    pub fn paths_at(&self, rev: &str) -> Result<Vec<GitPath>, GitError> {
        let commit = self.commit_of(rev)?;
        let odb = self.repo.odb()?;
        let tree = commit.tree()?;
        let mut out = vec![GitPath {
            path: String::new(),
            is_dir: true,
            size: odb.read_header(tree.id())?.0 as u64,
            exec: false,
        }];
        let mut failed = None;
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            let is_dir = match entry.kind() {
                Some(ObjectType::Tree) => true,
                Some(ObjectType::Blob) => false,
                _ => return TreeWalkResult::Skip, // a submodule's commit
            };
            match odb.read_header(entry.id()) {
                Ok((size, _)) => out.push(GitPath {
                    path: format!("{dir}{}", entry.name().unwrap_or_default()),
                    is_dir,
                    size: size as u64,
                    exec: entry.filemode() == 0o100755,
                }),
                Err(e) => {
                    failed = Some(e);
                    return TreeWalkResult::Abort;
                }
            }
            TreeWalkResult::Ok
        })?;
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(out),
        }
    }

    /// The commit ids in `scope`, plus HEAD (deduplicated, HEAD first).
    pub fn revisions(&self, scope: RevScope) -> Result<Vec<String>, GitError> {
        let mut out: Vec<String> = Vec::new();
        let push = |id: git2::Oid, out: &mut Vec<String>| {
            let s = id.to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        };
        if let Ok(head) = self.repo.head()
            && let Ok(c) = head.peel_to_commit()
        {
            push(c.id(), &mut out);
        }
        if scope.all_branches {
            for b in self.repo.branches(Some(git2::BranchType::Local))? {
                let (b, _) = b?;
                if let Ok(c) = b.get().peel_to_commit() {
                    push(c.id(), &mut out);
                }
            }
        }
        if scope.all_tags {
            for r in self.repo.references_glob("refs/tags/*")? {
                if let Ok(c) = r?.peel_to_commit() {
                    push(c.id(), &mut out);
                }
            }
        }
        if scope.all_commits {
            let mut walk = self.repo.revwalk()?;
            walk.push_glob("refs/*")?;
            if self.repo.head().is_ok() {
                walk.push_head()?;
            }
            for id in walk {
                push(id?, &mut out);
            }
        }
        Ok(out)
    }

    /// Every commit reachable from `HEAD`, branches, remote branches and tags, newest
    /// first, as DVC lists them for `--all-commits` (dulwich's date-ordered walk: a queue
    /// by commit time, equal times by id, each commit's parents queued as it is taken).
    pub fn all_commits_by_date(&self) -> Result<Vec<String>, GitError> {
        use std::cmp::Reverse;
        use std::collections::{BinaryHeap, HashSet};
        let mut starts: Vec<git2::Oid> = Vec::new();
        if let Ok(c) = self.repo.head().and_then(|h| h.peel_to_commit()) {
            starts.push(c.id());
        }
        for glob in ["refs/heads/*", "refs/remotes/*", "refs/tags/*"] {
            for r in self.repo.references_glob(glob)? {
                if let Ok(c) = r?.peel_to_commit() {
                    starts.push(c.id());
                }
            }
        }
        let mut queue: BinaryHeap<(i64, Reverse<String>, git2::Oid)> = BinaryHeap::new();
        let mut queued: HashSet<git2::Oid> = HashSet::new();
        let mut done: HashSet<git2::Oid> = HashSet::new();
        let mut enqueue = |id: git2::Oid,
                           queue: &mut BinaryHeap<_>,
                           done: &HashSet<git2::Oid>|
         -> Result<(), GitError> {
            if !done.contains(&id) && queued.insert(id) {
                let c = self.repo.find_commit(id)?;
                queue.push((c.time().seconds(), Reverse(id.to_string()), id));
            }
            Ok(())
        };
        for id in starts {
            enqueue(id, &mut queue, &done)?;
        }
        let mut out = Vec::new();
        while let Some((_, Reverse(sha), id)) = queue.pop() {
            if !done.insert(id) {
                continue;
            }
            for parent in self.repo.find_commit(id)?.parent_ids() {
                enqueue(parent, &mut queue, &done)?;
            }
            out.push(sha);
        }
        Ok(out)
    }

    /// Stages `paths` (absolute, inside the work tree) like `git add`.
    pub fn stage(&self, paths: &[&Path]) -> Result<(), GitError> {
        let mut index = self.repo.index()?;
        for p in paths {
            if let Ok(rel) = p.strip_prefix(&self.root) {
                index.add_path(rel)?;
            }
        }
        index.write()?;
        Ok(())
    }

    /// The commit HEAD points at, if any.
    pub fn head_commit(&self) -> Option<String> {
        self.repo
            .head()
            .ok()?
            .peel_to_commit()
            .ok()
            .map(|c| c.id().to_string())
    }

    /// Whether tracked files have uncommitted changes (untracked files don't count).
    pub fn is_dirty(&self) -> bool {
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(false).include_ignored(false);
        self.repo
            .statuses(Some(&mut opts))
            .map(|s| !s.is_empty())
            .unwrap_or(false)
    }

    /// Untracked files, repo-relative and one by one (as `git status -uall` lists
    /// them); ignored ones not.
    pub fn untracked(&self) -> Result<Vec<String>, GitError> {
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let statuses = self.repo.statuses(Some(&mut opts))?;
        let mut out: Vec<String> = statuses
            .iter()
            .filter(|s| s.status() == git2::Status::WT_NEW)
            .filter_map(|s| s.path().ok().map(str::to_string))
            .collect();
        out.sort();
        Ok(out)
    }

    /// Whether the work tree has a HEAD commit yet.
    pub fn has_commits(&self) -> bool {
        self.repo.head().is_ok()
    }
}
