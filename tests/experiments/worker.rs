//! Queued experiments run on an SSH worker (`cairn queue start --on ssh://…`), against
//! the test SSH server (`tests/data/ssh_server.py`, commands by /bin/sh, so the "other
//! machine" is a folder here). What comes back must be the experiment a local queue
//! run records — same ref, same commit tree — with its outputs in this machine's cache,
//! and the real `dvc` must read and apply it.

use cairn_e2e::{Checks, SSH, SshServer, TestRepo, Tool, cairn_bin, init};
use serde_json::Value;

use super::{exp_ref, project};

/// The project with a `.dvc`-tracked input the stage depends on: the worker must be
/// sent it, or the stage has a missing dependency there.
fn project_with_data() -> TestRepo {
    let repo = project();
    repo.write("data.txt", "rows\n");
    Tool::Dvc.ok(&repo, ["add", "-q", "data.txt"]);
    let yaml = std::fs::read_to_string(repo.path().join("dvc.yaml")).unwrap();
    repo.write(
        "dvc.yaml",
        yaml.replace("    - train.py\n", "    - train.py\n    - data.txt\n"),
    );
    Tool::Dvc.ok(&repo, ["repro", "-q"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "data"]);
    // The input is only in the cache: a worker that is not sent it fails.
    repo
}

/// `cairn ARGS` in `repo` with the test server's key.
pub(crate) fn cairn_command(
    repo: &TestRepo,
    server: &SshServer,
    args: &[&str],
) -> std::process::Command {
    let mut cmd = repo.command(cairn_bin());
    cmd.args(args)
        .env("CAIRN_SSH_COMMAND", format!("{SSH} -i {}", server.key()));
    cmd
}

fn cairn(repo: &TestRepo, server: &SshServer, args: &[&str]) -> std::process::Output {
    cairn_command(repo, server, args).output().unwrap()
}

/// A worker folder on the test server, as `--on` takes it.
pub(crate) fn worker_url(server: &SshServer) -> String {
    format!(
        "ssh://{}@127.0.0.1:{}{}",
        server.user,
        server.port,
        server.store("worker").display()
    )
}

