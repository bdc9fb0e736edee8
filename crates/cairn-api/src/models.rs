//! The Models view: each model the registry (GTO's git tags) knows, with its versions
//! and which version each stage holds, joined with what `dvc.yaml`'s `artifacts:`
//! declare about it (path, type, description) — and declared models nobody has
//! registered yet, so the registry's first step is visible.

use cairn_exp::registry::Registry;
use cairn_git::Git;
use cairn_pipeline::LocalFs;

use crate::dto::*;
use crate::{Api, ApiResult, project_root};

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
        })
    }
}
