//! HTTP remotes: data dvc pushed to a folder, served by a plain web server, is pulled by
//! `cairn pull` as `dvc pull` pulls it; a damaged object is refused; basic auth is sent
//! from the remote's config. A server that takes uploads gets from `cairn push` exactly
//! what `dvc push` sends it (`POST`, or the remote's `method`); a plain one's refusal is
//! named with what to do.

use std::path::Path;
use std::process::Command;

use super::remote::{clone_of, objects, project, restored};
use crate::support::*;

/// A static file server (Python's `http.server`) over `dir`, answering 401 without
/// the basic credentials `auth` (`user:password`) when given, and taking uploads (POST
/// or PUT, logged to `<uploads>/log`) when `uploads` names a folder. Stopped when dropped.
struct WebServer {
    _service: Service,
    url: String,
}

const SERVER: &str = r#"
import base64, functools, http.server, os, sys, tempfile
port, root, auth, uploads = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
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
    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))
    def upload(self):
        # A server that takes uploads as DVC's http remote sends them; the rest answer 501.
        if not uploads:
            self.send_error(501, "Unsupported method")
            return
        if not self.allowed():
            return
        data = self.body()
        path = os.path.join(root, self.path.lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        with open(os.path.join(uploads, "log"), "a") as log:
            log.write(f"{self.command} {self.path}\n")
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_POST = upload
    do_PUT = upload
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root)).serve_forever()
"#;

impl WebServer {
    fn start(dir: &Path, auth: Option<&str>) -> WebServer {
        Self::with_uploads(dir, auth, None)
    }

    fn with_uploads(dir: &Path, auth: Option<&str>, uploads: Option<&Path>) -> WebServer {
        let port = free_port();
        let mut cmd = Command::new("python3");
        cmd.args(["-c", SERVER, &port.to_string()])
            .arg(dir)
            .arg(auth.unwrap_or(""))
            .arg(uploads.map(|u| u.as_os_str()).unwrap_or_default());
        WebServer {
            _service: Service::start(cmd, port, "the test web server (python3)"),
            url: format!("http://127.0.0.1:{port}/store"),
        }
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

    // A plain web server takes no uploads: its refusal is named with what to do, and
    // nothing is written on it.
    let before = std::fs::read_dir(store.join("files/md5")).unwrap().count();
    k.write("model.bin", [9u8, 9, 9]);
    Tool::Cairn.ok(&k, ["add", "model.bin"]);
    let push = Tool::Cairn.run(&k, ["push"]);
    c.check(
        !push.success()
            && push.stderr().contains("HTTP 501")
            && push.stderr().contains("takes no uploads"),
        || format!("a server without uploads is named: {push}"),
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

#[test]
fn cairn_pushes_over_http_as_dvc_does() {
    let mut c = Checks::new("push to an http remote that takes uploads");
    let served = tempfile::tempdir().unwrap();
    let uploads = tempfile::tempdir().unwrap();
    let web = WebServer::with_uploads(served.path(), Some("writer:pw"), Some(uploads.path()));
    let r = project(&served.path().join("unused"));
    let credentials = |k: &TestRepo, remote: &str| {
        for (key, value) in [("auth", "basic"), ("user", "writer"), ("password", "pw")] {
            k.dvc_ok(["remote", "modify", "--local", remote, key, value]);
        }
    };
    // The default remote `name`, in a folder of that name on the server.
    let use_remote = |k: &TestRepo, name: &str| {
        k.dvc_ok([
            "remote",
            "add",
            "-f",
            "-d",
            name,
            &format!("{}/{name}", web.url),
        ]);
        credentials(k, name);
    };
    use_remote(&r, "by-dvc");
    r.dvc_ok(["push", "-q"]);
    let log = uploads.path().join("log");
    let dvc_log = std::fs::read_to_string(&log).unwrap_or_default();
    c.check(
        dvc_log.lines().all(|l| l.starts_with("POST ")) && dvc_log.lines().count() == 4,
        || format!("dvc posts each object (a manifest, two files, model.bin = out.bin): {dvc_log}"),
    );
    std::fs::remove_file(&log).unwrap();

    use_remote(&r, "by-cairn");
    let pushed = Tool::Cairn.ok(&r, ["push"]);
    c.check(pushed.stdout().contains("4 files pushed"), || {
        format!("cairn push counts four objects: {pushed}")
    });
    let cairn_log = std::fs::read_to_string(&log).unwrap_or_default();
    c.check(cairn_log.lines().all(|l| l.starts_with("POST ")), || {
        format!("cairn posts too, as dvc does by default: {cairn_log}")
    });
    let store = served.path().join("store");
    let (by_dvc, by_cairn) = (
        objects(&store.join("by-dvc")),
        objects(&store.join("by-cairn")),
    );
    c.check(by_dvc == by_cairn && by_dvc.len() == 4, || {
        format!("the same objects under the same names:\n  dvc   {by_dvc:?}\n  cairn {by_cairn:?}")
    });
    for f in &by_dvc {
        c.check(
            std::fs::read(store.join("by-dvc").join(f)).ok()
                == std::fs::read(store.join("by-cairn").join(f)).ok(),
            || format!("{f}: the same bytes"),
        );
    }
    let again = Tool::Cairn.ok(&r, ["push"]);
    c.check(again.stdout().contains("Everything is up to date"), || {
        format!("a second push has nothing to do: {again}")
    });
    let nothing = Tool::Dvc.ok(&r, ["push"]);
    c.check(
        nothing.stdout().contains("Everything is up to date"),
        || format!("dvc finds nothing left to push after cairn's push: {nothing}"),
    );

    // dvc pulls what cairn pushed.
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "by-cairn"]);
    let k = clone_of(&r);
    credentials(&k, "by-cairn");
    Tool::Dvc.ok(&k, ["pull", "-q"]);
    restored(&mut c, &r, &k, "dvc pull after cairn push over http");

    // The remote's `method` is honoured.
    std::fs::remove_file(&log).unwrap();
    r.write("model.bin", [7u8, 7]);
    Tool::Cairn.ok(&r, ["add", "model.bin"]);
    r.dvc_ok(["remote", "modify", "by-cairn", "method", "PUT"]);
    Tool::Cairn.ok(&r, ["push", "model.bin"]);
    let put_log = std::fs::read_to_string(&log).unwrap_or_default();
    c.check(
        put_log.starts_with("PUT /store/by-cairn/files/md5/"),
        || format!("method PUT is used: {put_log}"),
    );
    c.finish();
}
