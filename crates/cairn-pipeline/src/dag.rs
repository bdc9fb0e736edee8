//! The stage graph, built and checked like `dvc/repo/graph.py` and `dvc/repo/trie.py`.
//!
//! A stage depends on another when one of its deps (files, directories or params files)
//! equals, lies inside, or contains one of the other's outputs. Outputs are checked first:
//! the same path in two places, or one output inside another's directory, is an error, as
//! is a `dvc.yaml` inside an output directory. A cycle (including a stage that depends on
//! its own output) is an error naming the stages on it.
//!
//! Nodes are stage indexes in project order; `deps_of[i]` lists the stages `i` depends on in
//! the order DVC's `networkx.DiGraph` stores them, so [`Dag::postorder`] reproduces
//! `networkx.dfs_postorder_nodes`, which is DVC's execution order.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::error::{Location, PipelineError};
use crate::fs::url_scheme;
use crate::project::Project;
use crate::stage::Stage;

/// The stage dependency graph of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dag {
    /// Stage addresses, in project order (node `i` is `nodes[i]`).
    pub nodes: Vec<String>,
    /// For each stage, the stages producing its deps (edge direction as in DVC's graph).
    pub deps_of: Vec<Vec<usize>>,
    /// Whether each stage is frozen (repro cuts a frozen stage from its deps).
    pub frozen: Vec<bool>,
}

/// Where an output was declared.
#[derive(Clone)]
struct OutRef {
    stage: usize,
    path: String,
}

/// Output paths as component lists, like DVC's trie keyed by path parts.
struct OutsTrie {
    map: BTreeMap<String, OutRef>,
}

impl OutsTrie {
    fn descendants(&self, key: &str) -> impl Iterator<Item = &OutRef> {
        let (lo, hi) = if key.is_empty() {
            (String::new(), String::from("\u{10FFFF}"))
        } else {
            (format!("{key}/"), format!("{key}0"))
        };
        self.map
            .range(lo..hi)
            .filter(move |(k, _)| k.as_str() != key)
            .map(|(_, v)| v)
    }

    /// Outputs equal to `key` or containing it, shortest first.
    fn ancestors(&self, key: &str) -> Vec<&OutRef> {
        let mut out = Vec::new();
        if let Some(v) = self.map.get("") {
            out.push(v);
        }
        let mut idx = 0;
        while idx <= key.len() && !key.is_empty() {
            let end = key[idx..].find('/').map(|p| idx + p).unwrap_or(key.len());
            if let Some(v) = self.map.get(&key[..end]) {
                out.push(v);
            }
            idx = end + 1;
        }
        out
    }
}

/// The graph key of a path: normalised repo-relative for local paths, the URL otherwise.
fn key_of(stage: &Stage, path: &str) -> String {
    if url_scheme(path).is_some() {
        return format!("\u{0}{path}");
    }
    stage.dep_repo_path(path).unwrap_or_default()
}

/// Builds and checks the graph of all stages of `project`.
pub fn build_dag(project: &Project) -> Result<Dag, PipelineError> {
    let stages: Vec<&Stage> = project.stages().collect();
    let mut trie = OutsTrie {
        map: BTreeMap::new(),
    };
    for (si, stage) in stages.iter().enumerate() {
        for out in &stage.outs {
            let key = key_of(stage, &out.path);
            let shown = if key.starts_with('\u{0}') {
                out.path.clone()
            } else {
                key.clone()
            };
            let at = Location::new(&stage.dvcfile, out.line, 0);
            if let Some(prev) = trie.map.get(&key) {
                let mut names = vec![stages[prev.stage].addressing.clone()];
                if prev.stage != si {
                    names.push(stage.addressing.clone());
                }
                return Err(PipelineError::DuplicateOutput {
                    at,
                    path: shown,
                    stages: names,
                });
            }
            let overlap = match trie.descendants(&key).next() {
                Some(child) => Some((shown.clone(), si, child.path.clone(), child.stage)),
                None => trie
                    .ancestors(&key)
                    .first()
                    .map(|p| (p.path.clone(), p.stage, shown.clone(), si)),
            };
            if let Some((parent, ps, child, cs)) = overlap {
                return Err(PipelineError::OverlappingOutputs {
                    at,
                    parent,
                    parent_stage: stages[ps].addressing.clone().into(),
                    child,
                    child_stage: stages[cs].addressing.clone().into(),
                });
            }
            trie.map.insert(
                key,
                OutRef {
                    stage: si,
                    path: shown,
                },
            );
        }
    }

    for stage in &stages {
        if let Some(out) = trie.ancestors(&stage.dvcfile).first() {
            return Err(PipelineError::StageInsideOutput {
                dvcfile: stage.dvcfile.clone(),
                stage: stage.addressing.clone(),
                out: out.path.clone(),
            });
        }
    }

    let mut deps_of: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
    for (si, stage) in stages.iter().enumerate() {
        let mut keys: Vec<String> = stage.deps.iter().map(|d| key_of(stage, &d.path)).collect();
        keys.extend(stage.params_repo_paths());
        for key in keys {
            let mut producers: Vec<usize> = trie.ancestors(&key).iter().map(|o| o.stage).collect();
            producers.extend(trie.descendants(&key).map(|o| o.stage));
            for p in producers {
                if !deps_of[si].contains(&p) {
                    deps_of[si].push(p);
                }
            }
        }
    }

    let dag = Dag {
        nodes: stages.iter().map(|s| s.addressing.clone()).collect(),
        deps_of,
        frozen: stages.iter().map(|s| s.frozen).collect(),
    };
    if let Some(cycle) = dag.find_cycle() {
        return Err(PipelineError::Cycle {
            stages: cycle.iter().map(|&i| dag.nodes[i].clone()).collect(),
        });
    }
    Ok(dag)
}

