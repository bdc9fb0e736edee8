//! Cross-tool tests for experiments: `cairn exp` against the real `dvc exp` (3.67.1).
//! An experiment recorded by one tool must look the same to the other: same ref layout,
//! same commit tree and message, same workspace left behind, `exp show --json` byte for
//! byte, and `exp apply` working across tools. Metrics/params diffs must agree too.

mod live;
mod registry;
mod tensorboard;
mod wandb;
mod worker;

/// Runs made by another tracker's own SDK (`<script> write`) in a new folder, as the
/// script reads them with that tracker's own code (`<script> read`: JSON by run id) and
/// as Cairn's reader `ours` finds them, by the same ids; the ids must be the same.
fn written_and_read<R>(
    script: &str,
    ours: impl Fn(&std::path::Path) -> Vec<R>,
    id: impl Fn(&R) -> String,
) -> (
    tempfile::TempDir,
    std::collections::BTreeMap<String, Value>,
    std::collections::BTreeMap<String, R>,
) {
    let dir = tempfile::tempdir().unwrap();
    cairn_e2e::venv_tool(&format!("experiments/{script}"), "write", dir.path());
    let theirs: std::collections::BTreeMap<String, Value> = serde_json::from_str(
        &cairn_e2e::venv_tool(&format!("experiments/{script}"), "read", dir.path()),
    )
    .unwrap();
    let ours: std::collections::BTreeMap<String, R> =
        ours(dir.path()).into_iter().map(|r| (id(&r), r)).collect();
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{script}: the same runs, named the same"
    );
    (dir, theirs, ours)
}

use cairn_e2e::{Checks, TestRepo, Tool, init};
use serde_json::Value;

const TRAIN: &str = r#"import json, re
text = open("params.yaml").read()
def get(key, default=None):
    m = re.search(r"^\s*" + key + r":\s*([^#\n]+)", text, re.M)
    return m.group(1).strip() if m else default
lr = float(get("lr"))
epochs = int(get("epochs"))
depth = int(get("depth"))
json.dump({"acc": lr * epochs, "loss": 1 - lr, "nested": {"f1": depth / 10}}, open("metrics.json", "w"))
open("model.txt", "w").write(str(depth) * 3)
import os
env = os.environ
open("exp_env.txt", "w").write(env.get("DVC_EXP_NAME", "-") + " " + env.get("DVC_EXP_BASELINE_REV", "-"))
os.makedirs("dvclive/plots/metrics", exist_ok=True)
with open("dvclive/plots/metrics/acc.tsv", "w") as f:
    f.write("step\tacc\n")
    for i in range(epochs):
        f.write(f"{i}\t{lr * (i + 1)}\n")
"#;

const PARAMS: &str = "# training params\nlr: 0.1   # learning rate\nepochs: 3\nmodel:\n  depth: 2  # layers\n  name: cnn\n";

const DVC_YAML: &str = "stages:\n  train:\n    cmd: python3 train.py\n    deps:\n    - train.py\n    params:\n    - lr\n    - epochs\n    - model\n    outs:\n    - model.txt\n    metrics:\n    - metrics.json:\n        cache: false\n    plots:\n    - dvclive/plots/metrics:\n        cache: false\n        x: step\n";

/// A committed, reproduced baseline.
fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("train.py", TRAIN);
    repo.write("params.yaml", PARAMS);
    repo.write("dvc.yaml", DVC_YAML);
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "pipeline"]);
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "baseline"]);
    repo
}

fn exp_ref(repo: &TestRepo, name: &str) -> Option<(String, String)> {
    let out = repo.git_ok([
        "for-each-ref",
        "--format=%(refname) %(objectname)",
        "refs/exps/",
    ]);
    out.lines().find_map(|l| {
        let (r, c) = l.split_once(' ')?;
        r.ends_with(&format!("/{name}"))
            .then(|| (r.to_string(), c.to_string()))
    })
}

fn commit_of(repo: &TestRepo, name: &str) -> String {
    exp_ref(repo, name)
        .unwrap_or_else(|| panic!("no experiment {name}"))
        .1
}

fn head(repo: &TestRepo) -> String {
    repo.git_ok(["rev-parse", "HEAD"]).trim().to_string()
}

fn status_porcelain(repo: &TestRepo) -> String {
    repo.git_ok(["status", "--porcelain", "--untracked-files=all"])
}

#[test]
fn exp_run_records_the_same_commit_and_leaves_the_same_workspace() {
    let mut c = Checks::new("exp run: cairn vs dvc");
    let base = project();
    let by_dvc = base.duplicate();
    let by_cairn = base.duplicate();
    let args = [
        "exp",
        "run",
        "-S",
        "lr=0.2",
        "-S",
        "model.depth=5",
        "-n",
        "tuned",
    ];
    Tool::Dvc.ok(&by_dvc, args);
    Tool::Cairn.ok(&by_cairn, args);
    let (rd, cd) = exp_ref(&by_dvc, "tuned").expect("dvc made the ref");
    let (rc, cc) = exp_ref(&by_cairn, "tuned").unwrap_or_default();
    c.check(rd == rc, || {
        format!("ref names differ: dvc {rd}, cairn {rc}")
    });
    c.check(
        rd == format!(
            "refs/exps/{}/{}/tuned",
            &head(&base)[..2],
            &head(&base)[2..]
        ),
        || format!("unexpected ref layout {rd}"),
    );
    let tree = |r: &TestRepo, c: &str| r.git_ok(["rev-parse", &format!("{c}^{{tree}}")]);
    let msg = |r: &TestRepo, c: &str| r.git_ok(["log", "-1", "--format=%B%n%P", c]);
    c.check(tree(&by_dvc, &cd) == tree(&by_cairn, &cc), || {
        format!(
            "experiment trees differ:\n  dvc:   {}\n  cairn: {}",
            by_dvc.git_ok(["show", "--stat", "--format=", &cd]),
            by_cairn.git_ok(["show", "--stat", "--format=", &cc])
        )
    });
    c.check(msg(&by_dvc, &cd) == msg(&by_cairn, &cc), || {
        format!(
            "commit message/parents differ:\n  dvc:   {}\n  cairn: {}",
            msg(&by_dvc, &cd),
            msg(&by_cairn, &cc)
        )
    });
    // Workspace: same HEAD, same uncommitted changes, same file contents.
    c.check(head(&by_dvc) == head(&by_cairn), || "HEAD moved".into());
    c.check(
        status_porcelain(&by_dvc) == status_porcelain(&by_cairn),
        || {
            format!(
                "git status differs:\n  dvc:\n{}\n  cairn:\n{}",
                status_porcelain(&by_dvc),
                status_porcelain(&by_cairn)
            )
        },
    );
    // The stage saw DVC's experiment environment (what DVCLive reads).
    c.check(
        by_cairn.read("exp_env.txt") == format!("tuned {}", head(&base)).into_bytes(),
        || {
            format!(
                "stage env: {}",
                String::from_utf8_lossy(&by_cairn.read("exp_env.txt"))
            )
        },
    );
    for f in [
        "params.yaml",
        "dvc.lock",
        "metrics.json",
        "model.txt",
        "exp_env.txt",
    ] {
        c.check(by_dvc.read(f) == by_cairn.read(f), || {
            format!(
                "{f} differs:\n--- dvc\n{}\n--- cairn\n{}",
                String::from_utf8_lossy(&by_dvc.read(f)),
                String::from_utf8_lossy(&by_cairn.read(f))
            )
        });
    }
    c.finish();
}

