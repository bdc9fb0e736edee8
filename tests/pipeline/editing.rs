//! Editing pipelines: `cairn stage add` must write what `dvc stage add` writes, and the
//! app's edits (command, wiring, removal) must leave a file DVC reads exactly as Cairn
//! does, with the author's comments and layout intact.

use cairn_e2e::{TestRepo, Tool, init, json};
use cairn_pipeline::edit::{self, Edit, NewOut, NewStage, PathList};
use cairn_pipeline::{LocalFs, OutKind};

fn twin_repos(files: &[(&str, &str)]) -> (TestRepo, TestRepo) {
    let by_dvc = TestRepo::new();
    for (p, c) in files {
        by_dvc.write(p, c);
    }
    init(Tool::Dvc, &by_dvc);
    let by_cairn = by_dvc.duplicate();
    (by_dvc, by_cairn)
}

fn text(repo: &TestRepo, rel: &str) -> String {
    String::from_utf8(repo.read(rel)).unwrap()
}

#[test]
fn stage_add_writes_the_bytes_dvc_stage_add_writes() {
    let (by_dvc, by_cairn) = twin_repos(&[
        ("data.csv", "a,b\n"),
        ("params.yaml", "lr: 0.1\nepochs: 3\n"),
        ("other.yaml", "depth: 2\n"),
        ("src/train.py", "print()\n"),
    ]);
    let long = "python -c 'import sys; print(\"a very long command line that goes on and on well past eighty columns\")'";
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "-n",
            "prepare",
            "-d",
            "data.csv",
            "-o",
            "prepared",
            "python prep.py data.csv prepared",
        ],
        vec![
            "-n",
            "train",
            "-d",
            "src/train.py",
            "-d",
            "prepared",
            "-p",
            "lr,epochs",
            "-p",
            "other.yaml:depth",
            "-o",
            "model.pkl",
            "-M",
            "metrics.json",
            "--plots-no-cache",
            "plots.csv",
            "python",
            "src/train.py",
            "model dir",
        ],
        vec![
            "-n",
            "evaluate",
            "--desc",
            "Scores the model",
            "-d",
            "model.pkl",
            "-O",
            "report.html",
            "--outs-persist",
            "history.log",
            "--always-changed",
            long,
        ],
        vec![
            "-n",
            "in_src",
            "-w",
            "src",
            "-d",
            "train.py",
            "-o",
            "out.txt",
            "python train.py > out.txt",
        ],
        vec![
            "-n",
            "whole",
            "-p",
            "other.yaml:",
            "-p",
            "params.yaml:",
            "-o",
            "w.txt",
            "echo \"a: b\" > w.txt",
        ],
        vec![
            "-f",
            "-n",
            "prepare",
            "-d",
            "data.csv",
            "-d",
            "params.yaml",
            "-o",
            "prepared",
            "python prep.py v2",
        ],
    ];
    for args in &steps {
        let mut full = vec!["stage", "add"];
        full.extend(args.iter().copied());
        Tool::Dvc.ok(&by_dvc, &full);
        Tool::Cairn.ok(&by_cairn, &full);
        let (d, c) = (text(&by_dvc, "dvc.yaml"), text(&by_cairn, "dvc.yaml"));
        assert_eq!(
            c,
            d,
            "dvc.yaml differs after `stage add {}`",
            args.join(" ")
        );
    }
    // Both refuse a stage that exists (without --force) and a name DVC cannot address.
    for args in [
        vec!["stage", "add", "-n", "train", "echo"],
        vec!["stage", "add", "-n", "a.b", "echo"],
    ] {
        assert!(
            !Tool::Dvc.run(&by_dvc, &args).success(),
            "dvc accepted {args:?}"
        );
        let run = Tool::Cairn.run(&by_cairn, &args);
        assert!(!run.success(), "cairn accepted {args:?}");
    }
    assert_eq!(text(&by_cairn, "dvc.yaml"), text(&by_dvc, "dvc.yaml"));
    assert_eq!(
        by_cairn.cairn_ok(["dag", "--dot"]),
        by_dvc.dvc_ok(["dag", "--dot"])
    );
    // A missing dependency is named, with what to do; nothing is written.
    let before = text(&by_cairn, "dvc.yaml");
    let out = by_cairn.cairn(["stage", "add", "-n", "late", "-d", "nowhere.csv", "echo"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`nowhere.csv` does not exist and no stage outputs it"),
        "{err}"
    );
    assert_eq!(text(&by_cairn, "dvc.yaml"), before);
}

const PIPELINE: &str = "\
# Hand-written; the comments must survive.
stages:
    prepare:   # cleans the input
        cmd: cp data.csv prepared.csv
        deps:
            - data.csv
        outs:
            - prepared.csv

    # Trains on the prepared data.
    train:
        cmd: cp prepared.csv model.txt
        deps:
            - prepared.csv
        outs:
            - model.txt
            - notes.txt
