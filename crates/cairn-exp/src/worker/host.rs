//! One SSH worker: its folder's layout and the commands that act on it. Every command
//! goes over one shared connection (the SSH remote's `ControlMaster`), and so does
//! `git`, through `GIT_SSH_COMMAND`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use cairn_data::remote::Remote;
use cairn_data::remote::ssh::{Ssh, quote};
use cairn_data::remote::{Wanted, store::Store};
use sha2::Digest as _;

use super::exec::{WireObject, from_wire};
use crate::error::ExpError;
use crate::run::ExpRunOptions;

/// A machine experiments run on, reached over SSH.
#[derive(Debug)]
pub struct Worker {
    url: String,
    ssh: Arc<Ssh>,
    /// The worker's cache, as a remote of this machine's cache.
    cache: Remote,
    /// The worker's folder (absolute, on the worker).
    dir: String,
    /// Where this build of `cairn` is on the worker, once sent.
    exe: OnceLock<Result<String, String>>,
}

fn invalid(what: impl Into<String>) -> ExpError {
    ExpError::Invalid(what.into())
}

impl Worker {
    /// The worker at `url` (`ssh://[user@]host[:port]/folder`). Nothing is contacted
    /// until it is used.
    pub fn open(url: &str) -> Result<Worker, ExpError> {
        let url = url.trim().trim_end_matches('/');
        if !url.starts_with("ssh://") {
            return Err(invalid(format!(
                "worker `{url}`: a worker is an SSH URL, ssh://[user@]host[:port]/folder or ssh://host/~/folder (the folder is made if missing)"
            )));
        }
        let label = format!("worker {url}");
        let open = |u: &str| -> Result<Ssh, ExpError> {
            Ok(Ssh::open("worker", &format!("{u}/cache"), &BTreeMap::new())?.labelled(&label))
        };
        let mut ssh = open(url)?;
        // `ssh://host/~/folder`: a folder in the worker's home, found there once.
        if let Some(rest) = ssh
            .path()
            .strip_suffix("/cache")
            .and_then(|p| p.strip_prefix("/~"))
            .filter(|r| r.is_empty() || r.starts_with('/'))
        {
            let home = String::from_utf8_lossy(&ssh.run_command("printf %s \"$HOME\"", None)?)
                .trim_end_matches('/')
                .to_string();
            if !home.starts_with('/') {
                return Err(invalid(format!(
                    "worker `{url}`: its home folder is unknown (HOME is `{home}`); give the folder's full path"
                )));
            }
            let at = url["ssh://".len()..]
                .find('/')
                .map_or(url.len(), |i| i + "ssh://".len());
            ssh = open(&format!("{}{home}{rest}", &url[..at]))?;
        }
        let ssh = Arc::new(ssh);
        let dir = ssh
            .path()
            .strip_suffix("/cache")
            .unwrap_or_default()
            .to_string();
        if dir.is_empty() {
            return Err(invalid(format!(
                "worker `{url}`: name a folder on it for Cairn's files, e.g. ssh://host/home/me/cairn-worker"
            )));
        }
        let store: Box<dyn Store> = Box::new(ssh.clone());
        Ok(Worker {
            url: url.to_string(),
            cache: Remote::with_store("worker", store),
            ssh,
            dir,
            exe: OnceLock::new(),
        })
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The worker's cache, to push to and fetch from.
    pub fn cache(&self) -> &Remote {
        &self.cache
    }

    /// Lists the worker's cache again on next use: runs write objects there.
    pub fn relist(&self) {
        self.ssh.relist();
    }

    fn sh(&self, script: &str) -> Result<String, ExpError> {
        let out = self.ssh.run_command(script, None)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn d(&self) -> String {
        quote(&self.dir)
    }

    /// Makes the worker's folder, checks it can run this build, and sends the build
    /// once; returns its path there.
    pub fn ensure_cairn(&self) -> Result<String, ExpError> {
        self.exe
            .get_or_init(|| self.send_cairn().map_err(|e| e.to_string()))
            .clone()
            .map_err(ExpError::Invalid)
    }

    fn send_cairn(&self) -> Result<String, ExpError> {
        let local = local_cairn()?;
        let bytes = std::fs::read(&local).map_err(|e| ExpError::io(local.display(), e))?;
        let digest = sha2::Sha256::digest(&bytes);
        let name = format!("cairn-{}", cairn_data::hash::hex(&digest[..8]));
        let d = self.d();
        let script = format!(
            "set -e; command -v git >/dev/null 2>&1 || {{ echo 'git is not installed on the worker: install it there (Debian/Ubuntu: apt-get install git)' >&2; exit 3; }}; \
             mkdir -p {d}/bin {d}/cache {d}/runs; [ -d {d}/repo.git ] || git init -q --bare {d}/repo.git; \
             uname -sm; if [ -x {d}/bin/{name} ]; then echo present; else echo absent; fi"
        );
        let out = self.sh(&script)?;
        let mut lines = out.lines();
        let uname = lines.next().unwrap_or_default().trim().to_string();
        let here = local_uname();
        if uname != here {
            return Err(invalid(format!(
                "worker {}: it is `{uname}` and this Cairn is built for `{here}`; Cairn sends itself to the worker, so the two must match",
                self.url
            )));
        }
        if lines.next().map(str::trim) != Some("present") {
            let script = format!(
                "set -e; t={d}/bin/.cairn-tmp.$$; trap 'rm -f \"$t\"' EXIT; cat > \"$t\"; \
                 n=$(wc -c < \"$t\"); [ \"$n\" -eq {len} ]; chmod 755 \"$t\"; mv -f \"$t\" {d}/bin/{name}; trap - EXIT",
                len = bytes.len()
            );
            self.ssh
                .run_command(&script, Some(&mut std::io::Cursor::new(bytes)))?;
        }
        Ok(format!("{}/bin/{name}", self.dir))
    }

    /// `git` in `root` going over the worker's connection, with the worker's
    /// repository's URL.
    fn git(&self, root: &Path) -> Result<(Command, String), ExpError> {
        let (ssh, url) = self.ssh.git_transport(&format!("{}/repo.git", self.dir))?;
        let mut cmd = Command::new("git");
        cmd.current_dir(root).env("GIT_SSH_COMMAND", ssh);
        Ok((cmd, url))
    }

    fn run_git(&self, root: &Path, args: &[&str], what: &str) -> Result<(), ExpError> {
        let (mut cmd, url) = self.git(root)?;
        let out = cmd
            .args(&args[..1])
            .args(["-q", &url])
            .args(&args[1..])
            .output()
            .map_err(|e| invalid(format!("cannot run git: {e} (is git installed?)")))?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(invalid(format!(
            "worker {}: {what} failed: {}",
            self.url,
            stderr.trim()
        )))
    }

    /// Pushes `commit` to the worker's repository (what it lacks of it).
    pub fn push_commit(&self, root: &Path, commit: &str, id: &str) -> Result<(), ExpError> {
        self.run_git(
            root,
            &[
                "push",
                "--no-verify",
                &format!("+{commit}:refs/cairn/runs/{id}"),
            ],
            "sending the commit",
        )
    }

    /// Fetches an experiment ref from the worker's repository.
    pub fn fetch_ref(&self, root: &Path, refname: &str) -> Result<(), ExpError> {
        self.run_git(
            root,
            &["fetch", "--no-tags", &format!("+{refname}:{refname}")],
            "bringing back the experiment",
        )
    }

    /// Checks the pushed commit out in `runs/<id>` with the worker's cache; returns the
    /// cache objects that working copy refers to.
    pub fn prepare_run(&self, id: &str, commit: &str, exe: &str) -> Result<Vec<Wanted>, ExpError> {
        let (d, run, c) = (self.d(), quote(&format!("runs/{id}")), quote(commit));
        let cache = quote(&format!("{}/cache", self.dir));
        let script = format!(
            "set -e; cd {d}; rm -rf {run}; git --git-dir=repo.git worktree prune; \
             git --git-dir=repo.git worktree add -q --detach -f {run} {c} >&2; cd {run}; \
             if [ -d .dvc ]; then printf '[cache]\\n    dir = %s\\n' {cache} > .dvc/config.local; fi; \
             exec {exe} worker objects",
            exe = quote(exe)
        );
        let out = self.sh(&script)?;
        let objects: Vec<WireObject> = serde_json::from_str(out.trim()).map_err(|e| {
            invalid(format!(
                "worker {}: unexpected answer listing the run's data ({e}): {}",
                self.url,
                out.trim()
            ))
        })?;
        Ok(from_wire(&objects))
    }

    /// Starts `cairn worker run` in `runs/<id>`, its output piped back.
    pub fn spawn_run(
        &self,
        id: &str,
        exe: &str,
        baseline: &str,
        opts: &ExpRunOptions,
    ) -> Result<std::process::Child, ExpError> {
        let mut words = vec![
            quote(exe),
            "worker".into(),
            "run".into(),
            "--baseline".into(),
            quote(baseline),
            "--stop-on-eof".into(),
        ];
        if let Some(n) = &opts.name {
            words.extend(["--name".into(), quote(n)]);
        }
        for s in &opts.set_params {
            words.extend(["-S".into(), quote(s)]);
        }
        words.push("--".into());
        words.extend(opts.targets.iter().map(|t| quote(t)));
        let script = format!(
            "cd {}/{} && echo {}$$ && exec {}",
            self.d(),
            quote(&format!("runs/{id}")),
            super::PID_MARK,
            words.join(" ")
        );
        Ok(self.ssh.spawn_attached(&script)?)
    }

    /// Asks the run with process id `pid` to stop (as Ctrl-C would).
    pub fn interrupt(&self, pid: &str) -> Result<(), ExpError> {
        if pid.is_empty() || !pid.chars().all(|c| c.is_ascii_digit()) {
            return Ok(());
        }
        self.sh(&format!("kill -INT {pid}")).map(|_| ())
    }

    /// Removes `runs/<id>` and the ref its commit came in by.
    pub fn remove_run(&self, id: &str) -> Result<(), ExpError> {
        let script = format!("cd {} || exit 0; {}", self.d(), remove_run_script(id));
        self.sh(&script).map(|_| ())
    }
}

/// The shell script that removes `runs/<id>` and the ref its commit came in by, run in the
/// worker's folder (by the sending machine after a run, or by a run whose sender died).
pub(crate) fn remove_run_script(id: &str) -> String {
    let run = quote(&format!("runs/{id}"));
    format!(
        "git --git-dir=repo.git worktree remove --force {run} 2>/dev/null || rm -rf {run}; \
         git --git-dir=repo.git worktree prune; git --git-dir=repo.git update-ref -d {r} 2>/dev/null; exit 0",
        r = quote(&format!("refs/cairn/runs/{id}")),
    )
}

/// What `uname -sm` says on a machine this build runs on.
fn local_uname() -> String {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "Darwin",
        other => other,
    };
    let arch = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("macos", "aarch64") => "arm64",
        (_, a) => a,
    };
    format!("{os} {arch}")
}

