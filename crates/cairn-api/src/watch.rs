//! File watching for open projects (notify): changes in the work tree become a debounced
//! [`ApiEvent::FilesChanged`], so the UI refreshes statuses without polling. Moved git
//! refs count too (a commit, a checkout or an experiment made in a terminal changes the
//! header, the baseline and what is unsaved); the rest of git's internals, DVC's
//! cache/tmp and Python bytecode are ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};

use crate::{Api, ApiEvent};

/// A watcher kept alive while its project is open.
pub(crate) struct Watcher {
    _inner: notify::RecommendedWatcher,
}

fn interesting(root: &Path, p: &Path) -> Option<String> {
    let rel = p.strip_prefix(root).ok()?;
    let s = rel.to_string_lossy().replace('\\', "/");
    if let Some(git) = s.strip_prefix(".git/") {
        // Objects, the index and logs change with every ref move or not at all for the
        // UI; a ref's `.lock` is written just before the ref itself.
        let moved = git == "HEAD" || git == "packed-refs" || git.starts_with("refs/");
        return (moved && !git.ends_with(".lock")).then_some(s);
    }
    // A queued experiment's state, and what it has logged so far while it runs
    // (`<id>.json`, `<id>.live.json`): the experiments table follows them. Its log is
    // polled by the log dialog instead; a file change per line would be too many.
    if let Some(q) = s.strip_prefix(".dvc/tmp/cairn/queue/") {
        return (!q.contains('/') && q.ends_with(".json")).then_some(s);
    }
    let skip = s == ".git"
        || s.starts_with(".dvc/tmp")
        || s.starts_with(".dvc/cache")
        || s.contains("__pycache__")
        || s.ends_with(".tmp")
        || s.contains("/.cairn-tmp")
        || s.is_empty();
    (!skip).then_some(s)
}

impl Api {
    pub(crate) fn watch(&self, root: &Path) {
        let key = root.to_string_lossy().into_owned();
        let mut watchers = self.inner.watchers.lock().expect("watchers mutex");
        if watchers.contains_key(&key) {
            return;
        }
        let (tx, rx) = mpsc::channel::<PathBuf>();
        let Ok(mut w) = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res {
                for p in ev.paths {
                    let _ = tx.send(p);
                }
            }
        }) else {
            return;
        };
        if w.watch(root, RecursiveMode::Recursive).is_err() {
            return;
        }
        watchers.insert(key.clone(), Watcher { _inner: w });
        let api = self.clone();
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            // Debounce: collect for 300 ms after the first change.
            while let Ok(first) = rx.recv() {
                let mut paths: Vec<String> = interesting(&root, &first).into_iter().collect();
                while let Ok(p) = rx.recv_timeout(Duration::from_millis(300)) {
                    if let Some(s) = interesting(&root, &p)
                        && paths.len() < 50
                        && !paths.contains(&s)
                    {
                        paths.push(s);
                    }
                }
                if !paths.is_empty() {
                    api.emit(ApiEvent::FilesChanged {
                        project: key.clone(),
                        paths,
                    });
                }
            }
        });
    }

    pub(crate) fn stop_watching(&self, key: &str) {
        self.inner
            .watchers
            .lock()
            .expect("watchers mutex")
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::interesting;
    use std::path::Path;

    #[test]
    fn work_tree_files_and_moved_refs_are_reported_git_internals_are_not() {
        let root = Path::new("/r");
        let seen = |p: &str| interesting(root, &root.join(p));
        for yes in [
            "params.yaml",
            "dvclive/metrics.json",
            ".git/HEAD",
            ".git/packed-refs",
            ".git/refs/heads/main",
            ".git/refs/exps/ab/cdef/tiny",
            ".git/refs/notes/cairn",
            ".dvc/tmp/cairn/queue/ab12.json",
            ".dvc/tmp/cairn/queue/ab12.live.json",
        ] {
            assert_eq!(seen(yes).as_deref(), Some(yes));
        }
        for no in [
            ".git",
            ".git/index",
            ".git/objects/ab/cdef",
            ".git/logs/HEAD",
            ".git/refs/heads/main.lock",
            ".git/HEAD.lock",
            ".dvc/tmp/lock",
            ".dvc/tmp/cairn/queue/ab12.log",
            ".dvc/tmp/exps/cairn-ab12/dvclive/metrics.json",
            ".dvc/cache/files/md5/ab/cd",
            "src/__pycache__/x.pyc",
            "",
        ] {
            assert_eq!(seen(no), None, "{no}");
        }
    }
}