";

fn apply(repo: &TestRepo, e: Edit) {
    let change = edit::plan(&LocalFs::new(repo.path()), &e).unwrap_or_else(|err| panic!("{err}"));
    edit::write(repo.path(), &change).unwrap();
}

fn same_status(repo: &TestRepo, after: &str) {
    assert_eq!(
        json(&repo.cairn_ok(["status", "--json"])),
        json(&repo.dvc_ok(["status", "--json"])),
        "status differs after {after}:\n{}",
        text(repo, "dvc.yaml")
    );
    assert_eq!(
        repo.cairn_ok(["dag", "--dot"]),
        repo.dvc_ok(["dag", "--dot"]),
        "dag differs after {after}"
    );
}

#[test]
fn app_edits_leave_a_file_dvc_reads_as_cairn_does() {
    let repo = TestRepo::new();
    repo.write("dvc.yaml", PIPELINE);
    repo.write("data.csv", "1\n");
    init(Tool::Dvc, &repo);
    // `notes.txt` is never written: drop that output first, through the editor.
    apply(
        &repo,
        Edit::RemovePath {
            stage: "train".into(),
            list: PathList::Outs,
            path: "notes.txt".into(),
        },
    );
    repo.dvc_ok(["repro"]);
    same_status(&repo, "repro");

    apply(
        &repo,
        Edit::SetCmd {
            stage: "train".into(),
            cmd: vec!["cp prepared.csv model.txt && echo v2 >> model.txt".into()],
        },
    );
    same_status(&repo, "changing a command");

    apply(
        &repo,
        Edit::AddStage {
            file: "dvc.yaml".into(),
            stage: NewStage {
                name: "report".into(),
                cmd: vec!["cat model.txt > report.txt".into()],
                deps: vec!["model.txt".into()],
                outs: vec![NewOut {
                    path: "report.txt".into(),
                    kind: OutKind::Out,
                    cache: true,
                    persist: false,
                }],
                ..Default::default()
            },
            force: false,
        },
    );
    same_status(&repo, "adding a stage");

    // Wire prepare's output into the new stage, then take that wire out again.
    let wire = |add: bool| {
        let (stage, list, path) = (
            "report".to_string(),
            PathList::Deps,
            "prepared.csv".to_string(),
        );
        if add {
            Edit::AddPath { stage, list, path }
        } else {
            Edit::RemovePath { stage, list, path }
        }
    };
    apply(&repo, wire(true));
    same_status(&repo, "wiring prepared.csv into report");
    assert!(repo.dvc_ok(["dag"]).contains("report"));
    apply(&repo, wire(false));
    same_status(&repo, "unwiring");

    apply(
        &repo,
        Edit::RemoveStage {
            stage: "prepare".into(),
        },
    );
    same_status(&repo, "removing a stage");

    let t = text(&repo, "dvc.yaml");
    assert!(
        t.starts_with("# Hand-written; the comments must survive.\nstages:\n    # Trains"),
        "{t}"
    );
    assert!(!t.contains("cleans the input"), "{t}");
    // Both tools now run the edited pipeline to the same lock file.
    let twin = repo.duplicate();
    repo.cairn_ok(["repro"]);
    twin.dvc_ok(["repro"]);
    assert_eq!(text(&repo, "dvc.lock"), text(&twin, "dvc.lock"));
}

