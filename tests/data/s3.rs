//! S3 remotes, against a local S3 server (moto, installed with dvc by
//! `scripts/ensure-dvc.sh`) and dvc's own S3 plugin: what one tool pushes, the other
//! pulls, and both write the same keys.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::*;

/// A moto S3 server on a free loopback port, stopped when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl S3Server {
    fn start() -> S3Server {
        let bin = venv_bin("moto_server");
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/ensure-dvc.sh)", bin.display()));
        wait_listening(port, Duration::from_secs(60), "moto_server");
        S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Runs `code` in the venv's Python with `s3`, a boto3 client of this server.
    fn python(&self, code: &str) -> String {
        let script = format!(
            "import boto3\ns3 = boto3.client('s3', endpoint_url='{}', aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1')\n{code}",
            self.endpoint
        );
        let out = Command::new(venv_bin("python"))
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn create_bucket(&self, name: &str) {
        self.python(&format!("s3.create_bucket(Bucket='{name}')"));
    }

    /// Every key in `bucket`.
    fn keys(&self, bucket: &str) -> BTreeSet<String> {
        self.python(&format!(
            "for page in s3.get_paginator('list_objects_v2').paginate(Bucket='{bucket}'):\n    for o in page.get('Contents', []): print(o['Key'])"
        ))
        .lines()
        .map(str::to_string)
        .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn venv_bin(name: &str) -> PathBuf {
    dvc_bin().parent().unwrap().join(name)
}

/// Points `r`'s default remote `store` at `url` on `server`, the keys in
/// `config.local` as a team would keep them (out of git).
fn use_remote(r: &TestRepo, server: &S3Server, url: &str) {
    r.dvc_ok(["remote", "add", "-f", "-d", "store", url]);
    r.dvc_ok(["remote", "modify", "store", "endpointurl", &server.endpoint]);
    credentials(r);
}

fn credentials(r: &TestRepo) {
    r.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "access_key_id",
        "testing",
    ]);
    r.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "secret_access_key",
        "testing",
    ]);
}

fn project(server: &S3Server, url: &str) -> TestRepo {
    let r = crate::remote::tracked_data();
    use_remote(&r, server, url);
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    r
}

/// A clone with this machine's keys (config.local is not cloned).
fn clone_of(r: &TestRepo) -> TestRepo {
    let k = crate::remote::clone_of(r);
    credentials(&k);
    k
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
fn s3_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with an S3 remote");
    let server = S3Server::start();
    server.create_bucket("by-dvc");
    server.create_bucket("by-cairn");
    let r = project(&server, "s3://by-dvc/team/store");
    r.dvc_ok(["push", "-q"]);
    let pushed_by_dvc = server.keys("by-dvc");
    c.check(pushed_by_dvc.len() == 4, || {
        format!("dvc pushed a manifest, two files and model.bin: {pushed_by_dvc:?}")
    });

    // A fresh clone pulls with cairn what dvc pushed.
    let k = clone_of(&r);
    let pulled = Tool::Cairn.ok(&k, ["pull"]);
    c.check(pulled.stdout().contains("fetched from `store`"), || {
        format!("cairn pull says what it fetched: {pulled}")
    });
    restored(&mut c, &r, &k, "cairn pull after dvc push");

    // Cairn pushes to an empty bucket exactly the keys dvc pushed.
    use_remote(&r, &server, "s3://by-cairn/team/store");
    let pushed = Tool::Cairn.ok(&r, ["push"]);
    c.check(pushed.stdout().contains("4"), || {
        format!("cairn push counts four objects: {pushed}")
    });
    let pushed_by_cairn = server.keys("by-cairn");
    c.check(pushed_by_cairn == pushed_by_dvc, || {
        format!("same keys:\n  dvc   {pushed_by_dvc:?}\n  cairn {pushed_by_cairn:?}")
    });
    let nothing = Tool::Dvc.ok(&r, ["push"]);
    c.check(
        nothing.stdout().contains("Everything is up to date"),
        || format!("dvc finds nothing left to push after cairn's push: {nothing}"),
    );
    let again = Tool::Cairn.ok(&r, ["push"]);
    c.check(again.stdout().contains("Everything is up to date"), || {
        format!("a second cairn push has nothing to do: {again}")
    });

    // dvc pulls what cairn pushed.
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "by-cairn"]);
    let k2 = clone_of(&r);
    Tool::Dvc.ok(&k2, ["pull", "-q"]);
    restored(&mut c, &r, &k2, "dvc pull after cairn push");

    // A damaged object on the remote is refused, and nothing enters the cache under its name.
    let k3 = clone_of(&r);
    let model = "team/store/files/md5/52/89df737df57326fcdd22597afb1fac";
    c.check(pushed_by_cairn.contains(model), || {
        format!("model.bin's key: {pushed_by_cairn:?}")
    });
    server.python(&format!(
        "s3.put_object(Bucket='by-cairn', Key='{model}', Body=b'tampered')"
    ));
    let bad = Tool::Cairn.run(&k3, ["pull"]);
    c.check(
        !bad.success() && bad.stderr().contains("does not match its name"),
        || format!("a damaged remote object is named: {bad}"),
    );
    c.check(
        !k3.join(".dvc/cache/files/md5/52/89df737df57326fcdd22597afb1fac")
            .exists(),
        || "the damaged object is not cached".into(),
    );

    // Missing credentials are named with what to do.
    let k4 = crate::remote::clone_of(&r);
    let no_keys = k4
        .command(cairn_bin())
        .arg("pull")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env("HOME", k4.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&no_keys.stderr);
    c.check(
        !no_keys.status.success()
            && stderr.contains("no credentials")
            && stderr.contains("access_key_id"),
        || format!("missing credentials are named: {stderr}"),
    );
    c.finish();
}
