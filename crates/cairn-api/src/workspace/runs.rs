//! Run records (SQLite, per machine): what ran, when, how long, and each stage's log.

use std::path::{Path, PathBuf};

use cairn_run::records::{RunDetail, RunRecord};

use super::{Result, WorkspaceError};

/// The run records of this machine.
pub struct RunLog {
    records: cairn_run::records::Records,
}

impl RunLog {
    /// Opens the records in Cairn's data folder.
    pub fn open() -> Result<RunLog> {
        Ok(RunLog {
            records: cairn_run::records::Records::open_default()?,
        })
    }

    /// Runs of `project` (every project: `None`), newest first.
    pub fn list(&self, project: Option<&Path>) -> Result<Vec<RunRecord>> {
        Ok(self.records.list(project)?)
    }

    /// One run with its stages (an unknown id is refused).
    pub fn get(&self, id: &str) -> Result<RunDetail> {
        self.records.get(id)?.ok_or_else(|| {
            WorkspaceError::NotFound(format!("no run `{id}`; `cairn runs` lists them"))
        })
    }

    /// Whether run `id` is still going.
    pub fn is_running(&self, id: &str) -> Result<bool> {
        Ok(self
            .records
            .get(id)?
            .is_some_and(|d| d.run.status == "running"))
    }

    /// Where a stage's log of run `id` is written.
    pub fn log_path(&self, id: &str, stage: &str) -> PathBuf {
        self.records.log_path(id, stage)
    }
}
