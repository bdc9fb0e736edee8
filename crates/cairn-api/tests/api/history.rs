//! The experiments table over history: older commits and other branches as baselines,
//! each followed by its own experiments (`exp show -n N --all-branches`).

use crate::common::call;
use serde_json::{Value, json};
use std::path::Path;

/// Writes a commit's params and metrics into the work tree.
fn write_version(root: &Path, lr: f64, acc: f64) {
    crate::common::write_results(root, &format!("lr: {lr}\n"), &format!("{{\"acc\": {acc}}}"));
}

/// A DVC repo whose `main` has three commits (lr 0.1 → 0.3, acc 0.5 → 0.7), an
/// experiment on the middle commit, and a branch `wide` off the middle commit. Returns
/// the root and the commits, oldest first, then the experiment and the branch tip.
fn repo_with_history(dir: &Path) -> (String, Vec<String>, String, String) {
    let root = dir.join("history");
    let git = crate::common::init_dvc_repo(&root);
    let mut commits = Vec::new();
    write_version(&root, 0.1, 0.5);
    commits.push(git.commit_all("first").unwrap().id);
    write_version(&root, 0.2, 0.6);
    commits.push(git.commit_all("second").unwrap().id);
    // An experiment on the second commit: a commit on top of it, under its exp ref.
    write_version(&root, 0.15, 0.55);
    let exp = git.commit_all("exp").unwrap().id;
    git.set_ref(&cairn_exp::refs::ref_name(&commits[1], "tiny"), &exp, "exp")
        .unwrap();
    git.set_ref("refs/heads/main", &commits[1], "back to second")
        .unwrap();
    write_version(&root, 0.25, 0.65);
    let wide = git.commit_all("wide").unwrap().id;
    git.create_branch("wide", &wide).unwrap();
    git.set_ref("refs/heads/main", &commits[1], "back to second")
        .unwrap();
    write_version(&root, 0.3, 0.7);
    commits.push(git.commit_all("third").unwrap().id);
    (
        root.canonicalize().unwrap().to_string_lossy().into_owned(),
        commits,
        exp,
        wide,
    )
}

/// (kind, id, baseline, acc) of each row.
fn rows(view: &Value) -> Vec<(String, String, Option<String>, Option<f64>)> {
    let acc = view["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["kind"] == "metric" && c["key"] == "acc")
        .unwrap_or_else(|| panic!("no acc column: {view}"));
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
                r["baseline"].as_str().map(str::to_string),
                r["values"][acc]["num"].as_f64(),
            )
        })
        .collect()
}

/// A DVC project at `dir/tracked` with one committed version.
fn committed_project(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("tracked");
    let git = crate::common::init_dvc_repo(&root);
    write_version(&root, 0.1, 0.5);
    git.commit_all("first").unwrap();
    root
}

/// The project's experiments table with each series' minimum as a column.
fn list_with_min(api: &cairn_api::Api, project: &str) -> Value {
    call(
        api,
        "list_experiments",
        json!({"project": project, "series": [{"stat": "min"}]}),
    )
}

/// The row another tracker's run makes (`ExpRow::source`).
fn imported_row(view: &Value, source: &str) -> Value {
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == source)
        .unwrap_or_else(|| panic!("no {source} row: {view}"))
        .clone()
}

/// The index of column `kind` `file`:`key`.
fn column(view: &Value, kind: &str, file: &str, key: &str) -> usize {
    let columns = view["columns"].as_array().unwrap();
    columns
        .iter()
        .position(|c| c["kind"] == kind && c["file"] == file && c["key"] == key)
        .unwrap_or_else(|| panic!("no {kind} {file}:{key} in {columns:?}"))
}

