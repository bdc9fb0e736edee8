//! cairn-testkit: deterministic fixture trees and hermetic git repos for the
//! end-to-end and cross-tool tests.
//!
//! - [`RandomTree`] writes seeded random trees full of awkward names and
//!   entries (see [`Feature`]).
//! - [`TestRepo`] is a temp dir with `git init` run hermetically, and runs
//!   `git`, the reference `dvc` and the `cairn` binary under test inside it.
//! - [`Tree`] snapshots a working tree (bytes + modes) for comparisons.
//!
//! Binaries come from `CAIRN_DVC` / `CAIRN_BIN`, falling back to
//! `<workspace>/.venv-dvc/bin/dvc` (made by `scripts/ensure-dvc.sh`) and
//! `<workspace>/target/debug/cairn` (made by `cargo build -p cairn-cli`).
//! Set `CAIRN_KEEP_TEST_REPOS=1` to keep the temp repos for inspection.

mod repo;
mod tree;

pub use repo::{Entry, EntryKind, TestRepo, Tree, cairn_bin, describe, dvc_bin, workspace_root};
pub use tree::{DVCIGNORE, Feature, RandomTree, TreeSpec, dvcignored};

#[cfg(test)]
mod tests;
