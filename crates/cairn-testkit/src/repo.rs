//! Hermetic git repositories in temp dirs, and the binaries that run in them.
//!
//! Every subprocess started through a [`TestRepo`] runs with the repo root as
//! its working directory and with an environment that does not depend on the
//! machine: no global or system git config, fixed author/committer, DVC
//! analytics off, and DVC's per-machine state ("site cache") in a temp dir
//! owned by the repo (so that two repos never share DVC's mtime/inode cache).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The workspace root, found from this crate's manifest dir
/// (`<workspace>/crates/cairn-testkit`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("cairn-testkit lives at <workspace>/crates/cairn-testkit")
        .to_path_buf()
}

/// The reference `dvc`: `$CAIRN_DVC`, else `<workspace>/.venv-dvc/bin/dvc`.
/// Panics with install instructions if it does not exist.
pub fn dvc_bin() -> PathBuf {
    find_bin(
        "CAIRN_DVC",
        workspace_root().join(".venv-dvc/bin/dvc"),
        "the reference dvc CLI is missing: run `./scripts/ensure-dvc.sh` \
         (creates .venv-dvc with dvc==3.67.1) or set CAIRN_DVC=/path/to/dvc",
    )
}

/// The `cairn` binary under test: `$CAIRN_BIN`, else
/// `<workspace>/target/debug/cairn`. Panics with build instructions if it
/// does not exist. Note that `cargo test` does not rebuild it: run
/// `cargo build -p cairn-cli` first (`./scripts/test.sh` does).
pub fn cairn_bin() -> PathBuf {
    find_bin(
        "CAIRN_BIN",
        workspace_root().join("target/debug/cairn"),
        "the cairn binary is missing: run `cargo build -p cairn-cli` \
         (or `./scripts/test.sh`) or set CAIRN_BIN=/path/to/cairn",
    )
}

fn find_bin(var: &str, fallback: PathBuf, help: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or(fallback);
    if !path.is_file() {
        panic!("{help} (looked for {})", path.display());
    }
    path
}

/// A temp dir holding a git repository, plus a private directory for the
/// per-machine state of the tools (DVC's site cache, config and home dirs).
/// Both are deleted on drop, unless `CAIRN_KEEP_TEST_REPOS` is set (then
/// their paths are printed).
pub struct TestRepo {
    root: TempDir,
    aux: TempDir,
}

impl Default for TestRepo {
    fn default() -> Self {
        Self::new()
    }
}

impl TestRepo {
    /// A new temp dir with `git init` run in it.
    pub fn new() -> Self {
        let repo = Self::empty();
        repo.git_ok(["init", "-q", "-b", "main"]);
        repo
    }

    /// A new temp dir without `git init`.
    pub fn empty() -> Self {
        let root = tempfile::Builder::new()
            .prefix("cairn-repo-")
            .tempdir()
            .expect("creating temp repo dir");
        let aux = tempfile::Builder::new()
            .prefix("cairn-aux-")
            .tempdir()
            .expect("creating temp aux dir");
        for d in ["site-cache", "config", "home", "cache", "global", "system"] {
            fs::create_dir(aux.path().join(d)).expect("creating aux dir");
        }
        let repo = TestRepo { root, aux };
        if std::env::var_os("CAIRN_KEEP_TEST_REPOS").is_some() {
            eprintln!(
                "keeping test repo {} (aux {})",
                repo.path().display(),
                repo.aux.path().display()
            );
        }
        repo
    }

    /// The repository root (the working directory of every command).
    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// `path().join(rel)`.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// The environment every subprocess gets (on top of the inherited one).
    pub fn env(&self) -> Vec<(OsString, OsString)> {
        let aux = self.aux.path();
        let mut env: Vec<(OsString, OsString)> = [
            ("GIT_AUTHOR_NAME", "Cairn Test"),
            ("GIT_AUTHOR_EMAIL", "test@cairn.invalid"),
            ("GIT_COMMITTER_NAME", "Cairn Test"),
            ("GIT_COMMITTER_EMAIL", "test@cairn.invalid"),
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_TERMINAL_PROMPT", "0"),
            ("DVC_NO_ANALYTICS", "1"),
            ("LC_ALL", "C.UTF-8"),
            ("NO_COLOR", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
        for (k, sub) in [
            ("DVC_SITE_CACHE_DIR", "site-cache"),
            ("DVC_GLOBAL_CONFIG_DIR", "global"),
            ("DVC_SYSTEM_CONFIG_DIR", "system"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
            ("HOME", "home"),
        ] {
            env.push((k.into(), aux.join(sub).into_os_string()));
        }
        env
    }

    /// A command for `program`, hermetic env, cwd = repo root.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.path()).envs(self.env());
        // Variables that would leak the outer git repo or tool config in.
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "DVC_DAEMON",
            "DVC_TEST",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Run `program args...` in the repo and return its output (any exit code).
    pub fn run<I, S>(&self, program: impl AsRef<OsStr>, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let program = program.as_ref();
        self.command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", program.to_string_lossy()))
    }

    /// `git args...`
    pub fn git<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&self, args: I) -> Output {
        self.run("git", args)
    }

    /// `dvc args...` with the reference dvc (see [`dvc_bin`]).
    pub fn dvc<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&self, args: I) -> Output {
        self.run(dvc_bin(), args)
    }

    /// `cairn args...` with the binary under test (see [`cairn_bin`]).
    pub fn cairn<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&self, args: I) -> Output {
        self.run(cairn_bin(), args)
    }

