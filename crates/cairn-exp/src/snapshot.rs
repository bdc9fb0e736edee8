//! One revision of a project (a commit read straight from git objects, or the work
//! tree), with DVC's view of files: a path that git does not have but a `dvc.lock` (or
//! `.dvc` file) records is read from the cache by its hash, like DVC's `dvcfs`. A cached
//! file whose object is not in the local cache is "not available (pull needed)", never a
//! hard failure.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cairn_data::hash::HashKind;
use cairn_data::odb::Odb;
use cairn_git::Git;
use cairn_pipeline::fs::{LocalFs, RepoFs};
use cairn_pipeline::{Project, load_project_fs};
use indexmap::IndexMap;
use serde_json::Value;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// Neither git nor DVC knows the path at this revision.
    NotFound(String),
    /// DVC tracks it, but the cache object is missing locally.
    PullNeeded {
        /// The repo-relative path.
        path: String,
        /// The missing object.
        hash: String,
    },
    /// The bytes did not parse.
    Parse {
        /// Python exception type DVC would report.
        typ: String,
        /// Message.
        msg: String,
    },
}

impl ReadError {
    /// `(type, msg)` as DVC serialises errors in `exp show --json`.
    pub fn to_dvc(&self) -> (String, String) {
        match self {
            ReadError::NotFound(p) => (
                "FileNotFoundError".into(),
                format!("[Errno 2] No such file or directory: '{p}'"),
            ),
            // DVC's words (`No storage files available`); people get the Display text.
            ReadError::PullNeeded { path, .. } => (
                "FileNotFoundError".into(),
                format!("[Errno 2] No storage files available: '{path}'"),
            ),
            ReadError::Parse { typ, msg } => (typ.clone(), msg.clone()),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound(p) => write!(f, "{p}: no such file"),
            ReadError::PullNeeded { path, hash } => write!(
                f,
                "{path}: not available (pull needed): cache object {hash} is missing"
            ),
            ReadError::Parse { msg, .. } => write!(f, "{msg}"),
        }
    }
}

/// A `RepoFs` over one commit's tree: the tree is resolved once, and each path's
/// object id and bytes are remembered (a revision's files are read several times: by the
/// pipeline loader, then for params and metrics).
pub struct RevFs<'a> {
    git: &'a Git,
    tree: Option<String>,
    entries: RefCell<HashMap<String, Option<(String, bool)>>>,
    blobs: RefCell<HashMap<String, Option<Arc<Vec<u8>>>>>,
    touched: RefCell<Vec<String>>,
}

impl<'a> RevFs<'a> {
    /// The tree of `rev` (a full commit id is fastest).
    pub fn new(git: &'a Git, rev: &str) -> Self {
        RevFs {
            git,
            tree: git.tree_of(rev).ok(),
            entries: RefCell::new(HashMap::new()),
            blobs: RefCell::new(HashMap::new()),
            touched: RefCell::new(Vec::new()),
        }
    }

    /// `(object id, is_dir)` of a path.
    pub fn entry(&self, rel: &str) -> Option<(String, bool)> {
        let rel = rel.trim_end_matches('/');
        self.touched.borrow_mut().push(rel.to_string());
        if let Some(e) = self.entries.borrow().get(rel) {
            return e.clone();
        }
        let e = self
            .tree
            .as_deref()
            .and_then(|t| self.git.entry_in_tree(t, rel));
        self.entries.borrow_mut().insert(rel.to_string(), e.clone());
        e
    }

    /// The bytes of a file.
    pub fn bytes(&self, rel: &str) -> Option<Arc<Vec<u8>>> {
        let (oid, is_dir) = self.entry(rel)?;
        if is_dir {
            return None;
        }
        if let Some(b) = self.blobs.borrow().get(&oid) {
            return b.clone();
        }
        let b = self.git.blob_bytes(&oid).map(Arc::new);
        self.blobs.borrow_mut().insert(oid, b.clone());
        b
    }
}

