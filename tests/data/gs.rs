//! Google Cloud Storage remotes, against a local GCS emulator (`gcp-storage-emulator`,
//! installed with dvc's gs plugin by `scripts/ensure-dvc.sh`): what one tool pushes, the
//! other pulls, and both write the same objects. Signing in with a service account key
//! is checked against a token endpoint started here that verifies the signed JWT with
//! the key's public half, as Google's does.

use std::collections::BTreeSet;
use std::process::{Command, Output};

use crate::cloud::{Cloud, names_and_md5s, round_trip, text};
use crate::support::*;

/// The emulator on a free loopback port, stopped when dropped.
struct Emulator {
    _service: Service,
    endpoint: String,
}

impl Emulator {
    fn start() -> Emulator {
        let port = free_port();
        let mut cmd = Command::new(venv_bin("gcp-storage-emulator"));
        cmd.args([
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--in-memory",
        ]);
        Emulator {
            _service: Service::start(cmd, port, "gcp-storage-emulator"),
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Runs `code` in the venv's Python with `api(method, path, body=None)` calling the
    /// emulator's JSON API.
    fn python(&self, code: &str) -> String {
        let prelude = format!(
            "import json, urllib.request\nEP = '{}'\ndef api(method, path, body=None, raw=False):\n    req = urllib.request.Request(EP + path, method=method, data=body, headers={{'Content-Type': 'application/json' if path.startswith('/storage/') else 'application/octet-stream'}} if body else {{}})\n    with urllib.request.urlopen(req) as r:\n        data = r.read()\n    return data if raw else json.loads(data or b'null')",
            self.endpoint
        );
        venv_python(&prelude, code)
    }

    fn create_bucket(&self, name: &str) {
        self.python(&format!(
            "api('POST', '/storage/v1/b?project=test', json.dumps({{'name': '{name}'}}).encode())"
        ));
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
    _service: Service,
    url: String,
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

/// Buckets `by-dvc` and `by-cairn`, the store under `team/store` in each; no
/// credentials (the emulator takes unsigned requests, and both tools fall back to them).
impl Cloud for Emulator {
    fn use_remote(&self, r: &TestRepo, location: &str) {
        use_remote(r, self, &format!("gs://{location}/team/store"));
    }

    fn credentials(&self, _: &TestRepo) {}

    fn objects(&self, location: &str) -> BTreeSet<(String, String)> {
        names_and_md5s(&self.python(&format!(
            "import hashlib, urllib.parse\nfor o in api('GET', '/storage/v1/b/{location}/o').get('items', []):\n    data = api('GET', '/storage/v1/b/{location}/o/' + urllib.parse.quote(o['name'], safe='') + '?alt=media', raw=True)\n    print(o['name'].removeprefix('team/store/'), hashlib.md5(data).hexdigest())"
        )))
    }

    fn tamper(&self, location: &str, rel: &str) {
        self.python(&format!(
            "api('POST', '/upload/storage/v1/b/{location}/o?uploadType=media&name=team/store/{rel}', b'tampered')"
        ));
    }

    fn cairn(&self, r: &TestRepo, args: &[&str]) -> Output {
        cairn(r, args)
    }
}

#[test]
fn gs_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with a Google Cloud Storage remote");
    let gcs = Emulator::start();
    gcs.create_bucket("by-dvc");
    gcs.create_bucket("by-cairn");
    round_trip(&mut c, &gcs);
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
    let mut cmd = Command::new(&python);
    cmd.args(["-c", TOKEN_SERVER, &port.to_string()])
        .arg(keys.path().join("good.pub"))
        .arg(&log);
    let token = TokenServer {
        _service: Service::start(cmd, port, "the token endpoint"),
        url: format!("http://127.0.0.1:{port}/token"),
    };
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
