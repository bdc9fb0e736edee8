//! Data versioning compatible with DVC 3.
//!
//! A repository's data is tracked by `.dvc` pointer files that record content hashes;
//! the bytes live in a content-addressed cache (`.dvc/cache`). Everything here reads
//! and writes those formats exactly as DVC does, so `dvc` and `cairn` can share a repo.
//!
//! Operations (`add`, `status`, `checkout`, `gc`, `fsck`) take an opened [`Repo`],
//! report progress to a [`cairn_core::Progress`], and return typed results plus the
//! per-target errors they collected, so one bad file never hides the others.

pub mod add;
mod bigfile;
pub mod checkout;
pub mod collect;
pub mod config;
pub mod config_edit;
pub mod config_names;
pub mod data_status;
pub mod diff;
pub mod dirhandle;
pub mod error;
pub mod fsck;
pub mod gc;
pub mod gitignore;
pub mod hash;
pub mod ignore;
pub mod init;
pub mod manifest;
pub mod meta;
pub mod move_data;
pub mod odb;
pub mod paths;
pub mod pointer;
pub mod remote;
pub mod repo;
mod shards;
pub mod state;
pub mod status;
pub mod unprotect;
mod verified;
pub mod workspace;

pub use error::{DataError, Result};
pub use repo::Repo;
pub use shards::reserve_descriptor_table;
