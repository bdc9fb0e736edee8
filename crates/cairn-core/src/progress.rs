//! Progress reporting for long operations.
//!
//! Engines report to a [`Progress`] sink and never print; the CLI turns events into
//! a progress bar (only on a terminal), the app forwards them to the UI.

/// One progress update.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    /// A phase started; `total_files`/`total_bytes` are known totals, if any.
    Start {
        /// What is happening, e.g. "hashing".
        phase: &'static str,
        /// Files expected, when known.
        total_files: Option<u64>,
        /// Bytes expected, when known.
        total_bytes: Option<u64>,
    },
    /// Work was done since the last update.
    Advance {
        /// Files finished.
        files: u64,
        /// Bytes processed.
        bytes: u64,
    },
    /// The phase ended.
    Finish,
}

/// Something that receives progress events; must be cheap and thread-safe.
pub trait Progress: Send + Sync {
    /// Receives one event.
    fn event(&self, event: ProgressEvent);
}

/// A sink that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _event: ProgressEvent) {}
}
