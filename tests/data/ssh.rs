//! SSH remotes, against an SSH server started for the test (`ssh_server.py` on
//! asyncssh, which dvc's ssh plugin installs: a free loopback port, its own host key, a
//! key made for the test, commands run by /bin/sh, SFTP for dvc) and dvc's own ssh
//! plugin: what one tool pushes, the other pulls, and both write the same files. Cairn
//! runs the real OpenSSH client against it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use crate::support::*;

/// An SSH server on a free loopback port taking one key, stopped when dropped.
struct SshServer {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
    user: String,
}

/// The ssh Cairn runs here: this test's server key is new, so it is not checked.
const SSH: &str =
    "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR";

impl SshServer {
    fn start() -> SshServer {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for key in ["host_key", "client_key"] {
            let ok = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(d.join(key))
                .status()
                .expect("ssh-keygen (apt-get install openssh-client; scripts/test.sh does)")
                .success();
            assert!(ok, "ssh-keygen {key}");
        }
        std::fs::copy(d.join("client_key.pub"), d.join("authorized_keys")).unwrap();
        let port = free_port();
        let script = workspace_root().join("tests/data/ssh_server.py");
        let child = Command::new(dvc_bin().parent().unwrap().join("python"))
            .arg(&script)
            .arg(port.to_string())
            .arg(d.join("host_key"))
            .arg(d.join("authorized_keys"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("server.log")).unwrap())
            .spawn()
            .expect("start the test's SSH server");
        wait_listening(port, Duration::from_secs(30), "ssh_server.py");
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        SshServer {
            child,
            dir,
            port,
            user,
        }
    }

    fn store(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn key(&self) -> String {
        self.dir.path().join("client_key").display().to_string()
    }

    fn url(&self, store: &str) -> String {
        format!(
            "ssh://{}@127.0.0.1{}",
            self.user,
            self.store(store).display()
        )
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The default remote `store` at `url`; the port in the shared config, the key in
/// `config.local` (a path on this machine), as a team would keep them.
fn use_remote(r: &TestRepo, server: &SshServer, store: &str) {
    r.dvc_ok(["remote", "add", "-f", "-d", "store", &server.url(store)]);
    r.dvc_ok([
        "remote",
        "modify",
        "store",
        "port",
        &server.port.to_string(),
    ]);
    key(r, server);
}

fn key(r: &TestRepo, server: &SshServer) {
    r.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "keyfile",
        &server.key(),
    ]);
}

fn cairn(r: &TestRepo, args: &[&str], ssh: &str) -> Output {
    r.command(cairn_bin())
        .args(args)
        .env("CAIRN_SSH_COMMAND", ssh)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn clone_of(r: &TestRepo, server: &SshServer) -> TestRepo {
    let k = crate::remote::clone_of(r);
    key(&k, server);
    k
}

/// Files under a store, relative to it.
fn files(store: &Path) -> BTreeSet<String> {
    walkdir(store, store)
}

fn walkdir(base: &Path, dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(base, &p));
        } else {
            out.insert(p.strip_prefix(base).unwrap().display().to_string());
        }
    }
    out
}

const DATA: [&str; 3] = ["data/a.txt", "data/sub/b.txt", "model.bin"];

fn restored(c: &mut Checks, from: &TestRepo, to: &TestRepo, step: &str) {
    for f in DATA {
        c.check(to.join(f).is_file() && to.read(f) == from.read(f), || {
            format!("{step}: {f} is restored")
        });
    }
    for tool in [Tool::Dvc, Tool::Cairn] {
        let v = tool.ok(to, ["status", "--json"]).json().unwrap_or_default();
        c.check(v == serde_json::json!({}), || {
            format!("{step}: `{tool} status --json` is clean: {v}")
        });
    }
}

