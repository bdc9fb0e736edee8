//! The Pipeline tab: the stage graph with states, and the stage side panel.
//!
//! A broken `dvc.yaml` never stops a project from opening: what loads is shown, and every
//! problem is listed with its file and line.

use std::path::Path;

use cairn_pipeline::{LocalFs, OutKind, Project, Stage};

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::{Api, project_root};

/// Stage address → state and reasons.
type StateMap = std::collections::HashMap<String, (StageState, Vec<String>)>;

fn node(stage: &Stage, state: StageState, reasons: Vec<String>) -> StageNode {
    StageNode {
        id: stage.addressing.clone(),
        name: if stage.data_source {
            stage.addressing.clone()
        } else {
            stage.name.clone()
        },
        dvcfile: stage.dvcfile.clone(),
        line: stage.line as u32,
        cmd: stage.cmd.commands(),
        state,
        reasons,
        dep_count: (stage.deps.len() + stage.params.len()) as u32,
        out_count: stage.outs.len() as u32,
        is_data_source: stage.data_source,
        outs: out_paths(stage),
        editable: !stage.data_source && stage.generated_from.is_none(),
        group: stage
            .generated_from
            .as_ref()
            .map(|g| cairn_pipeline::stage::addressing(&stage.dvcfile, g)),
    }
}

fn out_paths(stage: &Stage) -> Vec<String> {
    stage
        .outs
        .iter()
        .filter_map(|o| o.repo_path(stage))
        .collect()
}

/// The deps of `consumer` that outputs of `producer` feed: equal paths, or one inside
/// the other (a file in an output directory, or a directory holding an output).
fn fed_paths(producer: &Stage, consumer: &Stage) -> Vec<String> {
    let outs = out_paths(producer);
    consumer
        .deps
        .iter()
        .filter_map(|d| consumer.dep_repo_path(&d.path))
        .filter(|d| outs.iter().any(|o| cairn_pipeline::fs::overlaps(d, o)))
        .collect()
}

/// Loads what can be loaded and collects every problem.
fn load(root: &Path) -> (Project, Vec<ApiError>) {
    let (project, errors) = cairn_pipeline::load_project_lenient(&LocalFs::new(root));
    (project, errors.into_iter().map(ApiError::from).collect())
}

/// Size and file count of a workspace path.
fn disk_size(p: &Path) -> (bool, Option<u64>, Option<u64>) {
    let Ok(meta) = std::fs::metadata(p) else {
        return (false, None, None);
    };
    if meta.is_file() {
        return (true, Some(meta.len()), None);
    }
    let (mut size, mut n) = (0u64, 0u64);
    for e in walkdir::WalkDir::new(p).into_iter().flatten() {
        if e.file_type().is_file() {
            size += e.metadata().map(|m| m.len()).unwrap_or(0);
            n += 1;
        }
    }
    (true, Some(size), Some(n))
}

impl Api {
    /// The stage states of a loaded project: from status, overlaid with the live run.
    fn states(
        &self,
        root: &Path,
        project: &Project,
        problems: &mut Vec<ApiError>,
    ) -> (StateMap, Option<String>) {
        let mut states = if problems.is_empty() && project.stages().next().is_some() {
            match crate::runs::stage_status(root) {
                Ok(mut s) => {
                    // Status lists only stale stages: the rest are up to date or frozen.
                    for st in project.stages() {
                        s.entry(st.addressing.clone()).or_insert_with(|| {
                            let state = if st.frozen {
                                StageState::Frozen
                            } else {
                                StageState::UpToDate
                            };
                            (state, Vec::new())
                        });
                    }
                    s
                }
                Err(e) => {
                    problems.push(e);
                    Default::default()
                }
            }
        } else {
            Default::default()
        };
        // A stage that failed in the last run stays failed (with why) until it runs again.
        for (stage, why) in crate::runs::last_failures(root) {
            if let Some(e) = states.get_mut(&stage)
                && e.0 == StageState::Stale
            {
                e.0 = StageState::Failed;
                e.1.insert(0, why);
            }
        }
        let mut active = None;
        if let Some((run_id, live)) = self.active_states(&root.to_string_lossy()) {
            active = Some(run_id.unwrap_or_default());
            for (stage, st) in live {
                let e = states.entry(stage).or_insert((st, Vec::new()));
                e.0 = st;
            }
        }
        (states, active)
    }

    /// `get_pipeline`.
    pub fn get_pipeline(&self, args: ProjectArgs) -> ApiResult<PipelineView> {
        let root = project_root(&args.project)?;
        let (project, mut problems) = load(&root);
        let mut edges = Vec::new();
        match cairn_pipeline::build_dag(&project) {
            Ok(dag) => {
                let by_id: std::collections::HashMap<&str, &Stage> = project
                    .stages()
                    .map(|s| (s.addressing.as_str(), s))
                    .collect();
                for (p, c) in dag.edges() {
                    let (source, target) = (&dag.nodes[p], &dag.nodes[c]);
                    let paths = match (by_id.get(source.as_str()), by_id.get(target.as_str())) {
                        (Some(ps), Some(cs)) => fed_paths(ps, cs),
                        _ => Vec::new(),
                    };
                    edges.push(StageEdge {
                        source: source.clone(),
                        target: target.clone(),
                        paths,
                    });
                }
            }
            Err(e) => problems.push(e.into()),
        }
        let (states, active_run) = self.states(&root, &project, &mut problems);
        let unknown = (StageState::Unknown, Vec::new());
        let stages = project
            .stages()
            .map(|s| {
                let (st, reasons) = states.get(&s.addressing).unwrap_or(&unknown).clone();
                node(s, st, reasons)
            })
            .collect();
        let trusted = self.index().is_trusted(&root.to_string_lossy())?;
        Ok(PipelineView {
            project: root.to_string_lossy().into_owned(),
            stages,
            edges,
            problems,
            active_run,
            trusted,
            python_env: python_env(&root),
            python_env_makeable: crate::pyenv::makeable(&root),
        })
    }

