//! Remotes: push, fetch and pull cache objects in DVC 3's remote layout
//! (`files/md5/xx/…`), so `dvc pull` reads what Cairn pushed and the reverse.
//!
//! - [`folder`]: a local disk or a mounted share (`dvc remote add -d NAME /mnt/store`).
//! - [`s3`]: S3 and S3-compatible services (`s3://bucket/prefix`, `endpointurl`).
//! - [`http`]: a web server (`https://host/path`); pushes go as DVC's do (`POST`).
//! - [`ssh`]: another machine over SSH (`ssh://host/path`), through the user's `ssh`.
//! - [`azure`]: Azure Blob Storage (`azure://container/path`), signed with the account key
//!   or a SAS token.
//! - [`gs`]: Google Cloud Storage (`gs://bucket/path`), with a service account key or
//!   gcloud's application default credentials.
//! - [`webdav`]: a WebDAV folder (`webdav://host/path`, `webdavs://` over https): a
//!   Nextcloud or ownCloud share, a university's file service.
//!
//! Other kinds (oss, hdfs…) are refused by name, pointing at `dvc push`.
//! Objects are never visible half-written on either side, and every fetched object is
//! re-hashed before it enters the cache, so an interrupted transfer or a damaged remote
//! never leaves a wrong object under a right name.

pub mod azure;
pub mod folder;
pub mod gs;
pub mod http;
mod listing;
mod percent;
pub mod s3;
pub mod setup;
pub mod ssh;
pub mod store;
pub mod webdav;

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use cairn_core::{Progress, ProgressEvent};
use rayon::prelude::*;
use serde::Serialize;

use crate::collect;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;
use crate::pointer::HashInfo;
use crate::repo::Repo;
use azure::Azure;
use folder::Folder;
use gs::Gs;
use http::Http;
use s3::S3;
use ssh::Ssh;
use store::Store;
use webdav::WebDav;

/// A configured remote.
#[derive(Debug)]
pub struct Remote {
    /// Its name in `.dvc/config`.
    pub name: String,
    store: Box<dyn Store>,
}

/// Data a push or fetch is about: a workspace path and the hash recorded for it.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// Repo-relative path, for messages.
    pub path: String,
    /// Its recorded hash.
    pub hash: HashInfo,
    /// `push: false` outputs are fetched but never pushed.
    pub push: bool,
}

/// What a push or fetch did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Transfer {
    /// The remote's name.
    pub remote: String,
    /// Objects copied.
    pub transferred: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// Objects already on the other side.
    pub up_to_date: usize,
    /// Paths whose data is on neither side (not in the cache for a push, not on the
    /// remote for a fetch).
    pub missing: Vec<String>,
}

impl Remote {
    /// A remote over a store opened by hand rather than from `.dvc/config` (a worker's
    /// cache).
    pub fn with_store(name: &str, store: Box<dyn Store>) -> Remote {
        Remote {
            name: name.to_string(),
            store,
        }
    }

    /// Runs `work` (rayon parallel iterators) with as many transfers at once as the
    /// store wants: a network store waits on round trips, not on the CPU.
    /// Which of `objects` the remote holds, asked in parallel.
    pub fn holds(&self, objects: &[(String, HashKind)]) -> Result<Vec<bool>> {
        self.parallel(|| {
            objects
                .par_iter()
                .map(|(hash, kind)| self.store.contains(hash, *kind))
                .collect()
        })
    }

    fn parallel<T: Send>(&self, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
        match self.store.jobs() {
            None => work(),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| DataError::Remote(format!("cannot start {n} transfer threads: {e}")))?
                .install(work),
        }
    }
}

