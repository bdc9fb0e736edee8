//! The project's Python environment from the app: when a project has a
//! `requirements.txt` and no venv, *Make .venv* makes one (`cairn_run::pyenv::make`) so
//! someone who never opened a terminal runs the project's stages with its packages.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use cairn_run::pyenv::{REQUIREMENTS, active_outside, find, make};

use crate::Api;
use crate::dto::ProjectArgs;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::tasks::Task;

/// Output lines kept for the error when making the environment fails.
const TAIL: usize = 12;

/// The file a missing environment could be made from: a `requirements.txt` with no venv
/// next to it and none active.
pub(crate) fn makeable(root: &Path) -> Option<String> {
    (!active_outside() && find(root).is_none() && root.join(REQUIREMENTS).is_file())
        .then(|| REQUIREMENTS.to_string())
}

impl Api {
    /// `make_python_env`: makes `.venv` from `requirements.txt` as a cancellable task
    /// whose phase is pip's latest line; returns how the header names the environment.
    /// A venv this call started and did not finish is removed.
    pub fn make_python_env(&self, args: ProjectArgs) -> ApiResult<String> {
        let root = self.trusted_root(&args.project)?;
        if active_outside() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "a Python environment was active where Cairn started, and stages run in it; start Cairn without it to use a project venv",
            ));
        }
        let req = root.join(REQUIREMENTS);
        if !req.is_file() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "this project has no requirements.txt to make an environment from",
            ));
        }
        let venv = root.join(".venv");
        let existed = venv.exists();
        let key = root.to_string_lossy().into_owned();
        let task = Task::start(self, &key, "Making the Python environment", true);
        let tail = Mutex::new(VecDeque::new());
        let log = |line: &str| {
            task.report(line, 0, None);
            let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
            if t.len() == TAIL {
                t.pop_front();
            }
            t.push_back(line.to_string());
        };
        let cancelled = || task.cancel_flag().load(Ordering::Relaxed);
        let made = make(&venv, &req, &log, &cancelled);
        let was_cancelled = cancelled();
        drop(task);
        if let Err(e) = made {
            if !existed {
                let _ = std::fs::remove_dir_all(&venv);
            }
            if was_cancelled {
                return Err(ApiError::new(
                    ErrorCode::Cancelled,
                    "cancelled; nothing was kept",
                ));
            }
            let tail = tail.into_inner().unwrap_or_else(|p| p.into_inner());
            let tail: Vec<String> = tail.into_iter().collect();
            return Err(ApiError::new(
                ErrorCode::Run,
                format!("{e}:\n{}", tail.join("\n")),
            ));
        }
        self.emit(crate::ApiEvent::FilesChanged {
            project: key,
            paths: vec![".venv".into()],
        });
        Ok(find(&root)
            .map(|v| v.describe(&root))
            .unwrap_or_else(|| ".venv".into()))
    }
}
