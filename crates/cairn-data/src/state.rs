//! The per-machine state table: remembered hashes keyed by path, inode, mtime and size,
//! so unchanged files are not read again.
//!
//! It lives in `.dvc/tmp/cairn/state.db` (never committed, per checkout). File rows are
//! loaded once per command, on first use, and written back in one transaction, because
//! per-file queries would cost more than hashing the small files they are meant to skip.
//!
//! A directory's hash is remembered too, with the listing it was computed from (every
//! file's relative path, inode, mtime and size, in walk order). A status of an unchanged
//! 10,000-file directory still `stat`s every file — that is how a change is noticed —
//! but then compares the walk with that listing instead of looking up 10,000 file rows,
//! sorting them and re-hashing the manifest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::meta::FileMeta;

/// A file written within this window before it was hashed may be modified again inside
/// the same filesystem timestamp tick, so its hash is not remembered ("racily clean").
const RACY_WINDOW_NS: i64 = 100_000_000;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE hashes (
        path TEXT NOT NULL,
        kind INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        md5 TEXT NOT NULL,
        PRIMARY KEY (path, kind)
    )",
    "CREATE TABLE dirs (
        path TEXT NOT NULL,
        kind INTEGER NOT NULL,
        md5 TEXT NOT NULL,
        listing BLOB NOT NULL,
        PRIMARY KEY (path, kind)
    )",
    // Listings carry each member's hash, and say whether they are complete enough to
    // answer for the whole directory.
    "DROP TABLE dirs;
    CREATE TABLE dir_listings (
        path TEXT NOT NULL,
        kind INTEGER NOT NULL,
        md5 TEXT NOT NULL,
        complete INTEGER NOT NULL,
        listing BLOB NOT NULL,
        PRIMARY KEY (path, kind)
    )",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    mtime_ns: i64,
    size: u64,
}

impl Stamp {
    fn of(meta: &FileMeta) -> Stamp {
        Stamp {
            inode: meta.ino,
            mtime_ns: meta.mtime_ns,
            size: meta.size,
        }
    }
}

type Rows = [HashMap<String, (Stamp, String)>; 2];

/// A directory listing to write back: path, kind code, manifest id, encoded listing.
struct DirRow {
    path: String,
    kind: usize,
    md5: String,
    complete: bool,
    listing: Vec<u8>,
}

/// A directory's listing as remembered: each file's relative path, stamp and hash, in
/// walk order, and the directory hash they made.
pub struct DirListing {
    md5: String,
    complete: bool,
    blob: Vec<u8>,
}

/// One remembered member of a [`DirListing`].
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    stamp: Stamp,
    md5: &'a str,
}

impl Member<'_> {
    /// The remembered hash, if the file still has the same inode, mtime and size (and
    /// was not racily new when remembered).
    pub fn hash_for(&self, meta: &FileMeta) -> Option<&str> {
        (!self.md5.is_empty() && self.stamp == Stamp::of(meta)).then_some(self.md5)
    }
}

impl DirListing {
    /// The directory hash, if `listing` (the walk just made: relative path and `stat`,
    /// in walk order) is exactly the remembered one and no member was racily new. A
    /// member the walk did not stat cannot vouch for itself.
    pub fn hash_if_unchanged<'a>(
        &self,
        listing: impl ExactSizeIterator<Item = (&'a [u8], Option<&'a FileMeta>)>,
    ) -> Option<&str> {
        if !self.complete {
            return None;
        }
        let mut rest = self.blob.as_slice();
        for (rel, meta) in listing {
            let (name, member, tail) = decode_entry(rest)?;
            if name != rel || member.stamp != Stamp::of(meta?) {
                return None;
            }
            rest = tail;
        }
        rest.is_empty().then_some(self.md5.as_str())
    }

    /// The remembered members by relative path.
    pub fn members(&self) -> HashMap<&[u8], Member<'_>> {
        let mut out = HashMap::new();
        let mut rest = self.blob.as_slice();
        while let Some((name, member, tail)) = decode_entry(rest) {
            out.insert(name, member);
            rest = tail;
        }
        out
    }
}

/// The state table of one checkout.
pub struct State {
    path: PathBuf,
    conn: Option<Mutex<Connection>>,
    /// File rows by hash kind, then path (looked up by `&str`, without building a key);
    /// loaded on first use, so a command answered from directory listings never reads them.
    rows: OnceLock<Rows>,
    dirty: Mutex<Vec<(String, usize, Stamp, String)>>,
    dirty_dirs: Mutex<Vec<DirRow>>,
}

