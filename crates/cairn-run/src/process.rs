//! Running one stage command: through the user's shell like DVC, in its own process
//! group (so cancel reaches every child), with stdout/stderr streamed line by line.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::cancel::CancelToken;
use crate::event::Stream;

/// How long cancelled commands get between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(5);

/// Sends `sig` to a process group, ignoring groups that are already gone.
pub fn signal_group(pgid: i32, sig: Signal) {
    let _ = killpg(Pid::from_raw(pgid), sig);
}

/// DVC's shell: `$SHELL` (bash/zsh without rc files) or `/bin/sh`.
fn shell_command(cmd: &str) -> Command {
    let shell = std::env::var("SHELL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into());
    let name = Path::new(&shell)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut c = Command::new(&shell);
    match name.as_str() {
        "bash" => {
            c.args(["--noprofile", "--norc"]);
        }
        "zsh" => {
            c.arg("--no-rcs");
        }
        _ => {}
    }
    c.arg("-c").arg(cmd);
    c
}

/// The result of one command.
#[derive(Debug, Clone, Copy)]
pub struct Exit {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Peak resident memory of the command's process group, in KiB (sampled).
    pub peak_rss_kib: u64,
}

/// Runs `cmd` in `cwd` with `env`, calling `on_line` for each output line.
pub fn run_command(
    cmd: &str,
    cwd: &Path,
    env: &[(&str, String)],
    cancel: &CancelToken,
    on_line: Arc<dyn Fn(Stream, String) + Send + Sync>,
) -> std::io::Result<Exit> {
    let mut command = shell_command(cmd);
    command
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn()?;
    let pgid = child.id() as i32;
    cancel.register(pgid);
    let readers: Vec<_> = [
        (
            Stream::Stdout,
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ),
        (
            Stream::Stderr,
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ),
    ]
    .into_iter()
    .filter_map(|(stream, pipe)| {
        let pipe = pipe?;
        let on_line = on_line.clone();
        Some(std::thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                            buf.pop();
                        }
                        on_line(stream, String::from_utf8_lossy(&buf).into_owned());
                    }
                }
            }
        }))
    })
    .collect();
    // A waiter thread blocks in wait(); this thread wakes on its exit or every 100 ms
    // to sample memory and honour a cancel. (Polling try_wait with a sleep would add
    // the sleep to every short command.)
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = tx.send(());
        status
    });
    let mut peak = 0u64;
    let mut term_sent: Option<Instant> = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        peak = peak.max(group_rss_kib(pgid));
        if cancel.is_cancelled() {
            match term_sent {
                None => {
                    signal_group(pgid, Signal::SIGTERM);
                    term_sent = Some(Instant::now());
                }
                Some(t) if t.elapsed() > GRACE => signal_group(pgid, Signal::SIGKILL),
                Some(_) => {}
            }
        }
    }
    let status = waiter
        .join()
        .map_err(|_| std::io::Error::other("waiter thread panicked"))??;
    // Children that outlived the shell still hold the pipes; don't wait on them forever
    // after a cancel.
    if cancel.is_cancelled() {
        signal_group(pgid, Signal::SIGKILL);
    }
    for r in readers {
        let _ = r.join();
    }
    cancel.unregister(pgid);
    Ok(Exit {
        code: status.code().unwrap_or(-1),
        peak_rss_kib: peak,
    })
}

/// Sum of RSS of the processes in a group, from /proc (0 where unavailable).
fn group_rss_kib(pgid: i32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let page_kib = 4;
    let mut total = 0;
    for e in dir.flatten() {
        let name = e.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // Fields after the `(comm)`: state ppid pgrp ... rss is field 24 overall.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(2).and_then(|g| g.parse::<i32>().ok()) == Some(pgid) {
            total += fields
                .get(21)
                .and_then(|r| r.parse::<u64>().ok())
                .unwrap_or(0)
                * page_kib;
        }
    }
    total
}
