//! Cross-tool tests for data versioning: `cairn` against the real `dvc`
//! (3.67.1) on the same inputs. See `support.rs` for the shared fixture.
//!
//! Needs `target/debug/cairn` (`cargo build -p cairn-cli`) and the reference
//! dvc (`scripts/ensure-dvc.sh`); `scripts/test.sh` provides both.

mod support;

mod azure;
mod check_ignore;
mod cloud;
mod config;
mod data_status;
mod focused;
mod gs;
mod history;
mod http;
mod ignore;
mod init;
mod list;
mod move_data;
mod parquet;
mod random;
mod remote;
mod robustness;
mod s3;
mod show;
mod ssh;
mod status;
mod unprotect;
mod webdav;
