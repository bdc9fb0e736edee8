//! The project's Python environment on a worker. A project's `.venv` is git-ignored, so
//! it never travels with the commit; what travels is `requirements.txt`. The worker
//! makes `<worker folder>/.venv` from it (`python3 -m venv`, then `pip install -r`) and
//! remakes it only when the file changes (its sha256 is kept in the venv). Stages find
//! it the way they find a project's venv at home ([`cairn_run::pyenv`]: the worker's
//! folder is the main repository's root there), unless an environment is already active
//! in the SSH session, which wins as it does locally.

use std::path::Path;

use cairn_run::CancelToken;
use cairn_run::pyenv::{REQUIREMENTS, holds, make};

use crate::error::ExpError;
use crate::queue::LogLine;

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
    // Two runs at once on one worker make it once.
    let _lock = cairn_core::RepoLock::acquire(
        &home.join(".venv.lock"),
        std::time::Duration::from_secs(3600),
    )
    .map_err(|e| ExpError::Invalid(e.to_string()))?;
    if holds(&venv, &bytes) {
        log("Python environment: .venv on the worker (requirements.txt unchanged)");
        return Ok(());
    }
    log("Making the Python environment on the worker from requirements.txt");
    make(&venv, &req, &|l| log(l), &|| cancel.is_cancelled())
        .map_err(|e| ExpError::Invalid(format!("on the worker: {e}")))
}
