//! The experiments table and the metric series its charts draw, read through
//! `cairn-exp` — the same data `cairn exp show` and `dvc exp show` print.

use cairn_exp::collect::{ExpData, FileResult, flatten};
use cairn_exp::show::{RevState, ShowOptions, ShowResult};
use indexmap::IndexMap;
use serde_json::Value;

use crate::dto::*;
use crate::error::ApiResult;
use crate::imported::{self, Imported};
use crate::{Api, project_root};

/// The row id of the work tree.
const WORKSPACE: &str = "workspace";
/// The most commits of history a table asks for per branch: every one is read from git
/// with its params and metrics files.
const MAX_COMMITS: u32 = 500;

impl Api {
    /// `list_experiments`: the workspace, `HEAD` (or the asked commits of history, of
    /// every branch if asked) and the experiments based on each, with every param and
    /// metric as a column, then the asked stats of every step series.
    pub fn list_experiments(&self, args: ListExperimentsArgs) -> ApiResult<ExperimentsView> {
        let root = project_root(&args.project)?;
        let shown = cairn_exp::show::show(
            &root,
            &ShowOptions {
                num: args.commits.unwrap_or(1).clamp(1, MAX_COMMITS) as usize,
                all_branches: args.all_branches.unwrap_or(false),
                ..Default::default()
            },
        )?;
        let mut view = table(&shown, imported::rows(&root));
        // Notes are an extra: a repository whose notes cannot be read still lists.
        let notes = cairn_git::Git::discover(&root)
            .and_then(|g| g.notes())
            .unwrap_or_default();
        for row in &mut view.rows {
            row.note = notes.get(&row.id).map(|n| n.trim().to_string());
        }
        if let Some(stats) = args.series.filter(|s| !s.is_empty()) {
            add_series_columns(&root, &mut view, &stats)?;
        }
        Ok(view)
    }

    /// `set_note`: writes (or, blank, removes) the note on a row's commit.
    pub fn set_note(&self, args: NoteArgs) -> ApiResult<()> {
        let root = project_root(&args.project)?;
        if args.commit == WORKSPACE {
            return Err(crate::error::ApiError::new(
                crate::error::ErrorCode::InvalidArguments,
                "the work tree has no commit to note yet: save a version or run an experiment first",
            ));
        }
        crate::workspace::Workspace::at(&root)?.set_note(&args.commit, &args.note)?;
        Ok(())
    }

    /// `metric_series`: the step series of the given rows, decimated for a chart.
    pub fn metric_series(&self, args: SeriesArgs) -> ApiResult<Vec<RevSeriesView>> {
        let root = project_root(&args.project)?;
        let (runs, revs): (Vec<&String>, Vec<&String>) =
            args.revs.iter().partition(|r| imported::is_imported(r));
        let revs: Vec<Option<String>> = revs
            .into_iter()
            .map(|r| (r != WORKSPACE).then(|| r.clone()))
            .collect();
        let width = args.width.clamp(16, 8192) as usize;
        let mut loaded: Vec<(String, Vec<cairn_exp::series::Series>)> =
            cairn_exp::series::compare(&root, &revs, &args.names, width, None)?
                .into_iter()
                .map(|(rev, series)| (rev.unwrap_or_else(|| WORKSPACE.to_string()), series))
                .collect();
        for id in runs {
            let series = imported::series(&root, id)
                .into_iter()
                .filter(|s| args.names.is_empty() || args.names.contains(&s.name))
                .map(|mut s| {
                    s.points = cairn_exp::series::decimate(&s.points, width, None);
                    s
                })
                .collect();
            loaded.push((id.clone(), series));
        }
        // In the order asked.
        loaded.sort_by_key(|(rev, _)| args.revs.iter().position(|r| r == rev));
        Ok(loaded
            .into_iter()
            .map(|(rev, series)| RevSeriesView {
                rev,
                series: series
                    .into_iter()
                    .map(|s| SeriesLine {
                        name: s.name,
                        file: s.file,
                        xs: s.points.iter().map(|p| p.0).collect(),
                        ys: s.points.iter().map(|p| p.1).collect(),
                    })
                    .collect(),
            })
            .collect())
    }
}

