//! Azure remotes, against Azurite (Microsoft's Blob Storage emulator, installed with
//! dvc's Azure plugin by `scripts/ensure-dvc.sh`): what one tool pushes, the other pulls,
//! and both write the same blobs. Requests are signed with the account key (Shared Key),
//! which Azurite checks as Azure does.

use std::collections::BTreeSet;
use std::process::Command;

use crate::cloud::{Cloud, names_and_md5s, round_trip};
use crate::support::*;

/// Azurite's well-known development account.
const ACCOUNT: &str = "devstoreaccount1";
const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Azurite's blob service on a free loopback port, stopped when dropped.
struct Azurite {
    _service: Service,
    _data: tempfile::TempDir,
    connection_string: String,
}

impl Azurite {
    fn start() -> Azurite {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cmd = Command::new(venv_bin("../azurite/node_modules/.bin/azurite-blob"));
        cmd.args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
            .arg("--location")
            .arg(data.path())
            .args(["--silent", "--disableTelemetry", "--skipApiVersionCheck"]);
        Azurite {
            _service: Service::start(cmd, port, "azurite"),
            _data: data,
            connection_string: format!(
                "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
            ),
        }
    }

    /// Runs `code` in the venv's Python with `svc`, a `BlobServiceClient` of this server.
    fn python(&self, code: &str) -> String {
        let prelude = format!(
            "from azure.storage.blob import BlobServiceClient\nsvc = BlobServiceClient.from_connection_string('{}')",
            self.connection_string
        );
        venv_python(&prelude, code)
    }

    fn create_container(&self, name: &str) {
        self.python(&format!("svc.create_container('{name}')"));
    }
}

/// Containers `by-dvc` and `by-cairn`, the store under `team/store` in each; the
/// connection string (it holds the key) in `config.local`, as a team would keep it.
impl Cloud for Azurite {
    fn use_remote(&self, r: &TestRepo, location: &str) {
        r.dvc_ok([
            "remote",
            "add",
            "-f",
            "-d",
            "store",
            &format!("azure://{location}/team/store"),
        ]);
        self.credentials(r);
    }

    fn credentials(&self, r: &TestRepo) {
        r.dvc_ok([
            "remote",
            "modify",
            "--local",
            "store",
            "connection_string",
            &self.connection_string,
        ]);
    }

    fn objects(&self, location: &str) -> BTreeSet<(String, String)> {
        names_and_md5s(&self.python(&format!(
            "import hashlib\nc = svc.get_container_client('{location}')\nfor b in c.list_blobs(): print(b.name.removeprefix('team/store/'), hashlib.md5(c.download_blob(b.name).readall()).hexdigest())"
        )))
    }

    fn tamper(&self, location: &str, rel: &str) {
        self.python(&format!(
            "svc.get_container_client('{location}').upload_blob('team/store/{rel}', b'tampered', overwrite=True)"
        ));
    }
}

#[test]
fn azure_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with an Azure remote");
    let server = Azurite::start();
    server.create_container("by-dvc");
    server.create_container("by-cairn");
    let r = round_trip(&mut c, &server);

    // A wrong key: Azure's refusal is named, with what to check.
    let k = crate::remote::clone_of(&r);
    let wrong = server.connection_string.replace(KEY, "d3Jvbmcga2V5");
    k.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "connection_string",
        &wrong,
    ]);
    let denied = Tool::Cairn.run(&k, ["pull"]);
    c.check(
        !denied.success()
            && denied.stderr().contains("HTTP 403")
            && denied.stderr().contains("account key"),
        || format!("a wrong key is named: {denied}"),
    );
    // No credentials at all: what to set is named.
    let k2 = crate::remote::clone_of(&r);
    let none = k2
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