#[test]
fn exp_show_json_is_identical_for_experiments_from_both_tools() {
    let mut c = Checks::new("exp show --json");
    let repo = project();
    Tool::Dvc.ok(&repo, ["exp", "run", "-S", "lr=0.3", "-n", "by-dvc"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "epochs=5", "-n", "by-cairn"]);
    // A generated name too.
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "model.name=rnn"]);
    let d = Tool::Dvc.ok(&repo, ["exp", "show", "--json"]);
    let k = Tool::Cairn.ok(&repo, ["exp", "show", "--json"]);
    c.check(d.stdout() == k.stdout(), || {
        format!(
            "exp show --json differs\n  dvc:   {}\n  cairn: {}",
            d.stdout(),
            k.stdout()
        )
    });
    let v: Value = serde_json::from_str(&k.stdout()).expect("json");
    let names: Vec<&str> = v[1]["experiments"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["name"].as_str()).collect())
        .unwrap_or_default();
    c.check(names.len() == 3, || {
        format!("expected 3 experiments, got {names:?}")
    });
    let generated = names
        .iter()
        .find(|n| !n.starts_with("by-"))
        .copied()
        .unwrap_or("");
    c.check(
        generated
            .split_once('-')
            .is_some_and(|(a, b)| a.len() == 5 && b.len() == 4),
        || format!("generated name {generated:?} is not DVC-style <adjective>-<noun>"),
    );
    // A work tree whose (uncached) metrics file is gone: an error entry, not cache data.
    std::fs::remove_file(repo.join("metrics.json")).expect("rm metrics.json");
    let d = Tool::Dvc.ok(&repo, ["exp", "show", "--json"]);
    let k = Tool::Cairn.ok(&repo, ["exp", "show", "--json"]);
    c.check(d.stdout() == k.stdout(), || {
        format!(
            "exp show without metrics.json differs\n  dvc:   {}\n  cairn: {}",
            d.stdout(),
            k.stdout()
        )
    });
    // Several baselines (-n 2) and a commit without metrics (errors in DVC's shape).
    let d = Tool::Dvc.ok(&repo, ["exp", "show", "--json", "-n", "2"]);
    let k = Tool::Cairn.ok(&repo, ["exp", "show", "--json", "-n", "2"]);
    c.check(d.stdout() == k.stdout(), || {
        format!(
            "exp show -n 2 differs\n  dvc:   {}\n  cairn: {}",
            d.stdout(),
            k.stdout()
        )
    });
    c.finish();
}

/// The history the app's table shows: older commits with their own experiments, and
/// every branch, as `exp show -n N` and `-A` print them.
#[test]
fn exp_show_over_history_and_branches_matches_dvc() {
    let mut c = Checks::new("exp show over history");
    let repo = project();
    // An experiment on the baseline, then a newer commit on main with another lr.
    Tool::Dvc.ok(&repo, ["exp", "run", "-S", "lr=0.2", "-n", "on-old"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "lr=0.4"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "lr 0.4"]);
    // A branch with its own commit and an experiment on it (by cairn), then back.
    repo.git_ok(["checkout", "-q", "-b", "deeper"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "model.depth=4"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "depth 4"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "epochs=4", "-n", "on-branch"]);
    repo.git_ok(["checkout", "-q", "-f", "-"]);
    Tool::Cairn.ok(&repo, ["checkout", "--force"]);
    // A note: its commit (under refs/notes) is no baseline for `--all-commits`.
    Tool::Cairn.ok(&repo, ["exp", "note", "on-old", "the old lr"]);
    for args in [
        &["exp", "show", "--json", "-n", "3"][..],
        &["exp", "show", "--json", "--all-branches"][..],
        &["exp", "show", "--json", "--all-branches", "-n", "2"][..],
        &["exp", "show", "--json", "--all-commits"][..],
    ] {
        same_stdout(&mut c, &repo, args, "history");
    }
    // The branch's experiment is listed under the branch tip.
    let v: Value = serde_json::from_str(
        &Tool::Cairn
            .ok(&repo, ["exp", "show", "--json", "--all-branches"])
            .stdout(),
    )
    .expect("json");
    let on_branch = v.as_array().into_iter().flatten().any(|b| {
        b["name"] == "deeper"
            && b["experiments"]
                .as_array()
                .is_some_and(|e| e.iter().any(|x| x["name"] == "on-branch"))
    });
    c.check(on_branch, || format!("no on-branch under deeper: {v}"));
    c.finish();
}

#[test]
fn exp_apply_works_across_tools() {
    let mut c = Checks::new("exp apply across tools");
    let base = project();
    Tool::Cairn.ok(&base, ["exp", "run", "-S", "lr=0.4", "-n", "c-exp"]);
    Tool::Dvc.ok(&base, ["exp", "run", "-S", "lr=0.5", "-n", "d-exp"]);
    base.git_ok(["checkout", "-q", "--", "."]);
    Tool::Dvc.ok(&base, ["checkout", "-q", "--force"]);
    for (applier, exp) in [(Tool::Dvc, "c-exp"), (Tool::Cairn, "d-exp")] {
        let a = base.duplicate();
        let b = base.duplicate();
        applier.ok(&a, ["exp", "apply", exp]);
        applier.other().ok(&b, ["exp", "apply", exp]);
        for f in ["params.yaml", "dvc.lock", "metrics.json", "model.txt"] {
            c.check(a.read(f) == b.read(f), || {
                format!(
                    "{} exp apply {exp}: {f} differs from {}'s\n--- {}\n{}\n--- {}\n{}",
                    applier.name(),
                    applier.other().name(),
                    applier.name(),
                    String::from_utf8_lossy(&a.read(f)),
                    applier.other().name(),
                    String::from_utf8_lossy(&b.read(f))
                )
            });
        }
        c.check(status_porcelain(&a) == status_porcelain(&b), || {
            format!(
                "status after apply {exp} differs:\n{}\n---\n{}",
                status_porcelain(&a),
                status_porcelain(&b)
            )
        });
        // The applied workspace is clean for dvc (outputs match dvc.lock).
        let st = Tool::Dvc.ok(&a, ["status", "--json"]).stdout();
        c.check(st.trim() == "{}", || {
            format!("dvc status after {} apply: {st}", applier.name())
        });
    }
    c.finish();
}

#[test]
fn metrics_and_params_diff_agree_with_dvc() {
    let mut c = Checks::new("metrics/params diff");
    let repo = project();
    Tool::Cairn.ok(
        &repo,
        ["exp", "run", "-S", "lr=0.25", "-S", "model.depth=4"],
    );
    for args in [
        vec!["metrics", "diff", "--json"],
        vec!["metrics", "diff", "--json", "--all"],
        vec!["params", "diff", "--json"],
        vec!["params", "diff", "--json", "--all"],
        vec!["metrics", "diff", "HEAD~1", "HEAD", "--json"],
        vec!["metrics", "show", "--json"],
        vec!["exp", "diff", "--json"],
        vec!["exp", "diff", "HEAD~1", "HEAD", "--json"],
    ] {
        let d = Tool::Dvc.ok(&repo, &args);
        let k = Tool::Cairn.ok(&repo, &args);
        c.same_json(&args.join(" "), &d, &k);
    }
    // The tables people paste into a pull request: text and Markdown, as dvc prints them
    // (sorted keys, rounding per command, `diff not supported`, empty tables).
    for args in [
        &["metrics", "show"][..],
        &["metrics", "show", "--md"][..],
        &["metrics", "diff", "HEAD~1", "HEAD"][..],
        &["metrics", "diff", "HEAD~1", "HEAD", "--md"][..],
        &["params", "diff", "--all"][..],
        &["params", "diff", "--md"][..],
        &["exp", "diff"][..],
        &["exp", "diff", "HEAD~1", "HEAD", "--md"][..],
        // Their flags: rounding, and the tables without the Path column.
        &["metrics", "show", "--precision", "2"][..],
        &[
            "metrics",
            "diff",
            "HEAD~1",
            "HEAD",
            "--no-path",
            "--precision",
            "3",
        ][..],
        &["params", "diff", "--all", "--no-path", "--md"][..],
        &["exp", "diff", "--no-path", "--precision", "2"][..],
    ] {
        same_stdout(&mut c, &repo, args, "table");
    }
    c.finish();
}

