//! Google Cloud Storage remotes, against a local GCS emulator (`gcp-storage-emulator`,
//! installed with dvc's gs plugin by `scripts/ensure-dvc.sh`): what one tool pushes, the
//! other pulls, and both write the same objects. Signing in with a service account key
//! is checked against a token endpoint started here that verifies the signed JWT with
//! the key's public half, as Google's does.

use std::collections::BTreeSet;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use crate::support::*;

/// The emulator on a free loopback port, stopped when dropped.
struct Emulator {
    child: Child,
    endpoint: String,
}

impl Emulator {
    fn start() -> Emulator {
        let bin = dvc_bin().parent().unwrap().join("gcp-storage-emulator");
        let port = free_port();
        let child = Command::new(&bin)
            .args([
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--in-memory",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/ensure-dvc.sh)", bin.display()));
        wait_listening(port, Duration::from_secs(60), "gcp-storage-emulator");
        Emulator {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Runs `code` in the venv's Python with `api(method, path, body=None)` calling the
    /// emulator's JSON API.
    fn python(&self, code: &str) -> String {
        let script = format!(
            "import json, urllib.request\nEP = '{}'\ndef api(method, path, body=None, raw=False):\n    req = urllib.request.Request(EP + path, method=method, data=body, headers={{'Content-Type': 'application/json' if path.startswith('/storage/') else 'application/octet-stream'}} if body else {{}})\n    with urllib.request.urlopen(req) as r:\n        data = r.read()\n    return data if raw else json.loads(data or b'null')\n{code}",
            self.endpoint
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

    fn create_bucket(&self, name: &str) {
        self.python(&format!(
            "api('POST', '/storage/v1/b?project=test', json.dumps({{'name': '{name}'}}).encode())"
        ));
    }

    /// Every object in `bucket`, with its bytes' md5.
    fn objects(&self, bucket: &str) -> BTreeSet<(String, String)> {
        self.python(&format!(
            "import hashlib, urllib.parse\nfor o in api('GET', '/storage/v1/b/{bucket}/o').get('items', []):\n    data = api('GET', '/storage/v1/b/{bucket}/o/' + urllib.parse.quote(o['name'], safe='') + '?alt=media', raw=True)\n    print(o['name'], hashlib.md5(data).hexdigest())"
        ))
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, h)| (n.to_string(), h.to_string()))
        .collect()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An OAuth token endpoint that takes a JWT bearer assertion only if it verifies with
/// `public_key` (PEM), logging each verified assertion's claims to `log`.
const TOKEN_SERVER: &str = r#"
import base64, http.server, json, sys, urllib.parse
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
port, public_key, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
key = serialization.load_pem_public_key(open(public_key, "rb").read())
def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        try:
            assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
            header, claims, signature = form["assertion"][0].split(".")
            key.verify(b64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
            assert json.loads(b64(header)) == {"alg": "RS256", "typ": "JWT"}
            claims = json.loads(b64(claims))
            with open(log, "a") as f:
                f.write(json.dumps(claims) + "\n")
            status, body = 200, {"access_token": "ya29.test", "expires_in": 3600, "token_type": "Bearer"}
        except Exception as e:
            status, body = 400, {"error": "invalid_grant", "error_description": f"bad assertion: {type(e).__name__}"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"#;

struct TokenServer {
    child: Child,
    url: String,
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn use_remote(r: &TestRepo, gcs: &Emulator, url: &str) {
    r.dvc_ok(["remote", "add", "-f", "-d", "store", url]);
    r.dvc_ok(["remote", "modify", "store", "endpointurl", &gcs.endpoint]);
}

/// `cairn args…` with no Google credentials from the environment.
fn cairn(r: &TestRepo, args: &[&str]) -> Output {
    r.command(cairn_bin())
        .args(args)
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .env_remove("CLOUDSDK_CONFIG")
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
fn gs_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with a Google Cloud Storage remote");
    let gcs = Emulator::start();
    gcs.create_bucket("by-dvc");
    gcs.create_bucket("by-cairn");
    let r = crate::remote::tracked_data();
    use_remote(&r, &gcs, "gs://by-dvc/team/store");
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    r.dvc_ok(["push", "-q"]);
    let by_dvc = gcs.objects("by-dvc");
    c.check(by_dvc.len() == 4, || {
        format!("dvc pushed a manifest, two files and model.bin: {by_dvc:?}")
    });

    // A fresh clone pulls with cairn what dvc pushed.
    let k = crate::remote::clone_of(&r);
    let pulled = cairn(&k, &["pull"]);
    c.check(
        pulled.status.success()
            && String::from_utf8_lossy(&pulled.stdout).contains("fetched from `store`"),
        || format!("cairn pull says what it fetched: {}", text(&pulled)),
    );
    restored(&mut c, &r, &k, "cairn pull after dvc push");

    // Cairn pushes to an empty bucket exactly the objects dvc pushed, byte for byte.
    use_remote(&r, &gcs, "gs://by-cairn/team/store");
    let pushed = cairn(&r, &["push"]);
    c.check(
        pushed.status.success()
            && String::from_utf8_lossy(&pushed.stdout).contains("4 files pushed"),
        || format!("cairn push counts four objects: {}", text(&pushed)),
    );
    let by_cairn = gcs.objects("by-cairn");
    c.check(by_cairn == by_dvc, || {
        format!("same objects, same bytes:\n  dvc   {by_dvc:?}\n  cairn {by_cairn:?}")
    });
    let nothing = Tool::Dvc.ok(&r, ["push"]);
    c.check(
        nothing.stdout().contains("Everything is up to date"),
        || format!("dvc finds nothing left to push after cairn's push: {nothing}"),
    );

    // dvc pulls what cairn pushed.
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "by-cairn"]);
    let k2 = crate::remote::clone_of(&r);
    Tool::Dvc.ok(&k2, ["pull", "-q"]);
    restored(&mut c, &r, &k2, "dvc pull after cairn push");

    // A damaged object is refused, and nothing enters the cache under its name.
    let model = "team/store/files/md5/52/89df737df57326fcdd22597afb1fac";
    c.check(by_cairn.iter().any(|(n, _)| n == model), || {
        format!("model.bin's object: {by_cairn:?}")
    });
    gcs.python(&format!(
        "api('POST', '/upload/storage/v1/b/by-cairn/o?uploadType=media&name={model}', b'tampered')"
    ));
    let k3 = crate::remote::clone_of(&r);
    let bad = cairn(&k3, &["pull"]);
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
    c.finish();
}

#[test]
fn a_service_account_key_signs_in_with_a_verified_jwt() {
    let mut c = Checks::new("gs remote with a service account key");
    let gcs = Emulator::start();
    gcs.create_bucket("box");
    let keys = tempfile::tempdir().unwrap();
    let python = dvc_bin().parent().unwrap().join("python");
    let made = Command::new(&python)
        .arg("-c")
        .arg(
            "import sys\nfrom cryptography.hazmat.primitives import serialization\nfrom cryptography.hazmat.primitives.asymmetric import rsa\n\
             for name in ('good', 'other'):\n    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n\
             \x20   open(f'{sys.argv[1]}/{name}.pem', 'wb').write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))\n\
             \x20   open(f'{sys.argv[1]}/{name}.pub', 'wb').write(k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))",
        )
        .arg(keys.path())
        .status()
        .unwrap();
    assert!(made.success(), "make the RSA keys");
    let port = free_port();
    let log = keys.path().join("claims.log");
    let token = TokenServer {
        child: Command::new(&python)
            .args(["-c", TOKEN_SERVER, &port.to_string()])
            .arg(keys.path().join("good.pub"))
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        url: format!("http://127.0.0.1:{port}/token"),
    };
    wait_listening(port, Duration::from_secs(30), "the token endpoint");
    let account = |pem: &str| {
        let path = keys.path().join(format!("{pem}.json"));
        let key = std::fs::read_to_string(keys.path().join(format!("{pem}.pem"))).unwrap();
        let json = serde_json::json!({"type": "service_account", "project_id": "p", "client_email": "ci-bot@p.iam.gserviceaccount.com", "private_key": key, "token_uri": token.url});
        std::fs::write(&path, json.to_string()).unwrap();
        path.display().to_string()
    };

    let r = crate::remote::tracked_data();
    use_remote(&r, &gcs, "gs://box/store");
    r.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "credentialpath",
        &account("good"),
    ]);
    let pushed = cairn(&r, &["push"]);
    c.check(pushed.status.success(), || {
        format!("cairn push signs in: {}", text(&pushed))
    });
    let claims: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    c.check(claims.len() == 1, || {
        format!("one sign-in for the whole push (the token is reused): {claims:?}")
    });
    if let Some(claim) = claims.first() {
        c.check(
            claim["iss"] == "ci-bot@p.iam.gserviceaccount.com"
                && claim["aud"] == token.url.as_str()
                && claim["scope"] == "https://www.googleapis.com/auth/devstorage.read_write"
                && claim["exp"].as_u64() == claim["iat"].as_u64().map(|t| t + 3600),
            || format!("the JWT claims the account, the token endpoint and read/write: {claim}"),
        );
    }
    // A key the account does not have: the token endpoint's refusal is named.
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    let k = crate::remote::clone_of(&r);
    k.dvc_ok([
        "remote",
        "modify",
        "--local",
        "store",
        "credentialpath",
        &account("other"),
    ]);
    let refused = cairn(&k, &["pull"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    c.check(
        !refused.status.success()
            && stderr.contains("HTTP 400")
            && stderr.contains("invalid_grant"),
        || format!("a refused key is named: {}", text(&refused)),
    );
    c.finish();
}
