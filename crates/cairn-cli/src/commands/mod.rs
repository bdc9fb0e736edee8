//! One module per subcommand: `XArgs` (its doc comment is the help text) and `run`.

pub mod add;
pub mod check_ignore;
pub mod checkout;
pub mod commit;
pub mod config;
pub mod dag;
pub mod data;
pub mod diff;
pub mod exp;
pub mod freeze;
pub mod fsck;
pub mod gc;
pub mod init;
pub mod list;
pub mod metrics;
pub mod models;
pub mod move_data;
pub mod params;
pub mod plots;
pub mod queue;
pub mod remote;
pub mod remove;
pub mod report;
pub mod repro;
pub mod root;
pub mod runs;
pub mod show;
pub mod stage;
pub mod status;
pub mod sync;
pub mod ui;
pub mod unprotect;
pub mod worker;

use std::path::PathBuf;

use anyhow::Context;
use cairn_api::workspace::Workspace;

/// The current directory, canonical (so it compares with repository roots).
pub fn cwd() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(cwd.canonicalize().unwrap_or(cwd))
}

/// The repository around the current directory.
pub fn workspace() -> anyhow::Result<Workspace> {
    Ok(Workspace::discover(&cwd()?)?)
}
