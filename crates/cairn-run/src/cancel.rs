//! Cancelling a run from another thread (Ctrl-C, the app's Cancel button).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Shared cancel flag plus the process groups that must be signalled.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    groups: Mutex<Vec<i32>>,
}

impl CancelToken {
    /// A fresh token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests cancellation: running stages get SIGTERM now (SIGKILL after the grace
    /// period, from the engine), no new stage starts.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        for pgid in self.inner.groups.lock().expect("cancel mutex").iter() {
            crate::process::signal_group(*pgid, nix::sys::signal::Signal::SIGTERM);
        }
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    pub(crate) fn register(&self, pgid: i32) {
        self.inner.groups.lock().expect("cancel mutex").push(pgid);
        if self.is_cancelled() {
            crate::process::signal_group(pgid, nix::sys::signal::Signal::SIGTERM);
        }
    }

    pub(crate) fn unregister(&self, pgid: i32) {
        self.inner
            .groups
            .lock()
            .expect("cancel mutex")
            .retain(|g| *g != pgid);
    }
}
