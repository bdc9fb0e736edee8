//! cairn-api end to end: the demo project through the same `dispatch` every frontend uses.

use crate::common::call;
use cairn_api::{Api, ErrorCode, dispatch};
use serde_json::{Value, json};

struct Env {
    _dir: tempfile::TempDir,
    api: Api,
    demo: String,
}

/// A fresh data dir with the demo installed (run records go there too).
fn env() -> Env {
    let (dir, api, demo) = crate::common::api_with_demo();
    Env {
        _dir: dir,
        api,
        demo,
    }
}

#[test]
fn first_launch_installs_a_trusted_committed_demo_with_four_stages() {
    let e = env();
    let projects = call(&e.api, "list_projects", Value::Null);
    let p = &projects[0];
    assert_eq!(p["name"], "cairn-demo");
    assert_eq!(p["branch"], "main");
    assert_eq!(
        p["stageCount"], 4,
        "prepare, featurize, train, evaluate: {p}"
    );
    assert_eq!(p["trusted"], true, "the demo is ours, so it is trusted");
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    let names: Vec<&str> = view["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["isDataSource"] == false)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["prepare", "featurize", "train", "evaluate"]);
    assert!(view["problems"].as_array().unwrap().is_empty(), "{view}");
    assert!(
        view["stages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["isDataSource"] == false)
            .all(|s| s["state"] == "stale"),
        "nothing has run yet, so every stage is stale: {view}"
    );
    assert_eq!(view["stages"][1]["reasons"], json!(["never run"]), "{view}");
    let edges = view["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|x| x["source"] == "train" && x["target"] == "evaluate")
    );
    let data = call(&e.api, "data_status", json!({"project": e.demo}));
    let items = data["items"].as_array().unwrap();
    let item = |path: &str| {
        items
            .iter()
            .find(|i| i["path"] == path)
            .unwrap_or_else(|| panic!("{path} is not listed: {items:?}"))
    };
    let flowers = item("data/flowers.csv");
    assert_eq!(flowers["state"], "in_sync");
    assert_eq!(flowers["pointer"], "data/flowers.csv.dvc");
    assert_eq!(flowers["stage"], Value::Null);
    // The stages' cached outputs are listed too, with the stage that writes them; none
    // has run yet. Uncached ones (metrics, plots) are git's, not listed.
    for (path, stage) in [
        ("data/prepared", "prepare"),
        ("data/features", "featurize"),
        ("model.json", "train"),
    ] {
        let out = item(path);
        assert_eq!(out["stage"], stage, "{out}");
        assert_eq!(out["pointer"], "dvc.lock", "{out}");
        assert_eq!(out["state"], "not_recorded", "{out}");
        assert_eq!(out["md5"], Value::Null, "{out}");
    }
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(
        data["unsaved"].as_array().unwrap().is_empty(),
        "the demo is committed: {data}"
    );
}

#[test]
fn unknown_commands_and_bad_arguments_are_typed_errors() {
    let e = env();
    let err = dispatch(&e.api, "no_such_thing", Value::Null).unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownCommand);
    let err = dispatch(&e.api, "get_pipeline", json!({"projekt": 1})).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArguments);
    let err = dispatch(
        &e.api,
        "get_pipeline",
        json!({"project": "/definitely/not/here"}),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn a_malformed_dvc_yaml_still_opens_and_names_its_line() {
    let e = env();
    let file = std::path::Path::new(&e.demo).join("dvc.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "    cmd: python3 src/train.py",
            "    cmd: [python3 src/train.py",
        ),
    )
    .unwrap();
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    let problem = &view["problems"][0];
    assert_eq!(problem["code"], "invalid_pipeline");
    assert_eq!(problem["file"], "dvc.yaml");
    assert!(problem["line"].as_u64().unwrap() >= 22, "{problem}");
    let err = dispatch(&e.api, "run_pipeline", json!({"project": e.demo, "targets": [], "force": false, "downstream": false, "singleItem": false})).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidPipeline);
    assert_eq!(err.file.as_deref(), Some("dvc.yaml"));
}

#[test]
fn untrusted_projects_do_not_run() {
    let e = env();
    call(
        &e.api,
        "set_trust",
        json!({"project": e.demo, "trusted": false}),
    );
    let err = dispatch(&e.api, "run_pipeline", json!({"project": e.demo, "targets": [], "force": false, "downstream": false, "singleItem": false})).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotTrusted);
}

