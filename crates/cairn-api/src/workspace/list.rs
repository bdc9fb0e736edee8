//! `cairn ls`: the repository as `dvc list` shows it — what git holds (or the work tree
//! holds) merged with the data DVC records, folders' contents from their listings.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde::Serialize;

use super::{Result, Workspace, WorkspaceError};
use cairn_data::diff::Snapshot;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Repo-relative path to list (`None`: the root).
    pub path: Option<String>,
    /// A git revision instead of the work tree.
    pub rev: Option<String>,
    /// Every file below, not just the entries of the folder.
    pub recursive: bool,
    /// Only data DVC records (and the folders leading to it).
    pub dvc_only: bool,
    /// With `recursive`: descend this many levels, listing the folders found there.
    pub level: Option<usize>,
}

/// One listed path, in `dvc ls --json`'s shape and key order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ListEntry {
    /// Data DVC records, or inside it.
    pub isout: bool,
    /// A folder.
    pub isdir: bool,
    /// An executable file.
    pub isexec: bool,
    /// Bytes: the file's (or git object's) where there is one, else the size DVC
    /// records; `None` for a file known only from its folder's listing.
    pub size: Option<u64>,
    /// The hash DVC records (a folder's ends in `.dir`).
    pub md5: Option<String>,
    /// Relative to the listed folder.
    pub path: String,
}

/// A path as git (or the work tree) has it.
#[derive(Debug, Clone, Copy)]
struct FsInfo {
    is_dir: bool,
    exec: bool,
    size: u64,
}

/// A path as DVC's records have it.
#[derive(Debug, Clone, Default)]
struct DvcInfo {
    is_dir: bool,
    /// An output or inside one (not merely a folder leading to one).
    is_out: bool,
    md5: Option<String>,
    size: Option<u64>,
}

#[derive(Debug, Default)]
struct Node {
    fs: Option<FsInfo>,
    dvc: Option<DvcInfo>,
}

impl Node {
    fn is_dir(&self) -> bool {
        self.fs.is_some_and(|f| f.is_dir) || self.dvc.as_ref().is_some_and(|d| d.is_dir)
    }

    /// The entry as listed; `dvc_only` lists what DVC records as DVC records it (its
    /// size, not the work tree's).
    fn entry(&self, path: String, dvc_only: bool) -> ListEntry {
        if dvc_only && let Some(d) = &self.dvc {
            return ListEntry {
                isout: d.is_out,
                isdir: d.is_dir,
                isexec: false,
                size: d.size,
                md5: d.md5.clone(),
                path,
            };
        }
        let dvc = self.dvc.clone().unwrap_or_default();
        ListEntry {
            isout: dvc.is_out,
            isdir: self.fs.map_or(dvc.is_dir, |f| f.is_dir),
            isexec: self.fs.is_some_and(|f| f.exec),
            size: self.fs.map(|f| f.size).or(dvc.size),
            md5: dvc.md5,
            path,
        }
    }
}

/// Every path, repo-relative (`""` is the root).
type Tree = BTreeMap<String, Node>;

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

fn name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, n)| n)
}

/// Adds DVC's side: each recorded output, the files its folder listing names, and the
/// folders leading to them.
fn add_recorded(tree: &mut Tree, snap: &Snapshot) {
    for (key, md5) in snap.entries() {
        let (path, is_dir) = match key.strip_suffix('/') {
            Some(p) => (p, true),
            None => (key.as_str(), false),
        };
        let node = tree.entry(path.to_string()).or_default();
        node.dvc = Some(DvcInfo {
            is_dir,
            is_out: true,
            md5: (!md5.is_empty()).then(|| md5.clone()),
            size: snap.recorded_size(key),
        });
        let mut dir = parent(path);
        loop {
            let node = tree.entry(dir.to_string()).or_default();
            node.dvc.get_or_insert_with(DvcInfo::default).is_dir = true;
            if dir.is_empty() {
                break;
            }
            dir = parent(dir);
        }
    }
    // A folder inside an output is part of it (`data/sub` of output `data`).
    let outs: Vec<String> = snap
        .entries()
        .keys()
        .filter_map(|k| k.strip_suffix('/').map(str::to_string))
        .collect();
    for (path, node) in tree.iter_mut() {
        if let Some(d) = &mut node.dvc
            && !d.is_out
            && outs.iter().any(|o| path.starts_with(&format!("{o}/")))
        {
            d.is_out = true;
        }
    }
}