impl Api {
    /// `plot_images`: the image plots (declared in the pipeline, or DVCLive's) of each row.
    pub fn plot_images(&self, args: PlotImagesArgs) -> ApiResult<Vec<RevImagesView>> {
        let root = project_root(&args.project)?;
        let git = args
            .revs
            .iter()
            .any(|r| r != WORKSPACE && !imported::is_imported(r))
            .then(|| cairn_git::Git::discover(&root))
            .transpose()?;
        let mut out = Vec::new();
        for rev in &args.revs {
            if imported::is_imported(rev) {
                // MLflow's logged images are artifacts, TensorBoard's are not plots of
                // a commit: none here.
                out.push(RevImagesView {
                    rev: rev.clone(),
                    images: Vec::new(),
                });
                continue;
            }
            let at = (rev != WORKSPACE).then_some(rev.as_str());
            let images = cairn_exp::images::load(&root, git.as_ref(), at)?
                .into_iter()
                .map(|(path, bytes)| {
                    let (url, error) = match bytes {
                        Ok(b) if b.len() as u64 > crate::preview::MAX_IMAGE => (
                            None,
                            Some(format!("{} MiB: too large to show here", b.len() >> 20)),
                        ),
                        Ok(b) => (crate::preview::image_data_url(&path, &b), None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                    PlotImage { path, url, error }
                })
                .collect();
            out.push(RevImagesView {
                rev: rev.clone(),
                images,
            });
        }
        Ok(out)
    }
}

/// One row before its values are laid out in column order.
struct Pending<'a> {
    row: ExpRow,
    data: Option<&'a ExpData>,
}

/// `gpu-box` from `ssh://me@gpu-box:2222/srv/cairn`.
fn worker_host(url: &str) -> String {
    let authority = url
        .strip_prefix("ssh://")
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.rsplit_once(':').map_or(host, |(h, _)| h).to_string()
}

/// Lays `shown`, then `imported`, out as a table: one column per param and metric key
/// any row has.
fn table(shown: &ShowResult, imported: Vec<Imported>) -> ExperimentsView {
    let mut pending = Vec::new();
    if let Some(w) = &shown.workspace {
        pending.push(pending_row(w, ExpRowKind::Workspace, None, "success"));
    }
    for b in &shown.baselines {
        pending.push(pending_row(&b.state, ExpRowKind::Baseline, None, "success"));
        for e in &b.experiments {
            let Some(tip) = e.revs.first() else { continue };
            let status = e
                .executor
                .as_ref()
                .and_then(|x| x.get("state"))
                .and_then(Value::as_str)
                .unwrap_or("success");
            let mut p = pending_row(tip, ExpRowKind::Experiment, Some(&b.state.rev), status);
            if !e.name.is_empty() {
                p.row.name = e.name.clone();
            }
            p.row.worker = e
                .executor
                .as_ref()
                .and_then(|x| x.get("worker"))
                .and_then(Value::as_str)
                .map(worker_host);
            pending.push(p);
        }
    }
    // Column order: params, then metrics; files and keys in the order first seen.
    let mut columns: IndexMap<(bool, String, String), ()> = IndexMap::new();
    let (imported_rows, imported_cells): (Vec<ExpRow>, Vec<_>) = imported.into_iter().unzip();
    let flat: Vec<IndexMap<(bool, String, String), Value>> = pending
        .iter()
        .map(|p| {
            let mut cells = IndexMap::new();
            if let Some(d) = p.data {
                for (is_metric, files) in [(false, &d.params), (true, &d.metrics)] {
                    for (file, result) in files {
                        let FileResult::Data(v) = result else {
                            continue;
                        };
                        let mut keys = IndexMap::new();
                        flatten("", v, &mut keys);
                        for (k, v) in keys {
                            cells.insert((is_metric, file.clone(), k), v);
                        }
                    }
                }
            }
            cells
        })
        .chain(imported_cells)
        .collect();
    for cells in &flat {
        for key in cells.keys() {
            columns.entry(key.clone()).or_default();
        }
    }
    columns.sort_by(|a, _, b, _| a.0.cmp(&b.0));
    let rows = pending
        .into_iter()
        .map(|p| p.row)
        .chain(imported_rows)
        .zip(&flat)
        .map(|(mut row, cells)| {
            row.values = columns.keys().map(|k| cells.get(k).map(cell)).collect();
            row
        })
        .collect();
    ExperimentsView {
        columns: columns
            .into_keys()
            .map(|(is_metric, file, key)| ExpColumn {
                kind: if is_metric {
                    ExpColumnKind::Metric
                } else {
                    ExpColumnKind::Param
                },
                file,
                key,
                stat: None,
            })
            .collect(),
        rows,
    }
}

/// Appends one column per step series and stat (series in the order first seen, row by
/// row), filled from each row's series. A row whose series cannot be read (an experiment
/// removed meanwhile) gets empty cells rather than failing the table.
fn add_series_columns(
    root: &std::path::Path,
    view: &mut ExperimentsView,
    stats: &[SeriesStat],
) -> ApiResult<()> {
    let revs: Vec<Option<String>> = view
        .rows
        .iter()
        .map(|r| (r.kind != ExpRowKind::Workspace).then(|| r.id.clone()))
        .collect();
    let loaded: Vec<Vec<cairn_exp::series::Series>> = cairn_exp::series::load_revs(root, &revs)?
        .into_iter()
        .zip(&view.rows)
        .map(|(series, row)| match imported::is_imported(&row.id) {
            true => imported::series(root, &row.id),
            false => series.unwrap_or_default(),
        })
        .collect();
    let mut names: IndexMap<&str, &str> = IndexMap::new();
    for s in loaded.iter().flatten() {
        names.entry(&s.name).or_insert(&s.file);
    }
    for (name, file) in &names {
        for stat in stats {
            view.columns.push(ExpColumn {
                kind: ExpColumnKind::Series,
                file: file.to_string(),
                key: name.to_string(),
                stat: Some(*stat),
            });
        }
    }
    for (row, series) in view.rows.iter_mut().zip(&loaded) {
        for name in names.keys() {
            let found = series.iter().find(|s| s.name == *name);
            for stat in stats {
                let value =
                    found.and_then(|s| cairn_exp::summary::summarize(s, engine_stat(*stat)));
                row.values.push(value.map(|v| ExpCell {
                    text: cairn_exp::pyvalue::py_str(&Value::from(v.value)),
                    num: Some(v.value),
                    step: Some(v.step),
                }));
            }
        }
    }
    Ok(())
}

fn engine_stat(stat: SeriesStat) -> cairn_exp::summary::Stat {
    match stat {
        SeriesStat::Min => cairn_exp::summary::Stat::Min,
        SeriesStat::Max => cairn_exp::summary::Stat::Max,
        SeriesStat::At { step } => cairn_exp::summary::Stat::At(step),
    }
}

fn pending_row<'a>(
    state: &'a RevState,
    kind: ExpRowKind,
    baseline: Option<&str>,
    status: &str,
) -> Pending<'a> {
    let short = || state.rev.get(..7).unwrap_or(&state.rev).to_string();
    Pending {
        row: ExpRow {
            source: None,
            worker: None,
            id: state.rev.clone(),
            name: match kind {
                ExpRowKind::Workspace => WORKSPACE.to_string(),
                _ => state.name.clone().unwrap_or_else(short),
            },
            kind,
            baseline: baseline.map(str::to_string),
            created: state.data.as_ref().and_then(|d| d.timestamp.clone()),
            status: status.to_string(),
            error: state.error.as_ref().map(|(_, msg)| msg.clone()),
            values: Vec::new(),
            note: None,
        },
        data: state.data.as_ref(),
    }
}

/// A value as Python prints it (strings bare), with its number when it is one.
fn cell(v: &Value) -> ExpCell {
    ExpCell {
        text: match v {
            Value::String(s) => s.clone(),
            other => cairn_exp::pyvalue::py_str(other),
        },
        num: v.as_f64(),
        step: None,
    }
}
