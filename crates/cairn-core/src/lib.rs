//! Foundations shared by every Cairn crate.
//!
//! Nothing here knows about DVC's file formats; it holds the small mechanisms the
//! format crates build on: writing files atomically, the repository lock DVC also
//! takes, JSON byte-compatible with Python's `json.dumps`, Python's float `repr`,
//! and the progress-event sink long operations report to.

pub mod atomic;
pub mod civil;
pub mod lock;
pub mod progress;
pub mod pyfloat;
pub mod pyjson;
pub mod umask;

pub use atomic::{write_atomic, write_atomic_with_mode};
pub use lock::{LockError, RepoLock};
pub use progress::{NoProgress, Progress, ProgressEvent};
