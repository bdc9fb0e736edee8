//! The Models view: each model the registry (GTO's git tags) knows, with its versions
//! and which version each stage holds, joined with what `dvc.yaml`'s `artifacts:`
//! declare about it (path, type, description) — and declared models nobody has
//! registered yet, so the registry's first step is visible.

use cairn_exp::registry::Registry;
use cairn_git::Git;
use cairn_pipeline::LocalFs;

use crate::workspace::Models;
use cairn_exp::registry::write::RegistryError;

use crate::dto::*;
use crate::error::{ApiError, ErrorCode};
use crate::{Api, ApiResult, project_root};

/// How the app reports a refused registry write.
pub(crate) fn registry_error(e: RegistryError) -> ApiError {
    let code = match e {
        RegistryError::Git(g) => return ApiError::from(g),
        RegistryError::Config(c) => {
            let file = c.path.display().to_string();
            let line = c.line.map(|l| l as u32);
            return ApiError::new(ErrorCode::InvalidArguments, c.to_string()).at(file, line);
        }
        RegistryError::BadName(_)
        | RegistryError::BadVersion(_)
        | RegistryError::UnknownStage { .. } => ErrorCode::InvalidArguments,
        RegistryError::NoSuchVersion { .. } => ErrorCode::NotFound,
        _ => ErrorCode::Conflict,
    };
    ApiError::new(code, e.to_string())
}
/// `dvc.yaml` artifacts by GTO name (`dir/sub:name` below the root).
fn declared(root: &std::path::Path) -> Vec<(String, serde_json::Value)> {
    let (project, _) = cairn_pipeline::load_project_lenient(&LocalFs::new(root));
    project
        .files
        .iter()
        .flat_map(|f| {
            let dir = f.path.rsplit_once('/').map(|(d, _)| d.to_string());
            f.artifacts.iter().map(move |(name, v)| {
                let full = match &dir {
                    Some(d) => format!("{d}:{name}"),
                    None => name.clone(),
                };
                (full, v.clone())
            })
        })
        .collect()
}

impl Api {
    /// `register_model`: tags a commit as a version, as `gto register` does.
    pub fn register_model(&self, args: RegisterModelArgs) -> ApiResult<ModelsView> {
        let models = Models::discover(&project_root(&args.project)?)?;
        models.register(
            args.name.trim(),
            args.version
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty()),
            args.rev.as_deref().unwrap_or("HEAD"),
        )?;
        self.list_models(ProjectArgs {
            project: args.project,
        })
    }

    /// `assign_stage`: puts a registered version in a stage, as `gto assign` does.
    pub fn assign_stage(&self, args: AssignStageArgs) -> ApiResult<ModelsView> {
        let models = Models::discover(&project_root(&args.project)?)?;
        models.assign(&args.name, &args.version, args.stage.trim())?;
        self.list_models(ProjectArgs {
            project: args.project,
        })
    }

    /// `list_models`.
    pub fn list_models(&self, args: ProjectArgs) -> ApiResult<ModelsView> {
        let root = project_root(&args.project)?;
        let registry = match Git::discover(&root) {
            Ok(git) => Registry::load(&git)?,
            Err(_) => Registry::default(),
        };
        let declared = declared(&root);
        let field = |name: &str, key: &str| {
            declared
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let mut models: Vec<ModelView> = registry
            .artifacts
            .iter()
            .map(|a| ModelView {
                name: a.name.clone(),
                path: field(&a.name, "path"),
                kind: field(&a.name, "type"),
                desc: field(&a.name, "desc"),
                latest: a.latest.clone(),
                stages: registry
                    .stages
                    .iter()
                    .filter_map(|s| {
                        a.stages.get(s).map(|v| ModelStage {
                            stage: s.clone(),
                            version: v.clone(),
                        })
                    })
                    .collect(),
                active: a.active,
                registered: true,
                versions: a
                    .versions
                    .iter()
                    .map(|v| ModelVersionView {
                        version: v.version.clone(),
                        commit: v.commit.clone(),
                        registered: v.registered,
                        active: v.active,
                        created: cairn_exp::collect::iso_timestamp(v.created),
                        author: v.author.clone(),
                        message: v.message.clone(),
                        stages: v.stages.clone(),
                    })
                    .collect(),
            })
            .collect();
        for (name, _) in &declared {
            if !models.iter().any(|m| &m.name == name) {
                models.push(ModelView {
                    name: name.clone(),
                    path: field(name, "path"),
                    kind: field(name, "type"),
                    desc: field(name, "desc"),
                    latest: None,
                    stages: Vec::new(),
                    active: true,
                    registered: false,
                    versions: Vec::new(),
                });
            }
        }
        models.sort_by(|a, b| b.active.cmp(&a.active).then(a.name.cmp(&b.name)));
        Ok(ModelsView {
            models,
            stages: registry.stages,
            allowed_stages: registry.allowed_stages,
        })
    }
}
