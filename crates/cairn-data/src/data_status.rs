//! `data status`: how the data differs between the last commit's records, the work
//! tree's records (its `.dvc` and lock files) and the data itself, compared the way
//! `dvc data status` compares them: per output, or per file inside tracked folders
//! (`granular`), with moves paired up as renames.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde::Serialize;

use crate::diff::{Renamed, Snapshot};
use crate::error::Result;
use crate::hash::HashKind;
use crate::odb::Odb;
use crate::remote::Remote;

/// What a comparison looks at.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Compare the files inside tracked folders too, not only the outputs.
    pub granular: bool,
    /// Only paths under these (repo-relative, `/`-separated); all when empty.
    pub targets: Vec<String>,
}

/// Paths that changed between two sides, by kind (dvc's `committed` / `uncommitted`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Changes {
    /// Content differs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modified: Vec<String>,
    /// Only on the new side.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// Only on the old side.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<String>,
    /// The same content under a new path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renamed: Vec<Renamed>,
    /// Files inside a folder whose old listing is not in the cache.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

impl Changes {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.modified.is_empty()
            && self.added.is_empty()
            && self.deleted.is_empty()
            && self.renamed.is_empty()
            && self.unknown.is_empty()
    }
}

/// One side compared with the next.
#[derive(Debug, Clone, Default)]
pub struct Compared {
    /// What changed.
    pub changes: Changes,
    /// Paths recorded alike on both sides.
    pub unchanged: Vec<String>,
    /// Old-side paths whose object is missing from the cache (when asked).
    pub not_in_cache: Vec<String>,
}

/// A snapshot seen as dvc's data index: key (path without the folder's `/`) → entry.
struct Side<'a> {
    entries: HashMap<&'a str, Entry<'a>>,
    dirs: HashSet<&'a str>,
    unknown: HashSet<&'a str>,
}

#[derive(Clone, Copy)]
struct Entry<'a> {
    /// Empty for an output declared but never recorded.
    hash: &'a str,
    is_dir: bool,
}

impl<'a> Side<'a> {
    fn of(snap: &'a Snapshot) -> Side<'a> {
        let mut entries = HashMap::new();
        let mut dirs = HashSet::new();
        for (path, hash) in snap.entries() {
            let (key, is_dir) = match path.strip_suffix('/') {
                Some(k) => (k, true),
                None => (path.as_str(), false),
            };
            if is_dir {
                dirs.insert(key);
            }
            entries.insert(key, Entry { hash, is_dir });
        }
        let unknown = snap
            .unknown_dirs()
            .iter()
            .map(|d| d.trim_end_matches('/'))
            .collect();
        Side {
            entries,
            dirs,
            unknown,
        }
    }

    /// The tracked folder `key` lies in, if any.
    fn folder_of(&self, key: &str) -> Option<&'a str> {
        let mut k = key;
        while let Some((parent, _)) = k.rsplit_once('/') {
            if let Some(d) = self.dirs.get(parent) {
                return Some(d);
            }
            k = parent;
        }
        None
    }

    fn recorded(&self, key: &str) -> Option<Entry<'a>> {
        self.entries
            .get(key)
            .copied()
            .filter(|e| !e.hash.is_empty())
    }
}

