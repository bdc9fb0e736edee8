//! Experiments compatible with `dvc exp`, params and metrics at any revision, metric
//! series and comparison — the engine behind `cairn exp|metrics|params|plots|report|queue`
//! and the desktop app's comparison table and charts.
//!
//! - [`snapshot`]: one revision (git objects or the work tree) with DVC's view of files:
//!   cached outputs are read from `.dvc/cache` through `dvc.lock` hashes; a missing object
//!   is "not available (pull needed)", never a failure.
//! - [`collect`]: params, metrics, deps and outs of a revision in DVC's shape.
//! - [`cache`]: per-commit results of `exp show` (commits never change), like DVC's
//!   `.dvc/tmp/exps/cache`.
//! - [`show`]: `exp show` (baselines + experiments from `refs/exps`), DVC's JSON.
//! - [`run`]: `exp run` recording commits exactly as DVC's executor does.
//! - [`overrides`] / [`yamledit`] / [`tomledit`] / [`pyedit`]: `-S` overrides, sweeps,
//!   DVC-identical params rewriting.
//! - [`queue`]: queued experiments run in parallel git worktrees.
//! - [`dvc_queue`]: experiments `dvc exp run --queue` queued (celery messages + stash
//!   commits), shown by `exp show` and `queue status` as DVC shows them.
//! - [`manage`]: apply, branch, remove, rename, list.
//! - [`diff`]: `metrics diff`, `params diff`, `exp diff`, trends across history.
//! - [`series`]: step series (DVCLive `.tsv`, CSV/TSV/JSON/JSONL plots) and min/max
//!   decimation for a pixel width; [`summary`]: a series' min, max or value at a step.
//! - [`render`] / [`report`]: PNG/SVG charts (plotters) and the Markdown report.

pub mod cache;
pub mod collect;
pub mod diff;
pub mod dvc_queue;
pub mod error;
pub mod images;
pub mod live;
mod logdirs;
pub mod manage;
pub mod mlflow;
pub mod names;
pub mod overrides;
pub mod pyedit;
pub mod pyvalue;
pub mod queue;
pub mod refs;
pub mod registry;
pub mod render;
pub mod report;
pub mod run;
pub mod series;
pub mod show;
pub mod show_table;
pub mod snapshot;
pub mod summary;
mod tail;
pub mod tensorboard;
pub mod tomledit;
pub mod wandb;
mod words;
pub mod worker;
pub mod yamledit;

pub use error::ExpError;
