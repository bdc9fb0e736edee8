//! The per-machine state table: remembered hashes keyed by path, inode, mtime and size,
//! so unchanged files are not read again.
//!
//! It lives in `.dvc/tmp/cairn/state.db` (never committed, per checkout). Rows are
//! loaded once per command and written back in one transaction, because per-file
//! queries would cost more than hashing the small files they are meant to skip.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

use crate::error::{DataError, Result};
use crate::hash::HashKind;

/// A file written within this window before it was hashed may be modified again inside
/// the same filesystem timestamp tick, so its hash is not remembered ("racily clean").
const RACY_WINDOW_NS: i64 = 100_000_000;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &["CREATE TABLE hashes (
        path TEXT NOT NULL,
        kind INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        md5 TEXT NOT NULL,
        PRIMARY KEY (path, kind)
    )"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    mtime_ns: i64,
    size: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            inode: meta.ino(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            size: meta.len(),
        }
    }
}

/// The loaded state table.
pub struct State {
    path: PathBuf,
    rows: HashMap<(String, u8), (Stamp, String)>,
    dirty: Mutex<Vec<(String, u8, Stamp, String)>>,
}

fn kind_code(kind: HashKind) -> u8 {
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
    /// Opens (creating and migrating) the state database at `path` and loads it.
    pub fn open(path: &Path) -> Result<State> {
        let conn = Self::connect(path)?;
        let err = |source| DataError::State {
            path: path.to_path_buf(),
            source,
        };
        let mut rows = HashMap::new();
        let mut stmt = conn
            .prepare("SELECT path, kind, inode, mtime_ns, size, md5 FROM hashes")
            .map_err(err)?;
        let iter = stmt
            .query_map([], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, u8>(1)?),
                    (
                        Stamp {
                            inode: r.get::<_, i64>(2)? as u64,
                            mtime_ns: r.get(3)?,
                            size: r.get::<_, i64>(4)? as u64,
                        },
                        r.get::<_, String>(5)?,
                    ),
                ))
            })
            .map_err(err)?;
        for row in iter {
            let (k, v) = row.map_err(err)?;
            rows.insert(k, v);
        }
        Ok(State {
            path: path.to_path_buf(),
            rows,
            dirty: Mutex::new(Vec::new()),
        })
    }

    /// A state that remembers nothing (when the database can't be used).
    pub fn in_memory() -> State {
        State {
            path: PathBuf::new(),
            rows: HashMap::new(),
            dirty: Mutex::new(Vec::new()),
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
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        let version: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
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

    /// The remembered hash of `path` if its inode, mtime and size are unchanged.
    pub fn get(&self, path: &Path, meta: &std::fs::Metadata, kind: HashKind) -> Option<String> {
        let key = (path.to_string_lossy().into_owned(), kind_code(kind));
        let (stamp, md5) = self.rows.get(&key)?;
        (*stamp == Stamp::of(meta)).then(|| md5.clone())
    }

    /// Remembers that `path` with `meta` hashes to `md5` (unless it is racily new).
    pub fn put(&self, path: &Path, meta: &std::fs::Metadata, kind: HashKind, md5: &str) {
        let stamp = Stamp::of(meta);
        if now_ns() - stamp.mtime_ns < RACY_WINDOW_NS {
            return;
        }
        let key = (path.to_string_lossy().into_owned(), kind_code(kind));
        if self
            .rows
            .get(&key)
            .is_some_and(|(s, m)| *s == stamp && m == md5)
        {
            return;
        }
        self.dirty
            .lock()
            .expect("state mutex")
            .push((key.0, key.1, stamp, md5.to_string()));
    }

    /// Writes new entries back in one transaction.
    pub fn save(&self) -> Result<()> {
        let dirty = std::mem::take(&mut *self.dirty.lock().expect("state mutex"));
        if dirty.is_empty() || self.path.as_os_str().is_empty() {
            return Ok(());
        }
        let err = |source| DataError::State {
            path: self.path.clone(),
            source,
        };
        let mut conn = Self::connect(&self.path)?;
        let tx = conn.transaction().map_err(err)?;
        {
            let mut stmt = tx.prepare("INSERT OR REPLACE INTO hashes (path, kind, inode, mtime_ns, size, md5) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").map_err(err)?;
            for (path, kind, s, md5) in dirty {
                stmt.execute(params![
                    path,
                    kind,
                    s.inode as i64,
                    s.mtime_ns,
                    s.size as i64,
                    md5
                ])
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
        let meta = std::fs::metadata(&f).unwrap();
        s.put(&f, &meta, HashKind::Md5, "x");
        s.save().unwrap();
        let s = State::open(&db).unwrap();
        assert_eq!(s.get(&f, &meta, HashKind::Md5).as_deref(), Some("x"));
        assert_eq!(s.get(&f, &meta, HashKind::LegacyDos2Unix), None);
        std::fs::write(&f, b"bb").unwrap();
        assert_eq!(
            s.get(&f, &std::fs::metadata(&f).unwrap(), HashKind::Md5),
            None
        );
    }

    #[test]
    fn fresh_files_are_not_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"a").unwrap();
        let db = dir.path().join("state.db");
        let s = State::open(&db).unwrap();
        s.put(&f, &std::fs::metadata(&f).unwrap(), HashKind::Md5, "x");
        s.save().unwrap();
        assert_eq!(
            State::open(&db)
                .unwrap()
                .get(&f, &std::fs::metadata(&f).unwrap(), HashKind::Md5),
            None
        );
    }
}
