//! `fsck`: re-hash every cache object and quarantine the ones whose bytes no longer
//! match their name (e.g. edited in place through a hardlink — DVC would silently
//! serve the corrupt bytes).

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{DataError, Result};
use crate::repo::Repo;

/// What fsck found.
#[derive(Debug, Clone, Serialize)]
pub struct FsckReport {
    /// Objects checked.
    pub checked: usize,
    /// Objects whose content did not match, now moved to `quarantine/` in the cache.
    pub corrupt: Vec<String>,
}

/// Checks every object; corrupt ones are moved out of the object layout so DVC and
/// Cairn both see them as missing ("not in cache") rather than as good data.
pub fn fsck(repo: &Repo) -> Result<FsckReport> {
    let _lock = repo.lock()?;
    let odb = repo.odb();
    let objects = odb.list().map_err(|e| DataError::io(odb.root(), e))?;
    let bad: Vec<_> = objects
        .par_iter()
        .filter(|(hash, kind, path)| !odb.rehash_matches(path, hash, *kind))
        .cloned()
        .collect();
    let quarantine = odb.root().join("quarantine");
    let mut corrupt = Vec::new();
    for (hash, _, path) in bad {
        std::fs::create_dir_all(&quarantine).map_err(|e| DataError::io(&quarantine, e))?;
        let dest = quarantine.join(&hash);
        std::fs::rename(&path, &dest).map_err(|e| DataError::io(&path, e))?;
        corrupt.push(hash);
    }
    corrupt.sort();
    Ok(FsckReport {
        checked: objects.len(),
        corrupt,
    })
}
