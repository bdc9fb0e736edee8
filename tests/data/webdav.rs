//! WebDAV remotes (`webdav://host/path`: a Nextcloud or ownCloud share, a university's
//! file service), against WsgiDAV (a WebDAV server in Python, installed with dvc's
//! webdav plugin by `scripts/ensure-dvc.sh`) with basic auth: what one tool pushes, the
//! other pulls, and both write the same objects; wrong credentials are named; a push
//! leaves no temporary upload behind.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use md5::Digest as _;

use crate::cloud::{Cloud, round_trip, text};
use crate::support::*;

/// WsgiDAV serving a temporary folder on a free loopback port, taking user `writer`
/// with password `pw` only; stopped when dropped.
struct DavServer {
    _service: Service,
    _dir: tempfile::TempDir,
    root: PathBuf,
    port: u16,
}

impl DavServer {
    fn start() -> DavServer {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        // DVC's plugin writes below the remote's folder but does not make the folder.
        std::fs::create_dir_all(root.join("store/by-dvc")).unwrap();
        let port = free_port();
        let config = dir.path().join("wsgidav.yaml");
        std::fs::write(
            &config,
            format!(
                "host: 127.0.0.1\nport: {port}\nprovider_mapping:\n  \"/\": {root:?}\n\
                 http_authenticator:\n  accept_basic: true\n  accept_digest: false\n  default_to_digest: false\n\
                 simple_dc:\n  user_mapping:\n    \"*\":\n      writer:\n        password: pw\n\
                 verbose: 0\n"
            ),
        )
        .unwrap();
        let mut cmd = Command::new(venv_bin("wsgidav"));
        cmd.arg("--config").arg(&config);
        DavServer {
            _service: Service::start(cmd, port, "wsgidav"),
            _dir: dir,
            root,
            port,
        }
    }

    fn url(&self, location: &str) -> String {
        format!("webdav://127.0.0.1:{}/store/{location}", self.port)
    }

    fn folder(&self, location: &str) -> PathBuf {
        self.root.join("store").join(location)
    }
}

/// Every file under `dir`, relative, with the md5 of its bytes.
fn files_with_md5(dir: &Path) -> BTreeSet<(String, String)> {
    crate::remote::objects(dir)
        .into_iter()
        .map(|rel| {
            let md5 = md5::Md5::digest(std::fs::read(dir.join(&rel)).unwrap());
            (rel, md5.iter().map(|b| format!("{b:02x}")).collect())
        })
        .collect()
}

impl Cloud for DavServer {
    fn use_remote(&self, r: &TestRepo, location: &str) {
        r.dvc_ok(["remote", "add", "-f", "-d", "store", &self.url(location)]);
        self.credentials(r);
    }

    fn credentials(&self, r: &TestRepo) {
        for (key, value) in [("user", "writer"), ("password", "pw")] {
            r.dvc_ok(["remote", "modify", "--local", "store", key, value]);
        }
    }

    fn objects(&self, location: &str) -> BTreeSet<(String, String)> {
        files_with_md5(&self.folder(location))
    }

    fn tamper(&self, location: &str, rel: &str) {
        let path = self.folder(location).join(rel);
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).unwrap();
        std::fs::write(path, "tampered").unwrap();
    }
}

#[test]
fn webdav_round_trip_with_dvc() {
    let mut c = Checks::new("webdav remote");
    let server = DavServer::start();
    let r = round_trip(&mut c, &server);

    // Cairn makes the remote's folders itself (dvc needs the top one made by hand),
    // and its uploads under temporary names are all moved onto their own.
    let left: Vec<String> = crate::remote::objects(&server.folder("by-cairn"))
        .into_iter()
        .filter(|f| f.ends_with(".tmp") || f.contains("/."))
        .collect();
    c.check(left.is_empty(), || {
        format!("temporary uploads left on the server: {left:?}")
    });

    // A folder name with a space, as typed (Nextcloud folders often have them): the
    // same objects land in that folder.
    r.dvc_ok(["remote", "modify", "store", "url", &server.url("My Folder")]);
    let pushed = server.cairn(&r, &["push"]);
    c.check(pushed.status.success(), || {
        format!("push to a folder with a space: {}", text(&pushed))
    });
    c.check(
        server.objects("My Folder") == server.objects("by-dvc"),
        || {
            format!(
                "objects under `My Folder`: {:?}",
                server.objects("My Folder")
            )
        },
    );

    // Wrong credentials: the server's refusal is named with what to do.
    r.dvc_ok(["remote", "modify", "--local", "store", "password", "wrong"]);
    r.write("extra.bin", [7u8; 9]);
    Tool::Cairn.ok(&r, ["add", "extra.bin"]);
    let denied = server.cairn(&r, &["push"]);
    let stderr = String::from_utf8_lossy(&denied.stderr);
    c.check(
        !denied.status.success() && stderr.contains("HTTP 401") && stderr.contains("password"),
        || format!("a refused login is named: {}", text(&denied)),
    );
    c.finish();
}
