//! What the API test binaries share: an `Api` over a fresh data dir with the demo
//! installed, and a `dispatch` that panics with the error.

#![allow(dead_code)] // each test binary uses its own part

use cairn_api::{Api, ApiConfig, dispatch};
use serde_json::Value;

/// A fresh data dir with the demo installed: the dir (keep it alive), the API, and the
/// demo project's root.
pub fn api_with_demo() -> (tempfile::TempDir, Api, String) {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::new(ApiConfig {
        data_dir: Some(dir.path().to_path_buf()),
        initial_project: None,
        install_demo: true,
        open_demo: false,
    })
    .unwrap();
    let info = dispatch(&api, "app_info", Value::Null).unwrap();
    let demo = info["initialProject"].as_str().unwrap().to_string();
    (dir, api, demo)
}

/// `dispatch`, panicking with the command and its error.
pub fn call(api: &Api, cmd: &str, args: Value) -> Value {
    dispatch(api, cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e:?}"))
}