#[test]
fn add_folder_finds_repositories_and_remove_takes_them_off_the_list() {
    let e = env();
    let work = tempfile::tempdir().unwrap();
    for name in ["a", "nested/b"] {
        let dir = work.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("README.md"), "x").unwrap();
        cairn_git::Git::init(&dir)
            .unwrap()
            .commit_all("init")
            .unwrap();
    }
    let added = call(&e.api, "add_folder", json!({"path": work.path()}));
    let names: Vec<&str> = added["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let again = call(&e.api, "add_folder", json!({"path": work.path()}));
    assert_eq!(again["alreadyListed"], 2, "adding twice lists nothing new");
    let b = added["added"][1]["path"].as_str().unwrap().to_string();
    call(&e.api, "remove_project", json!({"project": b}));
    let err = dispatch(&e.api, "remove_project", json!({"project": b})).unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::NotFound,
        "removing twice says it is not listed"
    );
    assert_eq!(
        call(&e.api, "list_projects", Value::Null)
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn pipeline_edits_are_written_back_checked_and_undone() {
    let e = env();
    let project = json!({"project": e.demo});
    let yaml = || std::fs::read_to_string(std::path::Path::new(&e.demo).join("dvc.yaml")).unwrap();
    let original = yaml();
    let edit = |edit: Value| {
        dispatch(
            &e.api,
            "edit_pipeline",
            json!({"project": e.demo, "edit": edit}),
        )
    };

    // A new stage fed by train's output.
    let r = edit(
        json!({"kind": "add_stage", "name": "report", "cmd": "python3 src/report.py\n",
                        "deps": ["model.json"], "outs": ["report.md"]}),
    )
    .unwrap();
    assert_eq!(r["summary"], "added stage `report` to dvc.yaml");
    let block = "  report:\n    cmd: python3 src/report.py\n    deps:\n      - model.json\n    outs:\n      - report.md\n";
    assert_eq!(
        yaml().replacen(block, "", 1),
        original,
        "only the new stage's lines are added"
    );
    let view = call(&e.api, "get_pipeline", project.clone());
    let edges = view["edges"].as_array().unwrap();
    assert!(
        edges.iter().any(|x| x["source"] == "train"
            && x["target"] == "report"
            && x["paths"] == json!(["model.json"])),
        "{edges:?}"
    );

    // Wiring evaluate's metrics into it, and changing its command.
    edit(json!({"kind": "add_dep", "stage": "report", "path": "dvclive/metrics.json"})).unwrap();
    edit(json!({"kind": "set_cmd", "stage": "report", "cmd": "python3 src/report.py --full"}))
        .unwrap();
    let detail = call(
        &e.api,
        "get_stage",
        json!({"project": e.demo, "stage": "report"}),
    );
    assert_eq!(detail["writtenCmd"], "python3 src/report.py --full");
    let deps: Vec<&str> = detail["deps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(deps, ["model.json", "dvclive/metrics.json"]);

    // A loop is refused with the stages on it, and nothing is written.
    let before = yaml();
    let err =
        edit(json!({"kind": "add_dep", "stage": "prepare", "path": "report.md"})).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidPipeline, "{err:?}");
    assert!(
        err.message.contains("nothing was written"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("prepare") && err.message.contains("report"),
        "{}",
        err.message
    );
    assert_eq!(yaml(), before);
    let err =
        edit(json!({"kind": "add_dep", "stage": "report", "path": "../outside.txt"})).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArguments, "{err:?}");
    let err =
        edit(json!({"kind": "add_stage", "name": "train", "cmd": "x", "deps": [], "outs": []}))
            .unwrap_err();
    assert_eq!(
        (err.file.as_deref(), err.line),
        (Some("dvc.yaml"), Some(21)),
        "{err:?}"
    );

    // Undo walks back, newest first, to the original bytes.
    let r = call(&e.api, "undo_edit", project.clone());
    assert_eq!(r["summary"], "undid: changed the command of stage `report`");
    call(&e.api, "undo_edit", project.clone());
    let r = call(&e.api, "undo_edit", project.clone());
    assert_eq!(r["undo"], Value::Null);
    assert_eq!(yaml(), original);
    let err = dispatch(&e.api, "undo_edit", project.clone()).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);

    // An edit made by hand afterwards is never overwritten by undo.
    edit(json!({"kind": "remove_stage", "stage": "evaluate"})).unwrap();
    assert!(!yaml().contains("evaluate:"));
    std::fs::write(
        std::path::Path::new(&e.demo).join("dvc.yaml"),
        original.replace("seed", "seed "),
    )
    .unwrap();
    let err = dispatch(&e.api, "undo_edit", project.clone()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    assert!(yaml().contains("seed "));
}

#[test]
fn dragged_node_positions_are_kept_per_project_until_reset() {
    let e = env();
    let get = || call(&e.api, "get_layout", json!({"project": e.demo}));
    assert_eq!(get(), json!([]), "the automatic layout at first");
    call(
        &e.api,
        "save_layout",
        json!({"project": e.demo, "reset": false, "positions": [
            {"node": "train", "x": 10.5, "y": -20.0},
            {"node": "group:sweep", "x": 0.0, "y": 0.0}
        ]}),
    );
    call(
        &e.api,
        "save_layout",
        json!({"project": e.demo, "reset": false, "positions": [{"node": "train", "x": 11.0, "y": 12.0}]}),
    );
    assert_eq!(
        get(),
        json!([
            {"node": "group:sweep", "x": 0.0, "y": 0.0},
            {"node": "train", "x": 11.0, "y": 12.0}
        ]),
        "a node moved twice keeps its last place"
    );
    // Another project's layout is its own.
    let work = tempfile::tempdir().unwrap();
    cairn_git::Git::init(work.path()).unwrap();
    assert_eq!(
        call(&e.api, "get_layout", json!({"project": work.path()})),
        json!([])
    );
    call(
        &e.api,
        "save_layout",
        json!({"project": e.demo, "reset": true, "positions": []}),
    );
    assert_eq!(get(), json!([]), "reset forgets them");
}

#[test]
fn the_pipeline_names_the_python_environment_its_stages_run_in() {
    let e = env();
    let root = std::path::Path::new(&e.demo);
    let activated_outside = ["VIRTUAL_ENV", "CONDA_PREFIX"]
        .iter()
        .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()));
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    if !activated_outside {
        assert!(
            view["pythonEnv"].is_null(),
            "the demo has no venv: {}",
            view["pythonEnv"]
        );
    }
    std::fs::create_dir_all(root.join(".venv/bin")).unwrap();
    std::fs::write(root.join(".venv/bin/python"), "").unwrap();
    std::fs::write(
        root.join(".venv/pyvenv.cfg"),
        "home = /usr/bin\nversion = 3.11.2\n",
    )
    .unwrap();
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    let shown = view["pythonEnv"].as_str().unwrap_or_default().to_string();
    if activated_outside {
        assert!(shown.ends_with("(active when Cairn started)"), "{shown}");
    } else {
        assert_eq!(shown, ".venv (Python 3.11.2)");
    }
}

