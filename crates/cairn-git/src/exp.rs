//! What experiments need from git: refs under `refs/exps/...`, commits built from the
//! work tree without touching HEAD or the index (DVC's experiment commits), reading
//! trees at any commit, first-parent history, branches and worktrees.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Signature, TreeWalkMode, TreeWalkResult};

use crate::{Git, GitError};

/// A commit's id, parents and commit time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMeta {
    /// Full id.
    pub id: String,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// The full message.
    pub message: String,
}

/// One entry of a tree listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// Name within its directory.
    pub name: String,
    /// Whether it is a directory.
    pub is_dir: bool,
}

fn env_sig(who: &str, repo: &git2::Repository) -> Result<Signature<'static>, GitError> {
    let name = std::env::var(format!("GIT_{who}_NAME")).ok();
    let email = std::env::var(format!("GIT_{who}_EMAIL")).ok();
    let cfg = repo.config().ok();
    let get = |k: &str| cfg.as_ref().and_then(|c| c.get_string(k).ok());
    let name = name
        .or_else(|| get("user.name"))
        .unwrap_or_else(|| "Cairn".into());
    let email = email
        .or_else(|| get("user.email"))
        .unwrap_or_else(|| "cairn@localhost".into());
    Ok(Signature::now(&name, &email)?)
}

/// How many times a locked ref is tried again (20 ms apart) before giving up.
const REF_LOCK_TRIES: u32 = 100;

impl Git {
    /// Refs matching a glob (`refs/exps/*`), with the commit each points at.
    pub fn refs_glob(&self, glob: &str) -> Result<Vec<(String, String)>, GitError> {
        let mut out = Vec::new();
        for r in self.repo.references_glob(glob)? {
            let r = r?;
            let Ok(name) = r.name() else { continue };
            let name = name.to_string();
            if let Ok(c) = r.peel_to_commit() {
                out.push((name, c.id().to_string()));
            }
        }
        Ok(out)
    }

    /// The commit a ref points at.
    pub fn ref_target(&self, name: &str) -> Option<String> {
        let r = self.repo.find_reference(name).ok()?;
        r.peel_to_commit().ok().map(|c| c.id().to_string())
    }

