//! Annotated tags with who made them and when: what a model registry kept in git tags
//! (GTO's `model@v1.2.0`, `model#prod#3`) is built from.

use crate::{Git, GitError};

/// One annotated tag. Lightweight tags carry no tagger or time and are left out, as
/// GTO leaves them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotatedTag {
    /// The name without `refs/tags/`.
    pub name: String,
    /// The commit it points at (through any chain of tags).
    pub commit: String,
    /// Seconds since the epoch, when it was tagged.
    pub time: i64,
    pub tagger: String,
    pub tagger_email: String,
    pub message: String,
}

impl Git {
    /// Creates annotated tag `name` on `commit` with `message`, as the user's git
    /// identity; an existing tag of that name is an error, never replaced.
    pub fn create_annotated_tag(
        &self,
        name: &str,
        commit: &str,
        message: &str,
    ) -> Result<(), GitError> {
        let target = self
            .repo
            .revparse_single(commit)
            .and_then(|o| o.peel(git2::ObjectType::Commit))
            .map_err(|_| GitError::BadRevision(commit.to_string()))?;
        let tagger = crate::history::signature(&self.repo)?;
        self.repo.tag(name, &target, &tagger, message, false)?;
        Ok(())
    }

    /// Every annotated tag pointing (in the end) at a commit, by name.
    pub fn annotated_tags(&self) -> Result<Vec<AnnotatedTag>, GitError> {
        let mut out = Vec::new();
        for r in self.repo.references_glob("refs/tags/*")? {
            let r = r?;
            let Ok(name) = r.shorthand() else { continue };
            let Ok(tag) = r.peel_to_tag() else { continue };
            let Ok(commit) = r.peel_to_commit() else {
                continue;
            };
            let Some(tagger) = tag.tagger() else { continue };
            out.push(AnnotatedTag {
                name: name.to_string(),
                commit: commit.id().to_string(),
                time: tagger.when().seconds(),
                tagger: tagger.name().unwrap_or_default().to_string(),
                tagger_email: tagger.email().unwrap_or_default().to_string(),
                message: tag.message().ok().flatten().unwrap_or_default().to_string(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}
