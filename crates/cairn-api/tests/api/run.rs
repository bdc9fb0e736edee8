//! A real run of the demo through the API. Alone in its test binary because the run
//! records follow `CAIRN_DATA_DIR`, which this test sets before anything else runs.

use std::time::{Duration, Instant};

use crate::common::call;
use cairn_api::{Api, ApiEvent, dispatch};
use serde_json::{Value, json};

/// Waits for the run to finish, showing every event to `each` on the way, and asserts it
/// succeeded.
fn succeeds_with(
    rx: &mut tokio::sync::broadcast::Receiver<ApiEvent>,
    mut each: impl FnMut(&ApiEvent),
) {
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut finished = None;
    while Instant::now() < deadline && finished.is_none() {
        match rx.try_recv() {
            Ok(ApiEvent::RunFinished { status, error, .. }) => finished = Some((status, error)),
            Ok(e) => each(&e),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let (status, error) = finished.expect("the run finishes");
    assert_eq!(
        serde_json::to_value(status).unwrap(),
        "succeeded",
        "{error:?}"
    );
}

/// `git show SPEC` in `repo`: a file at a revision, as bytes.
fn git_show(repo: &str, spec: &str) -> Vec<u8> {
    let out = std::process::Command::new("git")
        .args(["show", spec])
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "git show {spec}");
    out.stdout
}

/// Waits for the run to succeed, and says whether output arrived.
fn succeeds(rx: &mut tokio::sync::broadcast::Receiver<ApiEvent>) -> bool {
    let mut saw_output = false;
    succeeds_with(rx, |e| {
        if let ApiEvent::StageOutput { lines, .. } = e {
            saw_output |= !lines.is_empty();
        }
    });
    saw_output
}

#[test]
fn running_the_demo_streams_events_and_leaves_every_stage_up_to_date_then_save_version_commits() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary, before any other thread exists.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("CAIRN_DATA_DIR", dir.path())
    };
    let (api, demo) = crate::common::api_in(dir.path());
    struct E {
        api: Api,
        demo: String,
    }
    let e = E { api, demo };
    let mut rx = e.api.subscribe();
    call(
        &e.api,
        "run_pipeline",
        json!({"project": e.demo, "targets": [], "force": false, "downstream": false, "singleItem": false}),
    );
    let saw_output = succeeds(&mut rx);
    assert!(saw_output, "stage output lines arrive as events");
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    assert!(
        view["problems"].as_array().unwrap().is_empty(),
        "{}",
        view["problems"]
    );
    for s in view["stages"].as_array().unwrap() {
        assert_eq!(s["state"], "up_to_date", "{s}");
    }
    let runs = call(&e.api, "list_runs", json!({"project": e.demo}));
    assert_eq!(runs[0]["status"], "succeeded");
    let detail = call(
        &e.api,
        "get_run",
        json!({"project": e.demo, "runId": runs[0]["id"]}),
    );
    let train = detail["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "train")
        .unwrap();
    assert!(
        train["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["line"].as_str().unwrap().contains("loss"))
    );
    let stage = call(
        &e.api,
        "get_stage",
        json!({"project": e.demo, "stage": "train"}),
    );
    assert!(
        stage["params"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["key"] == "train.learning_rate"),
        "{stage}"
    );
    assert!(!stage["logs"].as_array().unwrap().is_empty());

    let data = call(&e.api, "data_status", json!({"project": e.demo}));
    let unsaved: Vec<&str> = data["unsaved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert!(unsaved.contains(&"dvc.lock"), "{unsaved:?}");
    let c = call(
        &e.api,
        "save_version",
        json!({"project": e.demo, "message": "First trained model", "paths": []}),
    );
    assert_eq!(c["summary"], "First trained model");
    let data = call(&e.api, "data_status", json!({"project": e.demo}));
    assert!(data["unsaved"].as_array().unwrap().is_empty(), "{data}");
    // The stages' outputs are recorded now, and in sync.
    let item = |data: &Value, path: &str| {
        data["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"] == path)
            .cloned()
            .unwrap_or_else(|| panic!("{path} is not listed: {data}"))
    };
    for (path, is_dir) in [("data/features", true), ("model.json", false)] {
        let out = item(&data, path);
        assert_eq!(out["state"], "in_sync", "{out}");
        assert_eq!(out["isDir"], is_dir, "{out}");
        assert_eq!(out["md5"].as_str().map(str::len), Some(8), "{out}");
        assert!(out["size"].as_u64().unwrap() > 0, "{out}");
    }
    // A changed model reads as modified, and checkout brings the recorded one back.
    let model = std::path::Path::new(&e.demo).join("model.json");
    let trained = std::fs::read(&model).unwrap();
    std::fs::write(&model, b"{}").unwrap();
    let data = call(&e.api, "data_status", json!({"project": e.demo}));
    assert_eq!(item(&data, "model.json")["state"], "modified");
    // "Record as is" writes the edited model into dvc.lock (as `dvc commit -f`); Undo
    // puts the record back byte for byte, the edited file staying as it is.
    let lock = std::path::Path::new(&e.demo).join("dvc.lock");
    let recorded = std::fs::read(&lock).unwrap();
    let r = call(
        &e.api,
        "data_commit",
        json!({"project": e.demo, "paths": ["model.json"]}),
    );
    assert_eq!(r["changed"], true, "{r}");
    assert_eq!(r["undo"], r["summary"], "{r}");
    let data = call(&e.api, "data_status", json!({"project": e.demo}));
    assert_eq!(item(&data, "model.json")["state"], "in_sync");
    assert_ne!(std::fs::read(&lock).unwrap(), recorded);
    let again = call(
        &e.api,
        "data_commit",
        json!({"project": e.demo, "paths": ["model.json"]}),
    );
    assert_eq!(again["changed"], false, "{again}");
    call(&e.api, "undo_edit", json!({"project": e.demo}));
    assert_eq!(std::fs::read(&lock).unwrap(), recorded);
    assert_eq!(std::fs::read(&model).unwrap(), b"{}");
    let data = call(&e.api, "data_status", json!({"project": e.demo}));
    assert_eq!(item(&data, "model.json")["state"], "modified");
    call(
        &e.api,
        "data_checkout",
        json!({"project": e.demo, "paths": ["model.json"], "force": true}),
    );
    assert_eq!(std::fs::read(&model).unwrap(), trained);
    let data = call(&e.api, "data_status", json!({"project": e.demo}));
    assert_eq!(item(&data, "model.json")["state"], "in_sync");
    // Its versions come from dvc.lock, found by the output's path.
    let versions = call(
        &e.api,
        "data_history",
        json!({"project": e.demo, "pointer": "", "output": "model.json"}),
    );
    assert_eq!(versions[0]["current"], true, "{versions}");
    assert_eq!(versions[0]["md5"], item(&data, "model.json")["md5"]);
    let history = call(
        &e.api,
        "data_history",
        json!({"project": e.demo, "pointer": "data/flowers.csv.dvc"}),
    );
    assert_eq!(history[0]["current"], true);

    // Experiments: the saved version is the baseline; an experiment with another
    // learning rate (made by the engine, as `cairn exp run -S` makes it) is a third row.
    let bad = dispatch(
        &e.api,
        "run_experiment",
        json!({"project": e.demo, "setParams": ["train.learning_rate=[0.1"], "name": null}),
    )
    .expect_err("a malformed override is refused up front");
    assert_eq!(
        serde_json::to_value(bad.code).unwrap(),
        "invalid_arguments",
        "{bad:?}"
    );
    let mut rx = e.api.subscribe();
    call(
        &e.api,
        "run_experiment",
        json!({"project": e.demo, "setParams": ["train.learning_rate=0.05"], "name": "slower"}),
    );
    succeeds(&mut rx);
    let git = cairn_git::Git::discover(std::path::Path::new(&e.demo)).unwrap();
    let made_commit = git
        .ref_target(&cairn_exp::refs::ref_name(
            &git.head_commit().unwrap(),
            "slower",
        ))
        .expect("the experiment ref exists");
    let exps = call(&e.api, "list_experiments", json!({"project": e.demo}));
    let columns = exps["columns"].as_array().unwrap();
    let col = |kind: &str, key: &str| {
        columns
            .iter()
            .position(|c| c["kind"] == kind && c["key"] == key)
            .unwrap_or_else(|| panic!("no {kind} column {key}: {columns:?}"))
    };
    let lr = col("param", "train.learning_rate");
    let acc = columns
        .iter()
        .position(|c| c["kind"] == "metric" && c["file"] == "dvclive/metrics.json")
        .unwrap_or_else(|| panic!("no metric column: {columns:?}"));
    assert!(lr < acc, "params come before metrics");
    let rows = exps["rows"].as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[..2], ["workspace", "baseline"], "{rows:?}");
    // Like `dvc exp run`, the experiment's params stay in the work tree.
    for (r, want) in rows[..2].iter().zip([0.05, 0.1]) {
        assert_eq!(r["values"][lr]["text"], want.to_string(), "{r}");
        assert_eq!(r["values"][lr]["num"], want, "{r}");
        assert!(r["values"][acc]["num"].is_number(), "{r}");
    }
    let exp = &rows[2];
    assert_eq!(
        (
            exp["kind"].as_str(),
            exp["name"].as_str(),
            exp["id"].as_str()
        ),
        (
            Some("experiment"),
            Some("slower"),
            Some(made_commit.as_str())
        )
    );
    assert_eq!(exp["baseline"], rows[1]["id"]);
    assert_eq!(exp["values"][lr]["text"], "0.05");
    assert!(exp["values"][acc]["num"].is_number(), "{exp}");
    let baseline = rows[1]["id"].as_str().unwrap();
    // Image plots: the confusion matrix `evaluate` draws, in the work tree and in the
    // experiment's commit (where `cache: false` plots are committed), byte for byte.
    let images = call(
        &e.api,
        "plot_images",
        json!({"project": e.demo, "revs": ["workspace", made_commit]}),
    );
    let committed = git_show(&e.demo, &format!("{made_commit}:eval/confusion.svg"));
    let on_disk = std::fs::read(std::path::Path::new(&e.demo).join("eval/confusion.svg")).unwrap();
    for (view, want) in images.as_array().unwrap().iter().zip([on_disk, committed]) {
        let found = &view["images"][0];
        assert_eq!(found["path"], "eval/confusion.svg", "{view}");
        let url = found["url"].as_str().unwrap_or_else(|| panic!("{view}"));
        let b64 = url.strip_prefix("data:image/svg+xml;base64,").expect(url);
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(bytes, want, "{}", view["rev"]);
    }
    let series = call(
        &e.api,
        "metric_series",
        json!({"project": e.demo, "revs": ["workspace", baseline, made_commit], "names": ["train/loss"], "width": 100}),
    );
    assert_eq!(series.as_array().unwrap().len(), 3);
    for s in series.as_array().unwrap() {
        let lines = s["series"].as_array().unwrap();
        assert_eq!(lines.len(), 1, "{s}");
        assert_eq!(lines[0]["name"], "train/loss");
        let xs = lines[0]["xs"].as_array().unwrap();
        assert!(
            xs.len() > 10 && xs.len() <= 202,
            "decimated for 100 px: {}",
            xs.len()
        );
        assert_eq!(xs.len(), lines[0]["ys"].as_array().unwrap().len());
    }

    // Step-series columns: the loss's minimum, maximum and value at step 3 of each row,
    // each checked against the full (undecimated) series.
    let stats = json!([{"stat": "min"}, {"stat": "max"}, {"stat": "at", "step": 3.0}]);
    let with_series = call(
        &e.api,
        "list_experiments",
        json!({"project": e.demo, "series": stats}),
    );
    let columns = with_series["columns"].as_array().unwrap();
    let loss: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c["kind"] == "series" && c["key"] == "train/loss")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(loss.len(), 3, "one column per stat: {columns:?}");
    assert_eq!(
        columns[loss[0]]["file"],
        "dvclive/plots/metrics/train/loss.tsv"
    );
    assert_eq!(columns[loss[2]]["stat"], json!({"stat": "at", "step": 3.0}));
    assert!(
        loss[0] > acc,
        "series columns come after the metrics: {columns:?}"
    );
    let full = call(
        &e.api,
        "metric_series",
        json!({"project": e.demo, "revs": [made_commit], "names": ["train/loss"], "width": 8192}),
    );
    let line = &full[0]["series"][0];
    let xs: Vec<f64> = serde_json::from_value(line["xs"].clone()).unwrap();
    let ys: Vec<f64> = serde_json::from_value(line["ys"].clone()).unwrap();
    let first_at = |v: f64| xs[ys.iter().position(|&y| y == v).unwrap()];
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp_row = with_series["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == made_commit.as_str())
        .unwrap();
    let cell = |i: usize| &exp_row["values"][loss[i]];
    assert_eq!(
        (cell(0)["num"].as_f64(), cell(0)["step"].as_f64()),
        (Some(lo), Some(first_at(lo)))
    );
    assert_eq!(
        (cell(1)["num"].as_f64(), cell(1)["step"].as_f64()),
        (Some(hi), Some(first_at(hi)))
    );
    assert_eq!(
        cell(2)["num"].as_f64(),
        Some(ys[xs.iter().position(|&x| x == 3.0).unwrap()])
    );
    assert!(lo < hi, "the loss moves during training: {ys:?}");
    // The table itself is unchanged by the extra columns.
    assert_eq!(
        &columns[..loss[0]],
        &exps["columns"].as_array().unwrap()[..]
    );

    // Notes on an experiment: git notes under refs/notes/cairn, shown in the table.
    call(
        &e.api,
        "set_note",
        json!({"project": e.demo, "commit": made_commit, "note": "slower lr: smoother loss\n"}),
    );
    let noted = call(&e.api, "list_experiments", json!({"project": e.demo}));
    let row_of = |v: &Value, id: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        row_of(&noted, &made_commit)["note"],
        "slower lr: smoother loss"
    );
    assert!(row_of(&noted, baseline)["note"].is_null());
    assert_eq!(
        git.note(&made_commit).unwrap().as_deref(),
        Some("slower lr: smoother loss\n")
    );
    for (commit, code) in [("workspace", "invalid_arguments"), ("0000000", "not_found")] {
        let err = dispatch(
            &e.api,
            "set_note",
            json!({"project": e.demo, "commit": commit, "note": "x"}),
        )
        .unwrap_err();
        assert_eq!(serde_json::to_value(err.code).unwrap(), code, "{err:?}");
    }
    call(
        &e.api,
        "set_note",
        json!({"project": e.demo, "commit": made_commit, "note": "  "}),
    );
    let cleared = call(&e.api, "list_experiments", json!({"project": e.demo}));
    assert!(row_of(&cleared, &made_commit)["note"].is_null());

    // The table's actions on one experiment, as `dvc exp rename|branch|remove|apply` do them.
    let act = |exp: &str, action: Value| {
        call(
            &e.api,
            "experiment_action",
            json!({"project": e.demo, "experiment": exp, "action": action}),
        )
    };
    act("slower", json!({"kind": "rename", "newName": "slow-lr"}));
    let renamed = cairn_exp::refs::ref_name(&git.head_commit().unwrap(), "slow-lr");
    assert_eq!(
        git.ref_target(&renamed).as_deref(),
        Some(made_commit.as_str())
    );
    let taken = dispatch(
        &e.api,
        "experiment_action",
        json!({"project": e.demo, "experiment": "nope", "action": {"kind": "remove"}}),
    )
    .unwrap_err();
    assert!(taken.message.contains("nope"), "{taken:?}");
    let b = act("slow-lr", json!({"kind": "branch", "branch": "lr-study"}));
    assert_eq!(b["branch"], "lr-study");
    assert_eq!(
        git.resolve("refs/heads/lr-study").unwrap(),
        made_commit,
        "the branch points at the experiment"
    );
    let gone = act("slow-lr", json!({"kind": "remove"}));
    assert!(git.ref_target(&renamed).is_none(), "removed");
    let names = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    let listed = call(&e.api, "list_experiments", json!({"project": e.demo}));
    assert!(!names(&listed).contains(&"slow-lr".to_string()));
    act("", json!({"kind": "restore", "refs": gone["removed"]}));
    let listed = call(&e.api, "list_experiments", json!({"project": e.demo}));
    assert!(names(&listed).contains(&"slow-lr".to_string()), "{listed}");
    let forged = dispatch(
        &e.api,
        "experiment_action",
        json!({"project": e.demo, "experiment": "", "action": {"kind": "restore", "refs": [{"name": "x", "refname": "refs/heads/main", "commit": made_commit}]}}),
    )
    .unwrap_err();
    assert!(
        forged.message.contains("not an experiment ref"),
        "{forged:?}"
    );
    // Apply over uncommitted edits: they are kept in the stash ref, the experiment's
    // params replace them.
    let params = std::path::Path::new(&e.demo).join("params.yaml");
    let text = std::fs::read_to_string(&params).unwrap();
    std::fs::write(
        &params,
        text.replace("learning_rate: 0.05", "learning_rate: 0.3"),
    )
    .unwrap();
    assert!(
        std::fs::read_to_string(&params)
            .unwrap()
            .contains("learning_rate: 0.3")
    );
    let applied = act("slow-lr", json!({"kind": "apply"}));
    assert!(applied["savedChanges"].is_string(), "{applied}");
    assert!(
        std::fs::read_to_string(&params)
            .unwrap()
            .contains("learning_rate: 0.05")
    );
    assert!(git.ref_target("refs/exps/apply/stash").is_some());

    // A sweep: one experiment per value, run by the queue's workers, reported as progress.
    let mut rx = e.api.subscribe();
    call(
        &e.api,
        "run_experiment",
        json!({"project": e.demo, "setParams": ["train.epochs=5,6"], "name": "ep"}),
    );
    let mut progress_done = 0;
    succeeds_with(&mut rx, |e| {
        if let ApiEvent::Progress { title, done, .. } = e
            && title == "Running 2 experiments"
        {
            progress_done = progress_done.max(*done);
        }
    });
    assert_eq!(progress_done, 2, "both experiments reported");
    let exps = call(&e.api, "list_experiments", json!({"project": e.demo}));
    let epochs = exps["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["kind"] == "param" && c["key"] == "train.epochs")
        .unwrap();
    let mut swept: Vec<String> = exps["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"].as_str().is_some_and(|n| n.starts_with("ep-")))
        .map(|r| r["values"][epochs]["text"].as_str().unwrap().to_string())
        .collect();
    swept.sort();
    assert_eq!(swept, ["5", "6"], "{exps}");

    // Cancel: a forced run stopped at once ends as cancelled, and the project can run again.
    let mut rx = e.api.subscribe();
    call(
        &e.api,
        "run_pipeline",
        json!({"project": e.demo, "targets": [], "force": true, "downstream": false, "singleItem": false}),
    );
    let again = dispatch(
        &e.api,
        "run_pipeline",
        json!({"project": e.demo, "targets": [], "force": true, "downstream": false, "singleItem": false}),
    );
    assert_eq!(
        again.unwrap_err().code,
        cairn_api::ErrorCode::AlreadyRunning
    );
    let during = dispatch(
        &e.api,
        "experiment_action",
        json!({"project": e.demo, "experiment": "slow-lr", "action": {"kind": "apply"}}),
    );
    assert_eq!(
        during.unwrap_err().code,
        cairn_api::ErrorCode::AlreadyRunning,
        "no apply while the app's run writes the work tree"
    );
    call(&e.api, "cancel_run", json!({"project": e.demo}));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut status = None;
    while Instant::now() < deadline && status.is_none() {
        match rx.try_recv() {
            Ok(ApiEvent::RunFinished { status: s, .. }) => status = Some(s),
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    assert_eq!(
        serde_json::to_value(status.expect("the run ends")).unwrap(),
        "cancelled"
    );
    let err = dispatch(&e.api, "cancel_run", json!({"project": e.demo})).unwrap_err();
    assert_eq!(
        err.code,
        cairn_api::ErrorCode::NotFound,
        "nothing left to cancel"
    );

    // A failing stage: the run fails, the stage stays failed (with why) after the run,
    // what depends on it stays stale.
    let train = std::path::Path::new(&e.demo).join("src/train.py");
    std::fs::write(
        &train,
        "import sys\nprint('diverged', file=sys.stderr)\nsys.exit(3)\n",
    )
    .unwrap();
    let mut rx = e.api.subscribe();
    call(
        &e.api,
        "run_pipeline",
        json!({"project": e.demo, "targets": [], "force": false, "downstream": false, "singleItem": false}),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut status = None;
    while Instant::now() < deadline && status.is_none() {
        match rx.try_recv() {
            Ok(ApiEvent::RunFinished { status: s, .. }) => status = Some(s),
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    assert_eq!(
        serde_json::to_value(status.expect("the run ends")).unwrap(),
        "failed"
    );
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    let state = |id: &str| {
        view["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(state("train")["state"], "failed", "{view}");
    assert!(
        state("train")["reasons"][0]
            .as_str()
            .unwrap()
            .contains("exit code 3"),
        "{view}"
    );
    assert_eq!(state("evaluate")["state"], "stale");
    let runs = call(&e.api, "list_runs", json!({"project": e.demo}));
    let detail = call(
        &e.api,
        "get_run",
        json!({"project": e.demo, "runId": runs[0]["id"]}),
    );
    let t = detail["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "train")
        .unwrap();
    assert_eq!(t["exitCode"], 3);
    assert!(
        t["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["line"] == "diverged"),
        "{t}"
    );
}
