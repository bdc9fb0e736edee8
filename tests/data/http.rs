//! HTTP remotes (read-only in Cairn): data dvc pushed to a folder, served by a plain web
//! server, is pulled by `cairn pull` as `dvc pull` pulls it; a damaged object is refused;
//! basic auth is sent from the remote's config; pushing is refused with what to do.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::remote::{clone_of, project, restored};
use crate::support::*;

/// A static file server (Python's `http.server`) over `dir`, answering 401 without
/// the basic credentials `auth` (`user:password`) when given. Stopped when dropped.
struct WebServer {
    child: Child,
    url: String,
}

const SERVER: &str = r#"
import base64, functools, http.server, sys
port, root, auth = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class Handler(http.server.SimpleHTTPRequestHandler):
    def allowed(self):
        if not auth:
            return True
        want = "Basic " + base64.b64encode(auth.encode()).decode()
        if self.headers.get("Authorization") == want:
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="store"')
        self.end_headers()
        return False
    def do_GET(self):
        if self.allowed():
            super().do_GET()
    def do_HEAD(self):
        if self.allowed():
            super().do_HEAD()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root)).serve_forever()
"#;

impl WebServer {
    fn start(dir: &Path, auth: Option<&str>) -> WebServer {
        let port = free_port();
        let child = Command::new("python3")
            .args(["-c", SERVER, &port.to_string()])
            .arg(dir)
            .arg(auth.unwrap_or(""))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the test web server");
        wait_listening(port, Duration::from_secs(30), "the web server");
        WebServer {
            child,
            url: format!("http://127.0.0.1:{port}/store"),
        }
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A clone of `r` whose default remote is `url`.
fn clone_with_remote(r: &TestRepo, url: &str) -> TestRepo {
    let k = clone_of(r);
    k.dvc_ok(["remote", "add", "-f", "-d", "web", url]);
    k
}

#[test]
fn cairn_pulls_over_http_what_dvc_pushed() {
    let mut c = Checks::new("http remote");
    let served = tempfile::tempdir().unwrap();
    let store = served.path().join("store");
    let r = project(&store);
    r.dvc_ok(["push", "-q"]);
    let web = WebServer::start(served.path(), None);

    let k = clone_with_remote(&r, &web.url);
    let pulled = Tool::Cairn.ok(&k, ["pull"]);
    c.check(pulled.stdout().contains("fetched from `web`"), || {
        format!("cairn pull says what it fetched: {pulled}")
    });
    restored(&mut c, &r, &k, "cairn pull over http");
    // dvc reads the same server the same way (the test server is a fair one).
    let d = clone_with_remote(&r, &web.url);
    Tool::Dvc.ok(&d, ["pull", "-q"]);
    restored(&mut c, &r, &d, "dvc pull over http");

    // Pushing is refused, naming what to do; nothing is written on the server.
    let before = std::fs::read_dir(store.join("files/md5")).unwrap().count();
    k.write("model.bin", [9u8, 9, 9]);
    Tool::Cairn.ok(&k, ["add", "model.bin"]);
    let push = Tool::Cairn.run(&k, ["push"]);
    c.check(
        !push.success() && push.stderr().contains("use `dvc push`"),
        || format!("push over http is refused with what to do: {push}"),
    );
    c.check(
        std::fs::read_dir(store.join("files/md5")).unwrap().count() == before,
        || "nothing was pushed".into(),
    );

    // A damaged object on the server is refused and not cached.
    let object = "files/md5/52/89df737df57326fcdd22597afb1fac"; // model.bin
    let mut perms = std::fs::metadata(store.join(object)).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(store.join(object), perms).unwrap();
    std::fs::write(store.join(object), "tampered").unwrap();
    let t = clone_with_remote(&r, &web.url);
    let bad = Tool::Cairn.run(&t, ["pull"]);
    c.check(
        !bad.success() && bad.stderr().contains("does not match its name"),
        || format!("a damaged object is named: {bad}"),
    );
    c.check(!t.join(".dvc/cache").join(object).exists(), || {
        "the damaged object is not cached".into()
    });
    c.finish();
}

#[test]
fn http_basic_auth_comes_from_the_remote_config() {
    let mut c = Checks::new("http remote with basic auth");
    let served = tempfile::tempdir().unwrap();
    let r = project(&served.path().join("store"));
    r.dvc_ok(["push", "-q"]);
    let web = WebServer::start(served.path(), Some("reader:s3cret"));

    let k = clone_with_remote(&r, &web.url);
    let denied = Tool::Cairn.run(&k, ["pull"]);
    c.check(
        !denied.success() && denied.stderr().contains("HTTP 401"),
        || format!("without credentials the server's refusal is named: {denied}"),
    );
    for (key, value) in [
        ("auth", "basic"),
        ("user", "reader"),
        ("password", "s3cret"),
    ] {
        k.dvc_ok(["remote", "modify", "--local", "web", key, value]);
    }
    Tool::Cairn.ok(&k, ["pull"]);
    restored(&mut c, &r, &k, "cairn pull with basic auth");
    c.finish();
}