/// The `cairn` program to send: `CAIRN_BIN`, this program when it is `cairn`, a
/// `cairn` beside it (the app's bundle), or one on `PATH`.
fn local_cairn() -> Result<PathBuf, ExpError> {
    if let Some(p) = std::env::var_os("CAIRN_BIN").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok();
    if let Some(exe) = &exe {
        if exe.file_name().is_some_and(|n| n == "cairn") {
            return Ok(exe.clone());
        }
        let beside = exe.with_file_name("cairn");
        if beside.is_file() {
            return Ok(beside);
        }
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join("cairn"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            invalid(
                "a worker runs Cairn's command-line program, which was not found beside this program or on PATH; install `cairn` (or set CAIRN_BIN to it)",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_urls_name_a_folder() {
        let w = Worker::open("ssh://me@box:2222/srv/cairn/").unwrap();
        assert_eq!(
            (w.url(), w.dir.as_str()),
            ("ssh://me@box:2222/srv/cairn", "/srv/cairn")
        );
        let err = Worker::open("box:/srv/cairn").unwrap_err().to_string();
        assert!(err.contains("ssh://[user@]host[:port]/folder"), "{err}");
        let err = Worker::open("ssh://box/").unwrap_err().to_string();
        assert!(err.contains("name a folder"), "{err}");
        assert!(local_uname().contains(' '));
    }
}
