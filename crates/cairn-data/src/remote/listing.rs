//! A remote's object names, listed once on first use: one request per page of names
//! instead of one existence check per object. A failed listing is kept and reported to
//! every transfer that asks.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::error::{DataError, Result};

type Names = std::result::Result<HashSet<String>, String>;

/// The names, once listed.
#[derive(Debug, Default)]
pub(crate) struct Listing(Mutex<Option<Arc<Names>>>);

impl Listing {
    /// Whether `name` is on the remote, listing it with `list` the first time. Other
    /// threads asking meanwhile wait for that one listing.
    pub fn contains(&self, name: &str, list: impl FnOnce() -> Names) -> Result<bool> {
        let names = {
            let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| Arc::new(list())).clone()
        };
        match &*names {
            Ok(names) => Ok(names.contains(name)),
            Err(e) => Err(DataError::Remote(e.clone())),
        }
    }

    /// Lists again on next use: someone else wrote to the remote since.
    pub fn forget(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
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
