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

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;

    fn invoke(
        webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        invoke_cmd(webview, "api", body)
    }

    fn invoke_cmd(
        webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        cmd: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        get_ipc_response(
            webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<serde_json::Value>().unwrap())
    }

    #[test]
    fn the_api_command_is_allowed_for_the_main_window_and_forwards_to_cairn_api() {
        let dir = tempfile::tempdir().unwrap();
        let api = Api::new(ApiConfig {
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        })
        .unwrap();
        let app = build_app(mock_builder(), api)
            .build(tauri::generate_context!())
            .expect("the app builds on the mock runtime");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        let info = invoke(
            &webview,
            serde_json::json!({"command": "app_info", "args": {}}),
        )
        .expect("app_info succeeds");
        assert_eq!(info["dataDir"], dir.path().display().to_string());
        let err = invoke(
            &webview,
            serde_json::json!({"command": "rm_rf", "args": {}}),
        )
        .expect_err("unknown commands are typed errors");
        assert_eq!(err["code"], "unknown_command");
        // Capabilities: only what the UI uses. Saving files through the dialog plugin or
        // touching windows is not granted.
        for cmd in ["plugin:dialog|save", "plugin:window|close"] {
            let denied = invoke_cmd(&webview, cmd, serde_json::json!({}));
            let message = denied.expect_err("must be denied").to_string();
            assert!(message.contains("not allowed"), "{cmd}: {message}");
        }
    }
}