impl Dag {
    /// The graph restricted to `keep` (node order preserved, indexes renumbered).
    pub fn subgraph(&self, keep: &HashSet<usize>) -> Dag {
        let old: Vec<usize> = (0..self.nodes.len()).filter(|i| keep.contains(i)).collect();
        let new_index: std::collections::HashMap<usize, usize> =
            old.iter().enumerate().map(|(n, &o)| (o, n)).collect();
        Dag {
            nodes: old.iter().map(|&o| self.nodes[o].clone()).collect(),
            deps_of: old
                .iter()
                .map(|&o| {
                    self.deps_of[o]
                        .iter()
                        .filter_map(|d| new_index.get(d).copied())
                        .collect()
                })
                .collect(),
            frozen: old.iter().map(|&o| self.frozen[o]).collect(),
        }
    }

    /// Edges as `(producer, consumer)` pairs in the order `dvc dag --dot` prints them:
    /// producers in node order, each with its consumers in node order.
    pub fn edges(&self) -> Vec<(usize, usize)> {
        let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (c, producers) in self.deps_of.iter().enumerate() {
            for &p in producers {
                consumers[p].push(c);
            }
        }
        consumers
            .iter()
            .enumerate()
            .flat_map(|(p, cs)| cs.iter().map(move |&c| (p, c)))
            .collect()
    }

    /// Index of a stage by address.
    pub fn index_of(&self, addressing: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n == addressing)
    }

    /// Finds a cycle by depth-first search from each node in order (like
    /// `networkx.find_cycle`); returns it with the first node repeated at the end.
    pub fn find_cycle(&self) -> Option<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut mark = vec![Mark::New; self.nodes.len()];
        for start in 0..self.nodes.len() {
            if mark[start] != Mark::New {
                continue;
            }
            let mut path: Vec<(usize, usize)> = vec![(start, 0)];
            mark[start] = Mark::Active;
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                if let Some(&succ) = self.deps_of[node].get(*next) {
                    *next += 1;
                    match mark[succ] {
                        Mark::New => {
                            mark[succ] = Mark::Active;
                            path.push((succ, 0));
                        }
                        Mark::Active => {
                            let pos = path.iter().position(|(n, _)| *n == succ).unwrap_or(0);
                            let mut cycle: Vec<usize> =
                                path[pos..].iter().map(|(n, _)| *n).collect();
                            cycle.push(succ);
                            return Some(cycle);
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    path.pop();
                }
            }
        }
        None
    }

    /// `networkx.dfs_postorder_nodes` over the subgraph induced by `only` (all nodes if
    /// `None`): dependencies before dependents, roots taken in node order.
    pub fn postorder(&self, only: Option<&HashSet<usize>>, cut_frozen: bool) -> Vec<usize> {
        let included = |n: usize| only.is_none_or(|s| s.contains(&n));
        let succ = |n: usize| -> &[usize] {
            if cut_frozen && self.frozen[n] {
                &[]
            } else {
                &self.deps_of[n]
            }
        };
        let mut seen = vec![false; self.nodes.len()];
        let mut order = Vec::new();
        for start in 0..self.nodes.len() {
            if seen[start] || !included(start) {
                continue;
            }
            seen[start] = true;
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let s = succ(node);
                if let Some(&child) = s.get(*next) {
                    *next += 1;
                    if included(child) && !seen[child] {
                        seen[child] = true;
                        stack.push((child, 0));
                    }
                } else {
                    order.push(node);
                    stack.pop();
                }
            }
        }
        order
    }

    /// DVC's `plan_repro`: the stages to visit for `targets` (everything if empty), in
    /// execution order, with frozen stages cut from their deps; `downstream` follows
    /// dependents instead of dependencies.
    pub fn repro_plan(&self, targets: &[usize], downstream: bool) -> Vec<usize> {
        if targets.is_empty() {
            return self.postorder(None, true);
        }
        let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (c, ps) in self.deps_of.iter().enumerate() {
            if self.frozen[c] {
                continue;
            }
            for &p in ps {
                reverse[p].push(c);
            }
        }
        let mut keep = HashSet::new();
        for &t in targets {
            let mut stack = vec![t];
            while let Some(n) = stack.pop() {
                if !keep.insert(n) {
                    continue;
                }
                let next: &[usize] = if downstream {
                    &reverse[n]
                } else if self.frozen[n] {
                    &[]
                } else {
                    &self.deps_of[n]
                };
                stack.extend(next.iter().copied());
            }
        }
        self.postorder(Some(&keep), true)
    }
}

/// Checks that every local dep and output of every stage stays inside the repository.
/// DVC itself accepts `../` paths (as external data), so loading does not enforce this;
/// commands that write outputs should.
pub fn check_paths_inside_repo(project: &Project) -> Result<(), PipelineError> {
    for stage in project.stages() {
        let paths = stage
            .deps
            .iter()
            .map(|d| (&d.path, d.line))
            .chain(stage.outs.iter().map(|o| (&o.path, o.line)));
        for (path, line) in paths {
            if url_scheme(path).is_some() {
                continue;
            }
            let key = stage.dep_repo_path(path).unwrap_or_default();
            if crate::fs::outside_repo(path, &key) {
                return Err(PipelineError::PathOutsideRepo {
                    at: Location::new(&stage.dvcfile, line, 0),
                    stage: stage.addressing.clone(),
                    path: path.clone(),
                });
            }
        }
    }
    Ok(())
}