/// A checked-in file another tracker's own writer made.
fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn older_commits_and_other_branches_are_baselines_with_their_experiments() {
    let (_data, api, _demo) = crate::common::api_with_demo();
    let dir = tempfile::tempdir().unwrap();
    let (project, c, exp, wide) = repo_with_history(dir.path());
    let row = |kind: &str, id: &str, baseline: Option<&str>, acc: f64| {
        (
            kind.to_string(),
            id.to_string(),
            baseline.map(str::to_string),
            Some(acc),
        )
    };

    // By default, HEAD alone: the experiment on an older commit is not listed.
    let head_only = call(&api, "list_experiments", json!({"project": project}));
    assert_eq!(
        rows(&head_only),
        [
            row("workspace", "workspace", None, 0.7),
            row("baseline", &c[2], None, 0.7)
        ]
    );

    // Three commits of history: newest first, the experiment under its own commit.
    let history = call(
        &api,
        "list_experiments",
        json!({"project": project, "commits": 3}),
    );
    assert_eq!(
        rows(&history),
        [
            row("workspace", "workspace", None, 0.7),
            row("baseline", &c[2], None, 0.7),
            row("baseline", &c[1], None, 0.6),
            row("experiment", &exp, Some(&c[1]), 0.55),
            row("baseline", &c[0], None, 0.5),
        ]
    );
    let names: Vec<&str> = history["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[1], "main", "the tip is named by its branch");
    assert_eq!(names[2], &c[1][..7], "an older commit by its short id");
    assert_eq!(names[3], "tiny");

    // Every branch: `wide` (and the commit it grew from) join; shared commits once.
    let all = call(
        &api,
        "list_experiments",
        json!({"project": project, "commits": 2, "allBranches": true}),
    );
    let listed = rows(&all);
    let baselines: Vec<&str> = listed
        .iter()
        .filter(|r| r.0 == "baseline")
        .map(|r| r.1.as_str())
        .collect();
    for want in [&c[2], &c[1], &wide] {
        assert!(
            baselines.contains(&want.as_str()),
            "{want} missing from {baselines:?}"
        );
    }
    assert_eq!(
        baselines.iter().filter(|b| **b == c[1]).count(),
        1,
        "{baselines:?}"
    );
    assert!(
        !baselines.contains(&c[0].as_str()),
        "two commits per branch: {baselines:?}"
    );
    let wide_row = listed.iter().find(|r| r.1 == wide).unwrap();
    assert_eq!(wide_row.3, Some(0.65));

    // Series columns and metric series work for older commits too.
    let series = call(
        &api,
        "metric_series",
        json!({"project": project, "revs": [c[0], exp], "names": [], "width": 100}),
    );
    assert_eq!(series.as_array().unwrap().len(), 2, "{series}");
}

#[test]
fn a_commit_made_outside_the_app_is_reported_as_a_change() {
    let (_data, api, _demo) = crate::common::api_with_demo();
    let dir = tempfile::tempdir().unwrap();
    let (project, _, _, _) = repo_with_history(dir.path());
    call(&api, "open_project", json!({"project": project}));
    let mut rx = api.subscribe();
    // Nothing in the work tree changes: only git's refs move (as `git commit
    // --allow-empty` or a branch switch between equal trees would).
    let git = cairn_git::Git::discover(Path::new(&project)).unwrap();
    git.commit_all("empty").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let paths = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match next_event(&mut rx, left) {
            Some(cairn_api::ApiEvent::FilesChanged { project: p, paths }) if p == project => {
                break paths;
            }
            Some(_) => continue,
            None => panic!("no files_changed event after a commit"),
        }
    };
    assert!(
        paths.iter().any(|p| p == ".git/refs/heads/main"),
        "{paths:?}"
    );
}