/// The scheme of a URL (`s3`), none for a path.
fn scheme(url: &str) -> Option<&str> {
    let (s, rest) = url.split_once("://")?;
    (!s.is_empty() && !rest.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'))
        .then_some(s)
}

/// The remote named `name`, else `core.remote`.
pub fn resolve(repo: &Repo, name: Option<&str>) -> Result<Remote> {
    let config = repo.config();
    let name = match name.or(config.default_remote.as_deref()) {
        Some(n) => n.to_string(),
        None => {
            return Err(DataError::Remote(
                "no default remote: add one with `dvc remote add -d NAME /path/to/folder` (or name one with -r)"
                    .into(),
            ));
        }
    };
    let r = config.remotes.iter().find(|r| r.name == name).ok_or_else(|| {
        DataError::Remote(format!(
            "remote `{name}` is not in .dvc/config; add it with `dvc remote add {name} /path/to/folder`"
        ))
    })?;
    let store: Box<dyn Store> = match scheme(&r.url) {
        None | Some("file") => {
            let path = r.url.strip_prefix("file://").unwrap_or(&r.url);
            Box::new(Folder::new(&name, r.base.join(path)))
        }
        Some("s3") => Box::new(S3::open(&name, &r.url, &r.options)?),
        Some("http" | "https") => Box::new(Http::open(&name, &r.url, &r.options)?),
        Some("ssh") => Box::new(Ssh::open(&name, &r.url, &r.options)?),
        Some("azure") => Box::new(Azure::open(&name, &r.url, &r.options)?),
        Some("gs") => Box::new(Gs::open(&name, &r.url, &r.options)?),
        Some("webdav" | "webdavs") => Box::new(WebDav::open(&name, &r.url, &r.options)?),
        Some(s) => {
            return Err(DataError::Remote(format!(
                "remote `{name}` is {}; Cairn pushes to and pulls from folders (a local disk or a mounted share), S3, Google Cloud Storage, Azure, SSH, HTTP and WebDAV — use `dvc push`/`dvc pull` for {s} remotes",
                r.url
            )));
        }
    };
    Ok(Remote { name, store })
}

/// Whether `url` is a remote Cairn can use: a folder, S3, GCS, Azure, SSH, HTTP or
/// WebDAV.
pub fn is_supported_url(url: &str) -> bool {
    matches!(
        scheme(url),
        None | Some(
            "file" | "s3" | "gs" | "azure" | "ssh" | "http" | "https" | "webdav" | "webdavs"
        )
    )
}

/// The data `.dvc` files record (cached outputs only).
pub fn pointer_objects(root: &Path) -> Result<(Vec<Wanted>, Vec<DataError>)> {
    let (tracked, errors) = collect::pointers(root)?;
    let mut out = Vec::new();
    for t in &tracked {
        for (i, o) in t.pointer.outs.iter().enumerate() {
            if let (Some(h), true) = (&o.hash, o.cache) {
                out.push(Wanted {
                    path: crate::paths::rel_slash(&t.out_path(i), root),
                    hash: h.clone(),
                    push: true,
                });
            }
        }
    }
    Ok((out, errors))
}

/// Every object behind `w`: the file, or a folder's manifest and its files. The
/// manifest is read from `manifests` (the side that has it).
fn objects_of(w: &Wanted, manifests: &Odb) -> Option<Vec<(String, HashKind)>> {
    let h = &w.hash;
    if !h.is_dir() {
        return Some(vec![(h.md5.clone(), h.kind)]);
    }
    let m = manifests.read_manifest(&h.md5, h.kind).ok()?;
    let mut out = vec![(h.md5.clone(), h.kind)];
    out.extend(m.entries().iter().map(|e| (e.md5.clone(), h.kind)));
    Some(out)
}

/// Where an object is, when it is not in both the cache and the remote (`dvc status
/// --cloud`'s words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudState {
    /// In the cache only: a push sends it.
    New,
    /// On the remote only: a fetch brings it.
    Deleted,
    /// In neither.
    Missing,
}

impl CloudState {
    /// The word dvc prints.
    pub fn as_str(self) -> &'static str {
        match self {
            CloudState::New => "new",
            CloudState::Deleted => "deleted",
            CloudState::Missing => "missing",
        }
    }
}

