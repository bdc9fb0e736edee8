//! Cloning a repository for the app's "Clone…".
//!
//! This runs the user's own `git` executable rather than libgit2: git already knows their
//! credentials (credential helpers, the SSH agent), proxies and certificate setup, each of
//! which libgit2 would need wired up separately, and a clone that works in their terminal
//! then works in Cairn. Git's progress lines are parsed into counts; a clone that fails or
//! is cancelled leaves nothing behind.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How far a clone is, from one of git's progress lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneProgress {
    /// Git's phase, lower-cased: "receiving objects", "resolving deltas", "updating files"…
    pub phase: String,
    /// Units done in this phase.
    pub done: u64,
    /// Units in this phase.
    pub total: u64,
}

/// Why a clone did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CloneError {
    /// No `git` on `PATH`.
    #[error(
        "cloning needs the `git` program, which was not found; install git (e.g. `sudo apt install git`) and try again"
    )]
    NoGit,
    /// The destination is taken.
    #[error("{0} already exists and is not empty; choose another name or folder")]
    Exists(PathBuf),
    /// Stopped on request.
    #[error("clone cancelled; nothing was kept")]
    Cancelled,
    /// Git refused or failed; `message` is the end of what it said.
    #[error("git clone {url} failed: {message}")]
    Failed {
        /// What was being cloned.
        url: String,
        /// Git's own explanation (its last lines of output).
        message: String,
    },
    /// Starting git or creating the folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The folder name `git clone URL` would pick: the URL's last path segment without a
/// trailing `.git` (`https://host/team/churn.git` → `churn`, `../x/` → `x`).
pub fn default_name(url: &str) -> Option<String> {
    let trimmed = url.trim().trim_end_matches(['/', '\\']);
    let trimmed = trimmed.strip_suffix("/.git").unwrap_or(trimmed);
    // scp-like `host:path` has no `/` before its path.
    let last = trimmed.rsplit(['/', '\\', ':']).next()?;
    let name = last.strip_suffix(".git").unwrap_or(last);
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_string())
}

/// Parses one progress line, e.g. `Receiving objects:  45% (450/1000), 1.20 MiB | 2 MiB/s`
/// (optionally after `remote: `).
pub fn parse_progress(line: &str) -> Option<CloneProgress> {
    let line = line.trim().strip_prefix("remote: ").unwrap_or(line.trim());
    let (phase, rest) = line.split_once(':')?;
    let counts = rest.split_once('(')?.1.split_once(')')?.0;
    let (done, total) = counts.split_once('/')?;
    Some(CloneProgress {
        phase: phase.trim().to_lowercase(),
        done: done.trim().parse().ok()?,
        total: total.trim().parse().ok()?,
    })
}

/// Clones `url` into `dest` (which must not exist, or be an empty folder), calling
/// `on_progress` as git reports progress. Checks `cancel` while git works; on
/// cancellation or failure, removes what the clone created.
pub fn clone(
    url: &str,
    dest: &Path,
    cancel: &AtomicBool,
    on_progress: &mut dyn FnMut(CloneProgress),
) -> Result<(), CloneError> {
    let existed = dest.exists();
    if existed {
        let empty = dest
            .read_dir()
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(CloneError::Exists(dest.to_path_buf()));
        }
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CloneError::Io { path, source }
    };
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let mut child = Command::new("git")
        .args(["clone", "--progress", "--", url])
        .arg(dest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Never wait for a password on a terminal the app's user cannot see; an
        // unauthorised clone fails with git's message instead.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        // Its own process group, so Stop also reaches what git started (ssh, a proxy).
        .process_group(0)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CloneError::NoGit,
            _ => CloneError::Io {
                path: PathBuf::from("git"),
                source: e,
            },
        })?;

    // Git rewrites progress in place with `\r`; each segment is a line here.
    let (tx, rx) = mpsc::channel::<String>();
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut line = Vec::new();
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            for &b in &buf[..n] {
                if b == b'\r' || b == b'\n' {
                    if !line.is_empty() {
                        let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
                        line.clear();
                    }
                } else {
                    line.push(b);
                }
            }
        }
        if !line.is_empty() {
            let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
        }
    });

    let mut said: Vec<String> = Vec::new();
    let mut handle = |line: String, said: &mut Vec<String>| match parse_progress(&line) {
        Some(p) => on_progress(p),
        None => {
            said.push(line);
            if said.len() > 20 {
                said.remove(0);
            }
        }
    };
    let status = loop {
        if cancel.load(Ordering::Relaxed) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            let _ = child.wait();
            discard(dest, existed);
            return Err(CloneError::Cancelled);
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => handle(line, &mut said),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // Every writer closed stderr: git is finishing.
            Err(mpsc::RecvTimeoutError::Disconnected) => break child.wait().map_err(io(dest))?,
        }
        // Git's exit is what counts: something it started may hold stderr open longer.
        if let Some(status) = child.try_wait().map_err(io(dest))? {
            break status;
        }
    };
    // Whatever git wrote before exiting, without waiting on other holders of the pipe
    // (the reader thread ends on its own when they close it).
    while let Ok(line) = rx.recv_timeout(Duration::from_millis(20)) {
        handle(line, &mut said);
    }
    drop(reader);
    if !status.success() {
        discard(dest, existed);
        let message = said
            .iter()
            .filter(|l| !l.starts_with("Cloning into"))
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join("\n");
        return Err(CloneError::Failed {
            url: url.to_string(),
            message: if message.is_empty() {
                format!("git exited with {status}")
            } else {
                message
            },
        });
    }
    Ok(())
}

