//! Engine behaviour beyond agreement with DVC: the run cache, parallel failures,
//! cancel, run records and error messages.

use cairn_e2e::{TestRepo, Tool, init, json};

fn repo_with(dvc_yaml: &str, files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.write("dvc.yaml", dvc_yaml);
    init(Tool::Dvc, &repo);
    repo
}

#[test]
fn run_cache_restores_outputs_instead_of_rerunning_and_dvc_agrees() {
    let repo = repo_with(
        "stages:\n  s:\n    cmd: cp in.txt out.txt && echo ran >> runs.log\n    deps: [in.txt]\n    outs: [out.txt]\n",
        &[("in.txt", "v1\n")],
    );
    repo.cairn_ok(["repro"]);
    let lock_v1 = repo.read("dvc.lock");
    // New input, run, then back to the old input: the old result comes from the run cache.
    repo.write("in.txt", "v2\n");
    repo.cairn_ok(["repro"]);
    repo.write("in.txt", "v1\n");
    let out = repo.cairn_ok(["repro"]);
    assert!(out.contains("is cached - skipping run"), "{out}");
    assert_eq!(
        String::from_utf8(repo.read("runs.log")).unwrap(),
        "ran\nran\n",
        "the command must not run a third time"
    );
    assert_eq!(repo.read("out.txt"), b"v1\n");
    assert_eq!(repo.read("dvc.lock"), lock_v1);
    assert_eq!(json(&repo.dvc_ok(["status", "--json"])), json("{}"));
    // DVC can restore from the run-cache entries Cairn wrote.
    repo.write("in.txt", "v2\n");
    let out = repo.dvc_ok(["repro"]);
    assert!(
        out.contains("is cached - skipping run"),
        "dvc did not use cairn's run cache:\n{out}"
    );
}

#[test]
fn deleted_output_is_checked_out_not_rerun() {
    let repo = repo_with(
        "stages:\n  s:\n    cmd: cp in.txt out.txt && echo ran >> runs.log\n    deps: [in.txt]\n    outs: [out.txt]\n",
        &[("in.txt", "v1\n")],
    );
    repo.cairn_ok(["repro"]);
    repo.remove("out.txt");
    repo.cairn_ok(["repro"]);
    assert_eq!(repo.read("out.txt"), b"v1\n");
    assert_eq!(String::from_utf8(repo.read("runs.log")).unwrap(), "ran\n");
}

#[test]
fn failure_stops_dependents_but_keep_going_runs_unrelated_branches() {
    let yaml = "stages:\n  bad:\n    cmd: 'false'\n    deps: [in.txt]\n    outs: [bad.txt]\n  after_bad:\n    cmd: cp bad.txt x.txt\n    deps: [bad.txt]\n    outs: [x.txt]\n  good:\n    cmd: cp in.txt good.txt\n    deps: [in.txt]\n    outs: [good.txt]\n";
    let repo = repo_with(yaml, &[("in.txt", "a\n")]);
    let out = repo.cairn(["repro", "--keep-going", "-j", "1"]);
    assert!(!out.status.success());
    assert!(
        repo.join("good.txt").exists(),
        "an unrelated stage must still run with --keep-going"
    );
    assert!(!repo.join("x.txt").exists());
    let lock = String::from_utf8(repo.read("dvc.lock")).unwrap();
    assert!(
        lock.contains("good:") && !lock.contains("bad:"),
        "only finished stages are recorded:\n{lock}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("exit code 1")
            || String::from_utf8_lossy(&out.stdout).contains("exit code 1"),
        "{stderr}"
    );
}

