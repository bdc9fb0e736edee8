//! The one typed application API of Cairn: every use case the desktop app, `cairn ui`
//! (browser mode) and the `cairn` CLI offer, as plain synchronous functions over an [`Api`]
//! context, with serialisable DTOs ([`dto`]) whose TypeScript twins are generated into
//! `ui/src/ipc/bindings.ts` ([`bindings`]).
//!
//! How a frontend uses it:
//! - commands go through [`dispatch`]`(api, name, json)`: one generic entry point that
//!   adapters (a single Tauri command, `POST /api/<name>`) forward to. The list of commands
//!   is written once, in [`commands`], and also generates the TypeScript command map, so
//!   `call("get_pipeline", {project})` is typed end to end;
//! - events (run progress, output lines, file changes) arrive on [`Api::subscribe`] as
//!   [`ApiEvent`]s; adapters forward them (Tauri events, server-sent events);
//! - every failure is an [`ApiError`] with a closed [`ErrorCode`] and, when the problem is
//!   in a file, its path and line.
//!
//! State kept here: the data dir (`$CAIRN_DATA_DIR`, else `$XDG_DATA_HOME/cairn`, else
//! `~/.local/share/cairn`), the SQLite projects index with its trust list ([`index`]), the
//! runs in progress and the file watchers of open projects. No tauri, clap or axum here.

pub mod bindings;
pub mod clone;
pub mod commands;
pub mod compare;
pub mod create;
pub mod data;
pub mod demo;
pub mod dto;
pub mod edit;
pub mod error;
pub mod events;
pub mod exp_actions;
pub mod experiments;
mod imported;
pub mod index;
pub mod models;
pub mod pipeline;
pub mod preview;
pub mod projects;
mod pyenv;
pub mod remotes;
pub mod runs;
mod tasks;
mod watch;
pub mod workspace;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub use commands::{COMMANDS, dispatch};
pub use error::{ApiError, ApiResult, ErrorCode};
pub use events::{ApiEvent, EventBus};

use crate::index::ProjectIndex;

/// How to start the API.
#[derive(Debug, Clone, Default)]
pub struct ApiConfig {
    /// Where Cairn keeps its index, run records and the demo; `None`: [`default_data_dir`].
    pub data_dir: Option<PathBuf>,
    /// A project to add and open first (`--project`).
    pub initial_project: Option<PathBuf>,
    /// Install and open the demo project on first launch (empty projects index).
    pub install_demo: bool,
    /// Install the demo if absent and open it, whatever the index holds (`--demo`).
    pub open_demo: bool,
}

/// Where Cairn keeps per-user data: `$CAIRN_DATA_DIR`, else `$XDG_DATA_HOME/cairn`, else
/// `~/.local/share/cairn` (the same place as the run records).
pub fn default_data_dir() -> PathBuf {
    cairn_run::records::data_dir()
}

/// The application context. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Api {
    inner: Arc<Inner>,
}

struct Inner {
    data_dir: PathBuf,
    index: Mutex<ProjectIndex>,
    events: EventBus,
    initial_project: Option<String>,
    runs: Mutex<HashMap<String, runs::ActiveRun>>,
    watchers: Mutex<HashMap<String, watch::Watcher>>,
    /// Pipeline edits that can be undone, per project root, oldest first.
    edits: Mutex<HashMap<String, Vec<cairn_pipeline::edit::Change>>>,
    /// Cancel flags of the cancellable tasks in progress, by task id.
    tasks: Mutex<HashMap<String, Arc<std::sync::atomic::AtomicBool>>>,
}

impl Api {
    /// Opens the data dir and the projects index; adds `initial_project`, or installs the
    /// demo on first launch when asked.
    pub fn new(cfg: ApiConfig) -> ApiResult<Api> {
        let data_dir = cfg.data_dir.unwrap_or_else(default_data_dir);
        std::fs::create_dir_all(&data_dir).map_err(|e| error::io_error(&data_dir, e))?;
        let index = ProjectIndex::open(&data_dir.join("cairn.db"))?;
        let first_launch = index.list()?.is_empty();
        let mut api = Api {
            inner: Arc::new(Inner {
                data_dir: data_dir.clone(),
                index: Mutex::new(index),
                events: EventBus::default(),
                initial_project: None,
                runs: Mutex::new(HashMap::new()),
                watchers: Mutex::new(HashMap::new()),
                edits: Mutex::new(HashMap::new()),
                tasks: Mutex::new(HashMap::new()),
            }),
        };
        let initial = if let Some(p) = cfg.initial_project {
            Some(api.add_project(dto::PathArgs {
                path: p.to_string_lossy().into_owned(),
            })?)
        } else if cfg.open_demo || (cfg.install_demo && first_launch) {
            Some(api.install_demo(dto::NoArgs {})?)
        } else {
            None
        };
        if let Some(p) = initial {
            Arc::get_mut(&mut api.inner)
                .expect("not shared yet")
                .initial_project = Some(p.path);
        }
        Ok(api)
    }

    /// Where Cairn keeps its data.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Receives every event from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<ApiEvent> {
        self.inner.events.subscribe()
    }

    pub(crate) fn emit(&self, e: ApiEvent) {
        self.inner.events.emit(e);
    }

    pub(crate) fn tasks(
        &self,
    ) -> MutexGuard<'_, HashMap<String, Arc<std::sync::atomic::AtomicBool>>> {
        self.inner
            .tasks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn index(&self) -> MutexGuard<'_, ProjectIndex> {
        self.inner
            .index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `app_info`: version, data dir and the project to open first.
    pub fn app_info(&self, _: dto::NoArgs) -> ApiResult<dto::AppInfo> {
        Ok(dto::AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.inner.data_dir.display().to_string(),
            initial_project: self.inner.initial_project.clone(),
            clone_folder: self.clone_folder(),
        })
    }
}

/// Resolves a project argument to its canonical root, checking it exists.
pub(crate) fn project_root(project: &str) -> ApiResult<PathBuf> {
    let p = Path::new(project);
    if !p.is_absolute() {
        return Err(ApiError::new(
            ErrorCode::InvalidArguments,
            format!("project path must be absolute: {project}"),
        ));
    }
    p.canonicalize()
        .map_err(|_| ApiError::not_found(format!("{project}: the folder does not exist")))
}
