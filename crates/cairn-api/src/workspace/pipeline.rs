//! The pipeline: its graph, its stages (listed, added, removed) and reproducing it.

use std::collections::HashSet;

use cairn_pipeline::edit::{self, Edit, NewOut, NewStage, ParamsSpec};
use cairn_pipeline::{Dag, LocalFs, OutKind, Project};
use cairn_run::engine::Sink;
use cairn_run::{CancelToken, RunOptions, RunSummary, StageOutcome};

use super::{Result, Workspace, WorkspaceError};

/// The stage graph (of one stage and what it depends on, or of the whole pipeline).
pub struct Graph {
    project: Project,
    dag: Dag,
}

impl Graph {
    /// As `dvc dag` prints it.
    pub fn text(&self) -> String {
        cairn_pipeline::to_text(&self.dag)
    }

    /// Graphviz DOT, as `dvc dag --dot` prints it.
    pub fn dot(&self) -> String {
        cairn_pipeline::to_dot(&self.dag)
    }

    /// A Mermaid flowchart (in a Markdown code fence if `markdown`).
    pub fn mermaid(&self, markdown: bool) -> String {
        cairn_pipeline::to_mermaid(&self.dag, markdown)
    }

    /// `{"stages": [...], "edges": [[producer, consumer], ...]}`.
    pub fn json(&self) -> serde_json::Value {
        let stages: Vec<_> = self
            .project
            .stages()
            .filter(|s| self.dag.index_of(&s.addressing).is_some())
            .collect();
        let edges: Vec<(&str, &str)> = self
            .dag
            .edges()
            .into_iter()
            .map(|(a, b)| (self.dag.nodes[a].as_str(), self.dag.nodes[b].as_str()))
            .collect();
        serde_json::json!({"stages": stages, "edges": edges})
    }
}

/// A stage in `cairn stage list`.
#[derive(Debug, Clone)]
pub struct StageLine {
    /// Its address (`train`, `sub/dvc.yaml:train`).
    pub address: String,
    /// The first line of its `desc`, else the outputs it makes.
    pub about: String,
}

/// A stage as `dvc stage add` takes it from the command line.
#[derive(Debug, Clone, Default)]
pub struct StageFlags {
    /// Its name.
    pub name: String,
    /// Replace a stage of the same name.
    pub force: bool,
    /// `-d`.
    pub deps: Vec<String>,
    /// `-p [FILE:]KEY,KEY`.
    pub params: Vec<String>,
    /// `-o`.
    pub outs: Vec<String>,
    /// `-O`.
    pub outs_no_cache: Vec<String>,
    /// `--outs-persist`.
    pub outs_persist: Vec<String>,
    /// `-m`.
    pub metrics: Vec<String>,
    /// `-M`.
    pub metrics_no_cache: Vec<String>,
    /// `--plots`.
    pub plots: Vec<String>,
    /// `--plots-no-cache`.
    pub plots_no_cache: Vec<String>,
    /// `-w`.
    pub wdir: Option<String>,
    /// `--always-changed`.
    pub always_changed: bool,
    /// `--desc`.
    pub desc: Option<String>,
    /// The command, as the words given after the flags.
    pub command: Vec<String>,
}

/// What `add_stage` wrote.
#[derive(Debug, Clone)]
pub struct StageAdded {
    /// The repo-relative `dvc.yaml` it went into.
    pub file: String,
    /// Whether it replaced a stage of the same name.
    pub replaced: bool,
}

impl Workspace {
    /// The stage graph; with `target`, only that stage and what it depends on.
    pub fn graph(&self, target: Option<&str>) -> Result<Graph> {
        let project = cairn_pipeline::load_project(self.root())?;
        let mut dag = cairn_pipeline::build_dag(&project)?;
        if let Some(t) = target {
            let i = dag.index_of(t).ok_or_else(|| {
                WorkspaceError::NotFound(format!(
                    "no stage named `{t}`; run `cairn dag` to list them"
                ))
            })?;
            let keep: HashSet<usize> = dag.repro_plan(&[i], false).into_iter().collect();
            dag = dag.subgraph(&keep);
        }
        Ok(Graph { project, dag })
    }

    /// The pipeline's stages (not the data sources), in file order.
    pub fn stages(&self) -> Result<Vec<StageLine>> {
        let project = cairn_pipeline::load_project(self.root())?;
        Ok(project
            .stages()
            .filter(|s| !s.data_source)
            .map(|s| StageLine {
                address: s.addressing.clone(),
                about: describe_stage(s),
            })
            .collect())
    }