/// Removes what a failed clone left: the folder itself if the clone created it, else
/// its contents.
fn discard(dest: &Path, existed: bool) {
    let _ = std::fs::remove_dir_all(dest);
    if existed {
        let _ = std::fs::create_dir(dest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_git() {
        assert_eq!(
            default_name("https://github.com/team/churn.git").as_deref(),
            Some("churn")
        );
        assert_eq!(
            default_name("git@github.com:team/churn.git").as_deref(),
            Some("churn")
        );
        assert_eq!(default_name("git@host:churn").as_deref(), Some("churn"));
        assert_eq!(default_name("/srv/repos/x/").as_deref(), Some("x"));
        assert_eq!(default_name("/srv/repos/x/.git").as_deref(), Some("x"));
        assert_eq!(default_name("  "), None);
        assert_eq!(default_name(".."), None);
    }

    #[test]
    fn progress_lines_parse() {
        assert_eq!(
            parse_progress("Receiving objects:  45% (450/1000), 1.20 MiB | 2.00 MiB/s"),
            Some(CloneProgress {
                phase: "receiving objects".into(),
                done: 450,
                total: 1000
            })
        );
        assert_eq!(
            parse_progress("remote: Counting objects: 100% (12/12), done."),
            Some(CloneProgress {
                phase: "counting objects".into(),
                done: 12,
                total: 12
            })
        );
        assert_eq!(parse_progress("Cloning into '/tmp/x'..."), None);
        assert_eq!(
            parse_progress("fatal: repository '/nope' does not exist"),
            None
        );
    }

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    fn origin() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        git(t.path(), &["init", "-q"]);
        for i in 0..50 {
            std::fs::write(t.path().join(format!("f{i}.txt")), format!("{i}\n")).unwrap();
        }
        git(t.path(), &["add", "."]);
        git(t.path(), &["commit", "-qm", "first"]);
        t
    }

    #[test]
    fn clones_a_local_repository_with_progress() {
        let src = origin();
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("copy");
        let mut phases = Vec::new();
        // file:// makes git use its transport (and report progress) instead of hardlinking.
        let url = format!("file://{}", src.path().display());
        clone(&url, &dest, &AtomicBool::new(false), &mut |p| {
            assert!(p.done <= p.total, "{p:?}");
            phases.push(p.phase)
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(dest.join("f7.txt")).unwrap(), "7\n");
        assert!(dest.join(".git").is_dir());
        assert!(
            phases.iter().any(|p| p == "receiving objects"),
            "{phases:?}"
        );
    }

    #[test]
    fn a_failed_clone_leaves_nothing() {
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("copy");
        let err = clone(
            &out.path().join("no-such-repo").display().to_string(),
            &dest,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("does not exist"), "{msg}");
        assert!(!dest.exists());
    }

    #[test]
    fn refuses_a_folder_in_use_and_honours_cancel() {
        let src = origin();
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("keep.txt"), "mine").unwrap();
        let err = clone(
            &src.path().display().to_string(),
            out.path(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, CloneError::Exists(_)), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.path().join("keep.txt")).unwrap(),
            "mine"
        );

        let dest = out.path().join("copy");
        let err = clone(
            &src.path().display().to_string(),
            &dest,
            &AtomicBool::new(true),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, CloneError::Cancelled), "{err}");
        assert!(!dest.exists());
    }
}