/// Adds the work tree: every path but `.git`, the `.dvc` folder and what `.dvcignore`
/// hides.
fn add_work_tree(tree: &mut Tree, root: &Path) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WorkspaceError::Io { path, source }
    };
    tree.entry(String::new()).or_default().fs = Some(FsInfo {
        is_dir: true,
        exec: false,
        size: std::fs::metadata(root).map_err(io(root))?.len(),
    });
    let mut ignore = cairn_data::ignore::DvcIgnore::load_for(root, root)?;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        ignore.add_dir(&dir)?;
        let entries = std::fs::read_dir(&dir).map_err(io(&dir))?;
        for e in entries.flatten() {
            let path = e.path();
            let Ok(meta) = std::fs::metadata(&path) else {
                continue; // a dangling link
            };
            if e.file_name() == ".git" || ignore.is_ignored(&path, meta.is_dir()) {
                continue;
            }
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            tree.entry(rel.to_string_lossy().into_owned())
                .or_default()
                .fs = Some(FsInfo {
                is_dir: meta.is_dir(),
                exec: !meta.is_dir() && meta.permissions().mode() & 0o111 != 0,
                size: meta.len(),
            });
            if meta.is_dir() {
                stack.push(path);
            }
        }
    }
    Ok(())
}

/// Adds git's side at `rev`, without what DVC ignores there (the `.dvc` folder, and
/// what that revision's `.dvcignore` files hide).
fn add_git_tree(tree: &mut Tree, git: &cairn_git::Git, rev: &str, root: &Path) -> Result<()> {
    let mut ignore = cairn_data::ignore::DvcIgnore::empty(root);
    let ignore_files = git.files_at(rev, &|p| name(p) == cairn_data::ignore::FILE_NAME)?;
    for (file, bytes) in ignore_files {
        ignore.add_text(&root.join(parent(&file)), &String::from_utf8_lossy(&bytes))?;
    }
    for p in git.paths_at(rev)? {
        if !p.path.is_empty() && ignore.is_ignored(&root.join(&p.path), p.is_dir) {
            continue;
        }
        tree.entry(p.path).or_default().fs = Some(FsInfo {
            is_dir: p.is_dir,
            exec: p.exec,
            size: p.size,
        });
    }
    Ok(())
}

