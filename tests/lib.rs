//! Shared helpers for the end-to-end tests: running both tools the same way,
//! picking the DVC-relevant parts out of a working tree, and collecting every
//! mismatch of a test before failing, so one run reports all differences
//! between cairn and dvc instead of the first one.

use std::ffi::OsStr;
use std::fmt::Display;
use std::path::PathBuf;
use std::process::Output;

pub use cairn_testkit::{
    DVCIGNORE, Entry, EntryKind, Feature, RandomTree, TestRepo, Tree, TreeSpec, cairn_bin,
    describe, dvc_bin, dvcignored, workspace_root,
};
use serde_json::Value;

/// Runs `tests/<script> <mode> <dir>` with the reference venv's Python (where the other
/// tools' libraries — W&B, TensorBoard, pyarrow — are installed) and returns what it
/// printed.
pub fn venv_tool(script: &str, mode: &str, dir: &std::path::Path) -> String {
    let python = dvc_bin().parent().unwrap().join("python");
    let path = workspace_root().join("tests").join(script);
    let out = std::process::Command::new(&python)
        .arg(&path)
        .arg(mode)
        .arg(dir)
        .output()
        .expect("run the venv's python");
    assert!(
        out.status.success(),
        "{script} {mode} failed (is its library in the venv? run scripts/ensure-dvc.sh):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The app's API with a private data folder (removed when the first value drops).
pub fn app() -> (tempfile::TempDir, cairn_api::Api) {
    let data = tempfile::tempdir().unwrap();
    let api = cairn_api::Api::new(cairn_api::ApiConfig {
        data_dir: Some(data.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    (data, api)
}

/// A loopback port nothing listens on (for a test server to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on loopback `port`, at most `limit`.
pub fn wait_listening(port: u16, limit: std::time::Duration, what: &str) {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < limit, "{what} did not listen on {port}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A server a test started on a loopback port; stopped when dropped.
pub struct Service(std::process::Child);

impl Service {
    /// Starts `cmd` (output discarded) and waits until it listens on `port`.
    pub fn start(mut cmd: std::process::Command, port: u16, what: &str) -> Service {
        use std::process::Stdio;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{what}: {e} (run scripts/ensure-dvc.sh)"));
        // Owned first, so a server that never listens is still stopped.
        let service = Service(child);
        wait_listening(port, std::time::Duration::from_secs(60), what);
        service
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A program in the reference venv (`.venv-dvc/bin`).
pub fn venv_bin(name: &str) -> std::path::PathBuf {
    dvc_bin().parent().unwrap().join(name)
}

/// An SSH server on a free loopback port taking one key, stopped when dropped.
pub struct SshServer {
    _service: Service,
    dir: tempfile::TempDir,
    /// Its port.
    pub port: u16,
    /// The user it signs in (this one).
    pub user: String,
}

/// The ssh Cairn runs here: this test's server key is new, so it is not checked.
pub const SSH: &str =
    "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR";

impl SshServer {
    /// Starts one (`tests/data/ssh_server.py`).
    pub fn start() -> SshServer {
        SshServer::start_with(false)
    }

    /// Starts one whose commands see [`SshServer::home`] as their `HOME`.
    pub fn start_with_home() -> SshServer {
        SshServer::start_with(true)
    }

    fn start_with(own_home: bool) -> SshServer {
        let dir = tempfile::tempdir().unwrap();
        use std::process::Command;
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
        let mut cmd = Command::new(venv_bin("python"));
        cmd.arg(&script)
            .arg(port.to_string())
            .arg(d.join("host_key"))
            .arg(d.join("authorized_keys"));
        if own_home {
            std::fs::create_dir(d.join("home")).unwrap();
            cmd.env("HOME", d.join("home"));
        }
        let service = Service::start(cmd, port, "ssh_server.py");
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        SshServer {
            _service: service,
            dir,
            port,
            user,
        }
    }

    /// A folder on the server.
    pub fn store(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The home folder of [`SshServer::start_with_home`]'s commands.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The client key it takes.
    pub fn key(&self) -> String {
        self.dir.path().join("client_key").display().to_string()
    }

    /// The URL of a folder on it (the port is left to the caller).
    pub fn url(&self, store: &str) -> String {
        format!(
            "ssh://{}@127.0.0.1{}",
            self.user,
            self.store(store).display()
        )
    }
}

/// The two implementations under comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Dvc,
    Cairn,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Dvc => "dvc",
            Tool::Cairn => "cairn",
        }
    }

    /// The other tool.
    pub fn other(self) -> Tool {
        match self {
            Tool::Dvc => Tool::Cairn,
            Tool::Cairn => Tool::Dvc,
        }
    }

    /// Run `tool args...` in `repo`; any exit code.
    pub fn run<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(self, repo: &TestRepo, args: I) -> Run {
        let args: Vec<String> = args
            .into_iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect();
        let output = match self {
            Tool::Dvc => repo.dvc(&args),
            Tool::Cairn => repo.cairn(&args),
        };
        Run {
            tool: self,
            args,
            output,
        }
    }

    /// Run `tool args...` in `repo` and panic with the whole output unless it
    /// exits 0. For setup steps whose failure makes the rest meaningless.
    pub fn ok<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(self, repo: &TestRepo, args: I) -> Run {
        let run = self.run(repo, args);
        if !run.success() {
            panic!("{run}");
        }
        run
    }
}

impl Display for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A finished command, printable with its full output.
pub struct Run {
    pub tool: Tool,
    pub args: Vec<String>,
    pub output: Output,
}

impl Run {
    pub fn success(&self) -> bool {
        self.output.status.success()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// stdout parsed as JSON, or a description of why it is not JSON.
    pub fn json(&self) -> Result<Value, String> {
        if !self.success() {
            return Err(format!("command failed:\n{self}"));
        }
        serde_json::from_slice(&self.output.stdout)
            .map_err(|e| format!("stdout is not JSON ({e}):\n{self}"))
    }
}

impl Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let args: Vec<std::ffi::OsString> = self.args.iter().map(Into::into).collect();
        f.write_str(&describe(OsStr::new(self.tool.name()), &args, &self.output))
    }
}

/// Collects the failures of one test; [`Checks::finish`] panics with all of
/// them. Each failure is a self-contained paragraph (what was compared, and
/// both sides), so the panic message is a mismatch report.
pub struct Checks {
    label: String,
    failures: Vec<String>,
}

impl Checks {
    pub fn new(label: impl Into<String>) -> Self {
        Checks {
            label: label.into(),
            failures: Vec::new(),
        }
    }

    /// Record a failure.
    pub fn fail(&mut self, msg: impl Into<String>) {
        self.failures.push(msg.into());
    }

    /// Record `msg` unless `cond`.
    pub fn check(&mut self, cond: bool, msg: impl FnOnce() -> String) {
        if !cond {
            self.fail(msg());
        }
    }

    /// Compare two trees; on difference record `what` and the diff lines.
    pub fn trees(&mut self, what: &str, left: (&str, &Tree), right: (&str, &Tree)) {
        const MAX_LINES: usize = 30;
        let mut diff = left.1.diff(right.1, left.0, right.0);
        if diff.len() > MAX_LINES {
            let more = diff.len() - MAX_LINES;
            diff.truncate(MAX_LINES);
            diff.push(format!("... and {more} more"));
        }
        if !diff.is_empty() {
            self.fail(format!("{what}:\n  {}", diff.join("\n  ")));
        }
    }

    /// Check that a command succeeded; returns whether it did.
    pub fn succeeded(&mut self, run: &Run) -> bool {
        if !run.success() {
            self.fail(format!("command failed:\n{run}"));
        }
        run.success()
    }

    /// Check that `run` printed JSON equal to `expected` (as values: key
    /// order and whitespace are not compared).
    pub fn json_is(&mut self, run: &Run, expected: &Value) {
        match run.json() {
            Ok(v) if &v == expected => {}
            Ok(v) => self.fail(format!(
                "`{} {}` printed {v}, expected {expected}:\n{run}",
                run.tool,
                run.args.join(" ")
            )),
            Err(e) => self.fail(e),
        }
    }

    /// Check that two runs (normally `dvc X --json` and `cairn X --json`)
    /// printed equal JSON values. Returns the dvc-side value if it parsed.
    pub fn same_json(&mut self, what: &str, dvc: &Run, cairn: &Run) -> Option<Value> {
        match (dvc.json(), cairn.json()) {
            (Ok(a), Ok(b)) if a == b => Some(a),
            (Ok(a), Ok(b)) => {
                self.fail(format!(
                    "{what}: JSON differs\n  dvc:   {a}\n  cairn: {b}\n{cairn}"
                ));
                Some(a)
            }
            (a, b) => {
                for e in [a.as_ref().err(), b.as_ref().err()].into_iter().flatten() {
                    self.fail(format!("{what}: {e}"));
                }
                a.ok()
            }
        }
    }

    /// Panic with every recorded failure, if any.
    pub fn finish(self) {
        if !self.failures.is_empty() {
            let n = self.failures.len();
            panic!(
                "{}: {n} mismatch(es)\n\n{}",
                self.label,
                self.failures
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("[{}/{n}] {f}", i + 1))
                    .collect::<Vec<_>>()
                    .join("\n\n")
            );
        }
    }
}

/// `*.dvc` pointer files (outside `.dvc/`).
pub fn dvc_files(tree: &Tree) -> Tree {
    tree.files().without(".dvc").filter(|p| p.ends_with(".dvc"))
}

/// Every `.gitignore` file, `.dvc/.gitignore` included.
pub fn gitignores(tree: &Tree) -> Tree {
    tree.files()
        .filter(|p| p == ".gitignore" || p.ends_with("/.gitignore"))
}

/// The 3.x cache: `.dvc/cache/files/md5/**` (files and their modes).
pub fn cache_objects(tree: &Tree) -> Tree {
    tree.only(".dvc/cache/files/md5").files()
}

/// The working tree minus the `.dvc` directory (cache, tmp, config).
pub fn workspace(tree: &Tree) -> Tree {
    tree.without(".dvc")
}

/// A JSON value from a literal, for expectations.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON literal")
}

/// `dvc init` / `cairn init` quietly.
pub fn init(tool: Tool, repo: &TestRepo) -> Run {
    tool.ok(
        repo,
        ["init", "-q"].iter().take(match tool {
            Tool::Dvc => 2,
            // The contract does not promise `-q` for cairn.
            Tool::Cairn => 1,
        }),
    )
}

/// `value` serialised like Python's `json.dumps(value)` with default
/// arguments, which is what `dvc ... --json` prints: `", "` and `": "`
/// separators, `ensure_ascii` escapes (lowercase hex, surrogate pairs above
/// U+FFFF), keys in the value's own order.
pub fn py_json_dumps(value: &Value) -> String {
    let mut out = String::new();
    write_py(value, &mut out);
    out
}

fn write_py(value: &Value, out: &mut String) {
    use std::fmt::Write as _;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => {
            out.push('"');
            for ch in s.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    ' '..='~' => out.push(ch),
                    _ => {
                        let mut buf = [0u16; 2];
                        for unit in ch.encode_utf16(&mut buf) {
                            let _ = write!(out, "\\u{unit:04x}");
                        }
                    }
                }
            }
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(&Value::String(k.clone()), out);
                out.push_str(": ");
                write_py(v, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_json_dumps_matches_python() {
        // Expected bytes from `python3 -c 'import json; print(json.dumps(v))'`.
        let v = json(
            r#"{"données.dvc": [{"changed outs": {"a\"b\\c\td": "deleted"}}], "e": ["😀", 1, null, true]}"#,
        );
        assert_eq!(
            py_json_dumps(&v),
            r#"{"donn\u00e9es.dvc": [{"changed outs": {"a\"b\\c\td": "deleted"}}], "e": ["\ud83d\ude00", 1, null, true]}"#
        );
    }
}
