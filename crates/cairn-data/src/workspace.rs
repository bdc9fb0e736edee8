//! Hashing what is in the workspace — a file or a whole directory — optionally storing
//! it in the cache in the same pass.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_core::{Progress, ProgressEvent};
use rayon::prelude::*;

use crate::dirhandle::{DirHandle, DirName, NameKind};
use crate::error::{DataError, Result};
use crate::hash::{self, HashKind};
use crate::ignore::{self, DvcIgnore};
use crate::manifest::{Entry, Manifest};
use crate::meta::FileMeta;
use crate::odb::{Batch, Odb};
use crate::pointer::HashInfo;
use crate::state::{Member, State};

/// The content of a workspace path.
#[derive(Debug, Clone)]
pub struct Hashed {
    /// Hash, size and file count as a pointer records them.
    pub info: HashInfo,
    /// The listing, for a directory.
    pub manifest: Option<Manifest>,
    /// Whether a single file is executable.
    pub isexec: bool,
}

/// What to do with the bytes while hashing.
#[derive(Clone, Copy)]
pub enum Pass<'a> {
    /// Only hash.
    Hash,
    /// Hash and store each file (and the manifest) in this cache.
    Store(&'a Odb),
}

/// Everything needed to hash workspace paths of one repository.
pub struct Hasher<'a> {
    /// Repository root.
    pub root: &'a Path,
    /// Remembered hashes.
    pub state: &'a State,
    /// Where progress goes.
    pub progress: &'a dyn Progress,
    /// `.dvcignore` rules by directory, so each file is read once per command.
    ignores: std::sync::Mutex<std::collections::HashMap<PathBuf, std::sync::Arc<DvcIgnore>>>,
}

impl<'a> Hasher<'a> {
    /// A hasher for the repository at `root`.
    pub fn new(root: &'a Path, state: &'a State, progress: &'a dyn Progress) -> Self {
        Hasher {
            root,
            state,
            progress,
            ignores: Default::default(),
        }
    }

    /// The `.dvcignore` rules that apply inside `dir`.
    fn ignore_for(&self, dir: &Path) -> Result<std::sync::Arc<DvcIgnore>> {
        if let Some(ig) = self.ignores.lock().expect("ignore cache").get(dir) {
            return Ok(ig.clone());
        }
        let ig = std::sync::Arc::new(DvcIgnore::load_for(self.root, dir)?);
        self.ignores
            .lock()
            .expect("ignore cache")
            .insert(dir.to_path_buf(), ig.clone());
        Ok(ig)
    }
}