/// Every object behind the pushable outputs of `wanted` (a folder's listing, then its
/// files, named `folder/file`) that is not both in the cache and on `remote`, sorted by
/// name. Content recorded under several names is one object, named once (by the first
/// name; dvc keeps whichever its walk met first). A folder whose listing this machine
/// has never seen is named alone.
pub fn cloud_status(
    repo: &Repo,
    remote: &Remote,
    wanted: &[Wanted],
    progress: &dyn Progress,
) -> Result<Vec<(String, CloudState)>> {
    let local = repo.odb();
    let mut named: Vec<(String, String, HashKind)> = Vec::new();
    for w in wanted.iter().filter(|w| w.push) {
        let h = &w.hash;
        named.push((w.path.clone(), h.md5.clone(), h.kind));
        if h.is_dir()
            && let Ok(m) = local.recall_manifest(&h.md5, h.kind)
        {
            named.extend(
                m.entries()
                    .iter()
                    .map(|e| (format!("{}/{}", w.path, e.relpath), e.md5.clone(), h.kind)),
            );
        }
    }
    progress.event(ProgressEvent::Start {
        phase: "checking the remote",
        total_files: Some(named.len() as u64),
        total_bytes: None,
    });
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut seen = HashSet::new();
    named.retain(|(_, h, k)| seen.insert((h.clone(), *k)));
    let objects: Vec<(String, HashKind)> = named.iter().map(|(_, h, k)| (h.clone(), *k)).collect();
    let on_remote = remote.holds(&objects)?;
    progress.event(ProgressEvent::Finish);
    let out: Vec<(String, CloudState)> = named
        .into_iter()
        .zip(on_remote)
        .filter_map(
            |((name, hash, kind), remote)| match (local.contains(&hash, kind), remote) {
                (true, true) => None,
                (true, false) => Some((name, CloudState::New)),
                (false, true) => Some((name, CloudState::Deleted)),
                (false, false) => Some((name, CloudState::Missing)),
            },
        )
        .collect();
    // Already in name order: `named` was sorted before the look-ups.
    Ok(out)
}

/// Sends the objects of `wanted` that the remote lacks.
pub fn push(
    repo: &Repo,
    remote: &Remote,
    wanted: &[Wanted],
    progress: &dyn Progress,
) -> Result<Transfer> {
    let local = repo.odb();
    let mut t = Transfer {
        remote: remote.name.clone(),
        ..Transfer::default()
    };
    let mut todo: Vec<(String, HashKind)> = Vec::new();
    let mut seen = HashSet::new();
    for w in wanted.iter().filter(|w| w.push) {
        match objects_of(w, local) {
            Some(objs) if objs.iter().all(|(h, k)| local.contains(h, *k)) => {
                todo.extend(objs.into_iter().filter(|o| seen.insert(o.clone())));
            }
            _ => t.missing.push(w.path.clone()),
        }
    }
    progress.event(ProgressEvent::Start {
        phase: "pushing",
        total_files: Some(todo.len() as u64),
        total_bytes: None,
    });
    // Files before manifests: a manifest on the remote promises its files are there.
    let (manifests, files): (Vec<_>, Vec<_>) =
        todo.into_iter().partition(|(h, _)| h.ends_with(".dir"));
    for batch in [files, manifests] {
        let copied: Vec<Option<u64>> = remote.parallel(|| {
            batch
                .par_iter()
                .map(|(hash, kind)| {
                    let n = if remote.store.contains(hash, *kind)? {
                        None
                    } else {
                        Some(remote.store.put(local, hash, *kind)?)
                    };
                    progress.event(ProgressEvent::Advance {
                        files: 1,
                        bytes: n.unwrap_or(0),
                    });
                    Ok(n)
                })
                .collect::<Result<_>>()
        })?;
        tally(&mut t, &copied);
    }
    progress.event(ProgressEvent::Finish);
    Ok(t)
}