#[test]
fn stage_add_in_a_subdirectory_writes_its_own_dvc_yaml_like_dvc() {
    let (by_dvc, by_cairn) = twin_repos(&[("sub/raw.csv", "1\n"), ("top.csv", "2\n")]);
    let args = [
        "stage",
        "add",
        "-n",
        "local",
        "-d",
        "raw.csv",
        "-d",
        "../top.csv",
        "-o",
        "clean.csv",
        "cp raw.csv clean.csv",
    ];
    for (repo, bin) in [
        (&by_dvc, cairn_testkit::dvc_bin()),
        (&by_cairn, cairn_testkit::cairn_bin()),
    ] {
        let out = repo
            .command(bin)
            .current_dir(repo.join("sub"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        text(&by_cairn, "sub/dvc.yaml"),
        text(&by_dvc, "sub/dvc.yaml")
    );
    assert!(!by_cairn.join("dvc.yaml").exists());
    // Both address it the same way, and both run it.
    assert_eq!(
        by_cairn.cairn_ok(["dag", "--dot"]),
        by_dvc.dvc_ok(["dag", "--dot"])
    );
    let said = by_cairn.cairn_ok(["repro", "-P"]);
    assert!(
        said.contains("git add sub/dvc.lock sub/.gitignore"),
        "{said}"
    );
    by_dvc.dvc_ok(["repro", "-P"]);
    assert_eq!(
        text(&by_cairn, "sub/dvc.lock"),
        text(&by_dvc, "sub/dvc.lock")
    );
}

/// The file's text, or `None` when it does not exist.
fn maybe(repo: &TestRepo, rel: &str) -> Option<String> {
    std::fs::read_to_string(repo.join(rel)).ok()
}

#[test]
fn removing_stages_cleans_dvc_lock_and_gitignore_as_dvc_remove_does() {
    let yaml = "stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n  b:\n    cmd: mkdir -p out && cp a.txt out/b.txt && echo m > m.json\n    deps:\n    - a.txt\n    outs:\n    - out/b.txt\n    metrics:\n    - m.json:\n        cache: false\n  c:\n    cmd: cp a.txt c.txt\n    deps:\n    - a.txt\n    outs:\n    - c.txt\n";
    let (by_dvc, by_cairn) = twin_repos(&[("dvc.yaml", yaml)]);
    by_dvc.dvc_ok(["repro"]);
    by_cairn.dvc_ok(["repro"]);
    let files = ["dvc.yaml", "dvc.lock", ".gitignore", "out/.gitignore"];
    let same = |after: &str| {
        for f in files {
            assert_eq!(maybe(&by_cairn, f), maybe(&by_dvc, f), "{f} after {after}");
        }
        assert_eq!(
            json(&by_cairn.dvc_ok(["status", "--json"])),
            json(&by_dvc.dvc_ok(["status", "--json"])),
            "status after {after}"
        );
    };
    for stage in ["b", "a"] {
        by_dvc.dvc_ok(["remove", stage]);
        by_cairn.cairn_ok(["remove", stage]);
        same(&format!("removing {stage}"));
    }
    // The outputs stay; `out/.gitignore` went with its only line.
    assert!(by_cairn.join("out/b.txt").exists() && maybe(&by_cairn, "out/.gitignore").is_none());
    // The last stage: dvc deletes dvc.yaml, Cairn keeps an empty one (the file may hold
    // other sections); the lock file and .gitignore go in both.
    by_dvc.dvc_ok(["remove", "c"]);
    by_cairn.cairn_ok(["remove", "c"]);
    assert_eq!(
        maybe(&by_cairn, "dvc.yaml").as_deref(),
        Some("stages: {}\n")
    );
    for f in ["dvc.lock", ".gitignore"] {
        assert_eq!(
            maybe(&by_cairn, f),
            maybe(&by_dvc, f),
            "{f} after removing c"
        );
    }
    let out = by_cairn.cairn(["remove", "nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no stage `nope`"));
}

#[test]
fn freeze_and_unfreeze_write_what_dvc_writes() {
    let yaml = "stages:\n  prep:\n    cmd: cp in.txt mid.txt  # copy\n    deps:\n    - in.txt\n    outs:\n    - mid.txt\n  train:\n    cmd: [cp mid.txt model.txt]\n    deps: [mid.txt]\n    outs: [model.txt]\n    desc: the model\n\n  report:\n    cmd: cat model.txt\n    deps:\n    - model.txt\n    frozen: false\n";
    let base = TestRepo::new();
    base.write("in.txt", "x\n");
    base.write("dvc.yaml", yaml);
    base.write("sub/dvc.yaml", "stages:\n  s:\n    cmd: echo hi\n");
    cairn_e2e::init(Tool::Dvc, &base);
    let (by_cairn, by_dvc) = (base.duplicate(), base.duplicate());
    for (args, what) in [
        (vec!["freeze", "prep", "train"], "freeze two stages"),
        (vec!["freeze", "report"], "freeze one written frozen: false"),
        (
            vec!["freeze", "sub/dvc.yaml:s"],
            "freeze a stage of another dvc.yaml",
        ),
        (vec!["freeze", "prep"], "freeze a frozen stage"),
        (vec!["unfreeze", "train", "report"], "unfreeze"),
        (vec!["unfreeze", "train"], "unfreeze an unfrozen stage"),
    ] {
        by_cairn.cairn_ok(&args);
        by_dvc.dvc_ok(&args);
        for f in ["dvc.yaml", "sub/dvc.yaml"] {
            assert_eq!(
                String::from_utf8_lossy(&by_cairn.read(f)),
                String::from_utf8_lossy(&by_dvc.read(f)),
                "{f} after {what}"
            );
        }
    }
    // Both tools judge the frozen pipeline alike.
    assert_eq!(
        json(&by_cairn.cairn_ok(["status", "--json"])),
        json(&by_cairn.dvc_ok(["status", "--json"]))
    );
    let err = by_cairn.cairn(["freeze", "nope"]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("nope"));
}