impl RepoFs for RevFs<'_> {
    fn read_to_string(&self, rel: &str) -> io::Result<String> {
        match self.bytes(rel) {
            Some(b) => String::from_utf8(b.to_vec())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string())),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("[Errno 2] No such file or directory: '{rel}'"),
            )),
        }
    }

    fn exists(&self, rel: &str) -> bool {
        self.entry(rel).is_some()
    }

    fn is_dir(&self, rel: &str) -> bool {
        self.entry(rel).is_some_and(|(_, d)| d)
    }

    fn list_dir(&self, rel: &str) -> io::Result<Vec<(String, bool)>> {
        let rel = if rel == "." { "" } else { rel };
        match self.entry(rel) {
            Some((oid, true)) => Ok(self
                .git
                .tree_entries(&oid)
                .unwrap_or_default()
                .into_iter()
                .map(|e| (e.name, e.is_dir))
                .collect()),
            _ => Err(io::Error::new(io::ErrorKind::NotFound, rel.to_string())),
        }
    }
}

/// Parsed files by object id, shared by every revision of one `exp show` (experiments
/// share most of their files).
#[derive(Default)]
pub struct ParseCache {
    parsed: Mutex<HashMap<(String, String), Result<Value, ReadError>>>,
    /// Loaded projects with the `(path, entry)` pairs they depended on.
    projects: Mutex<Vec<(ProjectDeps, Project)>>,
}

impl ParseCache {
    /// The project of the commit behind `fs`, reused from another commit when every file
    /// and directory its loading depended on is the same object there. Lock files are
    /// only validated by the loader and params/vars files only matter through `${}`, so
    /// those are left out of the comparison (params too when no pipeline interpolates).
    fn project(&self, fs: &RevFs<'_>) -> Result<Project, String> {
        {
            let cached = self.projects.lock().unwrap_or_else(|p| p.into_inner());
            for (deps, p) in cached.iter() {
                if deps.iter().all(|(path, e)| signature(fs, path) == *e) {
                    return Ok(p.clone());
                }
            }
        }
        fs.touched.borrow_mut().clear();
        let project = load_project_fs(&BorrowedFs(fs)).map_err(|e| e.to_string())?;
        let touched: Vec<String> = std::mem::take(&mut *fs.touched.borrow_mut());
        let interpolates = project.files.iter().any(|f| {
            fs.bytes(&f.path)
                .is_some_and(|b| b.windows(2).any(|w| w == b"${"))
        });
        let mut deps: ProjectDeps = Vec::new();
        for path in touched {
            if deps.iter().any(|(p, _)| *p == path) {
                continue;
            }
            let name = path.rsplit('/').next().unwrap_or(&path);
            let e = signature(fs, &path);
            let is_dir = e.as_ref().is_some_and(|(_, d)| *d);
            let keep = if name == "dvc.lock" {
                false
            } else if interpolates || is_dir {
                true
            } else {
                name == "dvc.yaml" || name == ".dvcignore" || name.ends_with(".dvc")
            };
            if keep {
                deps.push((path, e));
            }
        }
        self.projects
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((deps, project.clone()));
        Ok(project)
    }
}

/// The paths a loaded project depended on, with their [`signature`]s.
type ProjectDeps = Vec<(String, Option<(String, bool)>)>;

/// What a path contributes to loading a project: a file's object id, or a directory's
/// listing (names and kinds — its tree id changes with any file below it).
fn signature(fs: &RevFs<'_>, path: &str) -> Option<(String, bool)> {
    match fs.entry(path)? {
        (oid, true) => {
            let mut names: Vec<String> = fs
                .git
                .tree_entries(&oid)
                .unwrap_or_default()
                .into_iter()
                .map(|e| {
                    if e.is_dir {
                        format!("{}/", e.name)
                    } else {
                        e.name
                    }
                })
                .collect();
            names.sort();
            Some((names.join("\n"), true))
        }
        e => Some(e),
    }
}

impl ParseCache {
    fn get_or(
        &self,
        key: (String, String),
        f: impl FnOnce() -> Result<Value, ReadError>,
    ) -> Result<Value, ReadError> {
        if let Some(v) = self
            .parsed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return v.clone();
        }
        let v = f();
        self.parsed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, v.clone());
        v
    }
}