/// Brings the objects of `wanted` that the cache lacks from the remote, re-hashing each.
pub fn fetch(
    repo: &Repo,
    remote: &Remote,
    wanted: &[Wanted],
    progress: &dyn Progress,
) -> Result<Transfer> {
    let _lock = repo.lock()?;
    let local = repo.odb();
    let mut t = Transfer {
        remote: remote.name.clone(),
        ..Transfer::default()
    };
    // Manifests first: they say which files a folder needs.
    for w in wanted.iter().filter(|w| w.hash.is_dir()) {
        let h = &w.hash;
        if !local.contains(&h.md5, h.kind) && remote.store.contains(&h.md5, h.kind)? {
            let n = remote.store.get(local, &h.md5, h.kind)?;
            t.transferred += 1;
            t.bytes += n;
        }
    }
    // Each wanted path's objects, read once (a folder's from its manifest).
    let per_path: Vec<Option<Vec<(String, HashKind)>>> =
        wanted.iter().map(|w| objects_of(w, local)).collect();
    let mut todo: Vec<(String, HashKind)> = Vec::new();
    let mut seen = HashSet::new();
    for (w, objs) in wanted.iter().zip(&per_path) {
        match objs {
            // Manifests were fetched above.
            Some(objs) => todo.extend(
                objs.iter()
                    .filter(|(h, _)| !h.ends_with(".dir"))
                    .filter(|o| seen.insert((*o).clone()))
                    .cloned(),
            ),
            None => t.missing.push(w.path.clone()),
        }
    }
    progress.event(ProgressEvent::Start {
        phase: "fetching",
        total_files: Some(todo.len() as u64),
        total_bytes: None,
    });
    // `Some(Some(bytes))` copied, `Some(None)` already here, `None` absent from the remote.
    let fetched: Vec<Option<Option<u64>>> = remote.parallel(|| {
        todo.par_iter()
            .map(|(hash, kind)| {
                let r = if local.contains(hash, *kind) {
                    Some(None)
                } else if remote.store.contains(hash, *kind)? {
                    Some(Some(remote.store.get(local, hash, *kind)?))
                } else {
                    None
                };
                progress.event(ProgressEvent::Advance { files: 1, bytes: 0 });
                Ok(r)
            })
            .collect::<Result<_>>()
    })?;
    let absent: HashSet<&str> = fetched
        .iter()
        .zip(&todo)
        .filter(|(r, _)| r.is_none())
        .map(|(_, (h, _))| h.as_str())
        .collect();
    let copied: Vec<Option<u64>> = fetched.iter().flatten().copied().collect();
    tally(&mut t, &copied);
    progress.event(ProgressEvent::Finish);
    for (w, objs) in wanted.iter().zip(&per_path) {
        let incomplete = objs
            .as_ref()
            .is_some_and(|objs| objs.iter().any(|(h, _)| absent.contains(h.as_str())));
        if incomplete && !t.missing.contains(&w.path) {
            t.missing.push(w.path.clone());
        }
    }
    Ok(t)
}

/// Counts copied objects (`Some(bytes)`) and those already there (`None`).
fn tally(t: &mut Transfer, copied: &[Option<u64>]) {
    for c in copied {
        match c {
            Some(n) => {
                t.transferred += 1;
                t.bytes += n;
            }
            None => t.up_to_date += 1,
        }
    }
}

/// Stores a fetched object (`file`, `len` bytes, read from `source` on remote `remote`)
/// in the cache under `hash`, after checking its content matches the name.
pub(crate) fn store_fetched(
    local: &Odb,
    mut file: File,
    len: u64,
    hash: &str,
    kind: HashKind,
    remote: &str,
    source: &str,
) -> Result<u64> {
    let want = hash.strip_suffix(".dir").unwrap_or(hash);
    if hash.ends_with(".dir") || kind == HashKind::LegacyDos2Unix {
        // Manifests (and legacy objects, hashed differently) are small and stored
        // byte for byte: check the bytes, then store under the given name.
        let mut bytes = Vec::with_capacity(len as usize);
        file.read_to_end(&mut bytes)
            .map_err(|e| DataError::Remote(format!("{source}: {e}")))?;
        if hash.ends_with(".dir") && crate::hash::md5_bytes(&bytes) != want {
            return Err(corrupt(source, remote));
        }
        let dest = local.path(hash, kind);
        cairn_core::write_atomic_with_mode(&dest, &bytes, Some(0o444))
            .map_err(|e| DataError::io(&dest, e))?;
        return Ok(len);
    }
    let (got, size) = local
        .add_open_file(file, len)
        .map_err(|e| DataError::io(local.path(hash, kind), e))?;
    if got != want {
        return Err(corrupt(source, remote));
    }
    Ok(size)
}

/// The bucket (or container) and the prefix under it of `scheme://bucket/prefix/`.
pub(crate) fn bucket_and_prefix<'a>(url: &'a str, scheme: &str) -> (&'a str, &'a str) {
    let rest = url
        .strip_prefix(scheme)
        .and_then(|r| r.strip_prefix("://"))
        .unwrap_or(url);
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (bucket, prefix.trim_matches('/'))
}

/// An object's path in DVC 3's remote layout (`files/md5/ab/cdef…`), or the legacy one
/// (`ab/cdef…`) for objects hashed by DVC 2; under `prefix` when there is one.
pub(crate) fn object_path(prefix: &str, hash: &str, kind: HashKind) -> String {
    let (a, b) = hash.split_at(2.min(hash.len()));
    let rel = match kind {
        HashKind::Md5 => format!("files/md5/{a}/{b}"),
        HashKind::LegacyDos2Unix => format!("{a}/{b}"),
    };
    if prefix.is_empty() {
        rel
    } else {
        format!("{prefix}/{rel}")
    }
}