impl Hasher<'_> {
    /// Hashes `path` (absolute). `Ok(None)` if it does not exist or is ignored.
    pub fn hash(&self, path: &Path, kind: HashKind, pass: Pass<'_>) -> Result<Option<Hashed>> {
        self.hash_with(path, kind, pass, true)
    }

    /// Hashes `path` only to compare its hash: a directory whose walk matches the
    /// listing it was last hashed from is answered without its manifest
    /// ([`Hashed::manifest`] is then `None`).
    pub fn hash_to_compare(&self, path: &Path, kind: HashKind) -> Result<Option<Hashed>> {
        self.hash_with(path, kind, Pass::Hash, false)
    }

    fn hash_with(
        &self,
        path: &Path,
        kind: HashKind,
        pass: Pass<'_>,
        manifest_needed: bool,
    ) -> Result<Option<Hashed>> {
        let parent = path.parent().unwrap_or(self.root);
        let ignore = self.ignore_for(parent)?;
        let Ok(meta) = std::fs::metadata(path).map(|m| FileMeta::from(&m)) else {
            return Ok(None);
        };
        if ignore.is_ignored(path, meta.is_dir()) {
            return Ok(None);
        }
        if meta.is_dir() {
            return self
                .hash_dir(path, kind, pass, &ignore, manifest_needed)
                .map(Some);
        }
        self.progress.event(ProgressEvent::Start {
            phase: "hashing",
            total_files: Some(1),
            total_bytes: Some(meta.len()),
        });
        let md5 = self.hash_file(path, &|| std::fs::File::open(path), &meta, kind, pass)?;
        self.progress.event(ProgressEvent::Advance {
            files: 1,
            bytes: meta.len(),
        });
        self.progress.event(ProgressEvent::Finish);
        let isexec = meta.is_exec();
        Ok(Some(Hashed {
            info: HashInfo {
                md5,
                size: Some(meta.len()),
                nfiles: None,
                kind,
            },
            manifest: None,
            isexec,
        }))
    }

    /// Hashes a member of a directory being hashed, unless the directory's remembered
    /// listing knows it. Members are remembered with their directory's listing, not as
    /// rows of their own.
    fn hash_member(
        &self,
        dir: &Path,
        f: &WalkedFile,
        known: Option<&Member<'_>>,
        kind: HashKind,
        pass: Pass<'_>,
        batch: Option<&Batch<'_>>,
    ) -> Result<(String, FileMeta)> {
        let path = || f.path(dir);
        let Some(meta) = f.meta else {
            // Not statted by the walk: the open file says what it is.
            let (file, meta) = f.open_and_stat().map_err(|e| DataError::io(path(), e))?;
            let md5 = self.hash_opened(&path(), file, &meta, kind, pass, batch)?;
            return Ok((md5, meta));
        };
        if let Some(md5) = known.and_then(|k| k.hash_for(&meta))
            && remembered_is_enough(pass, md5, kind)
        {
            return Ok((md5.to_string(), meta));
        }
        let md5 = self.read_and_hash(&path(), &|| f.open(), &meta, kind, pass, batch)?;
        Ok((md5, meta))
    }

    /// Hashes one file (`open` opens it) unless the state table knows it, storing it
    /// in the cache for [`Pass::Store`].
    fn hash_file(
        &self,
        path: &Path,
        open: &dyn Fn() -> std::io::Result<std::fs::File>,
        meta: &FileMeta,
        kind: HashKind,
        pass: Pass<'_>,
    ) -> Result<String> {
        if let Some(md5) = self.state.get(path, meta, kind)
            && remembered_is_enough(pass, &md5, kind)
        {
            return Ok(md5);
        }
        let md5 = self.read_and_hash(path, open, meta, kind, pass, None)?;
        self.state.put(path, meta, kind, &md5);
        Ok(md5)
    }

    fn read_and_hash(
        &self,
        path: &Path,
        open: &dyn Fn() -> std::io::Result<std::fs::File>,
        meta: &FileMeta,
        kind: HashKind,
        pass: Pass<'_>,
        batch: Option<&Batch<'_>>,
    ) -> Result<String> {
        let file = open().map_err(|e| DataError::io(path, e))?;
        self.hash_opened(path, file, meta, kind, pass, batch)
    }

    /// Hashes (and for [`Pass::Store`] stores) an open file a `stat` described.
    fn hash_opened(
        &self,
        path: &Path,
        file: std::fs::File,
        meta: &FileMeta,
        kind: HashKind,
        pass: Pass<'_>,
        batch: Option<&Batch<'_>>,
    ) -> Result<String> {
        match (pass, kind, batch) {
            (Pass::Store(_), HashKind::Md5, Some(b)) => b.add_open_file(file, meta.len()),
            (Pass::Store(odb), HashKind::Md5, None) => odb.add_open_file(file, meta.len()),
            _ => hash::hash_open_file(file, meta.len(), kind),
        }
        .map(|(h, _)| h)
        .map_err(|e| DataError::io(path, e))
    }

    fn hash_dir(
        &self,
        dir: &Path,
        kind: HashKind,
        pass: Pass<'_>,
        ignore: &DvcIgnore,
        manifest_needed: bool,
    ) -> Result<Hashed> {
        let remembered = self.state.dir_listing(dir, kind);
        // A directory hashed before is walked with a `stat` of every file, so unchanged
        // files are answered from its remembered listing without being opened. Every
        // file of one never hashed here gets read anyway: its `stat` then comes from the
        // open file, and the walk only reads directory listings (on a first add of
        // 10,000 files that takes the walk from ~14 ms to ~3 ms, and each `stat` no
        // longer looks its name up).
        let stat = match remembered {
            Some(_) => Stat::Every,
            None => Stat::Deferred,
        };
        let files = walk(dir, ignore, stat)?;
        let known_total: Option<u64> = files.iter().map(|f| f.meta.map(|m| m.len())).sum();
        if !manifest_needed
            && matches!(pass, Pass::Hash)
            && let Some(total) = known_total
            && let Some(md5) = remembered.as_ref().and_then(|r| {
                r.hash_if_unchanged(files.iter().map(|f| (f.rel.as_bytes(), f.meta.as_ref())))
            })
        {
            return Ok(Hashed {
                info: HashInfo {
                    md5: md5.to_string(),
                    size: Some(total),
                    nfiles: Some(files.len() as u64),
                    kind,
                },
                manifest: None,
                isexec: false,
            });
        }
        let members = remembered.as_ref().map(|r| r.members()).unwrap_or_default();
        self.progress.event(ProgressEvent::Start {
            phase: "hashing",
            total_files: Some(files.len() as u64),
            total_bytes: known_total,
        });
        // Only plain MD5 objects are stored through the batch (legacy hashes never are).
        let batch = match (pass, kind) {
            (Pass::Store(odb), HashKind::Md5) => Some((odb, odb.batch())),
            _ => None,
        };
        let results: Vec<Result<(String, FileMeta)>> = files
            .par_iter()
            // Small pieces, so no core is left alone with a long tail at the end.
            .with_max_len(64)
            .map(|f| {
                let (md5, meta) = self.hash_member(
                    dir,
                    f,
                    members.get(f.rel.as_bytes()),
                    kind,
                    pass,
                    batch.as_ref().map(|(_, b)| b),
                )?;
                self.progress.event(ProgressEvent::Advance {
                    files: 1,
                    bytes: meta.len(),
                });
                Ok((md5, meta))
            })
            .collect();
        self.progress.event(ProgressEvent::Finish);
        if let Some((odb, batch)) = batch {
            batch
                .publish()
                .map_err(|e| DataError::io(odb.root().join("files/md5"), e))?;
        }
        let mut hashed = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(h) => hashed.push(h),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(if errors.len() == 1 {
                errors.remove(0)
            } else {
                DataError::Several(errors)
            });
        }
        let total = hashed.iter().map(|(_, m)| m.len()).sum();
        let entries = files
            .iter()
            .zip(&hashed)
            .map(|(f, (md5, _))| Entry {
                relpath: f.relpath(),
                md5: md5.clone(),
            })
            .collect();
        let manifest = Manifest::new(entries);
        let bytes = manifest.to_bytes();
        let id = format!("{}.dir", hash::md5_bytes(&bytes));
        self.state.put_dir(
            dir,
            kind,
            files
                .iter()
                .zip(&hashed)
                .map(|(f, (md5, meta))| (f.rel.as_bytes(), meta, md5.as_str())),
            &id,
        );
        if let Pass::Store(odb) = pass {
            odb.add_bytes(&id, &bytes)
                .map_err(|e| DataError::io(odb.path(&id, HashKind::Md5), e))?;
            if kind == HashKind::Md5 {
                odb.note_complete(&id, &manifest);
            }
        }
        let info = HashInfo {
            md5: id,
            size: Some(total),
            nfiles: Some(manifest.entries().len() as u64),
            kind,
        };
        Ok(Hashed {
            info,
            manifest: Some(manifest),
            isexec: false,
        })
    }
}