#[test]
fn cancel_stops_running_stages_and_keeps_the_lock_consistent() {
    let yaml = "stages:\n  quick:\n    cmd: cp in.txt q.txt\n    deps: [in.txt]\n    outs: [q.txt]\n  slow:\n    cmd: sleep 30 && cp q.txt s.txt\n    deps: [q.txt]\n    outs: [s.txt]\n";
    let repo = repo_with(yaml, &[("in.txt", "a\n")]);
    let mut child = repo
        .command(cairn_e2e::cairn_bin())
        .args(["repro"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    // Wait until `slow` is running, then interrupt like Ctrl-C does.
    while !repo.join("q.txt").exists() || !repo.join("dvc.lock").exists() {
        assert!(
            started.elapsed().as_secs() < 20,
            "quick stage never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    nix_kill(child.id());
    let status = child.wait().unwrap();
    assert!(started.elapsed().as_secs() < 15, "cancel took too long");
    assert_eq!(status.code(), Some(130));
    let lock = String::from_utf8(repo.read("dvc.lock")).unwrap();
    assert!(lock.contains("quick:") && !lock.contains("slow:"), "{lock}");
    assert_eq!(
        json(&repo.dvc_ok(["status", "--json"]))["slow"]
            .as_array()
            .map(|a| !a.is_empty()),
        Some(true)
    );
}

fn nix_kill(pid: u32) {
    std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
}

#[test]
fn runs_are_recorded_with_stages_and_logs() {
    let repo = repo_with(
        "stages:\n  hello:\n    cmd: echo hello from the stage\n    outs: [o.txt]\n",
        &[],
    );
    repo.write("dvc.yaml", "stages:\n  hello:\n    cmd: echo hello from the stage && echo x > o.txt\n    outs: [o.txt]\n");
    repo.cairn_ok(["repro"]);
    let runs = json(&repo.cairn_ok(["runs", "--json"]));
    let id = runs[0]["id"].as_str().expect("a run id").to_string();
    assert_eq!(runs[0]["status"], "succeeded");
    let detail = json(&repo.cairn_ok(["runs", "show", &id, "--json"]));
    assert_eq!(detail["stages"][0]["stage"], "hello");
    assert_eq!(detail["stages"][0]["outcome"], "succeeded");
    assert_eq!(detail["stages"][0]["exit_code"], 0);
    assert!(detail["environment"]["cpus"].as_u64().unwrap() >= 1);
    let logs = repo.cairn_ok(["runs", "logs", &id, "hello"]);
    assert!(logs.contains("hello from the stage"), "{logs}");
}

#[test]
fn malformed_yaml_and_cycles_are_reported_with_file_and_line() {
    let repo = repo_with("stages:\n  a:\n    cmd: echo\n    deps: [x\n", &[]);
    let out = repo.cairn(["repro"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dvc.yaml:"), "{err}");
    let repo = repo_with(
        "stages:\n  a:\n    cmd: cp b.txt a.txt\n    deps: [b.txt]\n    outs: [a.txt]\n  b:\n    cmd: cp a.txt b.txt\n    deps: [a.txt]\n    outs: [b.txt]\n",
        &[],
    );
    let out = repo.cairn(["repro"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("cycle"), "{err}");
    assert!(
        !repo.join("dvc.lock").exists(),
        "nothing may be written for a broken pipeline"
    );
}

#[test]
fn dag_renderings_match_dvc() {
    let repo = repo_with(
        "stages:\n  a:\n    cmd: echo a > a\n    outs: [a]\n  b:\n    cmd: cp a b\n    deps: [a]\n    outs: [b]\n  c:\n    cmd: cp b c\n    deps: [b]\n    outs: [c]\n  d:\n    cmd: cp a d\n    deps: [a]\n    outs: [d]\n",
        &[],
    );
    for flag in ["--dot", "--mermaid", "--md"] {
        assert_eq!(
            repo.cairn_ok(["dag", flag]),
            repo.dvc_ok(["dag", flag]),
            "dag {flag}"
        );
    }
}

/// `stage list` says what dvc says of each stage: its description's first line (cut to
/// 80 characters), else what it makes (`Outputs`, `Reports` for metrics and plots) or
/// what it depends on.
#[test]
fn stage_list_describes_stages_as_dvc_does() {
    let repo = repo_with(
        "stages:\n  prep:\n    cmd: echo > o.txt\n    outs: [o.txt]\n    plots: [p.csv]\n    metrics: [m.json]\n  \
         report:\n    cmd: echo\n    deps: [o.txt]\n    params: [lr]\n  alone:\n    cmd: echo\n  \
         described:\n    cmd: echo\n    desc: \"\\n  Trains the model on every image of the training set, with the augmentations listed in params\\nmore\"\n",
        &[("params.yaml", "lr: 1\n")],
    );
    for args in [
        &["stage", "list"][..],
        &["stage", "list", "--name-only"][..],
    ] {
        assert_eq!(repo.cairn_ok(args), repo.dvc_ok(args), "{args:?}");
    }
}

/// `diff` compares a pipeline's cached outputs (from `dvc.lock` at a revision, hashed in
/// the work tree, declared but never run), not only `.dvc` files, as dvc does; uncached
/// outputs are left out.
#[test]
fn diff_covers_pipeline_outputs_as_dvc_does() {
    let repo = repo_with(
        "stages:\n  make:\n    cmd: mkdir -p out && echo x > out/a && echo y > model.txt\n    outs: [out, model.txt]\n  \
         plain:\n    cmd: echo p > plain.txt\n    outs:\n    - plain.txt:\n        cache: false\n  \
         score:\n    cmd: cp score.src score.json\n    deps: [score.src]\n    metrics: [score.json]\n",
        &[("score.src", "{\"k\": 2}\n")],
    );
    repo.dvc_ok(["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "v1"]);
    let same = |what: &str| {
        for args in [
            &["diff", "--json"][..],
            &["diff"][..],
            &["diff", "--md"][..],
            &["diff", "HEAD~1", "HEAD", "--json"][..],
        ] {
            if args.contains(&"HEAD~1")
                && repo.git_ok(["rev-list", "--count", "HEAD"]).trim() == "1"
            {
                continue;
            }
            assert_eq!(repo.cairn_ok(args), repo.dvc_ok(args), "{what}: {args:?}");
        }
    };
    same("clean");
    repo.write("model.txt", "z\n");
    repo.write("out/b", "q\n");
    repo.write("plain.txt", "changed\n");
    repo.write("score.json", "{\"k\": 3}\n");
    same("outputs changed");
    let changed = repo.cairn_ok(["diff", "--json"]);
    assert!(
        changed.contains("out/b")
            && changed.contains("score.json")
            && !changed.contains("plain.txt"),
        "{changed}"
    );
    repo.dvc_ok(["repro", "-q", "--force"]);
    repo.write(
        "dvc.yaml",
        format!(
            "{}  never:\n    cmd: echo n > never.txt\n    outs: [never.txt]\n",
            String::from_utf8_lossy(&repo.read("dvc.yaml"))
        ),
    );
    repo.write("never.txt", "n\n");
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "v2"]);
    std::fs::remove_dir_all(repo.join("out")).unwrap();
    same("a run recorded, a stage never run, an output folder deleted");
}

/// `checkout` restores a pipeline's cached outputs as the lock file records them, as
/// `dvc checkout` does: after deleting them, after `git checkout` of an older commit, for
/// a target that names an output or the pipeline file; a missing object is named.
#[test]
fn checkout_restores_pipeline_outputs_as_dvc_does() {
    let repo = repo_with(
        "stages:\n  make:\n    cmd: mkdir -p out && cp src.txt out/a && cp src.txt model.txt\n    deps: [src.txt]\n    outs: [out, model.txt]\n  \
         plain:\n    cmd: cp src.txt plain.txt\n    deps: [src.txt]\n    outs:\n    - plain.txt:\n        cache: false\n",
        &[("src.txt", "one\n")],
    );
    repo.dvc_ok(["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "v1"]);
    repo.write("src.txt", "two\n");
    repo.dvc_ok(["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "v2"]);
    let clean = |what: &str| {
        for tool in [Tool::Dvc, Tool::Cairn] {
            let st = json(&tool.ok(&repo, ["status", "--json"]).stdout());
            assert_eq!(st, json("{}"), "{what}: {tool} status");
        }
    };
    // Deleted outputs come back.
    std::fs::remove_dir_all(repo.join("out")).unwrap();
    std::fs::remove_file(repo.join("model.txt")).unwrap();
    let by_dvc = repo.duplicate();
    assert_eq!(
        repo.cairn_ok(["checkout"]),
        by_dvc.dvc_ok(["checkout"]),
        "what checkout prints (A for each output brought back)"
    );
    assert_eq!(repo.cairn_ok(["checkout"]), "", "nothing left to do");
    assert_eq!(repo.read("out/a"), b"two\n");
    assert_eq!(repo.read("model.txt"), b"two\n");
    clean("after deleting the outputs");
    // An older commit's outputs, after git checkout (the uncached output is not cairn's).
    repo.git_ok(["checkout", "-q", "HEAD~1"]);
    repo.cairn_ok(["checkout"]);
    assert_eq!(repo.read("out/a"), b"one\n");
    assert_eq!(repo.read("model.txt"), b"one\n");
    // Targets: an output, or the pipeline file.
    std::fs::remove_file(repo.join("model.txt")).unwrap();
    std::fs::remove_dir_all(repo.join("out")).unwrap();
    repo.cairn_ok(["checkout", "model.txt"]);
    assert!(repo.join("model.txt").exists() && !repo.join("out").exists());
    repo.cairn_ok(["checkout", "dvc.yaml"]);
    assert_eq!(repo.read("out/a"), b"one\n");
    // A missing object is named, with what to do.
    repo.git_ok(["checkout", "-q", "-"]);
    std::fs::remove_dir_all(repo.join(".dvc/cache")).unwrap();
    let missing = repo.cairn(["checkout", "--force"]);
    assert!(
        !missing.status.success(),
        "checkout without the objects must fail"
    );
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("model.txt") && err.contains("pull"), "{err}");
}

#[test]
fn example_get_started_layout_draws_without_its_data() {
    // shared/ sits beside the repository (in CI too).
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/dvc-projects/03sarath__dvc-example-get-started");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        panic!("corpus not found at {}", corpus.display());
    };
    let repo = TestRepo::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name != "expected.json" {
            repo.write(&name, std::fs::read(e.path()).unwrap());
        }
    }
    init(Tool::Dvc, &repo);
    let text = repo.cairn_ok(["dag"]);
    for stage in ["prepare", "featurize", "train", "evaluate"] {
        assert!(text.contains(stage), "{text}");
    }
    assert_eq!(
        repo.cairn_ok(["dag", "--dot"]),
        repo.dvc_ok(["dag", "--dot"])
    );
    // Status works too, though none of the data is there.
    assert_eq!(
        json(&repo.cairn_ok(["status", "--json"])),
        json(&repo.dvc_ok(["status", "--json"]))
    );
}

#[test]
fn repro_without_targets_runs_the_root_pipeline_like_dvc_and_p_runs_all() {
    let files: &[(&str, &str)] = &[(
        "sub/dvc.yaml",
        "stages:\n  b:\n    cmd: echo b > b.txt\n    outs: [b.txt]\n",
    )];
    let root = "stages:\n  a:\n    cmd: echo a > a.txt\n    outs: [a.txt]\n";
    let (c, d) = (repo_with(root, files), repo_with(root, files));
    c.cairn_ok(["repro"]);
    d.dvc_ok(["repro"]);
    for (who, r) in [("cairn", &c), ("dvc", &d)] {
        assert!(r.join("a.txt").exists(), "{who}: root stage must run");
        assert!(
            !r.join("sub/b.txt").exists(),
            "{who}: sub/dvc.yaml is not part of a plain repro"
        );
    }
    c.cairn_ok(["repro", "-P"]);
    assert!(c.join("sub/b.txt").exists(), "-P runs every pipeline");
    assert_eq!(c.read("sub/dvc.lock"), {
        d.dvc_ok(["repro", "-P"]);
        d.read("sub/dvc.lock")
    });
}

#[test]
fn stages_run_in_the_projects_venv_unless_one_is_active() {
    let repo = repo_with(
        "stages:\n  which:\n    cmd: python > out.txt\n    outs: [out.txt]\n",
        &[
            (".venv/pyvenv.cfg", "version = 3.11.2\n"),
            (
                ".venv/bin/python",
                "#!/bin/sh\necho \"venv python, VIRTUAL_ENV=$VIRTUAL_ENV\"\n",
            ),
            (".gitignore", ".venv/\n"),
        ],
    );
    let python = repo.join(".venv/bin/python");
    let mut perms = std::fs::metadata(&python).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&python, perms).unwrap();
    let venv = repo.join(".venv").canonicalize().unwrap();
    let run = repo
        .command(cairn_e2e::cairn_bin())
        .arg("repro")
        .env_remove("VIRTUAL_ENV")
        .env_remove("CONDA_PREFIX")
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        String::from_utf8(repo.read("out.txt")).unwrap(),
        format!("venv python, VIRTUAL_ENV={}\n", venv.display()),
        "the stage's `python` is the project's venv"
    );
    // An environment the user activated wins.
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("bin")).unwrap();
    let theirs = outside.path().join("bin/python");
    std::fs::write(&theirs, "#!/bin/sh\necho their python\n").unwrap();
    let mut perms = std::fs::metadata(&theirs).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&theirs, perms).unwrap();
    let path = format!(
        "{}:{}",
        outside.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = repo
        .command(cairn_e2e::cairn_bin())
        .args(["repro", "--force"])
        .env("VIRTUAL_ENV", outside.path())
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        String::from_utf8(repo.read("out.txt")).unwrap(),
        "their python\n"
    );
}

#[test]
fn commit_records_edited_outputs_deps_and_data_as_dvc_commit_does() {
    let base = repo_with(
        "stages:\n  copy:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    params: [x]\n    outs: [out.txt]\n  dir:\n    cmd: mkdir -p d && cp out.txt d/a\n    deps: [out.txt]\n    outs: [d]\n",
        &[
            ("in.txt", "hello\n"),
            ("params.yaml", "x: 1\n"),
            ("raw.csv", "a,b\n1,2\n"),
        ],
    );
    base.dvc_ok(["add", "-q", "raw.csv"]);
    base.cairn_ok(["repro"]);
    base.git_ok(["add", "-A"]);
    base.git_ok(["commit", "-qm", "base"]);
    // Recorded as is: nothing changes, nothing is said.
    let quiet = base.cairn_ok(["commit"]);
    assert_eq!(quiet, "", "{quiet}");
    assert!(base.git_ok(["status", "--porcelain"]).is_empty());
    // Edits by hand: an output, a folder output, a dependency, a param and `.dvc` data.
    let edit = |r: &TestRepo| {
        r.write("out.txt", "edited by hand\n");
        r.write("d/b", "a new file\n");
        r.write("in.txt", "hello again\n");
        r.write("params.yaml", "x: 2\n");
        r.write("raw.csv", "a,b\n1,2\n3,4\n");
    };
    let (by_cairn, by_dvc) = (base.duplicate(), base.duplicate());
    edit(&by_cairn);
    edit(&by_dvc);
    // Without -f and nobody to ask, both refuse and write nothing.
    let refused = by_cairn.cairn(["commit"]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("changed") && err.contains("commit -f"),
        "{err}"
    );
    assert!(!by_dvc.dvc(["commit"]).status.success());
    for r in [&by_cairn, &by_dvc] {
        assert_eq!(r.read("dvc.lock"), base.read("dvc.lock"));
        assert_eq!(r.read("raw.csv.dvc"), base.read("raw.csv.dvc"));
    }
    // A target names a stage, a `.dvc` file or a tracked path; -f records it.
    let out = by_cairn.cairn_ok(["commit", "-f", "out.txt"]);
    assert_eq!(out, "Updating lock file 'dvc.lock'\n");
    by_dvc.dvc_ok(["commit", "-f", "out.txt"]);
    assert_eq!(
        String::from_utf8_lossy(&by_cairn.read("dvc.lock")),
        String::from_utf8_lossy(&by_dvc.read("dvc.lock"))
    );
    // Then everything.
    let out = by_cairn.cairn_ok(["commit", "-f"]);
    assert_eq!(out, "Updating lock file 'dvc.lock'\n");
    by_dvc.dvc_ok(["commit", "-f"]);
    for f in ["dvc.lock", "raw.csv.dvc"] {
        assert_eq!(
            String::from_utf8_lossy(&by_cairn.read(f)),
            String::from_utf8_lossy(&by_dvc.read(f)),
            "{f}"
        );
    }
    assert_eq!(
        cairn_e2e::cache_objects(&by_cairn.read_tree()).diff(
            &cairn_e2e::cache_objects(&by_dvc.read_tree()),
            "cairn",
            "dvc"
        ),
        Vec::<String>::new(),
        "the same objects (and run-cache entries) in both caches"
    );
    // Each tool calls the other's result up to date.
    assert_eq!(json(&by_cairn.dvc_ok(["status", "--json"])), json("{}"));
    assert_eq!(json(&by_dvc.cairn_ok(["status", "--json"])), json("{}"));
}

#[test]
fn repro_no_commit_then_commit_matches_dvc() {
    let base = repo_with(
        "stages:\n  copy:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n  dir:\n    cmd: mkdir -p d && cp out.txt d/a\n    deps: [out.txt]\n    outs: [d]\n",
        &[("in.txt", "hello\n")],
    );
    base.git_ok(["add", "-A"]);
    base.git_ok(["commit", "-qm", "base"]);
    let (by_cairn, by_dvc) = (base.duplicate(), base.duplicate());
    by_cairn.cairn_ok(["repro", "--no-commit"]);
    by_dvc.dvc_ok(["repro", "--no-commit"]);
    let same = |what: &str| {
        assert_eq!(
            String::from_utf8_lossy(&by_cairn.read("dvc.lock")),
            String::from_utf8_lossy(&by_dvc.read("dvc.lock")),
            "dvc.lock {what}"
        );
        for (name, tree) in [
            ("cache", cairn_e2e::cache_objects as fn(&_) -> _),
            (".gitignore", cairn_e2e::gitignores),
        ] {
            assert_eq!(
                tree(&by_cairn.read_tree()).diff(&tree(&by_dvc.read_tree()), "cairn", "dvc"),
                Vec::<String>::new(),
                "{name} {what}"
            );
        }
    };
    same("after repro --no-commit");
    // Recorded, not stored: both tools say so, of both repositories.
    let st = json(&by_dvc.dvc_ok(["status", "--json"]));
    assert_ne!(st, json("{}"), "the outputs are not in the cache");
    for (tool, repo) in [
        (Tool::Cairn, &by_dvc),
        (Tool::Dvc, &by_cairn),
        (Tool::Cairn, &by_cairn),
    ] {
        assert_eq!(
            json(&tool.ok(repo, ["status", "--json"]).stdout()),
            st,
            "{}",
            tool.name()
        );
    }
    // Commit stores them without asking: only the cache lacked them.
    by_cairn.cairn_ok(["commit"]);
    by_dvc.dvc_ok(["commit"]);
    same("after commit");
    assert_eq!(json(&by_cairn.dvc_ok(["status", "--json"])), json("{}"));
    assert_eq!(json(&by_dvc.cairn_ok(["status", "--json"])), json("{}"));
}
