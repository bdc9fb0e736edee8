//! `.dvc` pointer files: which data a path should hold, by hash.
//!
//! Reading accepts any key order and keeps keys Cairn does not interpret (import
//! `deps`, `desc`, `meta`, ...) so a rewrite loses nothing. Writing uses DVC's key
//! order for an output (`md5, size, nfiles, isexec, hash, path, …`) and DVC's YAML
//! emitter, so new files are byte-identical to `dvc add`'s.

use std::path::{Path, PathBuf};

use cairn_yaml::{Mark, Node, Value};

use crate::error::{DataError, Result};
use crate::hash::HashKind;

/// The recorded content of one output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashInfo {
    /// File MD5, or manifest id ending in `.dir` for a directory.
    pub md5: String,
    /// Total size in bytes, when recorded.
    pub size: Option<u64>,
    /// Number of files, for a directory.
    pub nfiles: Option<u64>,
    /// DVC 3 (`hash: md5`) or legacy.
    pub kind: HashKind,
}

impl Out {
    /// Whether `push` sends this output (`push: false` keeps it local).
    pub fn push(&self) -> bool {
        !self
            .extra
            .iter()
            .any(|(k, v)| k.as_str() == Some("push") && matches!(v.value, Value::Bool(false)))
    }
}

impl HashInfo {
    /// Whether this is a directory (manifest) hash.
    pub fn is_dir(&self) -> bool {
        self.md5.ends_with(".dir")
    }
}

/// One entry of `outs:`.
#[derive(Debug, Clone, PartialEq)]
pub struct Out {
    /// The path as written, relative to the `.dvc` file's directory, `/`-separated.
    pub path: String,
    /// The recorded hash; `None` for an entry that was never hashed.
    pub hash: Option<HashInfo>,
    /// `isexec: true`.
    pub isexec: bool,
    /// `cache: false` means the data is not stored in the cache.
    pub cache: bool,
    /// Keys kept verbatim (`desc`, `type`, `labels`, `meta`, `persist`, `remote`, `push`, `files`...).
    pub extra: Vec<(Node, Node)>,
    /// Where the entry starts in the file.
    pub mark: Mark,
}

/// A parsed `.dvc` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Pointer {
    /// The outputs.
    pub outs: Vec<Out>,
    /// Top-level entries other than `outs`, in order; `outs` is written where it was.
    top: Vec<(Node, Node)>,
    outs_index: usize,
}

impl Pointer {
    /// A pointer with one output, as `dvc add` creates it.
    pub fn new(out: Out) -> Self {
        Pointer {
            outs: vec![out],
            top: Vec::new(),
            outs_index: 0,
        }
    }

    /// Parses `text`, the content of the `.dvc` file at `path` (used in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Pointer> {
        let err = |mark: Mark, message: String| DataError::Syntax {
            path: path.to_path_buf(),
            line: mark.line.max(1),
            col: mark.col.max(1),
            message,
        };
        let root = cairn_yaml::parse(text).map_err(|e| {
            err(
                Mark {
                    line: e.line,
                    col: e.col,
                },
                format!("malformed YAML: {}", e.message),
            )
        })?;
        let Value::Map(entries) = root.value else {
            return Err(err(
                root.mark,
                format!(
                    "expected a mapping with an `outs:` list, found {}",
                    root.type_name()
                ),
            ));
        };
        let mut top = Vec::new();
        let mut outs = None;
        let mut outs_index = 0;
        for (k, v) in entries {
            if k.as_str() == Some("outs") {
                let Some(items) = v.as_seq() else {
                    return Err(err(
                        v.mark,
                        format!("`outs` must be a list, found {}", v.type_name()),
                    ));
                };
                let parsed: Result<Vec<Out>> =
                    items.iter().map(|item| parse_out(item, &err)).collect();
                outs = Some(parsed?);
                outs_index = top.len();
            } else {
                top.push((k, v));
            }
        }
        let outs = outs.ok_or_else(|| {
            err(
                root.mark,
                "no `outs:` list; a .dvc file must name the data it tracks".into(),
            )
        })?;
        Ok(Pointer {
            outs,
            top,
            outs_index,
        })
    }

    /// Reads and parses the `.dvc` file at `path`.
    pub fn load(path: &Path) -> Result<Pointer> {
        let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
        Pointer::parse(path, &text)
    }

    /// The YAML text DVC would write for this pointer.
    pub fn to_yaml(&self) -> String {
        let outs = Node::new(Value::Seq(self.outs.iter().map(out_node).collect()));
        let mut entries = self.top.clone();
        entries.insert(self.outs_index.min(entries.len()), (s("outs"), outs));
        cairn_yaml::to_string(&Node::new(Value::Map(entries)))
    }
}

fn s(v: &str) -> Node {
    Node::new(Value::Str(v.to_string()))
}

fn int(v: u64) -> Node {
    Node::new(Value::Int(v as i64))
}

