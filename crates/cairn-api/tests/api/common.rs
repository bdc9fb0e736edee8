//! What the API test modules share: an `Api` over a fresh data dir with the demo
//! installed, and a `dispatch` that panics with the error.

use cairn_api::{Api, ApiConfig, dispatch};
use serde_json::Value;

/// A fresh data dir with the demo installed: the dir (keep it alive), the API, and the
/// demo project's root.
pub fn api_with_demo() -> (tempfile::TempDir, Api, String) {
    let dir = tempfile::tempdir().unwrap();
    let (api, demo) = api_in(dir.path());
    (dir, api, demo)
}

/// An `Api` over `data_dir` with the demo installed, and the demo's root.
pub fn api_in(data_dir: &std::path::Path) -> (Api, String) {
    let api = Api::new(ApiConfig {
        data_dir: Some(data_dir.to_path_buf()),
        initial_project: None,
        install_demo: true,
        open_demo: false,
    })
    .unwrap();
    let info = dispatch(&api, "app_info", Value::Null).unwrap();
    let demo = info["initialProject"].as_str().unwrap().to_string();
    (api, demo)
}

/// `dispatch`, panicking with the command and its error.
pub fn call(api: &Api, cmd: &str, args: Value) -> Value {
    dispatch(api, cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e:?}"))
}

/// A new DVC repository at `root` (git on `main`, `.dvc/`, a `dvc.yaml` declaring
/// `metrics.json`), nothing committed yet.
pub fn init_dvc_repo(root: &std::path::Path) -> cairn_git::Git {
    std::fs::create_dir_all(root.join(".dvc")).unwrap();
    std::fs::write(root.join(".dvc/config"), "").unwrap();
    std::fs::write(root.join("dvc.yaml"), "metrics:\n- metrics.json\n").unwrap();
    cairn_git::Git::init(root).unwrap()
}

/// Writes `params.yaml` and `metrics.json` into the work tree.
pub fn write_results(root: &std::path::Path, params: &str, metrics: &str) {
    std::fs::write(root.join("params.yaml"), params).unwrap();
    std::fs::write(root.join("metrics.json"), metrics).unwrap();
}
