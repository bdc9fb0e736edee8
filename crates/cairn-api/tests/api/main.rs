//! cairn-api end to end, through the same `dispatch` every frontend uses.
//!
//! One test binary with a module per area: each binary links the whole API (parquet,
//! plotters, git2, …), so one binary instead of one per file saves a link and ~60 MB
//! of disk per area on a 2-core CI machine.

mod bindings;
mod common;
mod compare;
mod demo;
mod history;
mod models;
mod preview;
mod remotes;
mod run;
mod tasks;
