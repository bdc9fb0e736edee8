//! The content-addressed cache (`.dvc/cache`), laid out exactly as DVC lays it out.
//!
//! DVC 3 objects live at `files/md5/<h[0:2]>/<h[2:]>`, DVC 2 ("legacy") objects at
//! `<h[0:2]>/<h[2:]>`. Objects are written atomically (temp + rename, never a partial
//! object under its final name) and made read-only (0444), which DVC also treats as
//! "verified" and so does not re-hash.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::hash::{self, HashKind};
use crate::manifest::Manifest;
use crate::meta::FileMeta;
use crate::shards::{BatchId, Shards};
use crate::verified::VerifiedMemo;
use rayon::prelude::*;

use crate::hash::SMALL_FILE;

/// The object mode DVC uses and trusts.
pub const OBJECT_MODE: u32 = 0o444;

/// The cache directory.
#[derive(Debug, Clone)]
pub struct Odb {
    root: PathBuf,
    /// `files/md5` and its shard directories, opened once per process.
    shards: Arc<Shards>,
    /// Copies of `.dir` listings seen before, kept outside the cache (like DVC's own
    /// per-machine data index), so a diff can still list a directory's files after
    /// its objects were garbage-collected or never pulled.
    memo: Option<PathBuf>,
    /// Directory objects known complete (see [`crate::verified`]).
    verified: Option<VerifiedMemo>,
}

