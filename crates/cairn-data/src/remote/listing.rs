//! A remote's object names, listed once on first use: one request per page of names
//! instead of one existence check per object. A failed listing is kept and reported to
//! every transfer that asks.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::error::{DataError, Result};

/// The names, once listed.
#[derive(Debug, Default)]
pub(crate) struct Listing(OnceLock<std::result::Result<HashSet<String>, String>>);

impl Listing {
    /// Whether `name` is on the remote, listing it with `list` the first time.
    pub fn contains(
        &self,
        name: &str,
        list: impl FnOnce() -> std::result::Result<HashSet<String>, String>,
    ) -> Result<bool> {
        match self.0.get_or_init(list) {
            Ok(names) => Ok(names.contains(name)),
            Err(e) => Err(DataError::Remote(e.clone())),
        }
    }
}

/// What names under the store's prefix start with: `prefix/`, or nothing at the root.
pub(crate) fn folder_prefix(prefix: &str) -> String {
    if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    }
}

/// Transfers at once for a network store, like DVC's default: four per core.
pub(crate) fn network_jobs() -> Option<usize> {
    Some(4 * std::thread::available_parallelism().map_or(1, |n| n.get()))
}