impl Workspace {
    /// Lists the repository as `dvc list` does: the entries of a folder (or every file
    /// below it), git's files or the work tree's merged with the data DVC records,
    /// sorted by path.
    pub fn list(&self, opts: &ListOptions) -> Result<Vec<ListEntry>> {
        let (tree, target) = self.listed(opts)?;
        let node = &tree[&target];
        // `-L` only counts with `-R`; `-R -L 0` lists the folder itself.
        let level = opts.level.filter(|_| opts.recursive);
        if !node.is_dir() || level == Some(0) {
            let label = if target.is_empty() {
                "."
            } else {
                name(&target)
            };
            // The listed path itself is shown as it is, whatever `dvc_only` says.
            return Ok(vec![node.entry(label.to_string(), false)]);
        }
        let mut out = Vec::new();
        let walk = Walk {
            tree: &tree,
            recursive: opts.recursive,
            level,
            dvc_only: opts.dvc_only,
        };
        walk.list_dir(&target, 0, &mut out);
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The listed path and everything below it as a tree, as `dvc list --tree` shows
    /// it: `level` folders deep (all of them without it); `recursive` is not used.
    pub fn list_tree(&self, opts: &ListOptions) -> Result<TreeItem> {
        let (tree, target) = self.listed(opts)?;
        let walk = Walk {
            tree: &tree,
            recursive: true,
            level: opts.level,
            dvc_only: opts.dvc_only,
        };
        let label = match opts.path.as_deref() {
            None | Some("") => ".".to_string(),
            Some(p) => p.to_string(),
        };
        Ok(walk.item(&target, label, opts.level, true))
    }

    /// Git's (or the work tree's) paths merged with DVC's records, and the repo-relative
    /// path asked for, which must be among them.
    fn listed(&self, opts: &ListOptions) -> Result<(Tree, String)> {
        let mut tree = Tree::new();
        let mut snap = Snapshot::default();
        match &opts.rev {
            Some(rev) => {
                let git = self.git()?;
                self.add_recorded_at(&mut snap, &git, rev)?;
                add_git_tree(&mut tree, &git, rev, self.root())?;
            }
            None => {
                snap = self.recorded_index()?.0;
                add_work_tree(&mut tree, self.root())?;
            }
        }
        add_recorded(&mut tree, &snap);
        let target = opts
            .path
            .as_deref()
            .map(|p| p.trim_matches('/').trim_start_matches("./"))
            .filter(|p| !p.is_empty() && *p != ".")
            .unwrap_or("")
            .to_string();
        if !tree.contains_key(&target) {
            return Err(WorkspaceError::NotFound(format!(
                "No such file or directory: '{}'",
                self.root().join(&target).display()
            )));
        }
        Ok((tree, target))
    }
}

/// A path and, for a folder, what it holds (by name).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeItem {
    /// The path's entry (its `path` is the name shown).
    pub entry: ListEntry,
    /// A folder's contents, sorted by name (empty for a file or below the depth limit).
    pub contents: Vec<TreeItem>,
}

/// How `dvc ls` walks below the listed folder.
struct Walk<'a> {
    tree: &'a Tree,
    recursive: bool,
    level: Option<usize>,
    /// Only paths DVC records (the listed path itself is shown whatever it is).
    dvc_only: bool,
}

impl Walk<'_> {
    /// The entries below folder `dir` (at `depth` below the listed one), as `dvc ls`'s
    /// walk collects them: files always, folders when not recursing or at the depth
    /// limit.
    fn list_dir(&self, dir: &str, depth: usize, out: &mut Vec<ListEntry>) {
        let show_dirs = !self.recursive || self.level.is_some_and(|l| depth + 1 >= l);
        for (path, node) in self.children(dir) {
            if node.is_dir() && !show_dirs {
                self.list_dir(path, depth + 1, out);
            } else {
                // Relative to the listed folder: the last `depth + 1` parts.
                let parts: Vec<&str> = path.split('/').collect();
                let rel = parts[parts.len() - depth - 1..].join("/");
                out.push(node.entry(rel, self.dvc_only));
            }
        }
    }

    /// The paths directly inside folder `dir`, in path order.
    fn children<'t>(&'t self, dir: &str) -> impl Iterator<Item = (&'t String, &'t Node)> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let prefix_len = prefix.len();
        self.tree
            .range(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix))
            .filter(move |(p, _)| !p.is_empty() && !p[prefix_len..].contains('/'))
            .filter(|(_, n)| !self.dvc_only || n.dvc.is_some())
    }

    /// `path` shown as `label`, with its contents `depth_left` folders deep; the
    /// listed path itself (`listed`) is shown as it is, whatever `dvc_only` says.
    fn item(&self, path: &str, label: String, depth_left: Option<usize>, listed: bool) -> TreeItem {
        let node = &self.tree[path];
        let mut item = TreeItem {
            entry: node.entry(label, self.dvc_only && !listed),
            contents: Vec::new(),
        };
        if node.is_dir() && depth_left != Some(0) {
            let mut contents: Vec<TreeItem> = self
                .children(path)
                .map(|(p, _)| self.item(p, name(p).to_string(), depth_left.map(|d| d - 1), false))
                .collect();
            contents.sort_by(|a, b| a.entry.path.cmp(&b.entry.path));
            item.contents = contents;
        }
        item
    }
}