pub(crate) fn queue_entry(repo: &TestRepo, name: &str) -> Value {
    let out = Tool::Cairn.ok(repo, ["queue", "status", "--json"]).stdout();
    let all: Value = serde_json::from_str(&out).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn queued_experiments_run_on_an_ssh_worker_and_come_back() {
    let mut c = Checks::new("queue start --on ssh://");
    let server = SshServer::start();
    let base = project_with_data();
    let here = base.duplicate();
    let there = base.duplicate();
    let queue = ["exp", "run", "--queue", "-S", "model.depth=4", "-n", "deep"];
    Tool::Cairn.ok(&here, queue);
    Tool::Cairn.ok(&there, queue);
    Tool::Cairn.ok(&here, ["queue", "start"]);
    let url = worker_url(&server);
    let run = cairn(&there, &server, &["queue", "start", "--on", &url]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    c.check(run.status.success(), || {
        format!("queue start --on failed:\n{stdout}\n{stderr}")
    });

    // The same experiment as a local queue run: same ref, same tree, same parent.
    let (r_here, c_here) = exp_ref(&here, "deep").expect("the local run recorded it");
    match exp_ref(&there, "deep") {
        None => c.fail(format!("no experiment came back:\n{stdout}\n{stderr}")),
        Some((r_there, c_there)) => {
            c.check(r_here == r_there, || format!("refs {r_here} vs {r_there}"));
            let tree = |r: &TestRepo, x: &str| r.git_ok(["log", "-1", "--format=%T %P %s", x]);
            c.check(tree(&here, &c_here) == tree(&there, &c_there), || {
                format!(
                    "commit here: {}, from the worker: {}",
                    tree(&here, &c_here),
                    tree(&there, &c_there)
                )
            });
        }
    }
    let entry = queue_entry(&there, "deep");
    c.check(entry["state"] == "success", || format!("entry: {entry}"));
    c.check(entry["worker"] == url.as_str(), || {
        format!("entry: {entry}")
    });
    let table = Tool::Cairn.ok(&there, ["queue", "status"]).stdout();
    c.check(table.contains(&format!("Success on {url}")), || {
        format!("queue status does not say where it ran:\n{table}")
    });
    let log = Tool::Cairn.ok(&there, ["queue", "logs", "deep"]).stdout();
    for expected in [
        "Running on ssh://",
        "Sent 2 data object(s)",
        "Running stage 'train':",
        "> python3 train.py",
        "Brought back experiment 'deep'",
    ] {
        c.check(log.contains(expected), || {
            format!("the log lacks {expected:?}:\n{log}")
        });
    }

    // The worker's folder: Cairn's build, the repository, the cache with the new
    // model, and no run left behind.
    let w = server.store("worker");
    let bins: Vec<String> = std::fs::read_dir(w.join("bin"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    c.check(bins.len() == 1 && bins[0].starts_with("cairn-"), || {
        format!("worker bin/: {bins:?}")
    });
    c.check(w.join("repo.git").join("HEAD").is_file(), || {
        "no repo.git on the worker".into()
    });
    let runs_left = std::fs::read_dir(w.join("runs")).map_or(0, |d| d.count());
    c.check(runs_left == 0, || {
        format!("{runs_left} run folder(s) left on the worker")
    });

    // dvc reads it, and applies it from this machine's cache alone: the model the
    // worker made came back.
    let shown = Tool::Dvc.ok(&there, ["exp", "show", "--json"]).stdout();
    c.check(shown.contains("\"deep\""), || {
        format!("dvc exp show:\n{shown}")
    });
    let applied = Tool::Dvc.run(&there, ["exp", "apply", "deep"]);
    c.check(applied.success(), || {
        format!("dvc exp apply: {}\nlog:\n{log}", applied.stderr())
    });
    let model = std::fs::read_to_string(there.path().join("model.txt")).unwrap_or_default();
    c.check(model == "444", || {
        format!("model.txt after dvc exp apply: {model:?}")
    });
    let status = Tool::Dvc.ok(&there, ["status", "--json"]).stdout();
    c.check(status.trim() == "{}", || {
        format!("dvc status after apply: {status}")
    });

    // A failing run is named and marked, and the worker is left clean.
    Tool::Cairn.ok(
        &there,
        ["exp", "run", "--queue", "-S", "epochs=many", "-n", "broken"],
    );
    let failed = cairn(&there, &server, &["queue", "start", "--on", &url]);
    c.check(!failed.status.success(), || {
        "a failed remote run exited 0".into()
    });
    let entry = queue_entry(&there, "broken");
    c.check(entry["state"] == "failed", || format!("entry: {entry}"));
    let error = entry["error"].as_str().unwrap_or_default();
    c.check(error.contains("failed"), || format!("error: {error}"));
    let log = Tool::Cairn.ok(&there, ["queue", "logs", "broken"]).stdout();
    c.check(log.contains("ValueError"), || {
        format!("the stage's traceback is not in the log:\n{log}")
    });
    let runs_left = std::fs::read_dir(w.join("runs")).map_or(0, |d| d.count());
    c.check(runs_left == 0, || {
        format!("{runs_left} run folder(s) left after a failure")
    });

    // A worker URL that names no folder is refused before anything is sent.
    Tool::Cairn.ok(&there, ["exp", "run", "--queue", "-n", "again"]);
    let bad = cairn(
        &there,
        &server,
        &["queue", "start", "--on", "127.0.0.1:/tmp/w"],
    );
    let said = String::from_utf8_lossy(&bad.stderr);
    c.check(
        !bad.status.success() && said.contains("ssh://[user@]host[:port]/folder"),
        || format!("bad URL: {said}"),
    );
    c.check(queue_entry(&there, "again")["state"] == "queued", || {
        "a refused start changed the queue".into()
    });
    c.finish();
}

/// A project whose one stage says it started, then takes long enough to be stopped;
/// queued as `slow`.
fn slow_project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "dvc.yaml",
        "stages:\n  slow:\n    cmd: echo started && sleep 41.37 && echo done > out.txt\n    outs:\n    - out.txt\n",
    );
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "slow pipeline"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "--queue", "-n", "slow"]);
    repo
}