/// Whether a remembered hash answers `pass` without reading the file: always when only
/// hashing; when storing, only if the object is already in the cache.
fn remembered_is_enough(pass: Pass<'_>, md5: &str, kind: HashKind) -> bool {
    match pass {
        Pass::Hash => true,
        Pass::Store(odb) => odb.contains(md5, kind),
    }
}

/// A file found by [`walk`].
#[derive(Debug)]
pub struct WalkedFile {
    /// Its path relative to the walked directory, `/`-separated.
    pub rel: OsString,
    /// Its `stat`, unless the walk left that to whoever opens it ([`Stat::Deferred`]).
    pub meta: Option<FileMeta>,
    /// Where its own name starts in `rel`.
    name_at: usize,
    dir: Arc<DirHandle>,
}

impl WalkedFile {
    /// Its absolute path, given the directory that was walked.
    pub fn path(&self, walked: &Path) -> PathBuf {
        walked.join(&self.rel)
    }

    /// Its relative path as a manifest records it.
    pub fn relpath(&self) -> String {
        self.rel.to_string_lossy().into_owned()
    }

    /// Opens the file for reading, relative to its open directory.
    pub fn open(&self) -> std::io::Result<std::fs::File> {
        self.dir
            .open_file(OsStr::from_bytes(&self.rel.as_bytes()[self.name_at..]))
    }

