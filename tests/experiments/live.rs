//! A queued experiment is followed while it runs in a working copy of its own — a
//! worktree here, a folder on an SSH worker, or the temporary repository of a task DVC's
//! own queue worker runs — as a run in the work tree is: its metrics in `exp show` and
//! the experiments table, its step series in the charts.

use std::time::{Duration, Instant};

use cairn_e2e::{Checks, SshServer, TestRepo, Tool, app, init};
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

/// The tip row of the first experiment in `cairn exp show --json` that `pick` picks.
fn shown_tip(repo: &TestRepo, pick: impl Fn(&Value) -> bool) -> Option<Value> {
    let shown: Value =
        serde_json::from_str(&Tool::Cairn.ok(repo, ["exp", "show", "--json"]).stdout()).ok()?;
    shown
        .as_array()?
        .iter()
        .flat_map(|b| b["experiments"].as_array().cloned().unwrap_or_default())
        .find(|e| pick(e))
        .map(|e| e["revs"][0].clone())
}

/// The running entry's row in `cairn exp show --json`.
fn running_row(repo: &TestRepo, id: &str) -> Option<Value> {
    shown_tip(repo, |e| e["revs"][0]["rev"] == id)
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
    check_chart(c, repo, &id, name);
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

/// The app, on the running row `id`: the charts' `metric_series` gives the three steps
/// logged so far.
fn check_chart(c: &mut Checks, repo: &TestRepo, id: &str, name: &str) {
    let (_data, api) = app();
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
}

/// The tip row of the experiment `name` in `cairn exp show --json` while its executor
/// is running.
fn running_task(repo: &TestRepo, name: &str) -> Option<Value> {
    shown_tip(repo, |e| {
        e["name"] == name && e["executor"]["state"] == "running"
    })
}

/// The status of the app's experiments-table row named `name`.
fn app_row_status(api: &cairn_api::Api, repo: &TestRepo, name: &str) -> Option<Value> {
    let view = cairn_api::dispatch(
        api,
        "list_experiments",
        serde_json::json!({"project": repo.path().canonicalize().unwrap()}),
    )
    .unwrap();
    view["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == name))
        .map(|r| r["status"].clone())
}

/// `dvc queue status`'s (name, status) rows.
fn dvc_queue_rows(repo: &TestRepo) -> Vec<(String, String)> {
    super::dvc_queue_status(repo)
        .into_iter()
        .map(|(_, name, status)| (name, status))
        .collect()
}

/// A task DVC's own worker runs (`dvc exp run --queue`, `dvc queue start`): while it
/// waits for its release, `cairn exp show --json` prints what `dvc exp show --json`
/// does — the running row with the metrics logged so far in the worker's temporary
/// repository — `queue status` says running as dvc's does, `queue logs` gives its
/// output, and the app's table and charts follow it; then both agree on the result.
#[test]
fn an_experiment_dvcs_worker_runs_is_followed_as_dvc_shows_it() {
    let mut c = Checks::new("a task dvc's worker runs");
    let repo = training_project();
    let release = repo.path().join(".release");
    Tool::Dvc.ok(&repo, ["exp", "run", "--queue", "-n", "dq"]);
    // The worker it starts keeps any pipe it inherits open until it exits: no pipes.
    let started = repo
        .command(cairn_e2e::dvc_bin())
        .env("PATH", super::dvc_path())
        .args(["queue", "start"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    c.check(started.success(), || format!("dvc queue start: {started}"));
    let stash = |row: &Value| row["rev"].as_str().unwrap_or_default().to_string();
    let began = Instant::now();
    let mut row: Option<Value> = None;
    let mut seen = None;
    while began.elapsed() < Duration::from_secs(120) {
        row = running_task(&repo, "dq");
        if row.is_some() {
            seen = row.clone();
        }
        if row
            .as_ref()
            .is_some_and(|r| r["data"]["metrics"]["metrics.json"]["data"]["loss"] == 0.7)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let row = row.filter(|r| r["data"]["metrics"]["metrics.json"]["data"]["loss"] == 0.7);
    c.check(row.is_some(), || {
        let logs = repo
            .command(cairn_e2e::dvc_bin())
            .args(["queue", "logs", "dq"])
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout).into_owned()
                    + &String::from_utf8_lossy(&o.stderr)
            })
            .unwrap_or_default();
        format!(
            "the task was never shown running with its metrics\n  dvc queue status: {:?}\n  \
             dvc queue logs dq: {logs}\n  last seen running: {seen:?}",
            dvc_queue_rows(&repo),
        )
    });
    if let Some(row) = &row {
        let id = stash(row);
        super::same_exp_show(&mut c, &repo, "while dvc's worker runs a task");
        let rows = dvc_queue_rows(&repo);
        let st: Value = serde_json::from_str(
            &Tool::Cairn
                .ok(&repo, ["queue", "status", "--json"])
                .stdout(),
        )
        .unwrap();
        let ours: Vec<(String, String)> = st
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["queue"] == "dvc")
            .map(|e| {
                let s = e["state"].as_str().unwrap_or_default();
                (
                    e["name"].as_str().unwrap_or_default().to_string(),
                    s[..1].to_uppercase() + &s[1..],
                )
            })
            .collect();
        c.check(
            rows == [("dq".to_string(), "Running".to_string())] && ours == rows,
            || format!("queue status while running\n  dvc:   {rows:?}\n  cairn: {ours:?}"),
        );
        let log = Tool::Cairn.ok(&repo, ["queue", "logs", "dq"]).stdout();
        c.check(log.contains("logged"), || format!("queue logs dq: {log}"));
        let (_data, api) = app();
        let status = app_row_status(&api, &repo, "dq");
        c.check(status == Some(Value::from("running")), || {
            format!("the app's row for dq: {status:?}")
        });
        check_chart(&mut c, &repo, &id, "dq");
        // The row's status opens its log in the app.
        let log = cairn_api::dispatch(
            &api,
            "queue_log",
            serde_json::json!({"project": repo.path().canonicalize().unwrap(), "id": id}),
        )
        .unwrap();
        c.check(
            log["dvcQueue"] == true
                && log["state"] == "running"
                && log["lines"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|l| l == "logged")),
            || format!("the app's log of dq: {log}"),
        );
    }
    std::fs::write(&release, "").unwrap();
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(120)
        && dvc_queue_rows(&repo) != [("dq".to_string(), "Success".to_string())]
    {
        std::thread::sleep(Duration::from_millis(500));
    }
    c.check(super::exp_ref(&repo, "dq").is_some(), || {
        "dvc's worker recorded no experiment dq".to_string()
    });
    super::same_exp_show(&mut c, &repo, "after dvc's worker finished");
    super::wait_for_dvc_worker(&repo);
    c.finish();
}