/// Starts `queue start --on` the test worker and waits until the slow stage runs there.
fn start_slow(repo: &TestRepo, server: &SshServer) -> std::process::Child {
    let url = worker_url(server);
    let child = cairn_command(repo, server, &["queue", "start", "--on", &url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let log = || {
        std::fs::read_to_string(repo.path().join(".dvc/tmp/cairn/queue").join(format!(
            "{}.log",
            queue_entry(repo, "slow")["id"].as_str().unwrap_or("-")
        )))
        .unwrap_or_default()
    };
    while !log().contains("started") {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the stage never started on the worker:\n{}",
            log()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    child
}

/// Whether the slow stage's `sleep` runs (on the worker, a folder of this machine).
fn sleeping() -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", "sleep 41.37"])
        .stdout(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Waits up to `secs` for `done`.
fn within(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let began = std::time::Instant::now();
    while began.elapsed() < std::time::Duration::from_secs(secs) {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    done()
}

#[test]
fn cancelling_a_worker_run_stops_it_there() {
    let mut c = Checks::new("queue start --on, cancelled");
    let server = SshServer::start();
    let repo = slow_project();
    let mut child = start_slow(&repo, &server);
    c.check(sleeping(), || {
        "the stage is not running on the worker".into()
    });
    // Ctrl-C, as in a terminal.
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let stopped = within(30, || child.try_wait().unwrap().is_some());
    if !stopped {
        let _ = child.kill();
    }
    let status = child.wait().ok().filter(|_| stopped);
    c.check(status.is_some_and(|s| !s.success()), || {
        format!("queue start after Ctrl-C: {status:?} (not stopped within 30 s, or exit 0)")
    });
    c.check(!sleeping(), || "the stage still runs on the worker".into());
    let entry = queue_entry(&repo, "slow");
    c.check(entry["state"] == "failed", || format!("entry: {entry}"));
    c.check(
        entry["error"]
            .as_str()
            .unwrap_or_default()
            .contains("cancelled"),
        || format!("entry: {entry}"),
    );
    c.check(super::exp_ref(&repo, "slow").is_none(), || {
        "a cancelled run recorded an experiment".into()
    });
    let runs_left = std::fs::read_dir(server.store("worker").join("runs")).map_or(0, |d| d.count());
    c.check(runs_left == 0, || {
        format!("{runs_left} run folder(s) left after a cancel")
    });
    c.finish();
}

#[test]
fn a_worker_run_stops_when_the_machine_that_sent_it_is_gone() {
    let mut c = Checks::new("queue start --on, killed outright");
    let server = SshServer::start();
    let repo = slow_project();
    let mut child = start_slow(&repo, &server);
    c.check(sleeping(), || {
        "the stage is not running on the worker".into()
    });
    // No Ctrl-C to pass on: the process is gone at once (a crash, a closed laptop's
    // killed session). Its end of the connection closes with it.
    child.kill().unwrap();
    let _ = child.wait();
    c.check(within(30, || !sleeping()), || {
        "the stage still runs on the worker 30 s after its sender died".into()
    });
    // The entry is not left running for ever: the next status finds its worker gone.
    let entry = queue_entry(&repo, "slow");
    c.check(entry["state"] == "failed", || format!("entry: {entry}"));
    c.check(super::exp_ref(&repo, "slow").is_none(), || {
        "a run whose sender died recorded an experiment".into()
    });
    let runs = server.store("worker").join("runs");
    c.check(
        within(10, || {
            std::fs::read_dir(&runs).map_or(0, |d| d.count()) == 0
        }),
        || "the stopped run's folder is left on the worker".into(),
    );
    c.finish();
}

#[test]
fn a_worker_makes_the_python_environment_from_requirements_once() {
    let mut c = Checks::new("queue start --on: requirements.txt");
    let server = SshServer::start();
    let repo = TestRepo::new();
    repo.write("requirements.txt", "# the standard library is enough\n");
    repo.write(
        "envinfo.py",
        "import json, sys\njson.dump({'prefix': sys.prefix}, open('env.json', 'w'))\n",
    );
    repo.write(
        "dvc.yaml",
        "stages:\n  env:\n    cmd: python envinfo.py\n    deps:\n    - envinfo.py\n    metrics:\n    - env.json:\n        cache: false\n",
    );
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "env pipeline"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "--queue", "-n", "first"]);
    Tool::Cairn.ok(&repo, ["exp", "run", "--queue", "-n", "second"]);
    let w = server.store("worker");
    let url = worker_url(&server);
    let run = cairn(&repo, &server, &["queue", "start", "--on", &url]);
    c.check(run.status.success(), || {
        format!("queue start --on: {}", String::from_utf8_lossy(&run.stderr))
    });
    let logs = |name: &str| Tool::Cairn.ok(&repo, ["queue", "logs", name]).stdout();
    let first = logs("first");
    c.check(
        first.contains("python3 -m venv ") && first.contains("pip install -r "),
        || format!("the first run made the environment:\n{first}"),
    );
    let second = logs("second");
    c.check(second.contains("(requirements.txt unchanged)"), || {
        format!("the second run reused it:\n{second}")
    });
    // One more at once, as `exp run --on` does (queue and run in one go).
    let run = cairn(&repo, &server, &["exp", "run", "--on", &url, "-n", "third"]);
    let said = String::from_utf8_lossy(&run.stdout);
    c.check(
        run.status.success() && said.contains("Ran experiment(s): third"),
        || {
            format!(
                "exp run --on: {said}{}",
                String::from_utf8_lossy(&run.stderr)
            )
        },
    );
    // The stage ran in it: `python` was the worker's venv's.
    for name in ["first", "second", "third"] {
        let Some((r, _)) = exp_ref(&repo, name) else {
            c.fail(format!("no experiment {name}"));
            continue;
        };
        let env: Value =
            serde_json::from_str(&repo.git_ok(["show", &format!("{r}:env.json")])).unwrap();
        let prefix = env["prefix"].as_str().unwrap_or_default();
        c.check(
            std::path::Path::new(prefix) == w.join(".venv")
                || std::path::Path::new(prefix).canonicalize().ok()
                    == w.join(".venv").canonicalize().ok(),
            || format!("{name} ran with {prefix}"),
        );
    }
    c.finish();
}

#[test]
fn a_worker_folder_may_be_named_from_its_home() {
    let mut c = Checks::new("exp run --on ssh://host/~/folder");
    let server = SshServer::start_with_home();
    let repo = project();
    let url = format!(
        "ssh://{}@127.0.0.1:{}/~/cairn-worker",
        server.user, server.port
    );
    let run = cairn(&repo, &server, &["exp", "run", "--on", &url, "-n", "homed"]);
    c.check(run.status.success(), || {
        format!(
            "exp run --on {url}: {}",
            String::from_utf8_lossy(&run.stderr)
        )
    });
    c.check(exp_ref(&repo, "homed").is_some(), || {
        "the experiment did not come back".into()
    });
    let bin = server.home().join("cairn-worker").join("bin");
    c.check(bin.is_dir(), || {
        format!("no worker folder in its home: {} is missing", bin.display())
    });
    c.check(!std::path::Path::new("/~").exists(), || {
        "a folder named `~` was made at the root".into()
    });
    c.finish();
}