/// `a` before `b` as dvc orders index keys: part by part.
fn key_order(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

fn shown(key: &str, is_dir: bool) -> String {
    if is_dir {
        format!("{key}/")
    } else {
        key.to_string()
    }
}

/// Sorts shown paths (folders end in `/`) in key order.
fn sort_shown(paths: &mut [String]) {
    paths.sort_by(|a, b| key_order(a.trim_end_matches('/'), b.trim_end_matches('/')));
}

impl Scope {
    fn within(&self, key: &str) -> bool {
        self.targets.is_empty() || self.targets.iter().any(|t| under(key, t))
    }

    /// Within the scope, or a folder a target lies inside.
    fn reaches(&self, key: &str) -> bool {
        self.within(key) || self.targets.iter().any(|t| under(t, key))
    }
}

/// Whether repo-relative `key` is `target` or lies inside it.
pub fn contains(target: &str, key: &str) -> bool {
    under(key, target)
}

/// `key` is `target` or lies inside it.
fn under(key: &str, target: &str) -> bool {
    key == target || key.strip_prefix(target).is_some_and(|r| r.starts_with('/'))
}

/// Whether the object of a recorded hash is in the cache (either layout).
fn cached(odb: &Odb, hash: &str) -> bool {
    odb.contains(hash, HashKind::Md5) || odb.contains(hash, HashKind::LegacyDos2Unix)
}

/// Compares `old` with `new` within `scope`; with `check_cache`, also lists the old
/// side's paths whose object is not in the cache.
pub fn compare(
    odb: &Odb,
    old: &Snapshot,
    new: &Snapshot,
    scope: &Scope,
    check_cache: bool,
) -> Compared {
    let (old, new) = (Side::of(old), Side::of(new));
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    for side in [&old, &new] {
        keys.extend(
            side.entries
                .keys()
                .filter(|k| scope.granular || side.folder_of(k).is_none()),
        );
    }
    let mut out = Compared::default();
    let mut added: Vec<(&str, Entry)> = Vec::new();
    let mut deleted: Vec<(&str, Entry)> = Vec::new();
    let mut unknown_subfolders: HashSet<&str> = HashSet::new();
    let complete: HashSet<&str> = if check_cache && scope.granular {
        old.dirs
            .iter()
            .filter(|d| scope.reaches(d))
            .filter(|d| {
                let hash = old.entries[**d].hash;
                !old.unknown.contains(**d) && odb.dir_complete(hash, HashKind::Md5)
            })
            .copied()
            .collect()
    } else {
        HashSet::new()
    };
    for key in keys.into_iter().filter(|k| scope.within(k)) {
        // Inside a folder the new side cannot list: nothing to say about its files.
        if new.folder_of(key).is_some_and(|d| new.unknown.contains(d)) {
            continue;
        }
        let (o, n) = (old.recorded(key), new.recorded(key));
        if let Some(folder) = old.folder_of(key).filter(|d| old.unknown.contains(d)) {
            if let Some(n) = n {
                out.changes.unknown.push(shown(key, n.is_dir));
                // dvc's side of the workspace has a node per subfolder, each unknown too.
                let mut k = key;
                while let Some((parent, _)) = k.rsplit_once('/')
                    && parent != folder
                {
                    if unknown_subfolders.insert(parent) {
                        out.changes.unknown.push(shown(parent, true));
                    }
                    k = parent;
                }
            }
            continue;
        }
        // A folder known complete in the cache vouches for its files.
        let vouched = || old.folder_of(key).is_some_and(|d| complete.contains(d));
        if let (true, Some(o)) = (check_cache, o)
            && !vouched()
            && !cached(odb, o.hash)
        {
            out.not_in_cache.push(shown(key, o.is_dir));
        }
        match (o, n) {
            (None, None) => {}
            (None, Some(n)) => added.push((key, n)),
            (Some(o), None) => deleted.push((key, o)),
            (Some(o), Some(n)) if o.hash == n.hash => {
                out.unchanged.push(shown(key, n.is_dir));
            }
            (Some(_), Some(n)) => out.changes.modified.push(shown(key, n.is_dir)),
        }
    }
    // dvc_data's pairing: additions in key order, each taking the first deletion (in
    // key order) of the same content.
    added.sort_by(|a, b| key_order(a.0, b.0));
    deleted.sort_by(|a, b| key_order(a.0, b.0));
    let mut by_hash: HashMap<&str, VecDeque<(&str, Entry)>> = HashMap::new();
    for d in &deleted {
        by_hash.entry(d.1.hash).or_default().push_back(*d);
    }
    for (key, n) in added {
        match by_hash.get_mut(n.hash).and_then(|q| q.pop_front()) {
            Some((old_key, o)) => out.changes.renamed.push(Renamed {
                old: shown(old_key, o.is_dir),
                new: shown(key, n.is_dir),
            }),
            None => out.changes.added.push(shown(key, n.is_dir)),
        }
    }
    let mut left: Vec<(&str, Entry)> = by_hash.into_values().flatten().collect();
    left.sort_by(|a, b| key_order(a.0, b.0));
    out.changes.deleted = left.into_iter().map(|(k, e)| shown(k, e.is_dir)).collect();
    for list in [
        &mut out.changes.modified,
        &mut out.changes.unknown,
        &mut out.unchanged,
        &mut out.not_in_cache,
    ] {
        sort_shown(list);
    }
    out
}

/// The recorded paths of `index` (within `scope`) whose objects `remote` lacks, leaving
/// out the outputs in `local_only` (`push: false`). Per output, or with
/// `scope.granular` per file inside folders too. With no
/// remote at all, everything is missing (as dvc has it).
pub fn missing_on_remote(
    remote: Option<&Remote>,
    index: &Snapshot,
    local_only: &HashSet<String>,
    scope: &Scope,
) -> Result<Vec<String>> {
    let side = Side::of(index);
    let holds = |entries: &[(&str, Entry)]| -> Result<Vec<bool>> {
        match remote {
            Some(r) => r.holds(&objects(entries)),
            None => Ok(vec![false; entries.len()]),
        }
    };
    let mut tops: Vec<(&str, Entry)> = side
        .entries
        .iter()
        .filter(|(k, e)| !e.hash.is_empty() && side.folder_of(k).is_none())
        .filter(|(k, _)| !local_only.contains(**k))
        .map(|(k, e)| (*k, *e))
        .collect();
    tops.sort_by(|a, b| key_order(a.0, b.0));
    // A folder a target lies inside is looked into, though not itself listed.
    let asked: Vec<(&str, Entry)> = tops.into_iter().filter(|(k, _)| scope.reaches(k)).collect();
    let mut missing = Vec::new();
    let mut children = Vec::new();
    for ((key, e), held) in asked.iter().zip(holds(&asked)?) {
        if !held && scope.within(key) {
            missing.push(shown(key, e.is_dir));
        }
        if scope.granular && e.is_dir {
            children.extend(
                side.entries
                    .iter()
                    .filter(|(k, _)| side.folder_of(k) == Some(*key) && scope.within(k))
                    .map(|(k, e)| (*k, *e)),
            );
        }
    }
    missing.extend(
        children
            .iter()
            .zip(holds(&children)?)
            .filter(|(_, held)| !held)
            .map(|((k, e), _)| shown(k, e.is_dir)),
    );
    sort_shown(&mut missing);
    Ok(missing)
}

fn objects(entries: &[(&str, Entry)]) -> Vec<(String, HashKind)> {
    entries
        .iter()
        .map(|(_, e)| (e.hash.to_string(), HashKind::Md5))
        .collect()
}

/// Drops targets that lie inside another (dvc's `_prune_keys`).
pub fn prune_targets(targets: Vec<String>) -> Vec<String> {
    let mut sorted: Vec<String> = targets
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    sorted.sort_by_key(|t| t.split('/').count());
    let mut kept: Vec<String> = Vec::new();
    for t in sorted {
        if !kept.iter().any(|k| under(&t, k)) {
            kept.push(t);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_part_by_part() {
        let mut v = vec!["a/b".to_string(), "a-b".into(), "a/".into(), "A".into()];
        sort_shown(&mut v);
        assert_eq!(v, ["A", "a/", "a/b", "a-b"]);
    }

    fn files(odb: &Odb, pairs: &[(&str, &str)]) -> Snapshot {
        let mut snap = Snapshot::default();
        for (path, md5) in pairs {
            let h = crate::pointer::HashInfo {
                md5: md5.to_string(),
                size: None,
                nfiles: None,
                kind: HashKind::Md5,
            };
            snap.add_recorded(odb, path.to_string(), Some(&h).filter(|_| !md5.is_empty()));
        }
        snap
    }

    #[test]
    fn moves_pair_in_key_order_and_the_rest_is_added_or_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let odb = Odb::new(dir.path());
        let old = files(
            &odb,
            &[
                ("b", "h1"),
                ("a", "h1"),
                ("c", "h2"),
                ("gone", "h4"),
                ("never", ""),
            ],
        );
        let new = files(
            &odb,
            &[
                ("y", "h1"),
                ("x", "h1"),
                ("c", "h3"),
                ("fresh", "h5"),
                ("never", ""),
            ],
        );
        let got = compare(&odb, &old, &new, &Scope::default(), true);
        let renamed: Vec<(&str, &str)> = got
            .changes
            .renamed
            .iter()
            .map(|r| (r.old.as_str(), r.new.as_str()))
            .collect();
        assert_eq!(renamed, [("a", "x"), ("b", "y")]);
        assert_eq!(got.changes.modified, ["c"]);
        assert_eq!(got.changes.added, ["fresh"]);
        assert_eq!(got.changes.deleted, ["gone"]);
        // Every recorded old object is looked for; none is in this empty cache.
        assert_eq!(got.not_in_cache, ["a", "b", "c", "gone"]);
        let only_c = Scope {
            granular: false,
            targets: vec!["c".into()],
        };
        let got = compare(&odb, &old, &new, &only_c, false);
        assert!(got.changes.renamed.is_empty() && got.not_in_cache.is_empty());
        assert_eq!(got.changes.modified, ["c"]);
    }

    #[test]
    fn nested_targets_are_pruned() {
        let t = prune_targets(vec![
            "data/sub".into(),
            "data".into(),
            "other".into(),
            "data".into(),
        ]);
        assert_eq!(t, ["data", "other"]);
        assert!(under("data/x", "data") && !under("database", "data"));
    }
}
