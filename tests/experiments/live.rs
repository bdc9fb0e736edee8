//! A queued experiment is followed while it runs in a working copy of its own — a
//! worktree here, or a folder on an SSH worker — as a run in the work tree is: its
//! metrics in `exp show` and the experiments table, its step series in the charts.

use std::time::{Duration, Instant};

use cairn_e2e::{Checks, SshServer, TestRepo, Tool, init};
use serde_json::Value;

use super::worker::{cairn_command, queue_entry, worker_url};

/// A project whose one stage logs three steps (DVCLive's layout), then waits until the
/// file `.release` appears in this repository (an absolute path, so the worker's copy,
/// a folder on this machine, waits for it too) before it finishes.
fn training_project() -> TestRepo {
    let repo = TestRepo::new();
    let release = repo.path().canonicalize().unwrap().join(".release");
    repo.write(".gitignore", ".release\n");
    repo.write(
        "train.sh",
        format!(
            "mkdir -p dvclive/plots/metrics\n\
             printf 'step\\tloss\\n' > dvclive/plots/metrics/loss.tsv\n\
             for i in 0 1 2; do\n\
             \x20 printf '%s\\t0.%s\\n' $i $((9 - i)) >> dvclive/plots/metrics/loss.tsv\n\
             \x20 echo \"{{\\\"loss\\\": 0.$((9 - i)), \\\"step\\\": $i}}\" > metrics.json\n\
             done\n\
             echo logged\n\
             n=0\n\
             while [ ! -e '{}' ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done\n",
            release.display()
        ),
    );
    // The baseline's own result, which the running experiment must not show as its own.
    repo.write("metrics.json", "{\"loss\": 0.99, \"step\": 0}\n");
    repo.write(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: sh train.sh\n    deps:\n    - train.sh\n    metrics:\n    - metrics.json:\n        cache: false\n    plots:\n    - dvclive/plots/metrics:\n        x: step\n",
    );
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "training"]);
    repo
}

/// The running entry's row in `cairn exp show --json`.
fn running_row(repo: &TestRepo, id: &str) -> Option<Value> {
    let shown: Value =
        serde_json::from_str(&Tool::Cairn.ok(repo, ["exp", "show", "--json"]).stdout()).ok()?;
    shown
        .as_array()?
        .iter()
        .flat_map(|b| b["experiments"].as_array().cloned().unwrap_or_default())
        .find(|e| e["revs"][0]["rev"] == id)
        .map(|e| e["revs"][0].clone())
}

/// Runs the queued experiment `name` with `queue start ARGS`, and checks what the app and
/// `exp show` see while it waits for its release.
fn follow(c: &mut Checks, repo: &TestRepo, server: &SshServer, name: &str, args: &[&str]) {
    let release = repo.path().join(".release");
    let _ = std::fs::remove_file(&release);
    Tool::Cairn.ok(repo, ["exp", "run", "--queue", "-n", name]);
    let id = queue_entry(repo, name)["id"].as_str().unwrap().to_string();
    let mut start = vec!["queue", "start"];
    start.extend(args);
    let mut child = cairn_command(repo, server, &start)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let live_file = repo
        .path()
        .join(".dvc/tmp/cairn/queue")
        .join(format!("{id}.live.json"));
    let began = Instant::now();
    let mut row = None;
    while began.elapsed() < Duration::from_secs(120) {
        row = running_row(repo, &id);
        let loss = row
            .as_ref()
            .map(|r| r["data"]["metrics"]["metrics.json"]["data"]["loss"].clone());
        if loss == Some(serde_json::json!(0.7)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    c.check(
        row.as_ref()
            .is_some_and(|r| r["data"]["metrics"]["metrics.json"]["data"]["loss"] == 0.7),
        || format!("{name}: exp show never showed the running experiment's metrics: {row:?}"),
    );
    // The charts: the app's metric_series for the running row.
    let data = tempfile::tempdir().unwrap();
    let api = cairn_api::Api::new(cairn_api::ApiConfig {
        data_dir: Some(data.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    let series = cairn_api::dispatch(
        &api,
        "metric_series",
        serde_json::json!({
            "project": repo.path().canonicalize().unwrap(),
            "revs": [id],
            "names": [],
            "width": 600,
        }),
    )
    .unwrap();
    let loss = series[0]["series"]
        .as_array()
        .and_then(|s| s.iter().find(|l| l["name"] == "loss").cloned())
        .unwrap_or(Value::Null);
    c.check(
        loss["xs"] == serde_json::json!([0.0, 1.0, 2.0])
            && loss["ys"] == serde_json::json!([0.9, 0.8, 0.7]),
        || format!("{name}: the chart of the running experiment: {series}"),
    );
    std::fs::write(&release, "").unwrap();
    let status = child.wait().unwrap();
    c.check(status.success(), || {
        format!("{name}: queue start {status:?}")
    });
    let entry = queue_entry(repo, name);
    c.check(entry["state"] == "success", || format!("{name}: {entry}"));
    c.check(!live_file.exists(), || {
        format!("{name}: its live readings outlived the run")
    });
    c.check(super::exp_ref(repo, name).is_some(), || {
        format!("{name}: no experiment recorded")
    });
}

#[test]
fn queued_experiments_are_followed_live_here_and_on_a_worker() {
    let mut c = Checks::new("live readings of queued experiments");
    let server = SshServer::start();
    let repo = training_project();
    follow(&mut c, &repo, &server, "here", &[]);
    let url = worker_url(&server);
    follow(&mut c, &repo, &server, "there", &["--on", &url]);
    c.finish();
}