#[test]
fn ssh_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with an SSH remote");
    let server = SshServer::start();
    let r = crate::remote::tracked_data();
    use_remote(&r, &server, "by-dvc");
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    r.dvc_ok(["push", "-q"]);
    let by_dvc = files(&server.store("by-dvc"));
    c.check(by_dvc.len() == 4, || {
        format!("dvc pushed a manifest, two files and model.bin: {by_dvc:?}")
    });

    // A fresh clone pulls with cairn what dvc pushed.
    let k = clone_of(&r, &server);
    let pulled = cairn(&k, &["pull"], SSH);
    c.check(
        pulled.status.success()
            && String::from_utf8_lossy(&pulled.stdout).contains("fetched from `store`"),
        || format!("cairn pull says what it fetched: {}", text(&pulled)),
    );
    restored(&mut c, &r, &k, "cairn pull after dvc push");

    // Cairn pushes to an empty folder exactly the files dvc pushed.
    use_remote(&r, &server, "by-cairn");
    let pushed = cairn(&r, &["push"], SSH);
    c.check(
        pushed.status.success() && String::from_utf8_lossy(&pushed.stdout).contains("4"),
        || format!("cairn push counts four objects: {}", text(&pushed)),
    );
    let by_cairn = files(&server.store("by-cairn"));
    c.check(by_cairn == by_dvc, || {
        format!("same files, no temp files left:\n  dvc   {by_dvc:?}\n  cairn {by_cairn:?}")
    });
    let nothing = Tool::Dvc.ok(&r, ["push"]);
    c.check(
        nothing.stdout().contains("Everything is up to date"),
        || format!("dvc finds nothing left to push after cairn's push: {nothing}"),
    );
    let again = cairn(&r, &["push"], SSH);
    c.check(
        String::from_utf8_lossy(&again.stdout).contains("Everything is up to date"),
        || format!("a second cairn push has nothing to do: {}", text(&again)),
    );

    // dvc pulls what cairn pushed.
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "by-cairn"]);
    let k2 = clone_of(&r, &server);
    Tool::Dvc.ok(&k2, ["pull", "-q"]);
    restored(&mut c, &r, &k2, "dvc pull after cairn push");

    // A damaged object on the remote is refused, and nothing enters the cache under its name.
    let k3 = clone_of(&r, &server);
    let model = "files/md5/52/89df737df57326fcdd22597afb1fac";
    c.check(by_cairn.contains(model), || {
        format!("model.bin's object: {by_cairn:?}")
    });
    std::fs::write(server.store("by-cairn").join(model), "tampered").unwrap();
    let bad = cairn(&k3, &["pull"], SSH);
    c.check(
        !bad.status.success()
            && String::from_utf8_lossy(&bad.stderr).contains("does not match its name"),
        || format!("a damaged remote object is named: {}", text(&bad)),
    );
    c.check(
        !k3.join(".dvc/cache/files/md5/52/89df737df57326fcdd22597afb1fac")
            .exists(),
        || "the damaged object is not cached".into(),
    );

    // A server whose host key is not known yet: no prompt, the way out named.
    let k4 = clone_of(&r, &server);
    let unknown = cairn(
        &k4,
        &["pull"],
        "ssh -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null",
    );
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    c.check(
        !unknown.status.success()
            && stderr.contains("host key is not known")
            && stderr.contains("once in a terminal"),
        || {
            format!(
                "an unknown host key is named with what to do: {}",
                text(&unknown)
            )
        },
    );
    // A key the server does not take.
    let k5 = clone_of(&r, &server);
    k5.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "keyfile",
        "/nonexistent/key",
    ]);
    let denied = cairn(
        &k5,
        &["pull"],
        &format!("{SSH} -o IdentityAgent=none -o IdentitiesOnly=yes"),
    );
    let stderr = String::from_utf8_lossy(&denied.stderr);
    c.check(
        !denied.status.success()
            && stderr.contains("Permission denied")
            && stderr.contains("without one"),
        || format!("a refused key is named with what to do: {}", text(&denied)),
    );
    c.finish();
}