fn out_node(out: &Out) -> Node {
    let mut m: Vec<(Node, Node)> = Vec::new();
    if let Some(h) = &out.hash {
        m.push((s("md5"), s(&h.md5)));
        if let Some(size) = h.size {
            m.push((s("size"), int(size)));
        }
        if let Some(n) = h.nfiles {
            m.push((s("nfiles"), int(n)));
        }
    }
    if out.isexec {
        m.push((s("isexec"), Node::new(Value::Bool(true))));
    }
    if out.hash.as_ref().is_some_and(|h| h.kind == HashKind::Md5) {
        m.push((s("hash"), s("md5")));
    }
    m.push((s("path"), s(&out.path)));
    m.extend(out.extra.iter().cloned());
    if !out.cache {
        m.push((s("cache"), Node::new(Value::Bool(false))));
    }
    Node::new(Value::Map(m))
}

fn parse_out(item: &Node, err: &dyn Fn(Mark, String) -> DataError) -> Result<Out> {
    let Some(map) = item.as_map() else {
        return Err(err(
            item.mark,
            format!(
                "each entry of `outs` must be a mapping with a `path`, found {}",
                item.type_name()
            ),
        ));
    };
    let mut path = None;
    let (mut md5, mut size, mut nfiles, mut hash_key, mut isexec, mut cache) =
        (None, None, None, None, false, true);
    let mut extra = Vec::new();
    for (k, v) in map {
        let key = k.as_str().unwrap_or_default();
        let want_str = |what: &str| {
            v.as_str().map(str::to_string).ok_or_else(|| {
                err(
                    v.mark,
                    format!("`{what}` must be a string, found {}", v.type_name()),
                )
            })
        };
        let want_u64 = |what: &str| match v.value {
            Value::Int(i) if i >= 0 => Ok(i as u64),
            _ => Err(err(
                v.mark,
                format!(
                    "`{what}` must be a non-negative integer, found {}",
                    v.type_name()
                ),
            )),
        };
        match key {
            "path" => path = Some(want_str("path")?),
            "md5" => md5 = Some(want_str("md5")?),
            "size" => size = Some(want_u64("size")?),
            "nfiles" => nfiles = Some(want_u64("nfiles")?),
            "hash" => hash_key = Some(want_str("hash")?),
            "isexec" => isexec = matches!(v.value, Value::Bool(true)),
            "cache" => cache = !matches!(v.value, Value::Bool(false)),
            _ => extra.push((k.clone(), v.clone())),
        }
    }
    let path = path.ok_or_else(|| err(item.mark, "an output has no `path`".into()))?;
    let kind = match hash_key.as_deref() {
        Some("md5") => HashKind::Md5,
        None => HashKind::LegacyDos2Unix,
        Some(other) => {
            return Err(err(
                item.mark,
                format!(
                    "unsupported hash `{other}`; Cairn reads `md5` (DVC 3) and hash-less (DVC 2) entries"
                ),
            ));
        }
    };
    let hash = md5.map(|md5| HashInfo {
        md5,
        size,
        nfiles,
        kind,
    });
    Ok(Out {
        path,
        hash,
        isexec,
        cache,
        extra,
        mark: item.mark,
    })
}

/// The `.dvc` file that tracks `target` (`data` → `data.dvc`).
pub fn pointer_path_for(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".dvc");
    target.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_dvc_files_byte_for_byte() {
        let texts = [
            "outs:\n- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n  hash: md5\n  path: hello.txt\n",
            "outs:\n- md5: d48c66f685d160ea92972d8fffd5ec37.dir\n  size: 12\n  nfiles: 4\n  hash: md5\n  path: data\n",
            "outs:\n- md5: 46bbbe8aa98cc0714426e948474eaaf4\n  size: 18\n  isexec: true\n  hash: md5\n  path: run.sh\n",
            "outs:\n- md5: e5ebd4c02cefbe7955977c67ada242b7\n  size: 10\n  path: crlf.csv\n",
        ];
        for t in texts {
            let p = Pointer::parse(Path::new("x.dvc"), t).unwrap();
            assert_eq!(p.to_yaml(), t);
        }
    }

    #[test]
    fn legacy_entries_are_recognised() {
        let p = Pointer::parse(
            Path::new("x.dvc"),
            "outs:\n- md5: e5ebd4c02cefbe7955977c67ada242b7\n  size: 10\n  path: crlf.csv\n",
        )
        .unwrap();
        assert_eq!(
            p.outs[0].hash.as_ref().unwrap().kind,
            HashKind::LegacyDos2Unix
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = Pointer::parse(Path::new("d/x.dvc"), "outs:\n- md5: abc\n  size: [\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("d/x.dvc:"), "{e}");
        let e = Pointer::parse(
            Path::new("x.dvc"),
            "outs:\n- md5: abc\n  size: -3\n  path: a\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "x.dvc:3:9: `size` must be a non-negative integer, found an integer"
        );
        let e = Pointer::parse(Path::new("x.dvc"), "outs:\n- md5: abc\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "x.dvc:2:3: an output has no `path`");
    }
}