    /// Opens the file and `stat`s what was opened (one lookup of its name, not two).
    fn open_and_stat(&self) -> std::io::Result<(std::fs::File, FileMeta)> {
        let file = self.open()?;
        let meta = FileMeta::from(&rustix::fs::fstat(&file)?);
        if !meta.is_file() {
            // It was a file when the directory was read.
            return Err(std::io::Error::other(
                "changed from a file to something else while being read; run again",
            ));
        }
        Ok((file, meta))
    }
}

/// Whether a walk `stat`s every file it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// Every file (symlinks followed), so [`WalkedFile::meta`] is always there.
    Every,
    /// Only what `readdir` did not say is a regular file or a directory; the rest is left
    /// to whoever opens the file.
    Deferred,
}

/// Names per batch of stats: small enough that stats start while a large directory is
/// still being read, large enough that scheduling a batch costs nothing next to it.
const STAT_BATCH: usize = 256;

/// A directory entry as the walk classified it.
enum Found {
    Dir,
    File(Option<FileMeta>),
    /// Neither (a FIFO, socket or device, or a symlink to one): not data.
    Other,
}

type Classified = Vec<(OsString, std::io::Result<Found>)>;

fn classify(
    d: &DirHandle,
    name: &OsStr,
    kind: Option<NameKind>,
    stat: Stat,
) -> std::io::Result<Found> {
    Ok(match (kind, stat) {
        (Some(NameKind::Dir), _) => Found::Dir,
        (Some(NameKind::File), Stat::Deferred) => Found::File(None),
        (Some(NameKind::Special), _) => Found::Other,
        _ => {
            let m = d.stat(name)?;
            if m.is_dir() {
                Found::Dir
            } else if m.is_file() {
                Found::File(Some(m))
            } else {
                Found::Other
            }
        }
    })
}

/// Reads directory `d` and classifies every entry (following symlinks), in `readdir`
/// order — stable for an unchanged directory, which remembered listings rely on.
/// Batches that need `stat`s are statted in parallel while `readdir` goes on. Also says
/// whether a non-directory `.dvcignore` is among the names.
fn classify_all(d: &DirHandle, stat: Stat) -> Result<(bool, Classified)> {
    let done: std::sync::Mutex<Vec<(usize, Classified)>> = Default::default();
    let mut has_dvcignore = false;
    let read = rayon::scope(|s| {
        let mut batches = 0;
        let done = &done;
        d.names_in_batches(STAT_BATCH, |names| {
            has_dvcignore |= names
                .iter()
                .any(|n| n.name == ignore::FILE_NAME && n.kind != Some(NameKind::Dir));
            let index = batches;
            batches += 1;
            let needs_stat = names.iter().any(|n: &DirName| match n.kind {
                None => true,
                Some(NameKind::File) => stat == Stat::Every,
                Some(_) => false,
            });
            let work = move || {
                let found: Classified = names
                    .into_iter()
                    .map(|n| {
                        let f = classify(d, &n.name, n.kind, stat);
                        (n.name, f)
                    })
                    .collect();
                done.lock().expect("walk results").push((index, found));
            };
            if needs_stat {
                s.spawn(move |_| work());
            } else {
                work();
            }
        })
    });
    read.map_err(|e| DataError::io(d.path(), e))?;
    let mut done = done.into_inner().expect("walk results");
    done.sort_unstable_by_key(|(i, _)| *i);
    Ok((
        has_dvcignore,
        done.into_iter().flat_map(|(_, s)| s).collect(),
    ))
}