    /// `get_stage`.
    pub fn get_stage(&self, args: StageArgs) -> ApiResult<StageDetail> {
        let root = project_root(&args.project)?;
        let (project, mut problems) = load(&root);
        let stage = project
            .stage(&args.stage)
            .ok_or_else(|| ApiError::not_found(format!("no stage `{}`", args.stage)))?;
        let (states, _) = self.states(&root, &project, &mut problems);
        let (state, reasons) = states
            .get(&stage.addressing)
            .cloned()
            .unwrap_or((StageState::Unknown, Vec::new()));
        let locks = Some(cairn_run::status::Locks::of(&project));
        let lock = locks.as_ref().and_then(|l| l.entry(stage));
        let repo = cairn_data::Repo::open(&root).ok();

        let deps = stage
            .deps
            .iter()
            .map(|d| {
                let rel = stage
                    .dep_repo_path(&d.path)
                    .unwrap_or_else(|| d.path.clone());
                let (exists, size, nfiles) = disk_size(&root.join(&rel));
                PathInfo {
                    path: rel,
                    exists,
                    size,
                    nfiles,
                    cached: None,
                    cache_disabled: false,
                    kind: "dep".into(),
                }
            })
            .collect();
        let outs = stage
            .outs
            .iter()
            .map(|o| {
                let rel = o.repo_path(stage).unwrap_or_else(|| o.path.clone());
                let (exists, size, nfiles) = disk_size(&root.join(&rel));
                let recorded = lock.and_then(|l| l.outs.iter().find(|e| e.path == o.path));
                let cached = match (o.cache, recorded, &repo) {
                    (true, Some(e), Some(repo)) => cairn_run::status::locked_hash(e)
                        .map(|h| cairn_data::status::cache_complete(repo.odb(), &h)),
                    (true, None, _) => Some(false),
                    _ => None,
                };
                PathInfo {
                    path: rel,
                    exists,
                    size,
                    nfiles,
                    cached,
                    cache_disabled: !o.cache,
                    kind: match o.kind {
                        OutKind::Out => "out",
                        OutKind::Metric => "metrics",
                        OutKind::Plot => "plots",
                    }
                    .into(),
                }
            })
            .collect();
        let mut params = Vec::new();
        for p in &stage.params {
            let values = cairn_run::params::read(&root, stage, p).ok().flatten();
            let keys: Vec<String> = if p.keys.is_empty() {
                values
                    .as_ref()
                    .map(|v| v.keys().cloned().collect())
                    .unwrap_or_default()
            } else {
                p.keys.clone()
            };
            for k in keys {
                let value = values
                    .as_ref()
                    .and_then(|v| v.get(&k))
                    .map(|d| d.to_json())
                    .unwrap_or(serde_json::Value::Null);
                flatten(&p.file, &k, &value, &mut params);
            }
        }
        let (logs, logs_run) = crate::runs::latest_logs(&root, &stage.addressing);
        let written_cmd =
            cairn_pipeline::edit::written_cmd(&LocalFs::new(&root), stage).map(|c| c.join("\n"));
        Ok(StageDetail {
            node: node(stage, state, reasons),
            wdir: stage.wdir.clone(),
            desc: stage.desc.clone(),
            deps,
            outs,
            params,
            logs,
            logs_run,
            written_cmd,
        })
    }
}

/// A params value as dotted leaf keys (`train` → `train.learning_rate`, ...).
fn flatten(file: &str, key: &str, value: &serde_json::Value, out: &mut Vec<ParamValue>) {
    match value {
        serde_json::Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                flatten(file, &format!("{key}.{k}"), v, out);
            }
        }
        v => out.push(ParamValue {
            file: file.to_string(),
            key: key.to_string(),
            value: v.to_string(),
        }),
    }
}

impl Api {
    /// `get_layout`.
    pub fn get_layout(&self, args: ProjectArgs) -> ApiResult<Vec<NodePosition>> {
        let root = project_root(&args.project)?;
        Ok(self
            .index()
            .layout(&root.to_string_lossy())?
            .into_iter()
            .map(|(node, x, y)| NodePosition { node, x, y })
            .collect())
    }

    /// `save_layout`.
    pub fn save_layout(&self, args: SaveLayoutArgs) -> ApiResult<()> {
        let root = project_root(&args.project)?;
        if let Some(p) = args
            .positions
            .iter()
            .find(|p| !p.x.is_finite() || !p.y.is_finite())
        {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                format!("{}: a position must be a finite number", p.node),
            ));
        }
        let positions: Vec<(String, f64, f64)> = args
            .positions
            .into_iter()
            .map(|p| (p.node, p.x, p.y))
            .collect();
        self.index()
            .save_layout(&root.to_string_lossy(), &positions, args.reset)
    }
}

/// What `PipelineView::python_env` says (see `cairn_run::pyenv`).
fn python_env(root: &std::path::Path) -> Option<String> {
    if cairn_run::pyenv::active_outside() {
        let active = std::env::var("VIRTUAL_ENV")
            .or_else(|_| std::env::var("CONDA_PREFIX"))
            .ok()?;
        return Some(format!("{active} (active when Cairn started)"));
    }
    cairn_run::pyenv::find(root).map(|v| v.describe(root))
}
