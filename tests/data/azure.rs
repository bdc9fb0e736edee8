//! Azure remotes, against Azurite (Microsoft's Blob Storage emulator, installed with
//! dvc's Azure plugin by `scripts/ensure-dvc.sh`): what one tool pushes, the other pulls,
//! and both write the same blobs. Requests are signed with the account key (Shared Key),
//! which Azurite checks as Azure does.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::*;

/// Azurite's well-known development account.
const ACCOUNT: &str = "devstoreaccount1";
const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Azurite's blob service on a free loopback port, stopped when dropped.
struct Azurite {
    child: Child,
    _data: tempfile::TempDir,
    connection_string: String,
}

impl Azurite {
    fn start() -> Azurite {
        let bin = dvc_bin()
            .parent()
            .unwrap()
            .join("../azurite/node_modules/.bin/azurite-blob");
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(&bin)
            .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
            .arg("--location")
            .arg(data.path())
            .args(["--silent", "--disableTelemetry", "--skipApiVersionCheck"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/ensure-dvc.sh)", bin.display()));
        wait_listening(port, Duration::from_secs(60), "azurite");
        Azurite {
            child,
            _data: data,
            connection_string: format!(
                "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
            ),
        }
    }

    /// Runs `code` in the venv's Python with `svc`, a `BlobServiceClient` of this server.
    fn python(&self, code: &str) -> String {
        let script = format!(
            "from azure.storage.blob import BlobServiceClient\nsvc = BlobServiceClient.from_connection_string('{}')\n{code}",
            self.connection_string
        );
        let out = Command::new(dvc_bin().parent().unwrap().join("python"))
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

    fn create_container(&self, name: &str) {
        self.python(&format!("svc.create_container('{name}')"));
    }

    /// Every blob in `container`, with its bytes' md5 (what was stored, not its name).
    fn blobs(&self, container: &str) -> BTreeSet<(String, String)> {
        self.python(&format!(
            "import hashlib\nc = svc.get_container_client('{container}')\nfor b in c.list_blobs(): print(b.name, hashlib.md5(c.download_blob(b.name).readall()).hexdigest())"
        ))
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, h)| (n.to_string(), h.to_string()))
        .collect()
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The default remote `store` at `url`, the connection string (it holds the key) in
/// `config.local`, as a team would keep it.
fn use_remote(r: &TestRepo, server: &Azurite, url: &str) {
    r.dvc_ok(["remote", "add", "-f", "-d", "store", url]);
    credentials(r, server);
}

fn credentials(r: &TestRepo, server: &Azurite) {
    r.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "connection_string",
        &server.connection_string,
    ]);
}

fn clone_of(r: &TestRepo, server: &Azurite) -> TestRepo {
    let k = crate::remote::clone_of(r);
    credentials(&k, server);
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
fn azure_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with an Azure remote");
    let server = Azurite::start();
    server.create_container("by-dvc");
    server.create_container("by-cairn");
    let r = crate::remote::tracked_data();
    use_remote(&r, &server, "azure://by-dvc/team/store");
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    r.dvc_ok(["push", "-q"]);
    let by_dvc = server.blobs("by-dvc");
    c.check(by_dvc.len() == 4, || {
        format!("dvc pushed a manifest, two files and model.bin: {by_dvc:?}")
    });

    // A fresh clone pulls with cairn what dvc pushed.
    let k = clone_of(&r, &server);
    let pulled = Tool::Cairn.ok(&k, ["pull"]);
    c.check(pulled.stdout().contains("fetched from `store`"), || {
        format!("cairn pull says what it fetched: {pulled}")
    });
    restored(&mut c, &r, &k, "cairn pull after dvc push");

    // Cairn pushes to an empty container exactly the blobs dvc pushed, byte for byte.
    use_remote(&r, &server, "azure://by-cairn/team/store");
    let pushed = Tool::Cairn.ok(&r, ["push"]);
    c.check(pushed.stdout().contains("4"), || {
        format!("cairn push counts four objects: {pushed}")
    });
    let by_cairn = server.blobs("by-cairn");
    c.check(by_cairn == by_dvc, || {
        format!("same blobs, same bytes:\n  dvc   {by_dvc:?}\n  cairn {by_cairn:?}")
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
    let k2 = clone_of(&r, &server);
    Tool::Dvc.ok(&k2, ["pull", "-q"]);
    restored(&mut c, &r, &k2, "dvc pull after cairn push");

    // A damaged blob is refused, and nothing enters the cache under its name.
    let k3 = clone_of(&r, &server);
    let model = "team/store/files/md5/52/89df737df57326fcdd22597afb1fac";
    c.check(by_cairn.iter().any(|(n, _)| n == model), || {
        format!("model.bin's blob: {by_cairn:?}")
    });
    server.python(&format!(
        "svc.get_container_client('by-cairn').upload_blob('{model}', b'tampered', overwrite=True)"
    ));
    let bad = Tool::Cairn.run(&k3, ["pull"]);
    c.check(
        !bad.success() && bad.stderr().contains("does not match its name"),
        || format!("a damaged remote blob is named: {bad}"),
    );
    c.check(
        !k3.join(".dvc/cache/files/md5/52/89df737df57326fcdd22597afb1fac")
            .exists(),
        || "the damaged blob is not cached".into(),
    );

    // A wrong key: Azure's refusal is named, with what to check.
    let k4 = crate::remote::clone_of(&r);
    let wrong = server.connection_string.replace(KEY, "d3Jvbmcga2V5");
    k4.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "connection_string",
        &wrong,
    ]);
    let denied = Tool::Cairn.run(&k4, ["pull"]);
    c.check(
        !denied.success()
            && denied.stderr().contains("HTTP 403")
            && denied.stderr().contains("account key"),
        || format!("a wrong key is named: {denied}"),
    );
    // No credentials at all: what to set is named.
    let k5 = crate::remote::clone_of(&r);
    let none = k5
        .command(cairn_bin())
        .arg("pull")
        .env_remove("AZURE_STORAGE_CONNECTION_STRING")
        .env_remove("AZURE_STORAGE_ACCOUNT")
        .env_remove("AZURE_STORAGE_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&none.stderr);
    c.check(
        !none.status.success() && stderr.contains("connection_string"),
        || format!("missing credentials are named: {stderr}"),
    );
    c.finish();
}
