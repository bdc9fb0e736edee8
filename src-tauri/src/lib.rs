//! The Cairn desktop app: a thin Tauri shell with no behaviour of its own.
//!
//! - one command, `api(command, args)`, forwards to [`cairn_api::dispatch`] on a blocking
//!   thread (the same entry point `cairn ui` serves over HTTP);
//! - one event bridge forwards every [`cairn_api::ApiEvent`] to the webview as
//!   `cairn://event`;
//! - the dialog plugin, for the native folder picker of "Add folder…" (only its `open`
//!   command is granted).
//!
//! `cairn-desktop [PROJECT | --demo]` opens PROJECT (or the bundled demo) first; on first
//! launch the demo project is installed and opened.

use cairn_api::{Api, ApiConfig, ApiError, ErrorCode};
use tauri::{Emitter, Manager, Runtime, State};
use tokio::sync::broadcast::error::RecvError;

/// The only command: runs cairn-api command `command` with JSON `args`.
#[tauri::command]
async fn api(
    state: State<'_, Api>,
    command: String,
    args: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    let api = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || cairn_api::dispatch(&api, &command, args))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
}

/// Forwards API events to the webview until the app exits.
fn bridge_events<R: Runtime>(app: &tauri::AppHandle<R>, api: &Api) {
    let handle = app.clone();
    let mut rx = api.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(event) => {
                    let _ = handle.emit("cairn://event", &event);
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Builds the app on any runtime (the tests use the mock runtime).
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>, context: Api) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(context)
        .invoke_handler(tauri::generate_handler![api])
        .setup(|app| {
            let context = app.state::<Api>().inner().clone();
            bridge_events(app.handle(), &context);
            Ok(())
        })
}

/// Starts the desktop app.
pub fn run() {
    let arg = std::env::args_os().nth(1);
    let open_demo = arg.as_deref() == Some(std::ffi::OsStr::new("--demo"));
    let project = arg
        .filter(|_| !open_demo)
        .map(std::path::PathBuf::from)
        .and_then(|p| p.canonicalize().ok());
    let api = match Api::new(ApiConfig {
        data_dir: None,
        initial_project: project,
        install_demo: true,
        open_demo,
    }) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("cairn-desktop: cannot start: {e}");
            std::process::exit(1);
        }
    };
    build_app(tauri::Builder::default(), api)
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}