#[test]
fn manage_experiments_visible_to_dvc() {
    let mut c = Checks::new("branch/rename/remove");
    let repo = project();
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "lr=0.2", "-n", "one"]);
    Tool::Dvc.ok(&repo, ["exp", "run", "-S", "lr=0.3", "-n", "two"]);
    Tool::Cairn.ok(&repo, ["exp", "rename", "two", "deux"]);
    Tool::Cairn.ok(&repo, ["exp", "branch", "one", "one-branch"]);
    let list = Tool::Dvc.ok(&repo, ["exp", "list", "--name-only"]).stdout();
    c.check(list.contains("deux") && !list.contains("two"), || {
        format!("dvc exp list: {list}")
    });
    let br = repo.git_ok(["rev-parse", "one-branch"]);
    c.check(br.trim() == commit_of(&repo, "one"), || {
        "branch not at experiment".into()
    });
    // A note on an experiment dvc made: a git note git shows; dvc still lists it unchanged.
    Tool::Cairn.ok(&repo, ["exp", "note", "deux", "lr 0.3 overshoots"]);
    let shown = Tool::Cairn.ok(&repo, ["exp", "note", "deux"]).stdout();
    c.check(shown == "lr 0.3 overshoots\n", || {
        format!("exp note: {shown:?}")
    });
    let by_git = repo.git_ok(["notes", "--ref=cairn", "show", &commit_of(&repo, "deux")]);
    c.check(by_git == "lr 0.3 overshoots\n", || {
        format!("git notes show: {by_git:?}")
    });
    let list = Tool::Dvc.ok(&repo, ["exp", "list", "--name-only"]).stdout();
    c.check(list.contains("deux"), || {
        format!("dvc still lists it: {list}")
    });
    Tool::Cairn.ok(&repo, ["exp", "note", "deux", "--remove"]);
    let none = Tool::Cairn.run(&repo, ["exp", "note", "deux"]);
    c.check(
        !none.success() && none.stderr().contains("has no note"),
        || format!("a removed note is gone: {none}"),
    );
    // --temp runs in a separate copy: recorded, workspace untouched.
    repo.git_ok(["checkout", "-q", "--", "."]);
    Tool::Cairn.ok(&repo, ["exp", "run", "--temp", "-S", "lr=0.7", "-n", "tmp"]);
    c.check(exp_ref(&repo, "tmp").is_some(), || {
        "--temp recorded nothing".into()
    });
    c.check(status_porcelain(&repo).trim().is_empty(), || {
        format!("--temp changed the workspace:\n{}", status_porcelain(&repo))
    });
    // A taken name is refused before anything changes (like dvc).
    repo.git_ok(["checkout", "-q", "--", "."]);
    let taken = Tool::Cairn.run(&repo, ["exp", "run", "-S", "lr=0.9", "-n", "one"]);
    c.check(!taken.success(), || {
        format!("reusing a name should fail:\n{taken}")
    });
    c.check(status_porcelain(&repo).trim().is_empty(), || {
        format!(
            "workspace changed by a refused run:\n{}",
            status_porcelain(&repo)
        )
    });
    Tool::Cairn.ok(&repo, ["exp", "remove", "one"]);
    let list = Tool::Dvc.ok(&repo, ["exp", "list", "--name-only"]).stdout();
    c.check(!list.contains("one"), || {
        format!("removed but dvc lists: {list}")
    });
    c.finish();
}

#[test]
fn queued_sweep_runs_in_parallel_worktrees_and_dvc_sees_the_results() {
    let mut c = Checks::new("queue + sweep");
    let repo = project();
    Tool::Cairn.ok(
        &repo,
        [
            "exp",
            "run",
            "--queue",
            "-S",
            "lr=0.1,0.3",
            "-S",
            "epochs=range(2,4)",
            "-n",
            "grid",
        ],
    );
    let st = Tool::Cairn.ok(&repo, ["queue", "status", "--json"]);
    let entries: Value = serde_json::from_str(&st.stdout()).expect("json");
    c.check(entries.as_array().map(Vec::len) == Some(4), || {
        format!("expected 4 queued grid points: {}", st.stdout())
    });
    let before = std::fs::read(repo.join("params.yaml")).unwrap_or_default();
    Tool::Cairn.ok(&repo, ["queue", "start", "--jobs", "2"]);
    c.check(
        std::fs::read(repo.join("params.yaml")).unwrap_or_default() == before,
        || "queue workers touched the main workspace".into(),
    );
    let show: Value =
        serde_json::from_str(&Tool::Dvc.ok(&repo, ["exp", "show", "--json"]).stdout())
            .expect("json");
    let mut got: Vec<(String, f64, i64, f64)> = show[1]["experiments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let d = &e["revs"][0]["data"];
                    let p = &d["params"]["params.yaml"]["data"];
                    (
                        e["name"].as_str().unwrap_or("").to_string(),
                        p["lr"].as_f64().unwrap_or(-1.0),
                        p["epochs"].as_i64().unwrap_or(-1),
                        d["metrics"]["metrics.json"]["data"]["acc"]
                            .as_f64()
                            .unwrap_or(-1.0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let want = [
        ("grid-1", 0.1, 2),
        ("grid-2", 0.1, 3),
        ("grid-3", 0.3, 2),
        ("grid-4", 0.3, 3),
    ];
    c.check(got.len() == 4, || format!("dvc sees {got:?}"));
    for (g, w) in got.iter().zip(want) {
        c.check(
            g.0 == w.0 && g.1 == w.1 && g.2 == w.2 && (g.3 - w.1 * w.2 as f64).abs() < 1e-9,
            || format!("experiment {g:?}, expected {w:?} with acc = lr * epochs"),
        );
    }
    let logs = Tool::Cairn.ok(&repo, ["queue", "logs", "grid-1"]).stdout();
    c.check(logs.contains("python3 train.py"), || {
        format!("logs: {logs}")
    });
    // Detached workers: `queue start --detach` returns, the experiment lands later.
    Tool::Cairn.ok(&repo, ["exp", "run", "--queue", "-S", "lr=0.9", "-n", "bg"]);
    Tool::Cairn.ok(&repo, ["queue", "start", "--detach"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let bg_done = || {
        let v: Value = serde_json::from_str(
            &Tool::Cairn
                .ok(&repo, ["queue", "status", "--json"])
                .stdout(),
        )
        .unwrap_or(Value::Null);
        v.as_array().is_some_and(|a| {
            a.iter()
                .any(|e| e["name"] == "bg" && e["state"] == "success")
        })
    };
    while !bg_done() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    c.check(exp_ref(&repo, "bg").is_some(), || {
        format!(
            "detached worker did not record 'bg':\n{}",
            Tool::Cairn.ok(&repo, ["queue", "status"]).stdout()
        )
    });
    c.finish();
}

#[test]
fn metrics_from_cache_and_pull_needed() {
    let mut c = Checks::new("cached metrics");
    let repo = TestRepo::new();
    repo.write("gen.sh", "printf '{\"auc\": 0.75}' > m.json\n");
    repo.write(
        "dvc.yaml",
        "stages:\n  m:\n    cmd: sh gen.sh\n    deps:\n    - gen.sh\n    metrics:\n    - m.json\n",
    );
    init(Tool::Dvc, &repo);
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "cached metric"]);
    // m.json is git-ignored and cached: read through dvc.lock at HEAD.
    let k = Tool::Cairn.ok(&repo, ["metrics", "show", "--json", "--rev", "HEAD"]);
    c.check(k.stdout().contains("\"auc\": 0.75"), || format!("{k}"));
    // Without the cache object, it is "not available", not a failure.
    std::fs::remove_dir_all(repo.join(".dvc/cache")).expect("rm cache");
    std::fs::remove_file(repo.join("m.json")).expect("rm m.json");
    let k = Tool::Cairn.run(&repo, ["metrics", "show", "--rev", "HEAD"]);
    c.check(
        k.success() && String::from_utf8_lossy(&k.output.stderr).contains("pull needed"),
        || format!("{k}"),
    );
    let d = Tool::Dvc.ok(&repo, ["exp", "show", "--json"]);
    let k = Tool::Cairn.ok(&repo, ["exp", "show", "--json"]);
    c.check(d.stdout() == k.stdout(), || {
        format!(
            "exp show without the cache\n  dvc:   {}\n  cairn: {}",
            d.stdout(),
            k.stdout()
        )
    });
    c.finish();
}

#[test]
fn plots_render_and_report_cover_every_experiment() {
    let mut c = Checks::new("plots render + report");
    let repo = project();
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "lr=0.2", "-n", "a"]);
    Tool::Cairn.ok(
        &repo,
        ["exp", "run", "-S", "lr=0.3", "-S", "epochs=6", "-n", "b"],
    );
    let out = Tool::Cairn.ok(&repo, ["plots", "render", "-o", "charts", "--log-y"]);
    c.check(out.stdout().contains("charts/acc.png"), || format!("{out}"));
    let svg = String::from_utf8_lossy(&repo.read("charts/acc.svg")).into_owned();
    // Baseline + 2 experiments = 3 lines (width-2 polylines; the mesh is thinner).
    let lines = svg
        .split("<polyline")
        .skip(1)
        .filter(|el| el.contains("stroke-width=\"2\""))
        .count();
    c.check(lines == 3, || {
        format!("expected 3 series in acc.svg, found {lines}")
    });
    let png = repo.read("charts/acc.png");
    c.check(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000,
        || "acc.png is not a PNG".into(),
    );
    // A zoomed range renders too.
    let z = Tool::Cairn.ok(
        &repo,
        [
            "plots",
            "render",
            "-o",
            "zoom",
            "-m",
            "acc",
            "--x-range",
            "1:2",
            "--svg-only",
        ],
    );
    c.check(z.stdout().contains("zoom/acc.svg"), || format!("{z}"));
    Tool::Cairn.ok(&repo, ["report", "--md", "report.md"]);
    let md = String::from_utf8_lossy(&repo.read("report.md")).into_owned();
    for needle in [
        "| **main** (baseline)",
        "| `a` |",
        "| `b` |",
        "![acc](report_plots/acc.png)",
    ] {
        c.check(md.contains(needle), || {
            format!("report lacks {needle:?}:\n{md}")
        });
    }
    c.check(repo.join("report_plots/acc.png").is_file(), || {
        "report image missing".into()
    });
    c.finish();
}

#[test]
fn metrics_trend_follows_the_branch_history() {
    let mut c = Checks::new("metrics trend");
    let repo = project();
    for lr in ["0.2", "0.3"] {
        Tool::Cairn.ok(
            &repo,
            [
                "exp",
                "run",
                "-S",
                &format!("lr={lr}"),
                "-n",
                &format!("t{lr}"),
            ],
        );
        repo.git_ok(["add", "-A"]);
        repo.git_ok(["commit", "-q", "-m", &format!("lr {lr}")]);
    }
    let run = Tool::Cairn.ok(&repo, ["metrics", "trend", "--json"]);
    let v: Value = serde_json::from_str(&run.stdout()).expect("json");
    let accs: Vec<Option<f64>> = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p["metrics"]["metrics.json:acc"].as_f64())
                .collect()
        })
        .unwrap_or_default();
    // pipeline (no metrics yet), baseline, lr 0.2, lr 0.3 (oldest first; acc = lr * 3).
    let want = [None, Some(0.1 * 3.0), Some(0.2 * 3.0), Some(0.3 * 3.0)];
    c.check(
        accs.len() == 4
            && accs.iter().zip(want).all(|(a, w)| match (a, w) {
                (Some(a), Some(w)) => (a - w).abs() < 1e-9,
                (None, None) => true,
                _ => false,
            }),
        || format!("trend {accs:?}, expected {want:?}"),
    );
    c.finish();
}

