//! A remote that is a folder: a local disk or a mounted share.

use std::path::{Path, PathBuf};

use super::store::Store;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;

/// The object store of a folder remote.
#[derive(Debug)]
pub struct Folder {
    /// Remote name, for messages.
    name: String,
    /// The folder, laid out as a DVC cache.
    odb: Odb,
}

impl Folder {
    /// The store at `root`.
    pub fn new(name: &str, root: PathBuf) -> Folder {
        Folder {
            name: name.to_string(),
            odb: Odb::new(root),
        }
    }
}

impl Store for Folder {
    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        Ok(self.odb.path(hash, kind).is_file())
    }

    /// Files go through the remote's object store, which hashes while it writes.
    /// Manifests and legacy objects (named by a different hash) are copied byte for byte.
    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let src = local.path(hash, kind);
        if hash.ends_with(".dir") || kind == HashKind::LegacyDos2Unix {
            let dest = self.odb.path(hash, kind);
            return copy_object(&src, &dest).map_err(|e| DataError::io(&dest, e));
        }
        let file = std::fs::File::open(&src).map_err(|e| DataError::io(&src, e))?;
        let len = file.metadata().map_err(|e| DataError::io(&src, e))?.len();
        let (got, size) = self
            .odb
            .add_open_file(file, len)
            .map_err(|e| DataError::io(self.odb.path(hash, kind), e))?;
        if got != hash {
            return Err(super::changed_in_cache(&src));
        }
        Ok(size)
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let src = self.odb.path(hash, kind);
        let file = std::fs::File::open(&src).map_err(|e| DataError::io(&src, e))?;
        let len = file.metadata().map_err(|e| DataError::io(&src, e))?.len();
        super::store_fetched(
            local,
            file,
            len,
            hash,
            kind,
            &self.name,
            &src.display().to_string(),
        )
    }
}

/// Copies `from` to `to` through a temp name in `to`'s folder.
fn copy_object(from: &Path, to: &Path) -> std::io::Result<u64> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = to.with_file_name(cairn_core::atomic::temp_name_for("object"));
    let result = std::fs::copy(from, &tmp).and_then(|n| {
        std::fs::rename(&tmp, to)?;
        Ok(n)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