    /// Creates or moves a ref. Another writer holding the ref's lock (a parallel queue
    /// worker recording its experiment, the CLI beside the app) is waited for, briefly:
    /// libgit2 fails at once where git would too, and a finished experiment must not be
    /// lost to a moment's contention.
    pub fn set_ref(&self, name: &str, commit: &str, log: &str) -> Result<(), GitError> {
        let oid = Oid::from_str(commit)?;
        let mut tries = 0;
        loop {
            match self.repo.reference(name, oid, true, log) {
                Ok(_) => return Ok(()),
                Err(e) if e.code() == git2::ErrorCode::Locked && tries < REF_LOCK_TRIES => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Deletes a ref (no error if it does not exist).
    pub fn delete_ref(&self, name: &str) -> Result<(), GitError> {
        if let Ok(mut r) = self.repo.find_reference(name) {
            r.delete()?;
        }
        Ok(())
    }

    /// Id, parents, time and message of a commit.
    pub fn commit_meta(&self, rev: &str) -> Result<CommitMeta, GitError> {
        let c = self.commit_of(rev)?;
        Ok(CommitMeta {
            id: c.id().to_string(),
            parents: c.parent_ids().map(|p| p.to_string()).collect(),
            time: c.time().seconds(),
            message: String::from_utf8_lossy(c.message_bytes()).into_owned(),
        })
    }

    /// First-parent history from `rev`, at most `n` commits (0 = all), newest first.
    pub fn first_parents(&self, rev: &str, n: usize) -> Result<Vec<String>, GitError> {
        let mut out = Vec::new();
        let mut c = Some(self.commit_of(rev)?);
        while let Some(cur) = c {
            out.push(cur.id().to_string());
            if n != 0 && out.len() >= n {
                break;
            }
            c = cur.parent(0).ok();
        }
        Ok(out)
    }

    /// Every local branch with its tip, by name (as DVC lists them: libgit2 walks loose
    /// refs in directory order, which differs from one file system to the next).
    pub fn branches(&self) -> Result<Vec<(String, String)>, GitError> {
        let mut out = Vec::new();
        for b in self.repo.branches(Some(git2::BranchType::Local))? {
            let (b, _) = b?;
            if let (Ok(Some(name)), Ok(c)) = (b.name(), b.get().peel_to_commit()) {
                out.push((name.to_string(), c.id().to_string()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// The current branch name, if HEAD is on one.
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if head.is_branch() {
            head.shorthand().ok().map(str::to_string)
        } else {
            None
        }
    }

    /// Every tag with the commit it points at, by name (as DVC lists them).
    pub fn tags(&self) -> Result<Vec<(String, String)>, GitError> {
        let mut out = Vec::new();
        for r in self.repo.references_glob("refs/tags/*")? {
            let r = r?;
            if let (Ok(n), Ok(c)) = (r.shorthand(), r.peel_to_commit()) {
                out.push((n.to_string(), c.id().to_string()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Creates branch `name` at `commit` (fails if it exists).
    pub fn create_branch(&self, name: &str, commit: &str) -> Result<(), GitError> {
        let c = self.repo.find_commit(Oid::from_str(commit)?)?;
        self.repo.branch(name, &c, false)?;
        Ok(())
    }

    /// Files (`/`-separated paths) that differ between two commits' trees.
    pub fn changed_paths(&self, a: &str, b: &str) -> Result<Vec<String>, GitError> {
        let ta = self.commit_of(a)?.tree()?;
        let tb = self.commit_of(b)?.tree()?;
        let diff = self.repo.diff_tree_to_tree(Some(&ta), Some(&tb), None)?;
        let mut out = Vec::new();
        for d in diff.deltas() {
            for f in [d.old_file(), d.new_file()] {
                if let Some(p) = f.path().and_then(|p| p.to_str())
                    && !out.iter().any(|x: &String| x == p)
                {
                    out.push(p.to_string());
                }
            }
        }
        Ok(out)
    }

    /// The blob ids of every file at `rev`, by path.
    pub fn blob_ids_at(&self, rev: &str) -> Result<HashMap<String, String>, GitError> {
        let tree = self.commit_of(rev)?.tree()?;
        let mut out = HashMap::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(ObjectType::Blob) {
                out.insert(
                    format!("{dir}{}", e.name().unwrap_or_default()),
                    e.id().to_string(),
                );
            }
            TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    /// The entries of directory `rel` (`""` for the root) at `rev`; `None` if it is not
    /// a directory there.
    pub fn list_dir_at(&self, rev: &str, rel: &str) -> Result<Option<Vec<TreeEntry>>, GitError> {
        let tree = self.commit_of(rev)?.tree()?;
        let sub = if rel.is_empty() || rel == "." {
            tree
        } else {
            let Ok(e) = tree.get_path(Path::new(rel)) else {
                return Ok(None);
            };
            match e.to_object(&self.repo)?.into_tree() {
                Ok(t) => t,
                Err(_) => return Ok(None),
            }
        };
        Ok(Some(
            sub.iter()
                .map(|e| TreeEntry {
                    name: e.name().unwrap_or_default().to_string(),
                    is_dir: e.kind() == Some(ObjectType::Tree),
                })
                .collect(),
        ))
    }

    /// The root tree id of a commit.
    pub fn tree_of(&self, rev: &str) -> Result<String, GitError> {
        Ok(self.commit_of(rev)?.tree_id().to_string())
    }

    /// `(object id, is_dir)` of `rel` inside tree `tree` (`""` is the tree itself).
    pub fn entry_in_tree(&self, tree: &str, rel: &str) -> Option<(String, bool)> {
        if rel.is_empty() || rel == "." {
            return Some((tree.to_string(), true));
        }
        let t = self.repo.find_tree(Oid::from_str(tree).ok()?).ok()?;
        let e = t.get_path(Path::new(rel)).ok()?;
        Some((e.id().to_string(), e.kind() == Some(ObjectType::Tree)))
    }

    /// The bytes of a blob.
    pub fn blob_bytes(&self, oid: &str) -> Option<Vec<u8>> {
        let b = self.repo.find_blob(Oid::from_str(oid).ok()?).ok()?;
        Some(b.content().to_vec())
    }

    /// The entries of tree object `tree`.
    pub fn tree_entries(&self, tree: &str) -> Option<Vec<TreeEntry>> {
        let t = self.repo.find_tree(Oid::from_str(tree).ok()?).ok()?;
        Some(
            t.iter()
                .map(|e| TreeEntry {
                    name: e.name().unwrap_or_default().to_string(),
                    is_dir: e.kind() == Some(ObjectType::Tree),
                })
                .collect(),
        )
    }

    /// Whether `rel` is a directory at `rev`.
    pub fn is_dir_at(&self, rev: &str, rel: &str) -> bool {
        let Ok(c) = self.commit_of(rev) else {
            return false;
        };
        let Ok(t) = c.tree() else { return false };
        t.get_path(Path::new(rel))
            .map(|e| e.kind() == Some(ObjectType::Tree))
            .unwrap_or(false)
    }

    /// Paths (repo-relative) tracked in the index.
    pub fn index_paths(&self) -> Result<Vec<String>, GitError> {
        let index =
            git2::Index::open(&self.repo.path().join("index")).or_else(|_| git2::Index::new())?;
        Ok(index
            .iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect())
    }

    /// Builds a commit the way DVC's experiment executor does (`git add -u` plus `add`
    /// of `extra` paths, then `commit`) but without touching HEAD, the index file or the
    /// work tree: every path tracked in the index is taken from the work tree (removed if
    /// gone), each of `extra` that exists is added. The parent is `parent`. Returns the
    /// new commit id.
    pub fn commit_worktree_snapshot(
        &self,
        parent: &str,
        extra: &[String],
        message: &str,
    ) -> Result<String, GitError> {
        let parent = self.commit_of(parent)?;
        // An independent copy of the index: changes here never reach .git/index.
        let mut index = match git2::Index::open(&self.repo.path().join("index")) {
            Ok(i) => i,
            Err(_) => {
                let mut i = git2::Index::new()?;
                i.read_tree(&parent.tree()?)?;
                i
            }
        };
        let tracked: Vec<String> = index
            .iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect();
        let mut paths = tracked;
        for e in extra {
            if !paths.contains(e) {
                paths.push(e.clone());
            }
        }
        for rel in &paths {
            let abs = self.root.join(rel);
            let meta = match std::fs::symlink_metadata(&abs) {
                Ok(m) => m,
                Err(_) => {
                    let _ = index.remove_path(Path::new(rel));
                    continue;
                }
            };
            if meta.is_dir() {
                continue;
            }
            let (id, mode) = if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&abs).map_err(|e| {
                    git2::Error::from_str(&format!("reading link {}: {e}", abs.display()))
                })?;
                let id = self.repo.blob(target.to_string_lossy().as_bytes())?;
                (id, 0o120000)
            } else {
                let id = self.repo.blob_path(&abs)?;
                #[cfg(unix)]
                let exec = {
                    use std::os::unix::fs::PermissionsExt;
                    meta.permissions().mode() & 0o100 != 0
                };
                #[cfg(not(unix))]
                let exec = false;
                (id, if exec { 0o100755 } else { 0o100644 })
            };
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode,
                uid: 0,
                gid: 0,
                file_size: meta.len() as u32,
                id,
                flags: (rel.len().min(0xfff)) as u16,
                flags_extended: 0,
                path: rel.as_bytes().to_vec(),
            };
            index.add(&entry)?;
        }
        let tree_id = index.write_tree_to(&self.repo)?;
        let tree = self.repo.find_tree(tree_id)?;
        let author = env_sig("AUTHOR", &self.repo)?;
        let committer = env_sig("COMMITTER", &self.repo)?;
        let id = self
            .repo
            .commit(None, &author, &committer, message, &tree, &[&parent])?;
        Ok(id.to_string())
    }

    /// Whether two commits have the same tree.
    pub fn same_tree(&self, a: &str, b: &str) -> Result<bool, GitError> {
        Ok(self.commit_of(a)?.tree_id() == self.commit_of(b)?.tree_id())
    }

    /// `git worktree add --detach <path> <commit>`: a separate working copy whose HEAD
    /// is detached at `commit` (libgit2 needs a branch to create one; a temporary one is
    /// deleted again right away).
    pub fn worktree_add(&self, name: &str, path: &Path, commit: &str) -> Result<(), GitError> {
        let c = self.repo.find_commit(Oid::from_str(commit)?)?;
        // libgit2 creates `.git/worktrees` itself and fails if a concurrent add won.
        let _ = std::fs::create_dir_all(self.repo.commondir().join("worktrees"));
        let branch_name = format!("cairn-worktree-{name}");
        let mut branch = self.repo.branch(&branch_name, &c, true)?;
        let mut opts = git2::WorktreeAddOptions::new();
        opts.reference(Some(branch.get()));
        let r = self.repo.worktree(name, path, Some(&opts)).and_then(|wt| {
            let wrepo = git2::Repository::open_from_worktree(&wt)?;
            wrepo.set_head_detached(c.id())
        });
        branch.delete()?;
        r?;
        Ok(())
    }

    /// Removes a worktree made by [`Git::worktree_add`] (its files and bookkeeping).
    pub fn worktree_remove(&self, name: &str, path: &Path) -> Result<(), GitError> {
        let _ = std::fs::remove_dir_all(path);
        if let Ok(wt) = self.repo.find_worktree(name) {
            let mut opts = git2::WorktreePruneOptions::new();
            opts.valid(true).working_tree(true);
            let _ = wt.prune(Some(&mut opts));
        }
        Ok(())
    }

    /// Writes `bytes` as a blob and returns its id.
    pub fn write_blob(&self, bytes: &[u8]) -> Result<String, GitError> {
        Ok(self.repo.blob(bytes)?.to_string())
    }

    /// The shared `.git` directory (differs from the repository's own for worktrees).
    pub fn common_dir(&self) -> Option<PathBuf> {
        let p = self.repo.commondir();
        Some(p.canonicalize().unwrap_or_else(|_| p.to_path_buf()))
    }

    /// Commit time of `rev` in seconds.
    pub fn commit_time(&self, rev: &str) -> Result<i64, GitError> {
        Ok(self.commit_of(rev)?.time().seconds())
    }
}

#[cfg(test)]
mod tests {
    use crate::Git;

    #[test]
    fn a_ref_locked_by_another_writer_is_set_once_the_lock_goes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        let git = Git::init(dir.path()).unwrap();
        let commit = git.commit_all("a").unwrap().id;
        // Another writer holds the ref's lock for a moment.
        let lock = dir.path().join(".git/refs/exps/exec/EXEC_HEAD.lock");
        std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
        std::fs::write(&lock, "").unwrap();
        let held = lock.clone();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(150));
            std::fs::remove_file(held).unwrap();
        });
        git.set_ref("refs/exps/exec/EXEC_HEAD", &commit, "test")
            .expect("set once the lock is released");
        writer.join().unwrap();
        assert_eq!(
            git.ref_target("refs/exps/exec/EXEC_HEAD").as_deref(),
            Some(commit.as_str())
        );
    }
}
