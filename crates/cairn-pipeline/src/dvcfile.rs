//! Loading one `dvc.yaml` (with its `dvc.lock`) into stages, in DVC's order of checks:
//! YAML syntax, schema, lock file, `vars`, then each stage, then the top-level sections.

use serde::Serialize;

use crate::error::{Location, PipelineError};
use crate::expand::{self, ResolvedFile};
use crate::fs::{RepoFs, join, parent};
use crate::stage::{Stage, build_stage};
use crate::{lockfile, schema};

/// One pipeline file, fully resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineFile {
    /// Repo-relative path (`dvc.yaml`, `sub/dvc.yaml`).
    pub path: String,
    /// Its stages in definition order, generated ones expanded in place.
    pub stages: Vec<Stage>,
    /// Top-level `metrics` (interpolated).
    pub metrics: Vec<serde_json::Value>,
    /// Top-level `params` (interpolated).
    pub params: Vec<serde_json::Value>,
    /// Top-level `plots` (interpolated; strings or `{id: definition}`).
    pub plots: Vec<serde_json::Value>,
    /// Top-level `artifacts` by name.
    pub artifacts: indexmap::IndexMap<String, serde_json::Value>,
    /// Top-level `datasets`.
    pub datasets: Vec<serde_json::Value>,
    /// The `dvc.lock` beside it as read (and validated) while loading, if there was one;
    /// `None` for `.dvc` files.
    pub lock: Option<crate::lockfile::LockFile>,
}

/// Reads and resolves the pipeline file at repo-relative `path`.
pub fn load_pipeline_file(fs: &dyn RepoFs, path: &str) -> Result<PipelineFile, PipelineError> {
    let text = fs.read_to_string(path).map_err(|e| PipelineError::Io {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    parse_pipeline_file(fs, path, &text)
}

/// Like [`load_pipeline_file`] with the file's text already in hand (other files it refers
/// to, like params and `dvc.lock`, still come from `fs`).
pub fn parse_pipeline_file(
    fs: &dyn RepoFs,
    path: &str,
    text: &str,
) -> Result<PipelineFile, PipelineError> {
    let root = cairn_yaml::parse(text).map_err(|e| PipelineError::Syntax {
        at: Location::new(path, e.line, e.col),
        message: e.message,
    })?;
    schema::validate_dvc_yaml(&root, path)?;
    let lock_path = join(parent(path), "dvc.lock");
    let lock = if fs.exists(&lock_path) && !fs.is_dir(&lock_path) {
        let text = fs
            .read_to_string(&lock_path)
            .map_err(|e| PipelineError::Io {
                path: lock_path.clone(),
                message: e.to_string(),
            })?;
        Some(lockfile::load_cached(
            &text,
            &lock_path,
            fs.scratch_dir().as_deref(),
        )?)
    } else {
        None
    };
    let root = if schema::is_falsy(&root) {
        cairn_yaml::Node::new(cairn_yaml::Value::Map(vec![]))
    } else {
        root
    };

    let resolved: ResolvedFile = expand::resolve_file(fs, path, &root)?;
    let mut stages = Vec::with_capacity(resolved.stages.len());
    for rs in &resolved.stages {
        stages.push(build_stage(
            path,
            &rs.name,
            rs.generated_from.clone(),
            &rs.def,
            rs.mark,
        )?);
    }
    let json = |nodes: &[cairn_yaml::Node]| -> Vec<serde_json::Value> {
        nodes
            .iter()
            .map(|n| crate::data::Data::from_node(n).to_json())
            .collect()
    };
    Ok(PipelineFile {
        path: path.to_string(),
        stages,
        metrics: json(&resolved.metrics),
        params: json(&resolved.params),
        plots: json(&resolved.plots),
        artifacts: resolved
            .artifacts
            .iter()
            .map(|(k, v)| (k.clone(), crate::data::Data::from_node(v).to_json()))
            .collect(),
        datasets: json(&resolved.datasets),
        lock,
    })
}

/// Reads a `.dvc` file as a one-stage [`PipelineFile`] holding a data-source stage.
pub fn load_dvc_file(fs: &dyn RepoFs, path: &str) -> Result<PipelineFile, PipelineError> {
    let text = fs.read_to_string(path).map_err(|e| PipelineError::Io {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    let root = cairn_yaml::parse(&text).map_err(|e| PipelineError::Syntax {
        at: Location::new(path, e.line, e.col),
        message: e.message,
    })?;
    let stage = crate::stage::build_dvc_file_stage(path, &root)?;
    Ok(PipelineFile {
        path: path.to_string(),
        stages: vec![stage],
        metrics: Vec::new(),
        params: Vec::new(),
        plots: Vec::new(),
        artifacts: Default::default(),
        datasets: Vec::new(),
        lock: None,
    })
}