    /// Like [`TestRepo::git`], but panics (with the full output) on failure;
    /// returns stdout.
    pub fn git_ok<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&self, args: I) -> String {
        self.run_ok("git", args)
    }

    /// Like [`TestRepo::dvc`], but panics (with the full output) on failure;
    /// returns stdout.
    pub fn dvc_ok<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&self, args: I) -> String {
        self.run_ok(dvc_bin(), args)
    }

    /// Like [`TestRepo::cairn`], but panics (with the full output) on failure;
    /// returns stdout.
    pub fn cairn_ok<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&self, args: I) -> String {
        self.run_ok(cairn_bin(), args)
    }

    fn run_ok<I, S>(&self, program: impl AsRef<OsStr>, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.run(program.as_ref(), &args);
        if !out.status.success() {
            panic!(
                "command failed in {}\n{}",
                self.path().display(),
                describe(program.as_ref(), &args, &out)
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Make `other`'s working tree an identical copy of this one: everything
    /// except `.git` is deleted in `other` and copied over from `self`,
    /// keeping bytes, permission bits and symlinks (not timestamps). Both
    /// repos keep their own `.git`.
    pub fn copy_to(&self, other: &TestRepo) {
        clear_dir_except_git(other.path()).expect("clearing target worktree");
        copy_dir(self.path(), other.path(), true).expect("copying worktree");
    }

    /// A new repo whose whole directory, `.git` included, is a copy of this
    /// one. DVC's site cache is not copied (the copy starts cold).
    pub fn duplicate(&self) -> TestRepo {
        let other = TestRepo::empty();
        copy_dir(self.path(), other.path(), false).expect("copying repo");
        other
    }

    /// The working tree (everything but `.git`): relative path → entry.
    pub fn read_tree(&self) -> Tree {
        Tree::read(self.path())
    }

    /// Write `bytes` at `rel`, creating parent directories.
    pub fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("creating parent dirs");
        }
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Read the file at `rel`.
    pub fn read(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        let path = self.join(rel);
        fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }

    /// Remove the file or directory (recursively) at `rel`.
    pub fn remove(&self, rel: impl AsRef<Path>) {
        let path = self.join(rel);
        let meta = fs::symlink_metadata(&path)
            .unwrap_or_else(|e| panic!("removing {}: {e}", path.display()));
        let res = if meta.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        res.unwrap_or_else(|e| panic!("removing {}: {e}", path.display()));
    }
}

impl Drop for TestRepo {
    fn drop(&mut self) {
        if std::env::var_os("CAIRN_KEEP_TEST_REPOS").is_some() {
            self.root.disable_cleanup(true);
            self.aux.disable_cleanup(true);
        } else {
            // Cache objects are read-only; make sure the temp dir can go.
            let _ = make_writable(self.root.path());
        }
    }
}

/// A readable description of a finished command: the command line, exit
/// status, stdout and stderr.
pub fn describe(program: &OsStr, args: &[OsString], out: &Output) -> String {
    let mut s = String::new();
    let _ = write!(s, "$ {}", program.to_string_lossy());
    for a in args {
        let _ = write!(s, " {:?}", a.to_string_lossy());
    }
    let _ = write!(
        s,
        "\nexit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    s
}

/// What a path in a [`Tree`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
}

/// One entry of a [`Tree`]: for files the content, for symlinks the target,
/// for directories nothing; `mode` is the permission bits (`& 0o7777`).
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub mode: u32,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {:o} ", self.kind, self.mode)?;
        match std::str::from_utf8(&self.bytes) {
            Ok(s) if self.bytes.len() <= 200 => write!(f, "{s:?}"),
            _ => write!(f, "<{} bytes>", self.bytes.len()),
        }
    }
}

/// A snapshot of a directory: `/`-separated relative path → [`Entry`],
/// sorted by path. `.git` is never included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree(pub BTreeMap<String, Entry>);

impl Tree {
    /// Snapshot `root` (recursively, not following symlinks, skipping `.git`).
    pub fn read(root: &Path) -> Tree {
        let mut map = BTreeMap::new();
        read_into(root, root, &mut map)
            .unwrap_or_else(|e| panic!("reading tree {}: {e}", root.display()));
        Tree(map)
    }