impl Odb {
    /// A cache rooted at `root` (normally `.dvc/cache`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Odb {
            shards: Arc::new(Shards::new(root.join("files").join("md5"))),
            root,
            memo: None,
            verified: None,
        }
    }

    /// Remembers directory listings in `dir` as well.
    pub fn with_manifest_memo(mut self, dir: impl Into<PathBuf>) -> Self {
        self.memo = Some(dir.into());
        self
    }

    /// Remembers which directory objects were verified complete, in `dir`.
    pub fn with_verified_memo(mut self, dir: impl Into<PathBuf>) -> Self {
        self.verified = Some(VerifiedMemo::new(dir.into()));
        self
    }

    /// Starts writing many objects at once: shards that don't exist yet are built
    /// under temp names and appear whole when the batch is published (see
    /// [`crate::shards`]). Until then the batch's new objects are visible to this
    /// `Odb`'s lookups but not under their paths. Write through the batch
    /// ([`Batch::add_open_file`]); other writers meanwhile are safe.
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            odb: self,
            id: self.shards.begin(),
            published: false,
        }
    }

    /// Whether directory object `id` and every member are validly in the cache (DVC's
    /// `check` of a tree), answered from the verified memo when its shards are
    /// unchanged.
    pub fn dir_complete(&self, id: &str, kind: HashKind) -> bool {
        if !self.is_valid(id, kind) {
            return false;
        }
        let memo = self.verified.as_ref().filter(|_| kind == HashKind::Md5);
        if memo.is_some_and(|m| m.holds(&self.shards, id)) {
            return true;
        }
        let Ok(manifest) = self.read_manifest(id, kind) else {
            return false;
        };
        let complete = manifest
            .entries()
            .par_iter()
            .all(|e| self.is_valid(&e.md5, kind));
        if complete && let Some(m) = memo {
            m.record(&self.shards, id, &manifest);
        }
        complete
    }

    /// Notes that every member of `manifest` (object `id`) was just stored.
    pub fn note_complete(&self, id: &str, manifest: &Manifest) {
        if let Some(m) = &self.verified {
            m.record(&self.shards, id, manifest);
        }
    }

    fn remember(&self, id: &str, bytes: &[u8]) {
        if let Some(memo) = &self.memo {
            let path = memo.join(id);
            if !path.exists() {
                let _ = cairn_core::write_atomic(&path, bytes);
            }
        }
    }

    /// A directory listing from the cache or, failing that, from the memo. Only for
    /// showing what a directory held; whether data is *in the cache* is
    /// [`Odb::read_manifest`]'s question.
    pub fn recall_manifest(&self, id: &str, kind: HashKind) -> Result<Manifest, ManifestError> {
        self.read_manifest(id, kind).or_else(|e| {
            let memo = self.memo.as_ref().ok_or(e)?;
            let path = memo.join(id);
            let bytes = fs::read(&path).map_err(|err| ManifestError::Missing(path.clone(), err))?;
            Manifest::parse(&bytes).map_err(|m| ManifestError::Corrupt(path, m))
        })
    }

    /// The cache root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the object `hash` lives (whether or not it exists).
    pub fn path(&self, hash: &str, kind: HashKind) -> PathBuf {
        let (a, b) = hash.split_at(2.min(hash.len()));
        match kind {
            HashKind::Md5 => self.root.join("files").join("md5").join(a).join(b),
            HashKind::LegacyDos2Unix => self.root.join(a).join(b),
        }
    }

    fn stat(&self, hash: &str, kind: HashKind) -> Option<FileMeta> {
        let through_shard = match kind {
            HashKind::Md5 => self.shards.stat(hash),
            HashKind::LegacyDos2Unix => None,
        };
        match through_shard {
            Some(r) => r.ok(),
            None => fs::metadata(self.path(hash, kind))
                .ok()
                .map(|m| FileMeta::from(&m)),
        }
    }

    /// Whether the object is present (not verified).
    pub fn contains(&self, hash: &str, kind: HashKind) -> bool {
        self.stat(hash, kind).is_some_and(|m| m.is_file())
    }

    /// DVC's `check`: present, and either read-only (trusted) or re-hashing to its name.
    pub fn is_valid(&self, hash: &str, kind: HashKind) -> bool {
        let Some(meta) = self.stat(hash, kind) else {
            return false;
        };
        if !meta.is_file() {
            return false;
        }
        if meta.mode & 0o777 == OBJECT_MODE {
            return true;
        }
        self.rehash_matches(&self.path(hash, kind), hash, kind)
    }

    /// Re-hashes an object and compares with its name (used by fsck and `is_valid`).
    pub fn rehash_matches(&self, path: &Path, hash: &str, kind: HashKind) -> bool {
        let want = hash.strip_suffix(".dir").unwrap_or(hash);
        // Manifests are hashed as raw bytes in both layouts.
        let kind = if hash.ends_with(".dir") {
            HashKind::Md5
        } else {
            kind
        };
        matches!(hash::hash_file(path, kind), Ok((got, _)) if got == want)
    }

    /// Hashes the open file `file` (whose size a `stat` gave as `len`) and stores it,
    /// reading it once. Returns `(md5, size)`.
    pub fn add_open_file(&self, file: File, len: u64) -> io::Result<(String, u64)> {
        self.add_open_file_in(file, len, None)
    }

    fn add_open_file_in(
        &self,
        mut file: File,
        len: u64,
        batch: Option<BatchId>,
    ) -> io::Result<(String, u64)> {
        if len <= SMALL_FILE {
            let data = hash::read_small(&mut file, len)?;
            let md5 = hash::md5_bytes(&data);
            self.add_bytes_in(&md5, &data, batch)?;
            return Ok((md5, data.len() as u64));
        }
        let base = self.root.join("files").join("md5");
        fs::create_dir_all(&base)?;
        let tmp_name = cairn_core::atomic::temp_name_for("object");
        let tmp = base.join(&tmp_name);
        let result = (|| {
            let (md5, size) = crate::bigfile::store(&mut file, &tmp)?;
            fs::set_permissions(&tmp, fs::Permissions::from_mode(OBJECT_MODE))?;
            match self.shards.install_temp(&tmp_name, &md5, batch) {
                Some(r) => r?,
                None => unreachable!("md5 hex digests are canonical object names"),
            }
            Ok((md5, size))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Stores `data` under `hash` (which the caller computed) unless already present.
    pub fn add_bytes(&self, hash: &str, data: &[u8]) -> io::Result<()> {
        self.add_bytes_in(hash, data, None)
    }

    fn add_bytes_in(&self, hash: &str, data: &[u8], batch: Option<BatchId>) -> io::Result<()> {
        if hash.ends_with(".dir") {
            self.remember(hash, data);
        }
        if let Some(r) = self.shards.write(hash, data, batch) {
            return r;
        }
        let dest = self.path(hash, HashKind::Md5);
        if dest.is_file() {
            return Ok(());
        }
        cairn_core::write_atomic_with_mode(&dest, data, Some(OBJECT_MODE))
    }

    /// Reads the `.dir` manifest `id`.
    pub fn read_manifest(&self, id: &str, kind: HashKind) -> Result<Manifest, ManifestError> {
        let path = self.path(id, kind);
        let bytes = fs::read(&path).map_err(|e| ManifestError::Missing(path.clone(), e))?;
        let m = Manifest::parse(&bytes).map_err(|m| ManifestError::Corrupt(path, m))?;
        self.remember(id, &bytes);
        Ok(m)
    }

    /// Temp files and staged shard directories that Cairn processes no longer running
    /// left in `files/md5` (a crash or kill mid-write; never half an object under its
    /// final name, but still disk space).
    pub fn stale_temps(&self) -> io::Result<Vec<PathBuf>> {
        let base = self.root.join("files").join("md5");
        let mut out = Vec::new();
        let Ok(entries) = fs::read_dir(&base) else {
            return Ok(out);
        };
        let abandoned = |name: &str| {
            cairn_core::atomic::temp_owner(name)
                .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if abandoned(&name) {
                out.push(entry.path());
            } else if name.len() == 2 && entry.file_type()?.is_dir() {
                for inner in fs::read_dir(entry.path())? {
                    let inner = inner?;
                    if abandoned(&inner.file_name().to_string_lossy()) {
                        out.push(inner.path());
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every object file in the cache, as `(hash, kind, path)` (manifests included).
    pub fn list(&self) -> io::Result<Vec<(String, HashKind, PathBuf)>> {
        let mut out = Vec::new();
        for (base, kind) in [
            (self.root.join("files").join("md5"), HashKind::Md5),
            (self.root.clone(), HashKind::LegacyDos2Unix),
        ] {
            let Ok(dirs) = fs::read_dir(&base) else {
                continue;
            };
            for dir in dirs {
                let dir = dir?;
                let prefix = dir.file_name().to_string_lossy().into_owned();
                if prefix.len() != 2
                    || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
                    || !dir.file_type()?.is_dir()
                {
                    continue;
                }
                for obj in fs::read_dir(dir.path())? {
                    let obj = obj?;
                    let rest = obj.file_name().to_string_lossy().into_owned();
                    if obj.file_type()?.is_file() && !rest.starts_with('.') {
                        out.push((format!("{prefix}{rest}"), kind, obj.path()));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Objects being written together; see [`Odb::batch`]. Dropping it publishes too
/// (everything staged is complete by then), ignoring errors.
#[must_use = "publish the batch to see its errors"]
pub struct Batch<'a> {
    odb: &'a Odb,
    id: BatchId,
    published: bool,
}

impl Batch<'_> {
    /// [`Odb::add_open_file`] as part of this batch.
    pub fn add_open_file(&self, file: File, len: u64) -> io::Result<(String, u64)> {
        self.odb.add_open_file_in(file, len, Some(self.id))
    }

    /// Moves the batch's new shards into place.
    pub fn publish(mut self) -> io::Result<()> {
        self.published = true;
        self.odb.shards.publish(self.id)
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if !self.published {
            let _ = self.odb.shards.publish(self.id);
        }
    }
}

/// A manifest could not be read from the cache.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Not in the cache.
    #[error("{0}: {1}")]
    Missing(PathBuf, #[source] io::Error),
    /// Not a valid manifest.
    #[error("{0}: corrupt directory manifest ({1})")]
    Corrupt(PathBuf, String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_small_and_large_files_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let odb = Odb::new(dir.path().join("cache"));
        let small = dir.path().join("s");
        fs::write(&small, b"hello\n").unwrap();
        let add = |p: &Path| {
            let f = File::open(p).unwrap();
            let len = f.metadata().unwrap().len();
            odb.add_open_file(f, len).unwrap()
        };
        let (h, n) = add(&small);
        assert_eq!((h.as_str(), n), ("b1946ac92492d2347c6235b4d2611184", 6));
        let p = odb.path(&h, HashKind::Md5);
        assert!(p.ends_with("files/md5/b1/946ac92492d2347c6235b4d2611184"));
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o444
        );

        let big = dir.path().join("b");
        let data: Vec<u8> = (0..(SMALL_FILE as usize + 12345))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        fs::write(&big, &data).unwrap();
        let (h, n) = add(&big);
        assert_eq!(h, hash::md5_bytes(&data));
        assert_eq!(n, data.len() as u64);
        assert_eq!(fs::read(odb.path(&h, HashKind::Md5)).unwrap(), data);
        assert!(odb.is_valid(&h, HashKind::Md5));
        let names: Vec<_> = odb.list().unwrap().into_iter().map(|(h, _, _)| h).collect();
        assert_eq!(names.len(), 2, "no temp files listed: {names:?}");
    }
}