#[test]
fn a_project_venv_is_made_from_requirements_txt() {
    let e = env();
    if cairn_run::pyenv::active_outside() {
        // Stages run in the active environment then; making one is refused (below).
        let err = dispatch(&e.api, "make_python_env", json!({"project": e.demo})).unwrap_err();
        assert_eq!(err.code, cairn_api::error::ErrorCode::Conflict);
        return;
    }
    let root = std::path::Path::new(&e.demo);
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    assert!(
        view["pythonEnvMakeable"].is_null(),
        "no requirements.txt yet"
    );
    let err = dispatch(&e.api, "make_python_env", json!({"project": e.demo})).unwrap_err();
    assert!(err.message.contains("no requirements.txt"), "{err:?}");
    // A requirement pip cannot find: the error carries pip's words, nothing is kept.
    std::fs::write(
        root.join("requirements.txt"),
        "cairn-no-such-package-xyz==0.0.1\n",
    )
    .unwrap();
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    assert_eq!(view["pythonEnvMakeable"], "requirements.txt");
    let err = dispatch(&e.api, "make_python_env", json!({"project": e.demo})).unwrap_err();
    assert!(
        err.message.contains("installing") && err.message.contains("cairn-no-such-package-xyz"),
        "{err:?}"
    );
    assert!(!root.join(".venv").exists(), "a half-made venv is removed");
    // What pip can install (nothing beyond the standard library): made, named, ignored.
    std::fs::write(
        root.join("requirements.txt"),
        "# the standard library is enough\n",
    )
    .unwrap();
    let shown = call(&e.api, "make_python_env", json!({"project": e.demo}));
    assert!(
        shown
            .as_str()
            .unwrap_or_default()
            .starts_with(".venv (Python 3."),
        "{shown}"
    );
    let view = call(&e.api, "get_pipeline", json!({"project": e.demo}));
    assert_eq!(view["pythonEnv"], shown);
    assert!(view["pythonEnvMakeable"].is_null());
    let status = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(root)
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(!status.contains(".venv"), "git lists the venv:\n{status}");
}

#[test]
fn a_new_project_is_a_committed_dvc_repository_listed_and_trusted() {
    let e = env();
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().canonicalize().unwrap();
    let made = call(
        &e.api,
        "create_project",
        json!({"folder": folder, "name": "first-model"}),
    );
    let root = folder.join("first-model");
    assert_eq!(made["name"], "first-model");
    assert_eq!(made["path"], root.to_string_lossy().as_ref());
    assert_eq!(made["trusted"], true, "its creator trusts it");
    for f in [".dvc/config", ".dvc/.gitignore", ".dvcignore", "README.md"] {
        assert!(root.join(f).is_file(), "{f}");
    }
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(git(&["log", "--format=%s"]), "Start the project\n");
    assert_eq!(
        git(&["status", "--porcelain"]),
        "",
        "everything is committed"
    );
    assert!(git(&["ls-files"]).contains(".dvc/config"));
    let listed = call(&e.api, "list_projects", Value::Null);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["path"] == made["path"])
    );
    let data = call(&e.api, "data_status", json!({"project": made["path"]}));
    assert!(data["unsaved"].as_array().unwrap().is_empty(), "{data}");

    // The same name again, a name with a slash, a relative folder: refused, nothing made.
    let again = dispatch(
        &e.api,
        "create_project",
        json!({"folder": folder, "name": "first-model"}),
    )
    .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict, "{again:?}");
    assert!(again.message.contains("already exists"), "{again:?}");
    for bad in [
        json!({"folder": folder, "name": "a/b"}),
        json!({"folder": "relative/place", "name": "x"}),
        json!({"folder": folder, "name": "  "}),
    ] {
        let err = dispatch(&e.api, "create_project", bad.clone()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArguments, "{bad}: {err:?}");
    }
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        1,
        "only the first project was made"
    );
}