fn kind_code(kind: HashKind) -> usize {
    match kind {
        HashKind::Md5 => 0,
        HashKind::LegacyDos2Unix => 1,
    }
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

impl State {
    /// Opens (creating and migrating) the state database at `path`.
    pub fn open(path: &Path) -> Result<State> {
        let conn = Self::connect(path)?;
        Ok(State {
            path: path.to_path_buf(),
            conn: Some(Mutex::new(conn)),
            rows: OnceLock::new(),
            dirty: Mutex::new(Vec::new()),
            dirty_dirs: Mutex::new(Vec::new()),
        })
    }

    /// A state that remembers nothing (when the database can't be used).
    pub fn in_memory() -> State {
        State {
            path: PathBuf::new(),
            conn: None,
            rows: OnceLock::from(Rows::default()),
            dirty: Mutex::new(Vec::new()),
            dirty_dirs: Mutex::new(Vec::new()),
        }
    }

    fn connect(path: &Path) -> Result<Connection> {
        let err = |source| DataError::State {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| DataError::io(parent, e))?;
        }
        let open = || -> rusqlite::Result<(Connection, usize)> {
            let conn = Connection::open(path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            // The table only saves re-hashing, so it is not worth an fsync per command
            // (several ms on an add); a file an OS crash damaged is started afresh.
            conn.pragma_update(None, "synchronous", "OFF")?;
            let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            Ok((conn, version))
        };
        let (mut conn, version) = match open() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
                ) =>
            {
                std::fs::remove_file(path).map_err(|e| DataError::io(path, e))?;
                open().map_err(err)?
            }
            other => other.map_err(err)?,
        };
        if version < MIGRATIONS.len() {
            let tx = conn.transaction().map_err(err)?;
            for m in &MIGRATIONS[version..] {
                tx.execute_batch(m).map_err(err)?;
            }
            tx.pragma_update(None, "user_version", MIGRATIONS.len())
                .map_err(err)?;
            tx.commit().map_err(err)?;
        }
        Ok(conn)
    }

    fn rows(&self) -> &Rows {
        // A state that fails to load only costs speed: fall back to remembering nothing.
        self.rows
            .get_or_init(|| self.load_rows().unwrap_or_default())
    }

    fn load_rows(&self) -> rusqlite::Result<Rows> {
        let mut rows = Rows::default();
        let Some(conn) = &self.conn else {
            return Ok(rows);
        };
        let conn = conn.lock().expect("state connection");
        let n: usize = conn.query_row("SELECT count(*) FROM hashes", [], |r| r.get(0))?;
        rows[0].reserve(n);
        let mut stmt = conn.prepare("SELECT path, kind, inode, mtime_ns, size, md5 FROM hashes")?;
        let iter = stmt.query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, usize>(1)?),
                (
                    Stamp {
                        inode: r.get::<_, i64>(2)? as u64,
                        mtime_ns: r.get(3)?,
                        size: r.get::<_, i64>(4)? as u64,
                    },
                    r.get::<_, String>(5)?,
                ),
            ))
        })?;
        for row in iter {
            let ((path, kind), v) = row?;
            if let Some(map) = rows.get_mut(kind) {
                map.insert(path, v);
            }
        }
        Ok(rows)
    }

    /// The remembered hash of `path` if its inode, mtime and size are unchanged.
    pub fn get(&self, path: &Path, meta: &FileMeta, kind: HashKind) -> Option<String> {
        let (stamp, md5) = self.rows()[kind_code(kind)].get(&*path.to_string_lossy())?;
        (*stamp == Stamp::of(meta)).then(|| md5.clone())
    }

    /// Remembers that `path` with `meta` hashes to `md5` (unless it is racily new).
    pub fn put(&self, path: &Path, meta: &FileMeta, kind: HashKind, md5: &str) {
        let stamp = Stamp::of(meta);
        if now_ns() - stamp.mtime_ns < RACY_WINDOW_NS {
            return;
        }
        let key = path.to_string_lossy();
        if self.rows()[kind_code(kind)]
            .get(&*key)
            .is_some_and(|(s, m)| *s == stamp && m == md5)
        {
            return;
        }
        self.dirty.lock().expect("state mutex").push((
            key.into_owned(),
            kind_code(kind),
            stamp,
            md5.to_string(),
        ));
    }

    /// The listing remembered for directory `dir`, if any.
    pub fn dir_listing(&self, dir: &Path, kind: HashKind) -> Option<DirListing> {
        let conn = self.conn.as_ref()?.lock().expect("state connection");
        conn.query_row(
            "SELECT md5, complete, listing FROM dir_listings WHERE path = ?1 AND kind = ?2",
            params![&*dir.to_string_lossy(), kind_code(kind) as i64],
            |r| {
                Ok(DirListing {
                    md5: r.get(0)?,
                    complete: r.get(1)?,
                    blob: r.get(2)?,
                })
            },
        )
        .optional()
        .ok()?
    }

    /// Remembers that directory `dir`, walked as `members` (relative path, `stat` and
    /// hash of each file, in walk order), hashes to `md5`. Racily new files are kept
    /// without their hash, and then the listing cannot answer for the whole directory.
    pub fn put_dir<'a>(
        &self,
        dir: &Path,
        kind: HashKind,
        members: impl ExactSizeIterator<Item = (&'a [u8], &'a FileMeta, &'a str)>,
        md5: &str,
    ) {
        if self.conn.is_none() {
            return;
        }
        let now = now_ns();
        let mut complete = true;
        let mut blob = Vec::with_capacity(members.len() * 80);
        for (rel, meta, hash) in members {
            let racy = now - meta.mtime_ns < RACY_WINDOW_NS;
            complete &= !racy;
            let hash = if racy { "" } else { hash };
            blob.extend_from_slice(&(rel.len() as u32).to_le_bytes());
            blob.extend_from_slice(rel);
            blob.extend_from_slice(&meta.ino.to_le_bytes());
            blob.extend_from_slice(&meta.mtime_ns.to_le_bytes());
            blob.extend_from_slice(&meta.size.to_le_bytes());
            blob.push(hash.len() as u8);
            blob.extend_from_slice(hash.as_bytes());
        }
        self.dirty_dirs.lock().expect("state mutex").push(DirRow {
            path: dir.to_string_lossy().into_owned(),
            kind: kind_code(kind),
            md5: md5.to_string(),
            complete,
            listing: blob,
        });
    }

    /// Writes new entries back in one transaction.
    pub fn save(&self) -> Result<()> {
        let dirty = std::mem::take(&mut *self.dirty.lock().expect("state mutex"));
        let dirty_dirs = std::mem::take(&mut *self.dirty_dirs.lock().expect("state mutex"));
        let Some(conn) = &self.conn else {
            return Ok(());
        };
        if dirty.is_empty() && dirty_dirs.is_empty() {
            return Ok(());
        }
        let err = |source| DataError::State {
            path: self.path.clone(),
            source,
        };
        let mut conn = conn.lock().expect("state connection");
        let tx = conn.transaction().map_err(err)?;
        {
            let mut stmt = tx.prepare("INSERT OR REPLACE INTO hashes (path, kind, inode, mtime_ns, size, md5) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").map_err(err)?;
            for (path, kind, s, md5) in dirty {
                stmt.execute(params![
                    path,
                    kind as i64,
                    s.inode as i64,
                    s.mtime_ns,
                    s.size as i64,
                    md5
                ])
                .map_err(err)?;
            }
            let mut stmt = tx
                .prepare("INSERT OR REPLACE INTO dir_listings (path, kind, md5, complete, listing) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(err)?;
            for d in dirty_dirs {
                stmt.execute(params![d.path, d.kind as i64, d.md5, d.complete, d.listing])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}

/// One member of a stored listing, and the rest of the blob.
fn decode_entry(blob: &[u8]) -> Option<(&[u8], Member<'_>, &[u8])> {
    let (len, rest) = blob.split_first_chunk::<4>()?;
    let len = u32::from_le_bytes(*len) as usize;
    let name = rest.get(..len)?;
    let rest = &rest[len..];
    let (ino, rest) = rest.split_first_chunk::<8>()?;
    let (mtime, rest) = rest.split_first_chunk::<8>()?;
    let (size, rest) = rest.split_first_chunk::<8>()?;
    let (hash_len, rest) = rest.split_first()?;
    let hash = std::str::from_utf8(rest.get(..*hash_len as usize)?).ok()?;
    Some((
        name,
        Member {
            stamp: Stamp {
                inode: u64::from_le_bytes(*ino),
                mtime_ns: i64::from_le_bytes(*mtime),
                size: u64::from_le_bytes(*size),
            },
            md5: hash,
        },
        &rest[*hash_len as usize..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_damaged_database_is_started_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"a").unwrap();
        let old = filetime::FileTime::from_system_time(SystemTime::now() - Duration::from_secs(10));
        filetime::set_file_mtime(&f, old).unwrap();
        let db = dir.path().join("state.db");
        std::fs::write(&db, vec![0x5a; 8192]).unwrap();
        let s = State::open(&db).expect("a damaged file is replaced, not an error");
        let meta = FileMeta::from(&std::fs::metadata(&f).unwrap());
        s.put(&f, &meta, HashKind::Md5, "x");
        s.save().unwrap();
        let s = State::open(&db).unwrap();
        assert_eq!(s.get(&f, &meta, HashKind::Md5).as_deref(), Some("x"));
    }

    #[test]
    fn remembers_until_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"a").unwrap();
        // Age the file past the racy window.
        let old = filetime::FileTime::from_system_time(SystemTime::now() - Duration::from_secs(10));
        filetime::set_file_mtime(&f, old).unwrap();
        let db = dir.path().join("s/state.db");
        let s = State::open(&db).unwrap();
        let meta = FileMeta::from(&std::fs::metadata(&f).unwrap());
        s.put(&f, &meta, HashKind::Md5, "x");
        s.save().unwrap();
        let s = State::open(&db).unwrap();
        assert_eq!(s.get(&f, &meta, HashKind::Md5).as_deref(), Some("x"));
        assert_eq!(s.get(&f, &meta, HashKind::LegacyDos2Unix), None);
        std::fs::write(&f, b"bb").unwrap();
        assert_eq!(
            s.get(
                &f,
                &FileMeta::from(&std::fs::metadata(&f).unwrap()),
                HashKind::Md5
            ),
            None
        );
    }

    #[test]
    fn remembers_a_directory_until_its_listing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("d");
        std::fs::create_dir(&d).unwrap();
        let old = filetime::FileTime::from_system_time(SystemTime::now() - Duration::from_secs(10));
        let mut files = Vec::new();
        for name in ["a", "b"] {
            let p = d.join(name);
            std::fs::write(&p, name).unwrap();
            filetime::set_file_mtime(&p, old).unwrap();
            files.push((p.clone(), FileMeta::from(&std::fs::metadata(&p).unwrap())));
        }
        fn listing(
            f: &[(PathBuf, FileMeta)],
        ) -> impl ExactSizeIterator<Item = (&[u8], Option<&FileMeta>)> {
            f.iter()
                .map(|(p, m)| (p.file_name().unwrap().as_encoded_bytes(), Some(m)))
        }
        fn members(
            f: &[(PathBuf, FileMeta)],
        ) -> impl ExactSizeIterator<Item = (&[u8], &FileMeta, &str)> {
            f.iter()
                .map(|(p, m)| (p.file_name().unwrap().as_encoded_bytes(), m, "h"))
        }
        let db = dir.path().join("state.db");
        let s = State::open(&db).unwrap();
        s.put_dir(&d, HashKind::Md5, members(&files), "x.dir");
        s.save().unwrap();
        let s = State::open(&db).unwrap();
        let hash = |kind, f: &[(PathBuf, FileMeta)]| {
            s.dir_listing(&d, kind)
                .and_then(|l| l.hash_if_unchanged(listing(f)).map(str::to_string))
        };
        assert_eq!(hash(HashKind::Md5, &files).as_deref(), Some("x.dir"));
        assert_eq!(hash(HashKind::LegacyDos2Unix, &files), None);
        assert_eq!(hash(HashKind::Md5, &files[..1]), None, "a file went");
        let mut touched = files.clone();
        touched[1].1.mtime_ns += 1;
        assert_eq!(hash(HashKind::Md5, &touched), None);
        let unstatted = s
            .dir_listing(&d, HashKind::Md5)
            .unwrap()
            .hash_if_unchanged(
                files
                    .iter()
                    .map(|(p, _)| (p.file_name().unwrap().as_encoded_bytes(), None)),
            )
            .map(str::to_string);
        assert_eq!(unstatted, None, "a member not statted vouches for nothing");
        // Members answer one by one: the untouched file still has its hash.
        let l = s.dir_listing(&d, HashKind::Md5).unwrap();
        let m = l.members();
        assert_eq!(m[b"a".as_slice()].hash_for(&touched[0].1), Some("h"));
        assert_eq!(m[b"b".as_slice()].hash_for(&touched[1].1), None);
        // A racily new file: kept without its hash, and the listing no longer answers
        // for the whole directory.
        std::fs::write(&files[0].0, "new").unwrap();
        files[0].1 = FileMeta::from(&std::fs::metadata(&files[0].0).unwrap());
        s.put_dir(&d, HashKind::Md5, members(&files), "y.dir");
        s.save().unwrap();
        assert_eq!(hash(HashKind::Md5, &files), None);
        let l = s.dir_listing(&d, HashKind::Md5).unwrap();
        assert_eq!(l.members()[b"a".as_slice()].hash_for(&files[0].1), None);
        assert_eq!(
            l.members()[b"b".as_slice()].hash_for(&files[1].1),
            Some("h")
        );
    }

    #[test]
    fn fresh_files_are_not_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"a").unwrap();
        let db = dir.path().join("state.db");
        let s = State::open(&db).unwrap();
        s.put(
            &f,
            &FileMeta::from(&std::fs::metadata(&f).unwrap()),
            HashKind::Md5,
            "x",
        );
        s.save().unwrap();
        assert_eq!(
            State::open(&db).unwrap().get(
                &f,
                &FileMeta::from(&std::fs::metadata(&f).unwrap()),
                HashKind::Md5
            ),
            None
        );
    }
}
