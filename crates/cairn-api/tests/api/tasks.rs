//! Long commands report progress as events, and "Clone…" turns a URL into a project.

use crate::common::{api_with_demo, call};
use cairn_api::{ApiEvent, ErrorCode, dispatch};
use serde_json::{Value, json};
use tokio::sync::broadcast::Receiver;

/// Every progress event received so far, as (task, title, phase, done, total, finished).
type Seen = Vec<(String, String, String, u64, Option<u64>, bool)>;

fn progress(rx: &mut Receiver<ApiEvent>) -> Seen {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if let ApiEvent::Progress {
            task,
            title,
            phase,
            done,
            total,
            finished,
            ..
        } = e
        {
            out.push((task, title, phase, done, total, finished));
        }
    }
    out
}

#[test]
fn tracking_data_reports_hashing_progress_and_finishes() {
    let (_d, api, demo) = api_with_demo();
    let dir = std::path::Path::new(&demo).join("images");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..300 {
        std::fs::write(dir.join(format!("{i:03}.txt")), format!("image {i}\n")).unwrap();
    }
    let mut rx = api.subscribe();
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["images"]}),
    );
    let seen = progress(&mut rx);
    let tracking: Vec<_> = seen.iter().filter(|e| e.1 == "Tracking data").collect();
    assert!(tracking.len() >= 2, "a start and an end at least: {seen:?}");
    let task = &tracking[0].0;
    assert!(tracking.iter().all(|e| &e.0 == task), "one task: {seen:?}");
    let last = tracking.last().unwrap();
    assert!(last.5, "the last event says finished: {last:?}");
    let hashed = tracking
        .iter()
        .filter(|e| e.4 == Some(300))
        .map(|e| e.3)
        .max();
    assert_eq!(
        hashed,
        Some(300),
        "the hashing phase counts all 300 files: {seen:?}"
    );
    assert_eq!(
        tracking.iter().filter(|e| e.5).count(),
        1,
        "finished exactly once"
    );
}