/// A richer project: a `.dvc`-tracked data dependency (a data source), a directory
/// output, a stage in a sub-directory with its own `params.yaml`, a second params file
/// with selected keys, a `foreach` stage, YAML and nested JSON metrics, and a top-level
/// `metrics`/`params` section.
fn rich_project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("data/raw.csv", "a,b\n1,2\n3,4\n");
    repo.write(
        "prep.py",
        "import os, json\nos.makedirs('features', exist_ok=True)\nrows = open('data/raw.csv').read().splitlines()[1:]\nfor i, r in enumerate(rows):\n    open(f'features/f{i}.txt', 'w').write(r)\n",
    );
    repo.write(
        "params.yaml",
        "prep:\n  scale: 2\ntrain:\n  lr: 0.01\n  layers: [8, 4]\nseeds: [1, 2]\n",
    );
    repo.write(
        "cfg.json",
        "{\"opt\": {\"name\": \"adam\", \"beta\": 0.9}, \"unused\": 1}",
    );
    repo.write(
        "dvc.yaml",
        "stages:\n  prep:\n    cmd: python3 prep.py\n    deps: [prep.py, data/raw.csv]\n    params: [prep.scale]\n    outs: [features]\n  train:\n    foreach: ${seeds}\n    do:\n      cmd: python3 train.py ${item}\n      deps: [features, train.py]\n      params:\n      - train\n      - cfg.json:\n        - opt.name\n      metrics:\n      - score${item}.json:\n          cache: false\nmetrics:\n- summary.yaml\nparams:\n- extra.yaml\n",
    );
    repo.write(
        "train.py",
        "import sys, json, re\nseed = int(sys.argv[1])\nlr = float(re.search(r'^\\s+lr:\\s*([^\\s#]+)', open('params.yaml').read(), re.M).group(1))\njson.dump({'seed': seed, 'score': {'val': lr * seed}}, open(f'score{seed}.json', 'w'))\n",
    );
    repo.write("summary.yaml", "best: 0.5\nnotes: baseline\n");
    repo.write("extra.yaml", "note: hello\nlimits: {max: 3}\n");
    repo.write(
        "sub/dvc.yaml",
        "stages:\n  eval:\n    wdir: ..\n    cmd: python3 sub/eval.py\n    deps: [features, sub/eval.py]\n    params: [threshold]\n    metrics:\n    - sub/eval.json:\n        cache: false\n",
    );
    repo.write(
        "sub/eval.py",
        "import json\njson.dump({'auc': 0.8, 'curve': [1, 2]}, open('sub/eval.json', 'w'))\n",
    );
    repo.write("sub/params.yaml", "unused: 1\n");
    // `wdir: ..` makes the root params.yaml the stage's params file; add its key there.
    let p = String::from_utf8_lossy(&repo.read("params.yaml")).into_owned();
    repo.write("params.yaml", format!("{p}threshold: 0.5\n"));
    init(Tool::Dvc, &repo);
    Tool::Dvc.ok(&repo, ["add", "-q", "data/raw.csv"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "rich pipeline"]);
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "baseline"]);
    repo
}

