//! SSH remotes, against an SSH server started for the test (`ssh_server.py` on
//! asyncssh, which dvc's ssh plugin installs: a free loopback port, its own host key, a
//! key made for the test, commands run by /bin/sh, SFTP for dvc) and dvc's own ssh
//! plugin: what one tool pushes, the other pulls, and both write the same files. Cairn
//! runs the real OpenSSH client against it.

use std::collections::BTreeSet;
use std::process::Output;

use md5::Digest as _;

use crate::cloud::{Cloud, clone_with, round_trip, text};
use crate::support::*;

/// Folders `by-dvc` and `by-cairn` on the server; the port in the shared config, the key
/// in `config.local` (a path on this machine), as a team would keep them.
impl Cloud for SshServer {
    fn use_remote(&self, r: &TestRepo, location: &str) {
        r.dvc_ok(["remote", "add", "-f", "-d", "store", &self.url(location)]);
        r.dvc_ok(["remote", "modify", "store", "port", &self.port.to_string()]);
        self.credentials(r);
    }

    fn credentials(&self, r: &TestRepo) {
        r.dvc_ok([
            "remote",
            "modify",
            "--local",
            "store",
            "keyfile",
            &self.key(),
        ]);
    }

    fn objects(&self, location: &str) -> BTreeSet<(String, String)> {
        let root = self.store(location);
        crate::remote::objects(&root)
            .into_iter()
            .map(|rel| {
                let md5 = md5::Md5::digest(std::fs::read(root.join(&rel)).unwrap());
                (rel, md5.iter().map(|b| format!("{b:02x}")).collect())
            })
            .collect()
    }

    fn tamper(&self, location: &str, rel: &str) {
        std::fs::write(self.store(location).join(rel), "tampered").unwrap();
    }

    fn cairn(&self, r: &TestRepo, args: &[&str]) -> Output {
        cairn(r, args, SSH)
    }
}

fn cairn(r: &TestRepo, args: &[&str], ssh: &str) -> Output {
    r.command(cairn_bin())
        .args(args)
        .env("CAIRN_SSH_COMMAND", ssh)
        .output()
        .unwrap()
}

#[test]
fn ssh_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with an SSH remote");
    let server = SshServer::start();
    let r = round_trip(&mut c, &server);

    // A server whose host key is not known yet: no prompt, the way out named.
    let k = clone_with(&server, &r);
    let unknown = cairn(
        &k,
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
    let k2 = clone_with(&server, &r);
    k2.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "keyfile",
        "/nonexistent/key",
    ]);
    let denied = cairn(
        &k2,
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
