//! Registering a version and assigning a stage, as `gto register` and `gto assign` do:
//! the same annotated tags (`model@v1.2.0`; `model#prod#N` with N one past the
//! artifact's highest counter), the same messages, and the same refusals — a commit
//! already registered, a version taken, a version already in the stage, a stage `.gto`
//! does not list.

use cairn_git::{Git, GitError};

use super::Registry;
use super::config::GtoConfig;
use super::tag::{self, valid_artifact, valid_name};

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "`{0}` is not a name the registry takes: letters, digits, `-`, `_` and `/`, starting and ending with a letter or digit (and `folder:` before it for a subfolder's dvc.yaml)"
    )]
    BadName(String),
    #[error("`{0}` is not a version like v1.2.0")]
    BadVersion(String),
    #[error("{name} {version} is registered already (pick another version)")]
    VersionTaken { name: String, version: String },
    #[error("commit {commit} is {name} {version} already")]
    CommitRegistered {
        name: String,
        version: String,
        commit: String,
    },
    #[error("{name} has no registered version {version}")]
    NoSuchVersion { name: String, version: String },
    #[error("{name} {version} is in {stage} already")]
    AlreadyInStage {
        name: String,
        version: String,
        stage: String,
    },
    #[error("`{stage}` is not a stage .gto allows ({}); pick one of those, or add it to .gto's `stages`", allowed.join(", "))]
    UnknownStage { stage: String, allowed: Vec<String> },
    #[error(transparent)]
    Config(#[from] super::config::ConfigError),
    #[error(transparent)]
    Git(#[from] GitError),
}

fn semver(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v.strip_prefix('v')?).ok()
}

/// Registers `rev`'s commit as a version of `name` (`version`, or the latest one's
/// next patch, or v0.0.1 for a first version); returns the version.
pub fn register(
    git: &Git,
    name: &str,
    version: Option<&str>,
    rev: &str,
) -> Result<String, RegistryError> {
    if !valid_artifact(name) {
        return Err(RegistryError::BadName(name.to_string()));
    }
    let commit = git.resolve(rev)?;
    let registry = Registry::load(git)?;
    let artifact = registry.artifacts.iter().find(|a| a.name == name);
    let versions = artifact.map(|a| a.versions.as_slice()).unwrap_or_default();
    if let Some(v) = versions
        .iter()
        .find(|v| v.commit == commit && v.registered && v.active)
    {
        return Err(RegistryError::CommitRegistered {
            name: name.to_string(),
            version: v.version.clone(),
            commit: commit[..7].to_string(),
        });
    }
    let version = match version {
        Some(v) => {
            if semver(v).is_none() {
                return Err(RegistryError::BadVersion(v.to_string()));
            }
            if versions.iter().any(|x| x.version == v && x.registered) {
                return Err(RegistryError::VersionTaken {
                    name: name.to_string(),
                    version: v.to_string(),
                });
            }
            v.to_string()
        }
        None => match artifact.and_then(|a| a.latest.as_deref()).and_then(semver) {
            Some(latest) => format!("v{}.{}.{}", latest.major, latest.minor, latest.patch + 1),
            None => "v0.0.1".to_string(),
        },
    };
    git.create_annotated_tag(
        &format!("{}@{version}", name.replace(':', "=")),
        &commit,
        &format!("Registering artifact {name} version {version}"),
    )?;
    Ok(version)
}

/// Puts registered `version` of `name` in `stage`; returns the tag written.
pub fn assign(git: &Git, name: &str, version: &str, stage: &str) -> Result<String, RegistryError> {
    if !valid_artifact(name) {
        return Err(RegistryError::BadName(name.to_string()));
    }
    if !valid_name(stage) {
        return Err(RegistryError::BadName(stage.to_string()));
    }
    let config = GtoConfig::load(git.root())?;
    if !config.allows_stage(stage) {
        return Err(RegistryError::UnknownStage {
            stage: stage.to_string(),
            allowed: config.stages.unwrap_or_default(),
        });
    }
    let registry = Registry::load(git)?;
    let found = registry
        .artifacts
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| {
            a.versions
                .iter()
                .find(|v| v.version == version && v.registered && v.active)
        })
        .ok_or_else(|| RegistryError::NoSuchVersion {
            name: name.to_string(),
            version: version.to_string(),
        })?;
    if found.stages.iter().any(|s| s == stage) {
        return Err(RegistryError::AlreadyInStage {
            name: name.to_string(),
            version: version.to_string(),
            stage: stage.to_string(),
        });
    }
    // Over every tag, lightweight ones too, as GTO counts.
    let counter = git
        .tags()?
        .iter()
        .filter_map(|(t, _)| tag::parse(t))
        .filter(|p| p.artifact == name)
        .filter_map(|p| p.counter)
        .max()
        .unwrap_or(0);
    let tag = format!("{}#{stage}#{}", name.replace(':', "="), counter + 1);
    git.create_annotated_tag(
        &tag,
        &found.commit,
        &format!("Assigning stage {stage} to artifact {name} version {version}"),
    )?;
    Ok(tag)
}