#[test]
fn rich_project_exp_run_and_show_match_dvc() {
    let mut c = Checks::new("rich project");
    let base = rich_project();
    let by_dvc = base.duplicate();
    let by_cairn = base.duplicate();
    let args = [
        "exp",
        "run",
        "-S",
        "train.lr=0.02",
        "-S",
        "cfg.json:opt.name=sgd",
        "-n",
        "rich",
    ];
    Tool::Dvc.ok(&by_dvc, args);
    Tool::Cairn.ok(&by_cairn, args);
    let tree = |r: &TestRepo| {
        let c = commit_of(r, "rich");
        (
            r.git_ok(["rev-parse", &format!("{c}^{{tree}}")]),
            r.git_ok(["log", "-1", "--format=%B", &c]),
        )
    };
    c.check(tree(&by_dvc) == tree(&by_cairn), || {
        format!(
            "experiment commits differ:\n  dvc:   {:?}\n  cairn: {:?}\n  dvc files:\n{}\n  cairn files:\n{}",
            tree(&by_dvc),
            tree(&by_cairn),
            by_dvc.git_ok(["show", "--stat", "--format=", &commit_of(&by_dvc, "rich")]),
            by_cairn.git_ok(["show", "--stat", "--format=", &commit_of(&by_cairn, "rich")])
        )
    });
    for f in ["params.yaml", "cfg.json", "dvc.lock"] {
        c.check(by_dvc.read(f) == by_cairn.read(f), || {
            format!(
                "{f} differs:\n--- dvc\n{}\n--- cairn\n{}",
                String::from_utf8_lossy(&by_dvc.read(f)),
                String::from_utf8_lossy(&by_cairn.read(f))
            )
        });
    }
    // exp show on one repo holding both tools' experiments, all branches and commits.
    let repo = by_dvc;
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "train.lr=0.05", "-n", "rich-c"]);
    for extra in [
        vec![],
        vec!["-A"],
        vec!["-a"],
        vec!["-n", "3"],
        vec!["--param-deps"],
        vec!["--sha", "-n", "2"],
    ] {
        let mut args = vec!["exp", "show", "--json"];
        args.extend(extra.iter().copied());
        let d = Tool::Dvc.ok(&repo, &args);
        let k = Tool::Cairn.ok(&repo, &args);
        c.check(d.stdout() == k.stdout(), || {
            format!(
                "`{}` differs\n  dvc:   {}\n  cairn: {}",
                args.join(" "),
                d.stdout(),
                k.stdout()
            )
        });
    }
    // The table too: the same columns and cells as CSV (every baseline) and Markdown.
    for args in [
        &["exp", "show", "--csv", "-a"][..],
        &["exp", "show", "--md"][..],
        // The table flags: sorting, column choices, CSV precision, no workspace row.
        &[
            "exp",
            "show",
            "--csv",
            "--sort-by",
            "train.lr",
            "--sort-order",
            "desc",
        ][..],
        &["exp", "show", "--md", "--only-changed", "--keep", "Created"][..],
        &[
            "exp",
            "show",
            "--csv",
            "--drop",
            "train\\.|Executor",
            "--precision",
            "2",
        ][..],
        &["exp", "show", "--csv", "--hide-workspace", "-n", "2"][..],
    ] {
        same_stdout(&mut c, &repo, args, "rich project table");
    }
    let unknown = Tool::Cairn.run(&repo, ["exp", "show", "--sort-by", "no.such.param"]);
    c.check(
        !unknown.success()
            && unknown
                .stderr()
                .contains("Unknown sort column 'no.such.param'"),
        || format!("an unknown sort column is named as dvc names it: {unknown}"),
    );
    // Applying either tool's experiment gives the same work tree with either tool.
    repo.git_ok(["checkout", "-q", "--", "."]);
    Tool::Dvc.ok(&repo, ["checkout", "-q", "--force"]);
    for exp in ["rich", "rich-c"] {
        let a = repo.duplicate();
        let b = repo.duplicate();
        Tool::Dvc.ok(&a, ["exp", "apply", exp]);
        Tool::Cairn.ok(&b, ["exp", "apply", exp]);
        c.trees(
            &format!("work tree after exp apply {exp}"),
            ("dvc", &cairn_e2e::workspace(&a.read_tree()).files()),
            ("cairn", &cairn_e2e::workspace(&b.read_tree()).files()),
        );
    }
    c.finish();
}

#[test]
fn interpolated_vars_files_show_like_dvc() {
    let mut c = Checks::new("vars files");
    let repo = TestRepo::new();
    repo.write("config.yaml", "model:\n  lr: 0.1\n  other: 5\n");
    repo.write(
        "dvc.yaml",
        "vars:\n- config.yaml\nstages:\n  s:\n    cmd: echo ${model.lr} > out.txt\n    outs: [out.txt]\n",
    );
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "a"]);
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "b"]);
    Tool::Dvc.ok(
        &repo,
        ["exp", "run", "-S", "config.yaml:model.lr=0.3", "-n", "d"],
    );
    Tool::Cairn.ok(
        &repo,
        ["exp", "run", "-S", "config.yaml:model.lr=0.4", "-n", "k"],
    );
    let d = Tool::Dvc.ok(&repo, ["exp", "show", "--json"]);
    let k = Tool::Cairn.ok(&repo, ["exp", "show", "--json"]);
    c.check(d.stdout() == k.stdout(), || {
        format!(
            "exp show differs\n  dvc:   {}\n  cairn: {}",
            d.stdout(),
            k.stdout()
        )
    });
    c.finish();
}

/// `exp show --json` of `repo` printed by both tools, byte for byte.
fn same_exp_show(c: &mut Checks, repo: &TestRepo, what: &str) {
    same_stdout(c, repo, &["exp", "show", "--json"], what);
}

/// Both tools print exactly the same for `args` in `repo`.
fn same_stdout(c: &mut Checks, repo: &TestRepo, args: &[&str], what: &str) {
    let d = Tool::Dvc.ok(repo, args);
    let k = Tool::Cairn.ok(repo, args);
    c.check(d.stdout() == k.stdout(), || {
        format!(
            "{what}: {args:?} differs\n  dvc:   {}\n  cairn: {}",
            d.stdout(),
            k.stdout()
        )
    });
}

fn same_files(c: &mut Checks, a: &TestRepo, b: &TestRepo, files: &[&str]) {
    for f in files {
        c.check(a.read(f) == b.read(f), || {
            format!(
                "{f} differs:\n--- dvc\n{}\n--- cairn\n{}",
                String::from_utf8_lossy(&a.read(f)),
                String::from_utf8_lossy(&b.read(f))
            )
        });
    }
}

const PARAMS_PY: &str = r#"# training params
import os
lr = 0.1  # default lr = 0.1
epochs: int = 3
name = "cnn"
big = 12345678901234567890123
small = 1e-3
layers = [8, 4]
cfg = {"a": 1, "b": 2}
flag = True
cwd = os.getcwd()
a, b = 1, 2
neg = -5


class Train:
    depth = 2
    opt = "adam"

    def __init__(self):
        self.seed = 42
        self.w = 0.5
        local = 3
"#;

/// A pipeline whose params live in `params.py` (keys and a class selected by the stage).
fn python_params_project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("params.py", PARAMS_PY);
    repo.write(
        "dvc.yaml",
        "stages:\n  s:\n    cmd: cp params.py out.txt\n    params:\n    - params.py:\n      - lr\n      - Train\n      - big\n      - cfg\n    - params.py:\n      - name\n      - layers\n    outs: [out.txt]\n",
    );
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "py params"]);
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "baseline"]);
    repo
}

