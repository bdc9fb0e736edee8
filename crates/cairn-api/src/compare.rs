//! Comparison across projects: each project's experiments table, laid out in one set of
//! columns so the same param or metric of several repositories lines up.

use indexmap::IndexMap;

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::projects::name_of;
use crate::{Api, project_root};

/// The most projects one comparison reads (each is a full experiments table).
const MAX_PROJECTS: usize = 50;

impl Api {
    /// `compare_projects`: the asked projects' `HEAD` (and experiments) side by side.
    /// A project that cannot be read is named with its error; the others still compare.
    pub fn compare_projects(&self, args: CompareProjectsArgs) -> ApiResult<ProjectsComparison> {
        if args.projects.is_empty() || args.projects.len() > MAX_PROJECTS {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                format!(
                    "compare 1 to {MAX_PROJECTS} projects ({} asked)",
                    args.projects.len()
                ),
            ));
        }
        let mut projects = Vec::new();
        let mut tables = Vec::new();
        for path in &args.projects {
            let root = match project_root(path) {
                Ok(root) => root,
                Err(e) => {
                    projects.push(ComparedProject {
                        path: path.clone(),
                        name: name_of(std::path::Path::new(path)),
                        error: Some(e.message),
                    });
                    continue;
                }
            };
            let key = root.to_string_lossy().into_owned();
            let listed = self.list_experiments(ListExperimentsArgs {
                project: key.clone(),
                series: None,
                commits: None,
                all_branches: None,
            });
            projects.push(ComparedProject {
                path: key.clone(),
                name: name_of(&root),
                error: listed.as_ref().err().map(|e| e.message.clone()),
            });
            if let Ok(view) = listed {
                tables.push((key, view));
            }
        }
        Ok(merge(tables, args.experiments.unwrap_or(false), projects))
    }
}

/// Lays every project's rows out in the union of their columns (params before metrics).
fn merge(
    tables: Vec<(String, ExperimentsView)>,
    experiments: bool,
    projects: Vec<ComparedProject>,
) -> ProjectsComparison {
    let id = |c: &ExpColumn| {
        (
            c.kind != ExpColumnKind::Param,
            c.file.clone(),
            c.key.clone(),
        )
    };
    let mut columns: IndexMap<(bool, String, String), ExpColumn> = IndexMap::new();
    for (_, view) in &tables {
        for c in &view.columns {
            columns.entry(id(c)).or_insert_with(|| c.clone());
        }
    }
    columns.sort_by(|a, _, b, _| a.0.cmp(&b.0));
    let mut rows = Vec::new();
    for (project, view) in tables {
        let at: Vec<usize> = view
            .columns
            .iter()
            .map(|c| {
                columns
                    .get_index_of(&id(c))
                    .expect("every column was added")
            })
            .collect();
        let head = view
            .rows
            .iter()
            .find(|r| r.kind == ExpRowKind::Baseline)
            .cloned();
        for mut row in view.rows {
            let keep = match row.kind {
                // The work tree only when it holds results `HEAD` does not.
                ExpRowKind::Workspace => head.as_ref().is_none_or(|h| h.values != row.values),
                ExpRowKind::Baseline => true,
                ExpRowKind::Experiment => experiments,
            };
            if !keep {
                continue;
            }
            let mut values = vec![None; columns.len()];
            for (v, &i) in row.values.drain(..).zip(&at) {
                values[i] = v;
            }
            row.values = values;
            rows.push(ComparedRow {
                project: project.clone(),
                row,
            });
        }
    }
    ProjectsComparison {
        projects,
        columns: columns.into_values().collect(),
        rows,
    }
}