/// Every file under `dir` that `.dvcignore` does not hide, following symlinks as DVC
/// does. A `.dvcignore` inside `dir` is refused, as DVC refuses it.
pub fn walk(dir: &Path, ignore: &DvcIgnore, stat: Stat) -> Result<Vec<WalkedFile>> {
    let mut out = Vec::new();
    let top = DirHandle::open(dir).map_err(|e| DataError::io(dir, e))?;
    // Each directory still to read, with its path relative to `dir` plus a `/`.
    let mut stack: Vec<(Arc<DirHandle>, Vec<u8>)> = vec![(Arc::new(top), Vec::new())];
    while let Some((d, prefix)) = stack.pop() {
        let (has_dvcignore, found) = classify_all(&d, stat)?;
        if has_dvcignore {
            let path = d.path().join(ignore::FILE_NAME);
            if path.is_file() {
                return Err(DataError::BadPath {
                    path,
                    reason: format!(
                        "a .dvcignore inside the tracked directory {} is not allowed (DVC refuses it too); move its patterns to a .dvcignore above it",
                        dir.display()
                    ),
                });
            }
        }
        for (name, f) in found {
            let f = f.map_err(|e| DataError::io(d.path().join(&name), e))?;
            let is_dir = matches!(f, Found::Dir);
            // DVC's built-in patterns (`.git`, `.git/`, `.hg/`, `.dvc/`) match at any depth.
            let builtin = name == ".git" || (is_dir && (name == ".hg" || name == ".dvc"));
            if builtin
                || (ignore.has_patterns() && ignore.is_ignored(&d.path().join(&name), is_dir))
            {
                continue;
            }
            let mut rel = Vec::with_capacity(prefix.len() + name.len() + 1);
            rel.extend_from_slice(&prefix);
            rel.extend_from_slice(name.as_bytes());
            match f {
                Found::Dir => {
                    let sub = d
                        .open_dir(&name)
                        .map_err(|e| DataError::io(d.path().join(&name), e))?;
                    rel.push(b'/');
                    stack.push((Arc::new(sub), rel));
                }
                Found::File(meta) => out.push(WalkedFile {
                    rel: OsString::from_vec(rel),
                    meta,
                    name_at: prefix.len(),
                    dir: d.clone(),
                }),
                Found::Other => {}
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_core::NoProgress;

    /// A tree with every kind of entry a walk meets: files, a subfolder, symlinks to a
    /// file and to a folder, a FIFO and a `.git` folder.
    fn tree() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let d = root.path().join("d");
        std::fs::create_dir_all(d.join("sub/.git")).unwrap();
        std::fs::write(d.join("a"), b"a").unwrap();
        std::fs::write(d.join("sub/b"), b"bb").unwrap();
        std::fs::write(d.join("sub/.git/c"), b"c").unwrap();
        std::os::unix::fs::symlink("a", d.join("to-a")).unwrap();
        std::os::unix::fs::symlink("sub", d.join("to-sub")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            d.join("pipe"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        root
    }

    fn found(dir: &Path, stat: Stat) -> Vec<(String, Option<u64>)> {
        let ignore = DvcIgnore::load_for(dir.parent().unwrap(), dir).unwrap();
        let mut out: Vec<_> = walk(dir, &ignore, stat)
            .unwrap()
            .into_iter()
            .map(|f| (f.relpath(), f.meta.map(|m| m.len())))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_deferred_walk_finds_what_a_statting_walk_finds_and_skips_fifos() {
        let root = tree();
        let d = root.path().join("d");
        let every = found(&d, Stat::Every);
        let deferred = found(&d, Stat::Deferred);
        let names =
            |v: &[(String, Option<u64>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&every), ["a", "sub/b", "to-a", "to-sub/b"]);
        assert_eq!(names(&deferred), names(&every));
        assert!(every.iter().all(|(_, m)| m.is_some()));
        // Only the symlink needed a stat to be known as a file.
        assert_eq!(
            deferred,
            [
                ("a".to_string(), None),
                ("sub/b".to_string(), None),
                ("to-a".to_string(), Some(1)),
                ("to-sub/b".to_string(), None)
            ]
        );
    }

    #[test]
    fn a_first_hash_without_stats_equals_one_from_a_remembered_listing() {
        let root = tree();
        let d = root.path().join("d");
        let state = State::open(&root.path().join("state.db")).unwrap();
        let hasher = Hasher::new(root.path(), &state, &NoProgress);
        // Never hashed: the walk defers its stats to the opened files.
        let first = hasher.hash(&d, HashKind::Md5, Pass::Hash).unwrap().unwrap();
        assert_eq!(first.info.size, Some(1 + 2 + 1 + 2));
        assert_eq!(first.info.nfiles, Some(4));
        // Remembered once saved: the next walk stats every file (the files are too new
        // for their hashes to be trusted, so they are read again).
        state.save().unwrap();
        assert!(state.dir_listing(&d, HashKind::Md5).is_some());
        let again = hasher.hash(&d, HashKind::Md5, Pass::Hash).unwrap().unwrap();
        assert_eq!(again.info, first.info);
        assert_eq!(
            again.manifest.unwrap().to_bytes(),
            first.manifest.unwrap().to_bytes()
        );
    }
}
