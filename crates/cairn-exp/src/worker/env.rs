//! The project's Python environment on a worker. A project's `.venv` is git-ignored, so
//! it never travels with the commit; what travels is `requirements.txt`. The worker
//! makes `<worker folder>/.venv` from it (`python3 -m venv`, then `pip install -r`) and
//! remakes it only when the file changes (its sha256 is kept in the venv). Stages find
//! it the way they find a project's venv at home ([`cairn_run::pyenv`]: the worker's
//! folder is the main repository's root there), unless an environment is already active
//! in the SSH session, which wins as it does locally.

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};

use cairn_run::CancelToken;
use sha2::Digest as _;

use crate::error::ExpError;
use crate::queue::LogLine;

/// The file the environment is made from.
const REQUIREMENTS: &str = "requirements.txt";
/// Where the venv records which requirements it holds.
const STAMP: &str = ".cairn-requirements";

/// Makes or refreshes `home/.venv` for the working copy at `root`, its output in `log`.
pub fn prepare(
    home: &Path,
    root: &Path,
    log: &LogLine,
    cancel: &CancelToken,
) -> Result<(), ExpError> {
    let req = root.join(REQUIREMENTS);
    let Ok(bytes) = std::fs::read(&req) else {
        return Ok(());
    };
    if cairn_run::pyenv::active_outside() {
        log("Python environment: the one active on the worker (requirements.txt not installed)");
        return Ok(());
    }
    let venv = home.join(".venv");
    let digest = cairn_data::hash::hex(&sha2::Sha256::digest(&bytes));
    // Two runs at once on one worker make it once.
    let _lock = cairn_core::RepoLock::acquire(
        &home.join(".venv.lock"),
        std::time::Duration::from_secs(3600),
    )
    .map_err(|e| ExpError::Invalid(e.to_string()))?;
    let stamp = venv.join(STAMP);
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == digest) {
        log("Python environment: .venv on the worker (requirements.txt unchanged)");
        return Ok(());
    }
    if !venv.join("bin").join("python").exists() {
        log("Making the Python environment on the worker: python3 -m venv .venv");
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "venv"]).arg(&venv);
        run_logged(cmd, log, cancel).map_err(|e| {
            ExpError::Invalid(format!(
                "making a Python environment on the worker failed ({e}); install python3 and its venv module there (Debian/Ubuntu: apt-get install python3-venv)"
            ))
        })?;
    }
    log("Installing requirements.txt on the worker");
    let mut cmd = Command::new(venv.join("bin").join("python"));
    cmd.args(["-m", "pip", "install", "-r"]).arg(&req);
    run_logged(cmd, log, cancel).map_err(|e| {
        ExpError::Invalid(format!(
            "installing requirements.txt on the worker failed ({e}); see the log"
        ))
    })?;
    std::fs::write(&stamp, &digest).map_err(|e| ExpError::io(stamp.display(), e))
}

/// Runs `cmd` with its output, both streams, into `log`; stops it on cancel.
fn run_logged(mut cmd: Command, log: &LogLine, cancel: &CancelToken) -> Result<(), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let (out, err) = (child.stdout.take(), child.stderr.take());
    let status = std::thread::scope(|s| {
        for stream in [
            out.map(|o| Box::new(o) as Box<dyn std::io::Read + Send>),
            err.map(|e| Box::new(e) as _),
        ]
        .into_iter()
        .flatten()
        {
            let log = log.clone();
            s.spawn(move || {
                for line in std::io::BufReader::new(stream)
                    .lines()
                    .map_while(Result::ok)
                {
                    log(&line);
                }
            });
        }
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                return Ok(status);
            }
            if cancel.is_cancelled() {
                let _ = child.kill();
                let _ = child.wait();
                return Err("cancelled".to_string());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exit status {}", status.code().unwrap_or(-1)))
    }
}