/// A hashed output recorded at a revision.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// md5 (directories end in `.dir`).
    pub md5: String,
    /// Size.
    pub size: Option<u64>,
    /// Files in a directory.
    pub nfiles: Option<u64>,
    /// Layout.
    pub kind: HashKind,
}

/// One revision: its files, project and recorded hashes.
pub struct Snapshot<'a> {
    /// `None` for the work tree.
    pub rev: Option<String>,
    fs: Box<dyn RepoFs + 'a>,
    revfs: Option<&'a RevFs<'a>>,
    cache: Option<&'a ParseCache>,
    root: PathBuf,
    /// The project, or why it failed to load.
    pub project: Result<Project, String>,
    /// `dvc.lock` stage entries as JSON, by pipeline file then stage name.
    pub locks: IndexMap<String, Value>,
    /// Hashed outputs (and deps) by repo path.
    pub recorded: IndexMap<String, Recorded>,
    odb: Odb,
}

impl<'a> Snapshot<'a> {
    /// The work tree at `root`.
    pub fn workspace(root: &Path) -> Snapshot<'a> {
        Self::build(None, Box::new(LocalFs::new(root)), root, None, None, None)
    }

    /// Commit `rev` of `git`.
    pub fn at(git: &'a Git, rev: &str) -> Snapshot<'a> {
        Self::build(
            Some(rev.to_string()),
            Box::new(RevFs::new(git, rev)),
            git.root(),
            None,
            None,
            None,
        )
    }

    /// Commit `rev` read through `fs` (made for it), with a known cache location and a
    /// parse cache shared with other revisions.
    pub fn at_shared(
        rev: &str,
        fs: &'a RevFs<'a>,
        root: &Path,
        odb: &Odb,
        cache: &'a ParseCache,
    ) -> Snapshot<'a> {
        Self::build(
            Some(rev.to_string()),
            Box::new(BorrowedFs(fs)),
            root,
            Some(odb.clone()),
            Some(fs),
            Some(cache),
        )
    }

    fn build(
        rev: Option<String>,
        fs: Box<dyn RepoFs + 'a>,
        root: &Path,
        odb: Option<Odb>,
        revfs: Option<&'a RevFs<'a>>,
        cache: Option<&'a ParseCache>,
    ) -> Snapshot<'a> {
        let project = match (revfs, cache) {
            (Some(r), Some(c)) => c.project(r),
            _ => load_project_fs(fs.as_ref()).map_err(|e| e.to_string()),
        };
        let odb = odb.unwrap_or_else(|| {
            cairn_data::Repo::open(root)
                .map(|r| r.odb().clone())
                .unwrap_or_else(|_| Odb::new(root.join(".dvc").join("cache")))
        });
        let mut snap = Snapshot {
            rev,
            fs,
            revfs,
            cache,
            root: root.to_path_buf(),
            project,
            locks: IndexMap::new(),
            recorded: IndexMap::new(),
            odb,
        };
        snap.load_locks();
        snap
    }

    /// The repository root (for the cache).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file system of this revision.
    pub fn fs(&self) -> &dyn RepoFs {
        self.fs.as_ref()
    }

    fn load_locks(&mut self) {
        let Ok(project) = &self.project else { return };
        let mut recorded = IndexMap::new();
        let mut locks = IndexMap::new();
        for file in &project.files {
            if file.path.ends_with(".dvc") {
                let Ok(text) = self.fs.read_to_string(&file.path) else {
                    continue;
                };
                let Ok(ptr) = cairn_data::pointer::Pointer::parse(Path::new(&file.path), &text)
                else {
                    continue;
                };
                let dir = cairn_pipeline::fs::parent(&file.path);
                for o in &ptr.outs {
                    if let Some(h) = &o.hash {
                        recorded.insert(
                            cairn_pipeline::fs::repo_path(dir, &o.path),
                            Recorded {
                                md5: h.md5.clone(),
                                size: h.size,
                                nfiles: h.nfiles,
                                kind: h.kind,
                            },
                        );
                    }
                }
                continue;
            }
            let lock_path = lock_path_for(&file.path);
            let Ok(json) = self.load_yaml_cached(&lock_path) else {
                continue;
            };
            let Some(stages) = json.get("stages").and_then(Value::as_object) else {
                continue;
            };
            locks.insert(file.path.clone(), Value::Object(stages.clone()));
            for stage in &file.stages {
                let Some(entry) = stages.get(&stage.name) else {
                    continue;
                };
                // Only cached outputs can be read from the cache (DVC's data index);
                // `cache: false` outputs and deps exist only in git or the work tree.
                for key in ["outs"] {
                    for e in entry
                        .get(key)
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        let Some(p) = e.get("path").and_then(Value::as_str) else {
                            continue;
                        };
                        if !stage.outs.iter().any(|o| o.path == p && o.cache) {
                            continue;
                        }
                        let Some(repo) = stage.dep_repo_path(p) else {
                            continue;
                        };
                        let Some(md5) = e
                            .get("md5")
                            .or_else(|| e.get("etag"))
                            .or_else(|| e.get("checksum"))
                            .and_then(Value::as_str)
                        else {
                            continue;
                        };
                        let kind = if e.get("hash").and_then(Value::as_str) == Some("md5") {
                            HashKind::Md5
                        } else {
                            HashKind::LegacyDos2Unix
                        };
                        let rec = Recorded {
                            md5: md5.to_string(),
                            size: e.get("size").and_then(Value::as_u64),
                            nfiles: e.get("nfiles").and_then(Value::as_u64),
                            kind,
                        };
                        // Outputs win over deps recorded by a consumer.
                        if key == "outs" || !recorded.contains_key(&repo) {
                            recorded.insert(repo, rec);
                        }
                    }
                }
            }
        }
        self.locks = locks;
        self.recorded = recorded;
    }

    /// The bytes of `rel` at this revision: from git (or the work tree) if present,
    /// else from the cache through the recorded hash.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        let direct = match &self.rev {
            None => std::fs::read(self.root.join(rel)).ok(),
            Some(_) => self.fs.read_to_string(rel).ok().map(String::into_bytes),
        };
        if let Some(b) = direct {
            return Ok(b);
        }
        self.read_cached(rel)
    }

    /// Reads `rel` through the recorded hashes only.
    pub fn read_cached(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        if let Some(r) = self.recorded.get(rel) {
            if r.md5.ends_with(".dir") {
                return Err(ReadError::Parse {
                    typ: "IsADirectoryError".into(),
                    msg: format!("[Errno 21] Is a directory: '{rel}'"),
                });
            }
            return std::fs::read(self.odb.path(&r.md5, r.kind)).map_err(|_| {
                ReadError::PullNeeded {
                    path: rel.to_string(),
                    hash: r.md5.clone(),
                }
            });
        }
        // Inside a recorded directory?
        for (out, r) in &self.recorded {
            if !r.md5.ends_with(".dir") {
                continue;
            }
            let Some(inner) = rel
                .strip_prefix(out.as_str())
                .and_then(|s| s.strip_prefix('/'))
            else {
                continue;
            };
            let manifest =
                self.odb
                    .read_manifest(&r.md5, r.kind)
                    .map_err(|_| ReadError::PullNeeded {
                        path: rel.to_string(),
                        hash: r.md5.clone(),
                    })?;
            let Some(e) = manifest.entries().iter().find(|e| e.relpath == inner) else {
                return Err(ReadError::NotFound(rel.to_string()));
            };
            return std::fs::read(self.odb.path(&e.md5, r.kind)).map_err(|_| {
                ReadError::PullNeeded {
                    path: rel.to_string(),
                    hash: e.md5.clone(),
                }
            });
        }
        Err(ReadError::NotFound(rel.to_string()))
    }

    /// Files under `rel` if it is a directory (git tree, work tree, or recorded `.dir`),
    /// else `[rel]` — DVC's `try_expand_paths`.
    pub fn expand(&self, rel: &str) -> Vec<String> {
        let mut out = Vec::new();
        if self.fs.is_dir(rel) && !rel.is_empty() {
            let mut stack = vec![rel.to_string()];
            while let Some(d) = stack.pop() {
                let Ok(mut entries) = self.fs.list_dir(&d) else {
                    continue;
                };
                entries.sort();
                for (name, is_dir) in entries.into_iter().rev() {
                    let p = format!("{d}/{name}");
                    if is_dir {
                        stack.push(p);
                    } else {
                        out.push(p);
                    }
                }
            }
            out.sort();
            return out;
        }
        if let Some(r) = self.recorded.get(rel)
            && r.md5.ends_with(".dir")
            && let Ok(m) = self.odb.read_manifest(&r.md5, r.kind)
        {
            return m
                .entries()
                .iter()
                .map(|e| format!("{rel}/{}", e.relpath))
                .collect();
        }
        vec![rel.to_string()]
    }

    /// Parses `rel` as DVC's `load_path` does (by suffix; unknown suffixes as YAML).
    pub fn load(&self, rel: &str) -> Result<Value, ReadError> {
        if let (Some(fs), Some(cache)) = (self.revfs, self.cache)
            && let Some((oid, false)) = fs.entry(rel)
        {
            let suffix = rel.rsplit('.').next().unwrap_or("").to_lowercase();
            return cache.get_or((oid, suffix), || {
                let bytes = fs
                    .bytes(rel)
                    .ok_or_else(|| ReadError::NotFound(rel.to_string()))?;
                parse_by_suffix(rel, &bytes)
            });
        }
        let bytes = self.read(rel)?;
        parse_by_suffix(rel, &bytes)
    }

    fn load_yaml_cached(&self, rel: &str) -> Result<Value, ReadError> {
        let parse = |text: &str| {
            cairn_yaml::parse(text)
                .map(|n| cairn_pipeline::data::Data::from_node(&n).to_json())
                .map_err(|e| ReadError::Parse {
                    typ: "YAMLFileCorruptedError".into(),
                    msg: e.message,
                })
        };
        if let (Some(fs), Some(cache)) = (self.revfs, self.cache)
            && let Some((oid, false)) = fs.entry(rel)
        {
            return cache.get_or((oid, "yaml-any".into()), || {
                let b = fs
                    .bytes(rel)
                    .ok_or_else(|| ReadError::NotFound(rel.to_string()))?;
                parse(&String::from_utf8_lossy(&b))
            });
        }
        let text = self
            .fs
            .read_to_string(rel)
            .map_err(|_| ReadError::NotFound(rel.to_string()))?;
        parse(&text)
    }
}

