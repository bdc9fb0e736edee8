//! A remote on another machine over SSH (`dvc remote add NAME ssh://[user@]host[:port]/path`),
//! in the layout DVC's ssh remote writes there. Cairn runs your own `ssh` (as it runs
//! your `git` to clone): `~/.ssh/config`, your keys, `ssh-agent`, `ProxyJump` and
//! `known_hosts` work as in a terminal. DVC's `user`, `port` and `keyfile` settings are
//! honoured; there is no password prompt (`BatchMode`), so a host must take a key.
//!
//! One master connection is shared by every transfer (`ControlMaster`), so an object
//! costs a channel, not a login. The far side needs a POSIX shell with `find`, `cat`,
//! `mv` and `wc`: any Linux or macOS server (an sftp-only account is not enough; use
//! `dvc push` there). An object is written under a temp name, its size checked and only
//! then renamed, so a dropped connection never leaves a short object under a real name.
//! `CAIRN_SSH_COMMAND` replaces `ssh` (like `GIT_SSH_COMMAND`).

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::listing::Listing;
use super::store::Store;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;

/// Sessions at once over the master connection: OpenSSH servers allow 10 by default.
const JOBS: usize = 8;

/// The object store of an ssh remote.
#[derive(Debug)]
pub struct Ssh {
    name: String,
    url: String,
    /// `[user@]host`.
    host: String,
    port: Option<String>,
    keyfile: Option<String>,
    /// The remote folder, laid out as a DVC cache.
    path: String,
    /// Holds the master connection's socket; removed (and the master stopped) on drop.
    control: tempfile::TempDir,
    /// Every object's path under `path`, listed once on first use.
    listed: Listing,
    /// Whether the master connection is up (or why not).
    connected: OnceLock<std::result::Result<(), String>>,
    /// What errors call it, when not "remote `name` (url)".
    label: Option<String>,
}