#[test]
fn python_params_files_read_and_set_like_dvc() {
    let mut c = Checks::new("params.py");
    let base = python_params_project();
    // Cairn reads the values dvc recorded: the stage is up to date for cairn.
    let st = Tool::Cairn.ok(&base, ["status", "--json"]);
    c.check(st.stdout().trim() == "{}", || {
        format!("cairn sees dvc's params.py lock as stale:\n{st}")
    });
    let by_dvc = base.duplicate();
    let by_cairn = base.duplicate();
    // Values DVC changes (`= 0.1`, class attrs, `self.` attrs, ints, bools) and ones it
    // leaves alone (strings, `1e-3`, dict-literal entries), as `modify_py` does.
    let args = [
        "exp",
        "run",
        "-S",
        "params.py:lr=0.2",
        "-S",
        "params.py:name=rnn",
        "-S",
        "params.py:Train.depth=5",
        "-S",
        "params.py:Train.seed=7",
        "-S",
        "params.py:cfg.a=9",
        "-S",
        "params.py:big=123456789012345678901234567890",
        "-S",
        "params.py:neg=-6",
        "-S",
        "params.py:flag=false",
        "-S",
        "params.py:small=0.002",
        "-S",
        "params.py:epochs=1.0",
        "-S",
        "params.py:Train.w=inf",
        "-n",
        "py",
    ];
    Tool::Dvc.ok(&by_dvc, args);
    Tool::Cairn.ok(&by_cairn, args);
    same_files(
        &mut c,
        &by_dvc,
        &by_cairn,
        &["params.py", "dvc.lock", "out.txt"],
    );
    let tree = |r: &TestRepo| r.git_ok(["rev-parse", &format!("{}^{{tree}}", commit_of(r, "py"))]);
    c.check(tree(&by_dvc) == tree(&by_cairn), || {
        "experiment commit trees differ".to_string()
    });
    // dvc agrees that cairn's experiment left an up-to-date pipeline.
    let st = Tool::Dvc.ok(&by_cairn, ["status", "--json"]);
    c.check(st.stdout().trim() == "{}", || {
        format!("dvc status after cairn:\n{st}")
    });
    // Both tools' experiments in one repository, shown and diffed by both tools.
    Tool::Cairn.ok(
        &by_dvc,
        ["exp", "run", "-S", "params.py:lr=0.3", "-n", "py-c"],
    );
    same_exp_show(&mut c, &by_dvc, "params.py");
    let d = Tool::Dvc.ok(&by_dvc, ["params", "diff", "HEAD", "--json"]);
    let k = Tool::Cairn.ok(&by_dvc, ["params", "diff", "HEAD", "--json"]);
    c.same_json("params diff HEAD", &d, &k);
    // What DVC cannot do fails with both tools and leaves params.py untouched.
    for bad in ["params.py:+newkey=1", "params.py:lr=hello world"] {
        let r = by_cairn.duplicate();
        let before = r.read("params.py");
        let d = Tool::Dvc.run(&r, ["exp", "run", "-S", bad]);
        let k = Tool::Cairn.run(&r, ["exp", "run", "-S", bad]);
        c.check(!d.success() && !k.success(), || {
            format!("-S {bad}: expected both to fail\n{d}\n{k}")
        });
        c.check(r.read("params.py") == before, || {
            format!("-S {bad} changed params.py")
        });
    }
    c.finish();
}

#[test]
fn python_params_syntax_error_names_the_line() {
    let repo = python_params_project();
    repo.write("params.py", "lr = 0.1\nlayers = [1,\nname = 'x'\n");
    let k = Tool::Cairn.run(&repo, ["params", "diff", "--json"]);
    let d = Tool::Dvc.run(&repo, ["exp", "show", "--json"]);
    let k_show = Tool::Cairn.ok(&repo, ["exp", "show", "--json"]);
    let mut c = Checks::new("params.py syntax error");
    c.check(
        k_show.stdout().contains("PythonFileCorruptedError")
            && d.stdout().contains("PythonFileCorruptedError"),
        || format!("both should report the file as corrupted:\n{d}\n{k_show}"),
    );
    let st = Tool::Cairn.run(&repo, ["status"]);
    let msg = format!("{k}{st}");
    c.check(msg.contains("params.py:2"), || {
        format!("error should name params.py:2\n{msg}")
    });
    c.finish();
}

#[test]
fn set_param_infinity_nan_and_big_ints_match_dvc() {
    let mut c = Checks::new("-S inf/nan/big ints");
    let repo = TestRepo::new();
    repo.write(
        "params.yaml",
        "a: 1\nb: 2.5\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\n",
    );
    repo.write(
        "p.json",
        "{\"a\": 1, \"b\": 2.5, \"c\": 3, \"d\": 4, \"e\": 5, \"f\": 6, \"g\": 7}",
    );
    repo.write(
        "p.toml",
        "a = 1\nb = 2.5\nc = 3\nd = 4\ne = 5\nf = 6\ng = 7\n",
    );
    repo.write(
        "dvc.yaml",
        "stages:\n  s:\n    cmd: echo hi > out.txt\n    params:\n    - a\n    - b\n    - f\n    - p.json:\n      - a\n      - f\n    - p.toml:\n      - a\n      - g\n    outs: [out.txt]\n",
    );
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "a"]);
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "b"]);
    let mut args: Vec<String> = ["exp", "run", "-n", "sp"].map(String::from).to_vec();
    for s in [
        "a=inf",
        "b=-inf",
        "c=nan",
        "d=NaN",
        "e=+INF",
        "f=12345678901234567890123",
        "g=-99999999999999999999",
    ] {
        for file in ["", "p.json:", "p.toml:"] {
            args.push("-S".into());
            args.push(format!("{file}{s}"));
        }
    }
    let by_dvc = repo.duplicate();
    let by_cairn = repo.duplicate();
    Tool::Dvc.ok(&by_dvc, &args);
    Tool::Cairn.ok(&by_cairn, &args);
    same_files(
        &mut c,
        &by_dvc,
        &by_cairn,
        &["params.yaml", "p.json", "p.toml", "dvc.lock"],
    );
    let mut k_args = args.clone();
    k_args[3] = "sp-c".into();
    Tool::Cairn.ok(&by_dvc, &k_args);
    same_exp_show(&mut c, &by_dvc, "inf/nan/big ints");
    c.finish();
}

#[test]
fn stage_vars_and_dict_interpolation_track_like_dvc() {
    let mut c = Checks::new("stage vars");
    let repo = TestRepo::new();
    repo.write(
        "config.yaml",
        "model:\n  lr: 0.1\n  other: 5\nsizes: [1, 2]\n",
    );
    repo.write("params.yaml", "seed: 7\nunused: 1\n");
    repo.write("st.yaml", "bs: 32\nx: 1\n");
    // Top-level and stage-level vars files, an inline (local) vars dict, a whole dict
    // (`${model}`: tracks nothing) and params.yaml via `${}`.
    repo.write(
        "dvc.yaml",
        "vars:\n- config.yaml\n- local: 3\nstages:\n  s:\n    vars:\n    - st.yaml\n    cmd: echo ${model.lr} ${seed} ${bs} ${local} > out.txt\n    outs: [out.txt]\n  t:\n    cmd: echo ${model} > t.txt\n    outs: [t.txt]\n",
    );
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "a"]);
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "b"]);
    let set = [
        "-S",
        "config.yaml:model.lr=0.3",
        "-S",
        "st.yaml:bs=64",
        "-S",
        "seed=8",
    ];
    let by_cairn = repo.duplicate();
    let mut args = vec!["exp", "run", "-n", "d"];
    args.extend(set);
    Tool::Dvc.ok(&repo, &args);
    args[3] = "k";
    Tool::Cairn.ok(&by_cairn, &args);
    same_files(
        &mut c,
        &repo,
        &by_cairn,
        &["dvc.lock", "out.txt", "st.yaml"],
    );
    Tool::Cairn.ok(&repo, &args);
    same_exp_show(&mut c, &repo, "stage vars");
    let d = Tool::Dvc.ok(&repo, ["params", "diff", "HEAD", "--json"]);
    let k = Tool::Cairn.ok(&repo, ["params", "diff", "HEAD", "--json"]);
    c.same_json("params diff HEAD", &d, &k);
    c.finish();
}