/// The moment between a DVC worker taking a task and its executor recording where it
/// works (`.dvc/tmp/exps/run/<rev>/<rev>.run`): `dvc queue status` already says
/// Running, while dvc 3.67.1's `exp show` fails on the missing file. Cairn lists the
/// task as running with its stash commit's params and no metrics yet, in `exp show`,
/// `queue status` and the app's table. The worker's take is made by hand, as kombu's
/// file transport makes it: the message moves from `broker/in` to `broker/processed`.
#[test]
fn a_task_dvcs_worker_just_took_shows_running_before_its_executor_is_set_up() {
    let mut c = Checks::new("a task dvc's worker just took");
    let repo = training_project();
    repo.write("params.yaml", "lr: 0.1\n");
    repo.git_ok(["add", "params.yaml"]);
    repo.git_ok(["commit", "-q", "-m", "params"]);
    Tool::Dvc.ok(
        &repo,
        ["exp", "run", "--queue", "-S", "lr=0.5", "-n", "dq-new"],
    );
    let broker = repo.join(".dvc/tmp/exps/celery/broker");
    std::fs::create_dir_all(broker.join("processed")).unwrap();
    for msg in std::fs::read_dir(broker.join("in")).unwrap() {
        let msg = msg.unwrap();
        std::fs::rename(msg.path(), broker.join("processed").join(msg.file_name())).unwrap();
    }
    let rows = dvc_queue_rows(&repo);
    c.check(
        rows == [("dq-new".to_string(), "Running".to_string())],
        || format!("dvc queue status after the take: {rows:?}"),
    );
    let row = running_task(&repo, "dq-new");
    c.check(
        row.as_ref().is_some_and(|r| {
            r["data"]["params"]["params.yaml"]["data"]["lr"] == 0.5
                && r["data"]["metrics"] == serde_json::json!({})
        }),
        || format!("cairn exp show's running row: {row:?}"),
    );
    let st: Value = serde_json::from_str(
        &Tool::Cairn
            .ok(&repo, ["queue", "status", "--json"])
            .stdout(),
    )
    .unwrap();
    c.check(
        st.as_array().is_some_and(|a| {
            a.iter()
                .any(|e| e["queue"] == "dvc" && e["name"] == "dq-new" && e["state"] == "running")
        }),
        || format!("cairn queue status: {st}"),
    );
    let (_data, api) = app();
    let status = app_row_status(&api, &repo, "dq-new");
    c.check(status == Some(Value::from("running")), || {
        format!("the app's row for dq-new: {status:?}")
    });
    c.finish();
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