impl Ssh {
    /// The remote `name` at `url` with its config `options`.
    pub fn open(name: &str, url: &str, options: &BTreeMap<String, String>) -> Result<Ssh> {
        let fail = |what: &str| DataError::Remote(format!("remote `{name}` ({url}): {what}"));
        let rest = url.strip_prefix("ssh://").unwrap_or(url);
        let (authority, path) = rest
            .split_once('/')
            .ok_or_else(|| fail("the URL names no folder (ssh://host/path/to/store)"))?;
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, url_port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => (h, Some(p)),
            _ => (hostport, None),
        };
        if host.is_empty() {
            return Err(fail("the URL names no host (ssh://host/path/to/store)"));
        }
        for key in ["password", "ask_password", "gss_auth"] {
            if options.contains_key(key) {
                return Err(fail(&format!(
                    "`{key}` is set, but Cairn signs in with your SSH keys and ssh-agent only; add a key to the server (`ssh-copy-id`), or use `dvc push`/`dvc pull` for this remote"
                )));
            }
        }
        let user = options.get("user").map(String::as_str).or(userinfo);
        Ok(Ssh {
            name: name.to_string(),
            url: url.to_string(),
            host: match user {
                Some(u) => format!("{u}@{host}"),
                None => host.to_string(),
            },
            port: options
                .get("port")
                .cloned()
                .or(url_port.map(str::to_string)),
            keyfile: options.get("keyfile").cloned(),
            // DVC takes the URL's path as absolute (`ssh://host/srv/store` is /srv/store).
            path: format!("/{}", path.trim_end_matches('/')),
            control: tempfile::Builder::new()
                .prefix("cairn-ssh")
                .tempdir()
                .map_err(|e| fail(&format!("cannot make a folder for the connection: {e}")))?,
            listed: Listing::default(),
            connected: OnceLock::new(),
            label: None,
        })
    }

    /// `ssh` with the connection's options, before the host.
    fn base(&self) -> Command {
        let mut words = std::env::var("CAIRN_SSH_COMMAND")
            .ok()
            .filter(|c| !c.trim().is_empty())
            .map(|c| c.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .unwrap_or_else(|| vec!["ssh".into()]);
        let program = words.remove(0);
        let mut cmd = Command::new(program);
        cmd.args(words)
            .args(["-o", "BatchMode=yes", "-o"])
            .arg(format!("ControlPath={}/%C", self.control.path().display()));
        if let Some(p) = &self.port {
            cmd.args(["-p", p]);
        }
        if let Some(k) = &self.keyfile {
            cmd.args(["-i", k]);
        }
        cmd
    }

    /// Signs in once and keeps the connection for the transfers that follow. The master
    /// goes to the background holding the stderr it was given, so that is a file, not a
    /// pipe someone would wait on.
    fn connect(&self) -> Result<()> {
        let result = self.connected.get_or_init(|| {
            let log = tempfile::tempfile().map_err(|e| format!("cannot log ssh: {e}"))?;
            let status = self
                .base()
                .args([
                    "-o",
                    "ControlMaster=yes",
                    "-o",
                    "ControlPersist=30",
                    "-f",
                    "-N",
                ])
                .arg(&self.host)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log.try_clone().map_err(|e| e.to_string())?)
                .status()
                .map_err(|e| format!("cannot run ssh: {e} (is OpenSSH's client installed?)"))?;
            if status.success() {
                return Ok(());
            }
            let mut text = String::new();
            let mut log = log;
            let _ = log.rewind();
            let _ = log.read_to_string(&mut text);
            let last = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            Err(self.explain(status.code(), last.trim()))
        });
        result.clone().map_err(|e| self.error(&e))
    }

    /// `ssh … host -- command` over the shared connection.
    fn ssh(&self, command: &str) -> Result<Command> {
        self.connect()?;
        let mut cmd = self.base();
        cmd.args(["-o", "ControlMaster=no"])
            .arg(&self.host)
            .arg("--")
            .arg(command);
        Ok(cmd)
    }

    /// Runs `command` with `input` on its stdin; its stdout, or what went wrong.
    fn run(&self, command: &str, input: Option<&mut dyn Read>) -> Result<Vec<u8>> {
        let mut child = self.start(
            command,
            if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            },
        )?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            // A failed write shows as the command's failure below.
            let _ = std::io::copy(input, &mut stdin);
        }
        let out = child
            .wait_with_output()
            .map_err(|e| self.error(&format!("ssh: {e}")))?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        Err(self.error(&self.explain(out.status.code(), last)))
    }

    /// What a failed ssh means, with what to do.
    fn explain(&self, code: Option<i32>, stderr: &str) -> String {
        let login = format!(
            "ssh{}{} {}",
            self.port
                .as_ref()
                .map(|p| format!(" -p {p}"))
                .unwrap_or_default(),
            self.keyfile
                .as_ref()
                .map(|k| format!(" -i {k}"))
                .unwrap_or_default(),
            self.host
        );
        if stderr.contains("Host key verification failed") {
            return format!(
                "{stderr}: the server's host key is not known yet; run `{login}` once in a terminal to check and accept it"
            );
        }
        if stderr.contains("Permission denied") {
            return format!(
                "{stderr}: Cairn signs in with your SSH keys and ssh-agent (no password prompt); check that `{login}` works without one"
            );
        }
        if code == Some(255) {
            return format!("cannot connect: {stderr} (check that `{login}` works)");
        }
        format!("the command on the server failed: {stderr}")
    }

    fn error(&self, what: &str) -> DataError {
        match &self.label {
            Some(l) => DataError::Remote(format!("{l}: {what}")),
            None => DataError::Remote(format!("remote `{}` ({}): {what}", self.name, self.url)),
        }
    }

    /// Names this connection `label` in its errors (a worker rather than a remote).
    pub fn labelled(mut self, label: &str) -> Ssh {
        self.label = Some(label.to_string());
        self
    }

    /// Runs `command` in the remote shell over the shared connection, with `input` on
    /// its stdin; its stdout, or what went wrong (named as this remote's failure).
    pub fn run_command(&self, command: &str, input: Option<&mut dyn Read>) -> Result<Vec<u8>> {
        self.run(command, input)
    }

    /// Starts `command` in the remote shell with stdout and stderr piped, for output
    /// that is read as it comes (a worker's log).
    pub fn spawn(&self, command: &str) -> Result<std::process::Child> {
        self.start(command, Stdio::null())
    }

    /// Like [`Ssh::spawn`], with its stdin a pipe kept open by the caller: the remote
    /// command reads end of input once the caller closes it, or dies however it dies
    /// (a `kill -9` included), so it can stop rather than run on unwatched.
    pub fn spawn_attached(&self, command: &str) -> Result<std::process::Child> {
        self.start(command, Stdio::piped())
    }

    /// `command` started over the shared connection, stdout and stderr piped.
    fn start(&self, command: &str, stdin: Stdio) -> Result<std::process::Child> {
        self.ssh(command)?
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                self.error(&format!(
                    "cannot run ssh: {e} (is OpenSSH's client installed?)"
                ))
            })
    }

    /// What `git` should run as ssh (`GIT_SSH_COMMAND`) to go over this connection,
    /// and the URL of `path` on the server for it.
    pub fn git_transport(&self, path: &str) -> Result<(String, String)> {
        self.connect()?;
        let cmd = self.base();
        let mut words = vec![quote(&cmd.get_program().to_string_lossy())];
        words.extend(cmd.get_args().map(|a| quote(&a.to_string_lossy())));
        words.extend(["-o".into(), "ControlMaster=no".into()]);
        Ok((words.join(" "), format!("ssh://{}{}", self.host, path)))
    }

    /// Lists the folder again on next use (something else wrote objects there).
    pub fn relist(&self) {
        self.listed.forget();
    }

    /// The folder the URL names on the server.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A failure of this connection, in its words.
    pub fn failure(&self, what: &str) -> DataError {
        self.error(what)
    }

    /// An object's path under the remote folder.
    fn rel(hash: &str, kind: HashKind) -> String {
        super::object_path("", hash, kind)
    }
}