    /// Adds a stage to the `dvc.yaml` of [`Workspace::cwd`], as `dvc stage add` does.
    pub fn add_stage(&self, flags: StageFlags) -> Result<StageAdded> {
        let dir = self
            .cwd
            .strip_prefix(self.root())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let file = if dir.is_empty() {
            "dvc.yaml".to_string()
        } else {
            format!("{dir}/dvc.yaml")
        };
        let out = |paths: &[String], kind: OutKind, cache: bool, persist: bool| {
            paths
                .iter()
                .map(move |p| NewOut {
                    path: p.clone(),
                    kind,
                    cache,
                    persist,
                })
                .collect::<Vec<_>>()
        };
        let mut outs = out(&flags.outs, OutKind::Out, true, false);
        outs.extend(out(&flags.outs_no_cache, OutKind::Out, false, false));
        outs.extend(out(&flags.outs_persist, OutKind::Out, true, true));
        outs.extend(out(&flags.metrics, OutKind::Metric, true, false));
        outs.extend(out(&flags.metrics_no_cache, OutKind::Metric, false, false));
        outs.extend(out(&flags.plots, OutKind::Plot, true, false));
        outs.extend(out(&flags.plots_no_cache, OutKind::Plot, false, false));
        let name = flags.name.clone();
        let stage = NewStage {
            name: flags.name,
            cmd: vec![command_line(&flags.command)],
            wdir: flags.wdir,
            deps: flags.deps,
            params: params_specs(&flags.params),
            outs,
            desc: flags.desc,
            always_changed: flags.always_changed,
        };
        let change = edit::plan(
            &LocalFs::new(self.root()),
            &Edit::AddStage {
                file: file.clone(),
                stage,
                force: flags.force,
            },
        )?;
        edit::write(self.root(), &change)?;
        let replaced = flags.force
            && change
                .before
                .as_deref()
                .is_some_and(|b| b.contains(&format!("{name}:")));
        Ok(StageAdded { file, replaced })
    }

    /// Removes stage `address` from its `dvc.yaml`, with its `dvc.lock` entry and
    /// `.gitignore` lines (its outputs stay), as `dvc remove` does.
    pub fn remove_stage(&self, address: &str) -> Result<()> {
        if address.ends_with(".dvc") {
            return Err(WorkspaceError::Invalid(format!(
                "`{address}` is data tracked by a .dvc file; `cairn remove` removes pipeline stages\n  hint: delete {address} and its line in .gitignore to stop tracking the data"
            )));
        }
        let change = edit::plan(
            &LocalFs::new(self.root()),
            &Edit::RemoveStage {
                stage: address.to_string(),
            },
        )?;
        edit::write(self.root(), &change)?;
        Ok(())
    }

    /// Freezes stage `address` (`frozen: true` in its `dvc.yaml`: `repro` leaves it
    /// alone) or unfreezes it, as `dvc freeze` / `dvc unfreeze` do.
    pub fn set_frozen(&self, address: &str, frozen: bool) -> Result<()> {
        if address.ends_with(".dvc") {
            return Err(WorkspaceError::Invalid(format!(
                "`{address}` is data tracked by a .dvc file; `cairn freeze` freezes pipeline stages"
            )));
        }
        let change = edit::plan(
            &LocalFs::new(self.root()),
            &Edit::SetFrozen {
                stage: address.to_string(),
                frozen,
            },
        )?;
        edit::write(self.root(), &change)?;
        Ok(())
    }

    /// Reproduces the pipeline: stale stages run (independent ones in parallel), each
    /// event goes to `sink`, and `dvc.lock` is updated.
    pub fn repro(&self, opts: &RunOptions, sink: Sink, cancel: &CancelToken) -> Result<RunSummary> {
        Ok(cairn_run::run(self.root(), opts, sink, cancel)?)
    }
}

/// The files a finished run changed that git should track: the `dvc.lock` and
/// `.gitignore` beside each pipeline file one of whose stages ran or was restored.
pub fn files_to_commit(summary: &RunSummary) -> Vec<String> {
    let mut dirs: Vec<String> = summary
        .stages
        .iter()
        .filter(|(_, o)| matches!(o, StageOutcome::Succeeded | StageOutcome::Restored))
        .map(|(s, _)| pipeline_dir(s).to_string())
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs.iter()
        .flat_map(|d| {
            let prefix = if d.is_empty() {
                String::new()
            } else {
                format!("{d}/")
            };
            [format!("{prefix}dvc.lock"), format!("{prefix}.gitignore")]
        })
        .collect()
}