/// The next event within `left`, if any.
fn next_event(
    rx: &mut tokio::sync::broadcast::Receiver<cairn_api::ApiEvent>,
    left: std::time::Duration,
) -> Option<cairn_api::ApiEvent> {
    let until = std::time::Instant::now() + left;
    loop {
        match rx.try_recv() {
            Ok(e) => return Some(e),
            Err(tokio::sync::broadcast::error::TryRecvError::Empty) => {
                if std::time::Instant::now() >= until {
                    return None;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[test]
fn home_says_what_is_new_since_a_project_was_last_opened() {
    let (_data, api, _demo) = crate::common::api_with_demo();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("news");
    let git = crate::common::init_dvc_repo(&root);
    write_version(&root, 0.1, 0.5);
    git.commit_all("first").unwrap();
    let project = root.canonicalize().unwrap().to_string_lossy().into_owned();
    call(&api, "open_project", json!({"project": project}));
    let news = |api: &cairn_api::Api| {
        let listed = call(api, "list_projects", Value::Null);
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["path"] == project.as_str())
            .unwrap()["news"]
            .clone()
    };
    assert_eq!(news(&api), Value::Null, "nothing new right after opening");
    // Commit times have whole seconds: be past the second it was opened in.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write_version(&root, 0.2, 0.6);
    let later = git.commit_all("from a terminal").unwrap().id;
    write_version(&root, 0.3, 0.7);
    let exp = git.commit_all("exp").unwrap().id;
    git.set_ref(&cairn_exp::refs::ref_name(&later, "swift"), &exp, "exp")
        .unwrap();
    git.set_ref("refs/heads/main", &later, "back").unwrap();
    assert_eq!(news(&api), json!({"commits": 1, "experiments": 1}));
    call(&api, "open_project", json!({"project": project}));
    assert_eq!(news(&api), Value::Null, "opening it again clears the news");
}

#[test]
fn mlflow_runs_in_mlruns_are_listed_charted_and_summarised() {
    let (_data, api, _demo) = crate::common::api_with_demo();
    let dir = tempfile::tempdir().unwrap();
    let root = committed_project(dir.path());
    // A run as MLflow's file store writes it (rsync'd back from a cluster, say).
    let run = root.join("mlruns/0/0123abcd");
    for (rel, text) in [
        (
            "../meta.yaml",
            "experiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
        ),
        (
            "meta.yaml",
            "run_id: 0123abcd\nrun_name: calm-owl-7\nstart_time: 1700000000000\nstatus: 3\nlifecycle_stage: active\n",
        ),
        ("params/lr", "0.03"),
        ("params/optimizer", "adam"),
        (
            "metrics/loss",
            "1700000000000 0.9 0\n1700000000100 0.2 1\n1700000000200 0.35 2\n",
        ),
    ] {
        let p = run.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let project = root.canonicalize().unwrap().to_string_lossy().into_owned();
    let view = list_with_min(&api, &project);
    let col = |kind: &str, file: &str, key: &str| column(&view, kind, file, key);
    let row = imported_row(&view, "mlflow");
    assert_eq!(
        (&row["id"], &row["name"], &row["kind"], &row["status"]),
        (
            &json!("mlflow:0123abcd"),
            &json!("calm-owl-7"),
            &json!("experiment"),
            &json!("success")
        )
    );
    assert_eq!(row["values"][col("param", "mlruns", "lr")]["num"], 0.03);
    assert_eq!(
        row["values"][col("param", "mlruns", "optimizer")]["text"],
        "adam"
    );
    // The latest value (step 2), and the lowest with its step.
    assert_eq!(row["values"][col("metric", "mlruns", "loss")]["num"], 0.35);
    let min = &row["values"][col("series", "mlruns/0123abcd", "loss")];
    assert_eq!((&min["num"], &min["step"]), (&json!(0.2), &json!(1.0)));
    // DVC's own rows carry no MLflow values.
    let head = &view["rows"][1];
    assert!(head["source"].is_null() && head["values"][col("param", "mlruns", "lr")].is_null());

    let series = call(
        &api,
        "metric_series",
        json!({"project": project, "revs": ["mlflow:0123abcd", "workspace"], "names": [], "width": 100}),
    );
    assert_eq!(series[0]["rev"], "mlflow:0123abcd", "in the order asked");
    assert_eq!(series[0]["series"][0]["ys"], json!([0.9, 0.2, 0.35]));
    let images = call(
        &api,
        "plot_images",
        json!({"project": project, "revs": ["mlflow:0123abcd"]}),
    );
    assert_eq!(images[0]["images"], json!([]));
}

#[test]
fn tensorboard_runs_are_listed_charted_and_followed_while_written() {
    let (_data, api, _demo) = crate::common::api_with_demo();
    let dir = tempfile::tempdir().unwrap();
    let root = committed_project(dir.path());
    // A run PyTorch's SummaryWriter wrote (the fixture is TensorBoard's own writer's
    // output: `tests/experiments/tensorboard_tool.py fixture`), still being written.
    let events = fixture("events.out.tfevents.pytorch");
    let file = root.join("runs/fixture/events.out.tfevents.pytorch");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &events[..events.len() - 40]).unwrap();
    let project = root.canonicalize().unwrap().to_string_lossy().into_owned();
    let list = || list_with_min(&api, &project);
    let find = |view: &Value| imported_row(view, "tensorboard");
    let col = column;
    let view = list();
    let row = find(&view);
    let loss_before = row["values"][col(&view, "metric", "tensorboard", "loss")]["num"].clone();
    assert_ne!(loss_before, json!(0.05), "the last step is not written yet");

    std::fs::write(&file, &events).unwrap();
    let view = list();
    let row = find(&view);
    assert_eq!(
        (&row["id"], &row["name"], &row["kind"]),
        (
            &json!("tb:runs/fixture"),
            &json!("runs/fixture"),
            &json!("experiment")
        )
    );
    let value = |key: &str, kind: &str| row["values"][col(&view, kind, "tensorboard", key)].clone();
    assert_eq!(value("lr", "param")["num"], 0.01);
    assert_eq!(value("epochs", "param")["text"], "20");
    assert_eq!(value("model", "param")["text"], "mlp");
    assert_eq!(
        value("loss", "metric")["num"],
        0.05,
        "the value at the last step"
    );
    assert_eq!(value("accuracy", "metric")["num"], 0.88);
    let min = &row["values"][col(&view, "series", "tensorboard/runs/fixture", "loss")];
    assert_eq!((&min["num"], &min["step"]), (&json!(0.05), &json!(19.0)));

    let series = call(
        &api,
        "metric_series",
        json!({"project": project, "revs": ["tb:runs/fixture"], "names": ["loss"], "width": 100}),
    );
    let ys = series[0]["series"][0]["ys"].as_array().unwrap();
    assert_eq!(ys.len(), 20);
    assert_eq!(
        (&ys[0], &ys[1], &ys[19]),
        (&json!(1.0), &json!(0.5), &json!(0.05))
    );

    // Gone with its folder.
    std::fs::remove_dir_all(root.join("runs")).unwrap();
    let view = list();
    assert!(
        view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["source"] != "tensorboard")
    );
}

#[test]
fn wandb_runs_are_listed_charted_and_followed_while_written() {
    let (_data, api, _demo) = crate::common::api_with_demo();
    let dir = tempfile::tempdir().unwrap();
    let root = committed_project(dir.path());
    // An offline run W&B's SDK wrote (`tests/experiments/wandb_tool.py fixture`: 20
    // steps of loss and accuracy), first as far as W&B had flushed it mid-run.
    let bytes = fixture("run-jexn7cf7.wandb");
    let folder = "wandb/offline-run-20261128_122917-jexn7cf7";
    let file = root.join(folder).join("run-jexn7cf7.wandb");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let project = root.canonicalize().unwrap().to_string_lossy().into_owned();
    let id = format!("wandb:{folder}");
    let list = || list_with_min(&api, &project);
    let find = |view: &Value| imported_row(view, "wandb");
    let col = column;
    let view = list();
    let row = find(&view);
    assert_eq!(
        (&row["id"], &row["status"]),
        (&json!(id), &json!("running"))
    );
    assert_ne!(
        row["values"][col(&view, "metric", "wandb", "loss")]["num"],
        json!(0.05),
        "the last step is not flushed yet"
    );

    std::fs::write(&file, &bytes).unwrap();
    let view = list();
    let row = find(&view);
    assert_eq!(
        (&row["name"], &row["kind"], &row["status"], &row["error"]),
        (
            &json!("wandb-baseline"),
            &json!("experiment"),
            &json!("success"),
            &Value::Null
        )
    );
    let value = |key: &str, kind: &str| row["values"][col(&view, kind, "wandb", key)].clone();
    assert_eq!(value("lr", "param")["num"], 0.003);
    assert_eq!(value("batch_size", "param")["num"], 64.0);
    assert_eq!(value("loss", "metric")["num"], 0.05);
    assert_eq!(value("accuracy", "metric")["num"], 0.88);
    let min = &row["values"][col(&view, "series", &format!("wandb/{folder}"), "loss")];
    assert_eq!((&min["num"], &min["step"]), (&json!(0.05), &json!(19.0)));
    let series = call(
        &api,
        "metric_series",
        json!({"project": project, "revs": [id], "names": ["accuracy"], "width": 100}),
    );
    let ys = series[0]["series"][0]["ys"].as_array().unwrap();
    assert_eq!(ys.len(), 20);
    assert_eq!((&ys[0], &ys[19]), (&json!(0.5), &json!(0.88)));

    // Cut short and silent for minutes: the process died without finishing.
    std::fs::write(&file, &bytes[..bytes.len() - 10]).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(900))
        .unwrap();
    let row = find(&list());
    assert_eq!(row["status"], "failed");
    assert!(row["error"].as_str().unwrap().contains("crashed"), "{row}");
}

#[test]
fn a_queued_experiment_on_an_ssh_worker_names_its_host() {
    let dir = tempfile::tempdir().unwrap();
    let (api, _) = crate::common::api_in(&dir.path().join("data"));
    let root = committed_project(dir.path());
    let project = root.to_string_lossy().into_owned();
    let queued = cairn_exp::queue::enqueue(
        &root,
        &cairn_exp::queue::QueueOptions {
            name: Some("remote".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let row = |view: &Value| {
        view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "remote")
            .cloned()
            .unwrap_or_else(|| panic!("no queued row: {view}"))
    };
    let view = call(&api, "list_experiments", json!({"project": project}));
    assert_eq!(row(&view)["status"], "queued");
    assert!(row(&view).get("worker").is_none(), "queued here: no worker");
    // As `queue start --on` records it while the run is on the worker.
    let mut e = queued[0].clone();
    e.state = cairn_exp::queue::State::Running;
    e.worker = Some("ssh://me@gpu-box:2222/srv/cairn".into());
    let file = cairn_exp::queue::queue_dir(&root).join(format!("{}.json", e.id));
    std::fs::write(&file, serde_json::to_vec(&e).unwrap()).unwrap();
    let view = call(&api, "list_experiments", json!({"project": project}));
    assert_eq!(row(&view)["status"], "running");
    assert_eq!(row(&view)["worker"], "gpu-box");
    // Its log as far as it is written, the newest 2,000 lines.
    let text: String = (1..=2003).map(|i| format!("epoch {i}\n")).collect();
    std::fs::write(cairn_exp::queue::log_path(&root, &e.id), text).unwrap();
    let id = row(&view)["id"].as_str().unwrap().to_string();
    let log = call(&api, "queue_log", json!({"project": project, "id": id}));
    assert_eq!(log["name"], "remote");
    assert_eq!(log["state"], "running");
    assert_eq!(log["worker"], "ssh://me@gpu-box:2222/srv/cairn");
    assert_eq!(log["skipped"], 3);
    let lines = log["lines"].as_array().unwrap();
    assert_eq!(
        (lines.len(), &lines[0], &lines[1999]),
        (2000, &json!("epoch 4"), &json!("epoch 2003"))
    );
    let missing = cairn_api::dispatch(&api, "queue_log", json!({"project": project, "id": "nope"}));
    assert_eq!(missing.unwrap_err().code, cairn_api::ErrorCode::NotFound);
}