/// What a `HEAD` of an object says: there (2xx), not there (404, 410), or the server's
/// refusal, as `refused` names it.
pub(crate) fn found_by_head(status: u16, refused: impl FnOnce(u16) -> DataError) -> Result<bool> {
    match status {
        200..=299 => Ok(true),
        404 | 410 => Ok(false),
        s => Err(refused(s)),
    }
}

/// Sends `request`; its response if it succeeded (2xx), else what `refused` makes of the
/// status and body (`failed` of a request that got no answer).
pub(crate) fn send_ok<B: attohttpc::body::Body>(
    request: attohttpc::RequestBuilder<B>,
    failed: impl FnOnce(attohttpc::Error) -> DataError,
    refused: impl FnOnce(u16, String) -> DataError,
) -> Result<attohttpc::Response> {
    let r = request.send().map_err(failed)?;
    let status = r.status().as_u16();
    if (200..=299).contains(&status) {
        return Ok(r);
    }
    Err(refused(status, r.text().unwrap_or_default()))
}

/// Stores the body of a successful download (`source`, from remote `remote`) in the
/// cache under `hash`: into an unnamed file in the cache first (nothing to clean up if
/// the transfer breaks), then checked against the name by [`store_fetched`].
pub(crate) fn store_response(
    local: &Odb,
    response: attohttpc::Response,
    hash: &str,
    kind: HashKind,
    remote: &str,
    source: &str,
) -> Result<u64> {
    use std::io::Seek;
    std::fs::create_dir_all(local.root()).map_err(|e| DataError::io(local.root(), e))?;
    let mut tmp =
        tempfile::tempfile_in(local.root()).map_err(|e| DataError::io(local.root(), e))?;
    let len = response
        .write_to(&mut tmp)
        .map_err(|e| DataError::Remote(format!("{source}: {e}")))?;
    tmp.rewind().map_err(|e| DataError::io(local.root(), e))?;
    store_fetched(local, tmp, len, hash, kind, remote, source)
}

/// Config options from pairs, for the stores' unit tests.
#[cfg(test)]
pub(crate) fn options(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A cache object to send, checked first against its name (a cache copy edited in place
/// must not spread): the open file, its length and its path. Manifests are checked too;
/// legacy objects are named by another hash (md5 of dos2unix'ed text) and go as they are.
pub(crate) fn checked_object(local: &Odb, hash: &str, kind: HashKind) -> Result<(File, u64)> {
    let src = local.path(hash, kind);
    if kind == HashKind::Md5 {
        let (got, _) = crate::hash::hash_file(&src, kind).map_err(|e| DataError::io(&src, e))?;
        if got != hash.strip_suffix(".dir").unwrap_or(hash) {
            return Err(changed_in_cache(&src));
        }
    }
    let file = File::open(&src).map_err(|e| DataError::io(&src, e))?;
    let len = file.metadata().map_err(|e| DataError::io(&src, e))?.len();
    Ok((file, len))
}

/// A cache object about to be pushed no longer matches its name.
pub(crate) fn changed_in_cache(src: &Path) -> DataError {
    DataError::Remote(format!(
        "{}: the cache copy does not match its name (it was changed in place); run `cairn fsck`, then add the data again",
        src.display()
    ))
}

fn corrupt(source: &str, remote: &str) -> DataError {
    DataError::Remote(format!(
        "{source}: its content does not match its name on remote `{remote}`; the remote copy is damaged (push it again from a machine that has it)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_s3_and_http_are_remotes_here() {
        assert!(is_supported_url("/mnt/store"));
        assert!(is_supported_url("../store"));
        assert!(is_supported_url("file:///mnt/store"));
        assert!(is_supported_url("C:\\store"));
        assert!(is_supported_url("s3://bucket/path"));
        assert!(is_supported_url("gs://bucket/path"));
        assert!(is_supported_url("ssh://host/path"));
        assert!(is_supported_url("azure://container/path"));
        assert!(!is_supported_url("oss://bucket/path"));
        assert!(is_supported_url("https://example.com/x"));
        assert!(is_supported_url("http://127.0.0.1:8000/store"));
        assert!(is_supported_url(
            "webdavs://cloud.example.org/remote.php/dav/files/me"
        ));
        assert!(!is_supported_url("hdfs://namenode/path"));
    }
}
