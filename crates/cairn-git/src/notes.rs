//! Notes on commits (an experiment's "why" and "what I saw"), kept as git notes under
//! `refs/notes/cairn`: they live in the repository, not in an app database, so they
//! travel with `git push origin refs/notes/cairn` and show in `git log --notes=cairn`.
//! DVC ignores them; the commits themselves never change.

use std::collections::HashMap;

use git2::Oid;

use crate::{Git, GitError};

/// The notes ref Cairn writes.
pub const NOTES_REF: &str = "refs/notes/cairn";

impl Git {
    /// The note on `commit`, if any.
    pub fn note(&self, commit: &str) -> Result<Option<String>, GitError> {
        let oid = self.commit_oid(commit)?;
        match self.repo.find_note(Some(NOTES_REF), oid) {
            Ok(n) => Ok(n.message().ok().map(str::to_string)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every note, by commit id: one pass for a whole table.
    pub fn notes(&self) -> Result<HashMap<String, String>, GitError> {
        let mut out = HashMap::new();
        let iter = match self.repo.notes(Some(NOTES_REF)) {
            Ok(it) => it,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(out),
            Err(e) => return Err(e.into()),
        };
        for item in iter {
            let (_, annotated) = item?;
            if let Ok(n) = self.repo.find_note(Some(NOTES_REF), annotated)
                && let Ok(text) = n.message()
            {
                out.insert(annotated.to_string(), text.to_string());
            }
        }
        Ok(out)
    }

    /// Sets the note on `commit` (replacing one), or removes it when `text` is blank.
    pub fn set_note(&self, commit: &str, text: &str) -> Result<(), GitError> {
        let oid = self.commit_oid(commit)?;
        let sig = crate::history::signature(&self.repo)?;
        let text = text.trim();
        if text.is_empty() {
            return match self.repo.note_delete(oid, Some(NOTES_REF), &sig, &sig) {
                Err(e) if e.code() != git2::ErrorCode::NotFound => Err(e.into()),
                _ => Ok(()),
            };
        }
        // git writes notes with a final newline; so does `git notes add -m`.
        self.repo
            .note(&sig, &sig, Some(NOTES_REF), oid, &format!("{text}\n"), true)?;
        Ok(())
    }

    fn commit_oid(&self, commit: &str) -> Result<Oid, GitError> {
        self.repo
            .revparse_single(commit)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|_| GitError::BadRevision(commit.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn repo() -> (tempfile::TempDir, Git, String) {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@t")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@t")
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q"]);
        git(&["commit", "-q", "--allow-empty", "-m", "one"]);
        let head = git(&["rev-parse", "HEAD"]).trim().to_string();
        let g = Git::discover(dir.path()).unwrap();
        (dir, g, head)
    }

    #[test]
    fn a_note_is_set_replaced_read_by_git_and_removed() {
        let (dir, git, head) = repo();
        assert_eq!(git.note(&head).unwrap(), None);
        assert!(git.notes().unwrap().is_empty(), "no notes ref yet");
        git.set_note(&head, "  first try  ").unwrap();
        git.set_note(&head, "lr too high: diverged at epoch 12")
            .unwrap();
        assert_eq!(
            git.note(&head).unwrap().as_deref(),
            Some("lr too high: diverged at epoch 12\n")
        );
        let shown = Command::new("git")
            .args(["notes", "--ref=cairn", "show", &head])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&shown.stdout),
            "lr too high: diverged at epoch 12\n"
        );
        assert_eq!(
            git.notes().unwrap().get(&head).map(String::as_str),
            Some("lr too high: diverged at epoch 12\n")
        );
        git.set_note(&head, " ").unwrap();
        assert_eq!(git.note(&head).unwrap(), None);
        git.set_note(&head, "").unwrap();
        assert!(matches!(
            git.set_note("nope", "x"),
            Err(GitError::BadRevision(_))
        ));
    }
}
