//! Pipeline status and reproduction, compatible with `dvc status` / `dvc repro`.
//!
//! - [`status`] decides, per stage, what changed (command, deps, params, outs) exactly as
//!   DVC's `Stage.status` does, so both tools name the same stale stages.
//! - [`run`] reproduces a pipeline: stages run in dependency order, independent ones in
//!   parallel (`jobs`), each in its own process group so cancel stops it; outputs are
//!   committed to the cache, `dvc.lock` is rewritten atomically after each stage, and
//!   DVC's run cache is used and filled. Progress is reported as typed [`RunEvent`]s.
//! - [`records`] keeps every run (status, timings, logs, environment) in SQLite.

pub mod cancel;
pub mod engine;
pub mod error;
pub mod event;
pub mod lockwrite;
pub mod outputs;
pub mod params;
pub mod process;
pub mod pyenv;
pub mod records;
pub mod runcache;
pub mod status;
pub mod sync;

pub use cancel::CancelToken;
pub use engine::{COMMIT_UNCHANGED, RunOptions, RunSummary, run};
pub use error::RunError;
pub use event::{RunEvent, RunStatus, StageOutcome, Stream};
pub use status::{StageStatus, StatusItem, status};
