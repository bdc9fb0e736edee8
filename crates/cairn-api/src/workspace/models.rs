//! The model registry GTO keeps in git tags, from the command line. It lives in any git
//! repository, DVC or not, so it is opened from a directory rather than a [`Workspace`].
//!
//! [`Workspace`]: super::Workspace

use std::path::Path;

use cairn_exp::registry::{Artifact, Registry};
use cairn_git::Git;

use super::{Result, WorkspaceError};

/// The registry of the git repository around a directory.
pub struct Models {
    git: Git,
}

impl Models {
    /// The registry of the repository containing `dir`.
    pub fn discover(dir: &Path) -> Result<Models> {
        Ok(Models {
            git: Git::discover(dir)?,
        })
    }

    /// Every artifact with its versions and stages.
    pub fn registry(&self) -> Result<Registry> {
        Ok(Registry::load(&self.git)?)
    }

    /// One artifact (an unknown name is refused, listing the known ones).
    pub fn artifact(&self, name: &str) -> Result<Artifact> {
        let registry = self.registry()?;
        let known: Vec<String> = registry.artifacts.iter().map(|a| a.name.clone()).collect();
        registry
            .artifacts
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| {
                WorkspaceError::NotFound(format!(
                    "no artifact named {name} in the registry (known: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })
    }

    /// Registers `rev` as a version of `name` (default: the next one); returns it.
    pub fn register(&self, name: &str, version: Option<&str>, rev: &str) -> Result<String> {
        Ok(cairn_exp::registry::write::register(
            &self.git, name, version, rev,
        )?)
    }

    /// Puts version `version` of `name` in `stage`; returns the tag written.
    pub fn assign(&self, name: &str, version: &str, stage: &str) -> Result<String> {
        Ok(cairn_exp::registry::write::assign(
            &self.git, name, version, stage,
        )?)
    }
}