/// Experiments `dvc exp run --queue` left in DVC's queue (celery messages + stash
/// commits; no worker needed to queue) show in `cairn exp show --json` exactly as in
/// `dvc exp show --json` — name, stash rev, `executor`, params, deps/outs, no metrics,
/// timestamps — next to finished experiments of both tools and the baseline; `cairn
/// queue status` lists them as `dvc queue status` does.
#[test]
fn dvc_queued_experiments_show_like_dvc() {
    let mut c = Checks::new("dvc-queued experiments");
    let repo = project();
    Tool::Dvc.ok(&repo, ["exp", "run", "-S", "lr=0.3", "-n", "done-dvc"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "-S", "epochs=5", "-n", "done-cairn"]);
    Tool::Dvc.ok(
        &repo,
        ["exp", "run", "--queue", "-S", "lr=0.5", "-n", "q-lr"],
    );
    // A generated name, and two files' worth of overrides.
    Tool::Dvc.ok(&repo, ["exp", "run", "--queue", "-S", "epochs=7"]);
    Tool::Dvc.ok(
        &repo,
        [
            "exp",
            "run",
            "--queue",
            "-S",
            "model.depth=4",
            "-S",
            "lr=0.9",
            "-n",
            "q-deep",
        ],
    );
    same_exp_show(&mut c, &repo, "3 queued by dvc");
    for args in [
        &["exp", "show", "--json", "--hide-queued"][..],
        &["exp", "show", "--json", "-n", "2"][..],
    ] {
        same_stdout(&mut c, &repo, args, "");
    }
    // What the byte comparison covers, spelled out (so a change on both sides that
    // drops the entries is caught too).
    let show: Value =
        serde_json::from_str(&Tool::Cairn.ok(&repo, ["exp", "show", "--json"]).stdout())
            .expect("json");
    let exps = show[1]["experiments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let queued: Vec<&Value> = exps
        .iter()
        .filter(|e| e["executor"]["state"] == "queued")
        .collect();
    c.check(queued.len() == 3 && exps.len() == 5, || {
        format!("expected 2 finished + 3 queued experiments: {exps:?}")
    });
    c.check(exps.iter().take(2).all(|e| e["executor"].is_null()), || {
        "finished experiments must come first, without executor".into()
    });
    for q in &queued {
        let rev = &q["revs"][0]["rev"];
        c.check(
            q["executor"]["name"] == "dvc-task"
                && &q["executor"]["local"]["task_id"] == rev
                && q["revs"][0]["data"]["metrics"] == serde_json::json!({})
                && q["revs"][0]["data"]["timestamp"].is_string(),
            || format!("queued entry not in DVC's shape: {q}"),
        );
    }
    let lr_of = |name: &str| {
        queued
            .iter()
            .find(|q| q["name"] == name)
            .map(|q| q["revs"][0]["data"]["params"]["params.yaml"]["data"].clone())
    };
    c.check(
        lr_of("q-deep").is_some_and(|p| p["lr"] == 0.9 && p["model"]["depth"] == 4),
        || format!("q-deep params: {:?}", lr_of("q-deep")),
    );
    // `queue status`: the same (task, name) pairs as `dvc queue status`.
    let dvc_rows: Vec<(String, String)> = Tool::Dvc
        .ok(&repo, ["queue", "status"])
        .stdout()
        .lines()
        .filter(|l| l.contains("Queued"))
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), it.next()?.to_string()))
        })
        .collect();
    let st: Value = serde_json::from_str(
        &Tool::Cairn
            .ok(&repo, ["queue", "status", "--json"])
            .stdout(),
    )
    .expect("json");
    let cairn_rows: Vec<(String, String)> = st
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["queue"] == "dvc" && e["state"] == "queued")
                .map(|e| {
                    (
                        e["id"].as_str().unwrap_or("").chars().take(7).collect(),
                        e["name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    c.check(dvc_rows.len() == 3 && cairn_rows == dvc_rows, || {
        format!("queue status\n  dvc:   {dvc_rows:?}\n  cairn: {cairn_rows:?}")
    });
    // The reverse: Cairn's queue is its own storage (ARCHITECTURE.md, experiments);
    // dvc must keep working next to it and still show its own queue the same way.
    Tool::Cairn.ok(
        &repo,
        ["exp", "run", "--queue", "-S", "lr=0.7", "-n", "q-cairn"],
    );
    let d: Value = serde_json::from_str(&Tool::Dvc.ok(&repo, ["exp", "show", "--json"]).stdout())
        .expect("dvc exp show --json with a Cairn-queued experiment");
    let k: Value = serde_json::from_str(&Tool::Cairn.ok(&repo, ["exp", "show", "--json"]).stdout())
        .expect("json");
    let dvc_side = |v: &Value| -> Vec<Value> {
        v[1]["experiments"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["executor"]["name"] != "cairn-queue")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    c.check(dvc_side(&d) == dvc_side(&k), || {
        format!("with a Cairn-queued entry, dvc's entries differ\n  dvc:   {d}\n  cairn: {k}")
    });
    c.check(
        k[1]["experiments"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["name"] == "q-cairn")),
        || format!("cairn lost its own queued entry: {k}"),
    );
    c.finish();
}

/// Tasks a real DVC worker ran from its queue (`dvc exp run --run-all`): the
/// successful one's experiment carries DVC's `success` executor, the failed one is
/// listed with its error, both exactly as `dvc exp show --json` prints them; `cairn
/// queue status` gives the same statuses as `dvc queue status`.
#[test]
fn dvc_queue_results_show_like_dvc() {
    let mut c = Checks::new("dvc queue results");
    let repo = project();
    Tool::Dvc.ok(&repo, ["exp", "run", "-S", "lr=0.3", "-n", "done-dvc"]);
    Tool::Dvc.ok(
        &repo,
        ["exp", "run", "--queue", "-S", "lr=0.5", "-n", "w-ok"],
    );
    // `int("x")` in train.py: the stage fails.
    Tool::Dvc.ok(
        &repo,
        ["exp", "run", "--queue", "-S", "epochs=x", "-n", "w-bad"],
    );
    Tool::Dvc.ok(
        &repo,
        ["exp", "run", "--queue", "-S", "lr=0.6", "-n", "w-waiting"],
    );
    // Only the first two run: the third is removed from the queue first and queued
    // again after the worker is done, so all three kinds are shown together.
    Tool::Dvc.ok(&repo, ["queue", "remove", "w-waiting"]);
    // `timeout` because a worker that never starts leaves dvc waiting forever.
    let run_all = repo
        .command("timeout")
        .env("PATH", dvc_path())
        .arg("180")
        .arg(cairn_e2e::dvc_bin())
        .args(["exp", "run", "--run-all"])
        .output()
        .expect("spawning timeout");
    c.check(run_all.status.success(), || {
        format!(
            "dvc exp run --run-all: {}\n{}",
            run_all.status,
            String::from_utf8_lossy(&run_all.stderr)
        )
    });
    Tool::Dvc.ok(
        &repo,
        ["exp", "run", "--queue", "-S", "lr=0.6", "-n", "w-waiting"],
    );
    same_exp_show(&mut c, &repo, "after a dvc worker");
    for args in [
        &["exp", "show", "--json", "--hide-failed"][..],
        &["exp", "show", "--json", "--hide-queued"][..],
        // The table's State and Executor columns (success, queued, failed).
        &["exp", "show", "--csv"][..],
        &["exp", "show", "--md"][..],
    ] {
        same_stdout(&mut c, &repo, args, "");
    }
    let show: Value =
        serde_json::from_str(&Tool::Cairn.ok(&repo, ["exp", "show", "--json"]).stdout())
            .expect("json");
    let states: Vec<(String, Value)> = show[1]["experiments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["name"].as_str().unwrap_or("").to_string(),
                        e["executor"]["state"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let want = [
        ("w-ok", Value::from("success")),
        ("done-dvc", Value::Null),
        ("w-waiting", Value::from("queued")),
        ("w-bad", Value::from("failed")),
    ];
    c.check(
        states.len() == want.len()
            && states
                .iter()
                .zip(&want)
                .all(|(g, w)| g.0 == w.0 && g.1 == w.1),
        || format!("experiments and executor states: {states:?}, want {want:?}"),
    );
    // `queue status`: (task, name, status) rows as dvc prints them.
    let dvc_rows = dvc_queue_status(&repo);
    let st: Value = serde_json::from_str(
        &Tool::Cairn
            .ok(&repo, ["queue", "status", "--json"])
            .stdout(),
    )
    .expect("json");
    let mut cairn_rows: Vec<(String, String, String)> = st
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["queue"] == "dvc")
                .map(|e| {
                    let s = e["state"].as_str().unwrap_or("");
                    (
                        e["id"].as_str().unwrap_or("").chars().take(7).collect(),
                        e["name"].as_str().unwrap_or("").to_string(),
                        s[..1].to_uppercase() + &s[1..],
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut dvc_sorted = dvc_rows.clone();
    dvc_sorted.sort();
    cairn_rows.sort();
    c.check(dvc_rows.len() == 3 && cairn_rows == dvc_sorted, || {
        format!("queue status\n  dvc:   {dvc_rows:?}\n  cairn: {cairn_rows:?}")
    });
    wait_for_dvc_worker(&repo);
    c.finish();
}

/// `dvc queue status`'s (task, name, status) rows.
fn dvc_queue_status(repo: &TestRepo) -> Vec<(String, String, String)> {
    Tool::Dvc
        .ok(repo, ["queue", "status"])
        .stdout()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let status = *f.last()?;
            ["Queued", "Running", "Failed", "Success"]
                .contains(&status)
                .then(|| (f[0].into(), f[1].into(), status.into()))
        })
        .collect()
}

/// PATH with the reference dvc's folder first: DVC spawns its queue worker as plain
/// `dvc` from PATH.
fn dvc_path() -> String {
    let dvc = cairn_e2e::dvc_bin();
    format!(
        "{}:{}",
        dvc.parent().expect("dvc's directory").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// DVC's queue worker lingers ~10 s after its queue empties; lets it go before the
/// repository does.
fn wait_for_dvc_worker(repo: &TestRepo) {
    let pidfile = repo.join(".dvc/tmp/exps/celery/dvc-exp-worker-1.pid");
    if let Some(pid) = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
    {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::path::Path::new(&format!("/proc/{pid}")).exists()
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

/// DVC diffs params and metrics with Python semantics: lists are compared as their
/// `str()` (`format_dict`), `1 == 1.0 == True`, and a NaN never equals itself.
#[test]
fn diff_compares_values_like_python() {
    let mut c = Checks::new("params/metrics diff value semantics");
    let repo = committed_repo(&[
        (
            "params.yaml",
            "lr: 1\nflag: true\nn: .nan\nsame: 2\nlst: [1, .nan]\nwords: [a, \"it's\"]\nnested:\n  l: [1, 2]\n",
        ),
        (
            "metrics.json",
            r#"{"acc": 1, "hist": [1, 2], "f": true, "prec": 123.456789}"#,
        ),
        (
            "dvc.yaml",
            "stages:\n  t:\n    cmd: echo hi\n    params: [lr, flag, n, same, lst, words, nested]\n    metrics:\n    - metrics.json:\n        cache: false\n",
        ),
    ]);
    repo.write(
        "params.yaml",
        "lr: 1.0\nflag: 1\nn: .nan\nsame: 2\nlst: [1.0, .nan]\nwords: [a, \"it's\"]\nnested:\n  l: [1, 3]\n",
    );
    repo.write(
        "metrics.json",
        r#"{"acc": 1.0, "hist": [1, 2.5], "f": 1, "prec": 0.000012345678}"#,
    );
    // serde_json has no NaN; DVC's output spells it bare.
    let parse = |run: &cairn_e2e::Run| -> Result<Value, String> {
        serde_json::from_str(&run.stdout().replace("NaN", "\"NaN\"")).map_err(|e| e.to_string())
    };
    for args in [
        vec!["params", "diff", "--json"],
        vec!["params", "diff", "--json", "--all"],
        vec!["metrics", "diff", "--json"],
        vec!["metrics", "diff", "--json", "--all"],
    ] {
        let d = Tool::Dvc.ok(&repo, &args);
        let k = Tool::Cairn.ok(&repo, &args);
        let (dj, kj) = (parse(&d), parse(&k));
        c.check(dj.is_ok() && dj == kj, || {
            format!(
                "{args:?} differs\n  dvc:   {}\n  cairn: {}",
                d.stdout(),
                k.stdout()
            )
        });
    }
    // Tables print floats per command (`round(x, 5)` for metrics, `str(x)` for params):
    // the same cells as DVC's.
    for args in [
        vec!["params", "diff"],
        vec!["metrics", "diff"],
        vec!["metrics", "show"],
    ] {
        let (d, k) = (
            Tool::Dvc.ok(&repo, &args).stdout(),
            Tool::Cairn.ok(&repo, &args).stdout(),
        );
        c.check(table_cells(&d) == table_cells(&k), || {
            format!("{args:?} table differs\n  dvc:\n{d}\n  cairn:\n{k}")
        });
    }
    // The cases themselves, so a change on both sides cannot hide them.
    let k = parse(&Tool::Cairn.ok(&repo, ["params", "diff", "--json"])).unwrap_or_default();
    let p = &k["params.yaml"];
    c.check(
        p.get("lr").is_none() && p.get("flag").is_none() && p["n"]["diff"] == "NaN",
        || format!("1 == 1.0, True == 1, nan != nan: {k}"),
    );
    c.check(
        p["lst"]["old"] == "[1, nan]" && p["nested.l"]["new"] == "[1, 3]",
        || format!("lists as Python str(): {k}"),
    );
    c.finish();
}

#[test]
fn params_diff_compares_ints_of_any_size_like_python() {
    let repo = committed_repo(&[
        (
            "params.yaml",
            "big: 340282366920938463463374607431768211457\nneg: -340282366920938463463374607431768211457\nexact: 9007199254740993\nsame: 9007199254740992\nsmall: 1\n",
        ),
        (
            "dvc.yaml",
            "stages:\n  t:\n    cmd: echo hi\n    params: [big, neg, exact, same, small]\n",
        ),
    ]);
    repo.write(
        "params.yaml",
        "big: 340282366920938463463374607431768211458\nneg: 5\nexact: 9007199254740992.0\nsame: 9007199254740992.0\nsmall: 1.0\n",
    );
    // DVC's key order comes from a Python set (it varies between runs), and serde_json
    // would round these ints: Python normalises both outputs.
    let normal = |text: String| {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut p| {
                use std::io::Write;
                p.stdin.take().unwrap().write_all(text.as_bytes())?;
                p.wait_with_output()
            })
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let args = ["params", "diff", "--json"];
    assert_eq!(
        normal(Tool::Cairn.ok(&repo, args).stdout()),
        normal(Tool::Dvc.ok(&repo, args).stdout())
    );
    // The table: the same cells (DVC pads its columns differently).
    assert_eq!(
        table_cells(&Tool::Cairn.ok(&repo, ["params", "diff"]).stdout()),
        table_cells(&Tool::Dvc.ok(&repo, ["params", "diff"]).stdout())
    );
    // The cases themselves: a change one past 2**128, a difference beyond 128 bits, and an
    // int that no float equals; `same` and `small` are equal in Python.
    let k = Tool::Cairn.ok(&repo, ["params", "diff", "--json"]).stdout();
    assert!(k.contains("\"diff\": 1}"), "{k}");
    assert!(
        k.contains("\"diff\": 340282366920938463463374607431768211462}"),
        "{k}"
    );
    assert!(
        k.contains("\"exact\"") && !k.contains("\"same\"") && !k.contains("\"small\""),
        "{k}"
    );
}

/// A printed table's rows as cells (split on whitespace), sorted: DVC pads columns
/// differently and orders rows by a Python set.
fn table_cells(text: &str) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .filter(|r: &Vec<String>| !r.is_empty())
        .collect();
    rows.sort();
    rows
}

/// A repo with `files`, `dvc init`ed and committed as "base".
fn committed_repo(files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "base"]);
    repo
}