#[test]
fn cloning_lists_an_untrusted_project_with_progress_and_leaves_nothing_on_failure() {
    let (_d, api, demo) = api_with_demo();
    let into = tempfile::tempdir().unwrap();
    let mut rx = api.subscribe();
    // file:// makes git go through its transport (and report progress), as for a remote.
    let p = call(
        &api,
        "clone_project",
        json!({"url": format!("file://{demo}"), "folder": into.path()}),
    );
    assert_eq!(p["name"], "cairn-demo");
    assert_eq!(p["stageCount"], 4, "{p}");
    assert_eq!(
        p["trusted"], false,
        "cloned code runs only once trusted: {p}"
    );
    let path = p["path"].as_str().unwrap().to_string();
    assert!(std::path::Path::new(&path).join("dvc.yaml").is_file());
    let listed = call(&api, "list_projects", Value::Null);
    assert!(
        listed.as_array().unwrap().iter().any(|x| x["path"] == path),
        "{listed}"
    );
    let seen = progress(&mut rx);
    let clone: Vec<_> = seen
        .iter()
        .filter(|e| e.1 == "Cloning cairn-demo")
        .collect();
    assert!(clone.iter().any(|e| e.2 == "receiving objects"), "{seen:?}");
    assert!(clone.last().unwrap().5, "ends finished: {seen:?}");

    // The same place again: refused, the first clone untouched.
    let err = dispatch(
        &api,
        "clone_project",
        json!({"url": format!("file://{demo}"), "folder": into.path()}),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    assert!(err.message.contains("already exists"), "{}", err.message);
    assert!(std::path::Path::new(&path).join("dvc.yaml").is_file());

    // A URL git cannot clone: git's reason, and no folder left behind.
    let err = dispatch(
        &api,
        "clone_project",
        json!({"url": into.path().join("nope").display().to_string(), "folder": into.path(), "name": "other"}),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Git, "{err:?}");
    assert!(err.message.contains("does not exist"), "{}", err.message);
    assert!(!into.path().join("other").exists());

    // Names with slashes and relative folders are refused before git runs.
    for args in [
        json!({"url": "https://example.com/a.git", "folder": into.path(), "name": "../up"}),
        json!({"url": "https://example.com/a.git", "folder": "relative/dir"}),
        json!({"url": "  ", "folder": into.path()}),
    ] {
        let err = dispatch(&api, "clone_project", args.clone()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArguments, "{args}: {err:?}");
    }
}

#[test]
fn the_clone_folder_suggestion_sits_beside_the_latest_project_and_cancel_needs_a_task() {
    let (_d, api, _demo) = api_with_demo();
    let info = call(&api, "app_info", Value::Null);
    let home = std::env::var("HOME").unwrap();
    assert_eq!(
        info["cloneFolder"], home,
        "only the demo is listed, so home: {info}"
    );
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("proj");
    std::fs::create_dir(&repo).unwrap();
    cairn_git::Git::init(&repo).unwrap();
    call(&api, "open_project", json!({"project": repo}));
    let info = call(&api, "app_info", Value::Null);
    assert_eq!(
        info["cloneFolder"],
        work.path().canonicalize().unwrap().display().to_string()
    );
    let err = dispatch(&api, "cancel_task", json!({"task": "task-999999"})).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn pushing_and_pulling_a_folder_remote_reports_progress_and_restores_data() {
    let (_d, api, demo) = api_with_demo();
    let root = std::path::Path::new(&demo);
    let view = call(&api, "data_status", json!({"project": demo}));
    assert!(view["remote"].is_null(), "no remote yet: {view}");
    let err = dispatch(
        &api,
        "data_sync",
        json!({"project": demo, "direction": "push"}),
    )
    .unwrap_err();
    assert!(err.message.contains("dvc remote add"), "{err:?}");

    let store = tempfile::tempdir().unwrap();
    let config = root.join(".dvc/config");
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    std::fs::write(
        &config,
        format!(
            "{text}[core]\n    remote = shared\n['remote \"shared\"']\n    url = {}\n",
            store.path().display()
        ),
    )
    .unwrap();
    let view = call(&api, "data_status", json!({"project": demo}));
    assert_eq!(view["remote"]["name"], "shared");
    assert_eq!(view["remote"]["usable"], true);

    let mut rx = api.subscribe();
    let pushed = call(
        &api,
        "data_sync",
        json!({"project": demo, "direction": "push"}),
    );
    assert_eq!(
        pushed["transferred"], 1,
        "the demo's one data file: {pushed}"
    );
    let seen = progress(&mut rx);
    assert!(
        seen.iter().any(|e| e.1 == "Pushing data" && e.5),
        "{seen:?}"
    );

    // Lose the data and its cache copy; a pull brings both back.
    let csv = root.join("data/flowers.csv");
    let bytes = std::fs::read(&csv).unwrap();
    std::fs::remove_file(&csv).unwrap();
    std::fs::remove_dir_all(root.join(".dvc/cache")).unwrap();
    let pulled = call(
        &api,
        "data_sync",
        json!({"project": demo, "direction": "pull"}),
    );
    assert_eq!(pulled["transferred"], 1, "{pulled}");
    assert_eq!(pulled["restored"], json!(["data/flowers.csv"]));
    assert_eq!(std::fs::read(&csv).unwrap(), bytes);

    std::fs::write(
        &config,
        format!("{text}[core]\n    remote = s3\n['remote \"s3\"']\n    url = s3://bucket/x\n"),
    )
    .unwrap();
    let view = call(&api, "data_status", json!({"project": demo}));
    assert_eq!(view["remote"]["usable"], true, "Cairn syncs S3 remotes");
    std::fs::write(
        &config,
        format!("{text}[core]\n    remote = web\n['remote \"web\"']\n    url = https://example.invalid/x\n"),
    )
    .unwrap();
    let view = call(&api, "data_status", json!({"project": demo}));
    assert_eq!(view["remote"]["usable"], true, "Cairn syncs HTTP remotes");
    let err = dispatch(
        &api,
        "data_sync",
        json!({"project": demo, "direction": "push"}),
    )
    .unwrap_err();
    assert!(
        err.message.contains("example.invalid"),
        "an unreachable server is named: {err:?}"
    );
    std::fs::write(
        &config,
        format!("{text}[core]\n    remote = oss\n['remote \"oss\"']\n    url = oss://bucket/x\n"),
    )
    .unwrap();
    let view = call(&api, "data_status", json!({"project": demo}));
    assert_eq!(view["remote"]["usable"], false);
    let err = dispatch(
        &api,
        "data_sync",
        json!({"project": demo, "direction": "pull"}),
    )
    .unwrap_err();
    assert!(err.message.contains("dvc pull"), "{err:?}");
}
