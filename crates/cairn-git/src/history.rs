//! What the app shows and does with history: the current branch and last commit, the
//! commits that changed one file (a dataset's versions), the work tree's changes, and
//! "Save version" (commit chosen paths with a message), plus creating a repository.

use std::path::Path;

use git2::{IndexAddOption, Repository, Signature, Status, StatusOptions};

use crate::{Git, GitError};

/// One commit, as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full id.
    pub id: String,
    /// First line of the message.
    pub summary: String,
    /// Author name.
    pub author: String,
    /// Commit time, seconds since the Unix epoch.
    pub time: i64,
}

/// The current branch (or `None` when HEAD is detached or unborn) and the HEAD commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadInfo {
    /// Branch name.
    pub branch: Option<String>,
    /// The HEAD commit, if there is one.
    pub commit: Option<CommitInfo>,
}

/// How a path differs from HEAD (index and work tree together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileChange {
    /// Not in HEAD.
    Added,
    /// Changed.
    Modified,
    /// Gone from the work tree.
    Deleted,
}

fn info(c: &git2::Commit<'_>) -> CommitInfo {
    CommitInfo {
        id: c.id().to_string(),
        summary: c.summary().ok().flatten().unwrap_or_default().to_string(),
        author: c.author().name().unwrap_or_default().to_string(),
        time: c.time().seconds(),
    }
}

pub(crate) fn signature(repo: &Repository) -> Result<Signature<'static>, GitError> {
    match repo.signature() {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Ok(Signature::now("Cairn", "cairn@localhost")?),
    }
}

impl Git {
    /// Branch and last commit.
    pub fn head_info(&self) -> HeadInfo {
        let Ok(head) = self.repo.head() else {
            // Unborn branch: HEAD names a branch that has no commit yet.
            let branch = self
                .repo
                .find_reference("HEAD")
                .ok()
                .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
                .map(|t| t.trim_start_matches("refs/heads/").to_string());
            return HeadInfo {
                branch,
                commit: None,
            };
        };
        let branch = if head.is_branch() {
            head.shorthand().ok().map(str::to_string)
        } else {
            None
        };
        let commit = head.peel_to_commit().ok().map(|c| info(&c));
        HeadInfo { branch, commit }
    }

    /// Commits (newest first, at most `limit`) whose tree changed the blob at `rel`
    /// (repo-relative, `/`-separated), following first parents from HEAD.
    pub fn file_history(&self, rel: &str, limit: usize) -> Result<Vec<CommitInfo>, GitError> {
        let mut out = Vec::new();
        if self.repo.head().is_err() {
            return Ok(out);
        }
        let mut walk = self.repo.revwalk()?;
        walk.push_head()?;
        walk.simplify_first_parent()?;
        let blob_at = |c: &git2::Commit<'_>| -> Option<git2::Oid> {
            c.tree().ok()?.get_path(Path::new(rel)).ok().map(|e| e.id())
        };
        for id in walk {
            let c = self.repo.find_commit(id?)?;
            let here = blob_at(&c);
            let before = c.parent(0).ok().and_then(|p| blob_at(&p));
            if here.is_some() && here != before {
                out.push(info(&c));
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Paths (repo-relative) that differ from HEAD, untracked ones included, ignored ones not.
    pub fn changes(&self) -> Result<Vec<(String, FileChange)>, GitError> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let statuses = self.repo.statuses(Some(&mut opts))?;
        let mut out = Vec::new();
        for s in statuses.iter() {
            let Ok(path) = s.path() else { continue };
            let st = s.status();
            let change = if st.intersects(Status::WT_DELETED | Status::INDEX_DELETED) {
                FileChange::Deleted
            } else if st.intersects(Status::WT_NEW | Status::INDEX_NEW) {
                FileChange::Added
            } else if st.intersects(
                Status::WT_MODIFIED
                    | Status::INDEX_MODIFIED
                    | Status::WT_RENAMED
                    | Status::INDEX_RENAMED
                    | Status::WT_TYPECHANGE
                    | Status::INDEX_TYPECHANGE,
            ) {
                FileChange::Modified
            } else {
                continue;
            };
            out.push((path.to_string(), change));
        }
        out.sort();
        Ok(out)
    }

    /// Commits exactly `paths` (repo-relative; deleted files are removed from the index)
    /// on top of HEAD with `message`; other staged changes stay out of the commit.
    /// Returns the new commit.
    pub fn commit_paths(&self, paths: &[String], message: &str) -> Result<CommitInfo, GitError> {
        let mut index = self.repo.index()?;
        // Start from HEAD's tree so that only `paths` change, whatever else is staged.
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let mut tree_index = git2::Index::new()?;
        if let Some(p) = &parent {
            tree_index.read_tree(&p.tree()?)?;
        }
        for rel in paths {
            let abs = self.root.join(rel);
            if abs.exists() {
                index.add_path(Path::new(rel))?;
                if let Some(e) = index.get_path(Path::new(rel), 0) {
                    tree_index.add(&e)?;
                }
            } else {
                let _ = index.remove_path(Path::new(rel));
                let _ = tree_index.remove_path(Path::new(rel));
            }
        }
        index.write()?;
        let tree_id = tree_index.write_tree_to(&self.repo)?;
        let tree = self.repo.find_tree(tree_id)?;
        let sig = signature(&self.repo)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?;
        Ok(info(&self.repo.find_commit(id)?))
    }

    /// Creates an empty repository at `root` with branch `main`.
    pub fn init(root: &Path) -> Result<Git, GitError> {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        Repository::init_opts(root, &opts)?;
        Git::discover(root)
    }

    /// Commits every non-ignored file of the work tree with `message`.
    pub fn commit_all(&self, message: &str) -> Result<CommitInfo, GitError> {
        let mut index = self.repo.index()?;
        index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        let sig = signature(&self.repo)?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?;
        Ok(info(&self.repo.find_commit(id)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_version_commits_only_the_chosen_paths_and_history_follows_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "1").unwrap();
        let git = Git::init(dir.path()).unwrap();
        git.commit_all("first").unwrap();
        assert_eq!(git.head_info().branch.as_deref(), Some("main"));
        std::fs::write(dir.path().join("a.txt"), "2").unwrap();
        std::fs::write(dir.path().join("b.txt"), "x").unwrap();
        let changes = git.changes().unwrap();
        assert_eq!(
            changes.len(),
            2,
            "a.txt modified and b.txt new: {changes:?}"
        );
        let c = git.commit_paths(&["a.txt".into()], "second").unwrap();
        assert_eq!(c.summary, "second");
        assert_eq!(
            git.changes().unwrap(),
            vec![("b.txt".to_string(), FileChange::Added)],
            "b.txt was not chosen, so it is still a change"
        );
        let hist = git.file_history("a.txt", 10).unwrap();
        let names: Vec<_> = hist.iter().map(|c| c.summary.as_str()).collect();
        assert_eq!(names, ["second", "first"]);
    }
}