/// The repo-relative folder of the `dvc.yaml` defining stage `address` (`""` for the
/// root one): where its `dvc.lock` and its outputs' `.gitignore` are.
pub fn pipeline_dir(address: &str) -> &str {
    match address.rsplit_once(':') {
        Some((file, _)) => file.rsplit_once('/').map_or("", |(d, _)| d),
        None => "",
    }
}

/// The repo-relative `dvc.lock` that records stage `address`.
pub fn lock_file_of(address: &str) -> String {
    match pipeline_dir(address) {
        "" => "dvc.lock".to_string(),
        dir => format!("{dir}/dvc.lock"),
    }
}

/// Command words as `dvc stage add` joins them: one word is the command as written;
/// several are quoted where a shell would split them.
fn command_line(words: &[String]) -> String {
    if words.len() < 2 {
        return words.join(" ");
    }
    words
        .iter()
        .map(|w| {
            if w.is_empty() {
                "\"\"".to_string()
            } else if w.contains(' ') && !w.contains('"') {
                format!("\"{w}\"")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `-p` values: `[FILE:]KEY,KEY` (no keys after `FILE:` means the whole file).
fn params_specs(specs: &[String]) -> Vec<ParamsSpec> {
    specs
        .iter()
        .map(|spec| {
            let (file, keys) = match spec.rsplit_once(':') {
                Some((f, k)) if !f.is_empty() => (Some(f.to_string()), k),
                Some((_, k)) => (None, k),
                None => (None, spec.as_str()),
            };
            ParamsSpec {
                file,
                keys: keys
                    .split(',')
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

/// What `dvc stage list` says about a stage: the first non-empty line of its `desc`, else
/// what it depends on or makes (`generate_description`), cut to 80 characters.
fn describe_stage(s: &cairn_pipeline::stage::Stage) -> String {
    use cairn_pipeline::stage::OutKind;
    let short = s
        .desc
        .as_deref()
        .and_then(|d| d.lines().find(|l| !l.is_empty()))
        .map(|l| l.trim().to_string());
    let text = short.unwrap_or_else(|| {
        // DVC's `stage.deps`: the paths, then one per params file.
        let deps: Vec<&str> = s
            .deps
            .iter()
            .map(|d| d.path.as_str())
            .chain(s.params.iter().map(|p| p.file.as_str()))
            .collect();
        let paths = |kinds: &[OutKind]| -> Vec<&str> {
            kinds
                .iter()
                .flat_map(|k| s.outs.iter().filter(move |o| o.kind == *k))
                .map(|o| o.path.as_str())
                .collect()
        };
        let (outs, reports) = (
            paths(&[OutKind::Out]),
            paths(&[OutKind::Metric, OutKind::Plot]),
        );
        if deps.is_empty() && s.outs.is_empty() {
            return "No outputs or dependencies".into();
        }
        if s.outs.is_empty() {
            return format!("Depends on {}", deps.join(", "));
        }
        let mut parts = Vec::new();
        if !outs.is_empty() {
            parts.push(format!("Outputs {}", outs.join(", ")));
        }
        if !reports.is_empty() {
            parts.push(format!("Reports {}", reports.join(", ")));
        }
        parts.join("; ")
    });
    // `truncate_text(desc, 80)`.
    if text.chars().count() > 80 {
        text.chars().take(79).chain(['…']).collect()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_params_are_read_like_dvc() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            command_line(&w(&["python train.py --x 1"])),
            "python train.py --x 1"
        );
        assert_eq!(
            command_line(&w(&["echo", "a b", "", "c\"d e"])),
            "echo \"a b\" \"\" c\"d e"
        );
        let p = params_specs(&w(&["lr,epochs", "other.yaml:a,b", "x.yaml:"]));
        assert_eq!(p[0].file, None);
        assert_eq!(p[0].keys, vec!["lr", "epochs"]);
        assert_eq!(p[1].file.as_deref(), Some("other.yaml"));
        assert_eq!(p[2].keys, Vec::<String>::new());
    }
}