/// `s` as one word for a POSIX shell.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Store for Ssh {
    fn jobs(&self) -> Option<usize> {
        Some(JOBS)
    }

    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        self.listed.contains(&Self::rel(hash, kind), || {
            // A folder that does not exist yet holds nothing.
            let cmd = format!(
                "cd {} 2>/dev/null || exit 0; find . -type f ! -name '.cairn-tmp*'",
                quote(&self.path)
            );
            self.run(&cmd, None).map_err(|e| e.to_string()).map(|out| {
                String::from_utf8_lossy(&out)
                    .lines()
                    .map(|l| l.trim_start_matches("./").to_string())
                    .collect()
            })
        })
    }

    /// The object is checked against its name before it leaves (a cache copy edited in
    /// place must not spread), then written under a temp name and renamed once its size
    /// is right.
    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let (mut file, len) = super::checked_object(local, hash, kind)?;
        let dest = format!("{}/{}", self.path, Self::rel(hash, kind));
        let dir = dest.rsplit_once('/').map_or("/", |(d, _)| d);
        let cmd = format!(
            "set -e; d={dir}; mkdir -p \"$d\"; t=\"$d/.cairn-tmp.$$\"; trap 'rm -f \"$t\"' EXIT; \
             cat > \"$t\"; n=$(wc -c < \"$t\"); [ \"$n\" -eq {len} ]; mv -f \"$t\" {dest}; trap - EXIT",
            dir = quote(dir),
            dest = quote(&dest),
        );
        self.run(&cmd, Some(&mut file))?;
        Ok(len)
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let src = format!("{}/{}", self.path, Self::rel(hash, kind));
        std::fs::create_dir_all(local.root()).map_err(|e| DataError::io(local.root(), e))?;
        // An unnamed file in the cache: nothing to clean up if the transfer fails.
        let mut tmp =
            tempfile::tempfile_in(local.root()).map_err(|e| DataError::io(local.root(), e))?;
        let mut child = self.spawn(&format!("cat {}", quote(&src)))?;
        let mut stdout = child.stdout.take().expect("piped stdout");
        let copied = std::io::copy(&mut stdout, &mut tmp);
        let out = child
            .wait_with_output()
            .map_err(|e| self.error(&format!("ssh: {e}")))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(self.error(&self.explain(out.status.code(), last.trim())));
        }
        let len = copied.map_err(|e| self.error(&format!("{src}: {e}")))?;
        tmp.flush().map_err(|e| DataError::io(local.root(), e))?;
        tmp.rewind().map_err(|e| DataError::io(local.root(), e))?;
        let source = format!("{}:{src}", self.host);
        super::store_fetched(local, tmp, len, hash, kind, &self.name, &source)
    }
}

impl Drop for Ssh {
    /// Stops the master connection now rather than when it times out.
    fn drop(&mut self) {
        if !matches!(self.connected.get(), Some(Ok(()))) {
            return;
        }
        let _ = self
            .base()
            .args(["-O", "exit"])
            .arg(&self.host)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(url: &str, options: &[(&str, &str)]) -> Result<Ssh> {
        Ssh::open("store", url, &crate::remote::options(options))
    }

    #[test]
    fn urls_and_settings_as_dvc_reads_them() {
        let s = open("ssh://alice@example.com:2222/srv/dvc/", &[]).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port.as_deref(), s.path.as_str()),
            ("alice@example.com", Some("2222"), "/srv/dvc")
        );
        let s = open(
            "ssh://example.com/srv/dvc",
            &[("user", "bob"), ("port", "2200"), ("keyfile", "/k")],
        )
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.port.as_deref(), s.keyfile.as_deref()),
            ("bob@example.com", Some("2200"), Some("/k"))
        );
        let err = open("ssh://example.com/srv", &[("password", "x")]).unwrap_err();
        assert!(err.to_string().contains("SSH keys and ssh-agent"), "{err}");
        assert!(open("ssh://example.com", &[]).is_err());
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(Ssh::rel("abcdef", HashKind::Md5), "files/md5/ab/cdef");
    }
}