    /// Only the entries whose path satisfies `keep`.
    pub fn filter(&self, keep: impl Fn(&str) -> bool) -> Tree {
        Tree(
            self.0
                .iter()
                .filter(|(p, _)| keep(p))
                .map(|(p, e)| (p.clone(), e.clone()))
                .collect(),
        )
    }

    /// The entries that are not `prefix` itself or below it.
    pub fn without(&self, prefix: &str) -> Tree {
        self.filter(|p| !under(p, prefix))
    }

    /// The entries at `prefix` or below it.
    pub fn only(&self, prefix: &str) -> Tree {
        self.filter(|p| under(p, prefix))
    }

    /// Regular files only.
    pub fn files(&self) -> Tree {
        Tree(
            self.0
                .iter()
                .filter(|(_, e)| e.kind == EntryKind::File)
                .map(|(p, e)| (p.clone(), e.clone()))
                .collect(),
        )
    }

    /// The same tree with every mode replaced by `f(mode)` (e.g. to compare
    /// only exec bits).
    pub fn map_modes(&self, f: impl Fn(u32) -> u32) -> Tree {
        Tree(
            self.0
                .iter()
                .map(|(p, e)| {
                    let mut e = e.clone();
                    e.mode = f(e.mode);
                    (p.clone(), e)
                })
                .collect(),
        )
    }

    /// Human-readable differences, one line each, labelled with the names of
    /// the two sides; empty when the trees are equal.
    pub fn diff(&self, other: &Tree, left: &str, right: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (p, a) in &self.0 {
            match other.0.get(p) {
                None => out.push(format!("{p:?}: only in {left} ({a:?})")),
                Some(b) if a == b => {}
                Some(b) => {
                    let mut what = Vec::new();
                    if a.kind != b.kind {
                        what.push(format!("kind {:?} vs {:?}", a.kind, b.kind));
                    }
                    if a.mode != b.mode {
                        what.push(format!("mode {:o} vs {:o}", a.mode, b.mode));
                    }
                    if a.bytes != b.bytes {
                        what.push(content_diff(&a.bytes, &b.bytes));
                    }
                    out.push(format!("{p:?}: {left} vs {right}: {}", what.join("; ")));
                }
            }
        }
        for (p, b) in &other.0 {
            if !self.0.contains_key(p) {
                out.push(format!("{p:?}: only in {right} ({b:?})"));
            }
        }
        out
    }
}

fn content_diff(a: &[u8], b: &[u8]) -> String {
    match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(x), Ok(y)) if x.len() <= 2000 && y.len() <= 2000 => {
            format!("content differs:\n  {x:?}\n  {y:?}")
        }
        _ => format!("content differs ({} vs {} bytes)", a.len(), b.len()),
    }
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

fn read_into(root: &Path, dir: &Path, map: &mut BTreeMap<String, Entry>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .expect("walk stays under root")
            .to_str()
            .unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
            .to_owned();
        if rel == ".git" {
            continue;
        }
        let meta = fs::symlink_metadata(&path)?;
        let mode = meta.permissions().mode() & 0o7777;
        let ft = meta.file_type();
        let e = if ft.is_symlink() {
            let target = fs::read_link(&path)?;
            Entry {
                kind: EntryKind::Symlink,
                mode,
                bytes: target.into_os_string().into_encoded_bytes(),
            }
        } else if ft.is_dir() {
            read_into(root, &path, map)?;
            Entry {
                kind: EntryKind::Dir,
                mode,
                bytes: Vec::new(),
            }
        } else {
            Entry {
                kind: EntryKind::File,
                mode,
                bytes: fs::read(&path)?,
            }
        };
        map.insert(rel, e);
    }
    Ok(())
}

fn clear_dir_except_git(dir: &Path) -> io::Result<()> {
    make_writable(dir)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == ".git" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Copy the contents of `src` into the existing directory `dst`.
fn copy_dir(src: &Path, dst: &Path, skip_git: bool) -> io::Result<()> {
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        if skip_git && entry.file_name() == ".git" {
            continue;
        }
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let meta = fs::symlink_metadata(&from)?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else if ft.is_dir() {
            fs::create_dir(&to)?;
            copy_dir(&from, &to, false)?;
            fs::set_permissions(&to, meta.permissions())?;
        } else {
            fs::copy(&from, &to)?; // copies permission bits too
        }
    }
    Ok(())
}

/// `chmod u+w` on every directory under `dir`, so that it can be deleted
/// even if a tool left read-only directories behind.
fn make_writable(dir: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(dir)?;
    if meta.is_dir() {
        let mode = meta.permissions().mode();
        if mode & 0o200 == 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o700))?;
        }
        for entry in fs::read_dir(dir)? {
            make_writable(&entry?.path())?;
        }
    }
    Ok(())
}