struct BorrowedFs<'a>(&'a RevFs<'a>);

impl RepoFs for BorrowedFs<'_> {
    fn read_to_string(&self, rel: &str) -> io::Result<String> {
        self.0.read_to_string(rel)
    }
    fn exists(&self, rel: &str) -> bool {
        self.0.exists(rel)
    }
    fn is_dir(&self, rel: &str) -> bool {
        self.0.is_dir(rel)
    }
    fn list_dir(&self, rel: &str) -> io::Result<Vec<(String, bool)>> {
        self.0.list_dir(rel)
    }
}

pub use cairn_run::status::lock_path_for;

/// Parses bytes as a params/metrics file, choosing the format by suffix.
pub fn parse_by_suffix(rel: &str, bytes: &[u8]) -> Result<Value, ReadError> {
    let text = String::from_utf8_lossy(bytes);
    let lower = rel.to_lowercase();
    let kind = if lower.ends_with(".json") {
        "JSON"
    } else if lower.ends_with(".toml") {
        "TOML"
    } else if lower.ends_with(".py") {
        "Python"
    } else {
        "YAML"
    };
    match cairn_pipeline::params_file::parse(rel, &text) {
        Ok(d) => Ok(d.to_json()),
        Err(_) => Err(ReadError::Parse {
            typ: format!("{kind}FileCorruptedError"),
            msg: format!("unable to read: '{rel}', {kind} file structure is corrupted"),
        }),
    }
}
