//! File watching for open projects (notify): changes in the work tree become a debounced
//! [`ApiEvent::FilesChanged`], so the UI refreshes statuses without polling. Moved git
//! refs count too (a commit, a checkout or an experiment made in a terminal changes the
//! header, the baseline and what is unsaved); the rest of git's internals, DVC's
//! cache/tmp and Python bytecode are ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    if let Some(x) = s.strip_prefix(".dvc/tmp/exps/") {
        return dvc_queue_change(x).then_some(s);
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

/// Whether a change under `.dvc/tmp/exps/` moves DVC's queue: a task message queued or
/// taken (the worker's `pidbox` control chatter is not), a task's result,
/// its executor and process records, or a file a running task writes in its temporary
/// repository's work tree (its metrics, as the run goes).
fn dvc_queue_change(x: &str) -> bool {
    if let Some(m) = x
        .strip_prefix("celery/broker/in/")
        .or_else(|| x.strip_prefix("celery/broker/processed/"))
    {
        return cairn_exp::dvc_queue::is_task_message(m);
    }
    if x.starts_with("celery/result/") {
        return true;
    }
    if let Some(r) = x.strip_prefix("run/") {
        return r.ends_with(".run") || r.ends_with(".json");
    }
    // `tmpXXXXXXXX/<path>`: mkdtemp's names, in DVC's `exps` folder.
    match x.split_once('/') {
        Some((dir, rest)) if dir.starts_with("tmp") => {
            !(rest.is_empty()
                || rest == ".git"
                || rest.starts_with(".git/")
                || rest.starts_with(".dvc/")
                || rest.contains("__pycache__"))
        }
        _ => false,
    }
}

/// How long changes are gathered after the last one before they are reported…
const QUIET: Duration = Duration::from_millis(300);
/// …but never longer than this after the first: a run that rewrites its metrics several
/// times a second is still followed.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// The paths of a burst of changes that began with `first`: until [`QUIET`] passes without
/// another reported path, or [`MAX_WAIT`] after `first`. `next(wait)` gives the next
/// change (`None`: none came in `wait`), reported or not (`Some(None)`): changes nobody
/// is told about (the cache, experiment worktrees) neither count nor hold a report back.
fn gather(first: String, next: impl Fn(Duration) -> Option<Option<String>>) -> Vec<String> {
    let start = Instant::now();
    let mut last = start;
    let mut paths = vec![first];
    loop {
        let until = (last + QUIET).min(start + MAX_WAIT);
        let now = Instant::now();
        if now >= until {
            return paths;
        }
        match next(until - now) {
            None => return paths,
            Some(None) => {}
            Some(Some(p)) => {
                last = Instant::now();
                // The UI reloads everything past 50 paths anyway.
                if paths.len() < 50 && !paths.contains(&p) {
                    paths.push(p);
                }
            }
        }
    }
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
            while let Ok(first) = rx.recv() {
                let Some(s) = interesting(&root, &first) else {
                    continue;
                };
                let paths = gather(s, |wait| {
                    rx.recv_timeout(wait).ok().map(|p| interesting(&root, &p))
                });
                api.emit(ApiEvent::FilesChanged {
                    project: key.clone(),
                    paths,
                });
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
    use super::{MAX_WAIT, QUIET, gather, interesting};
    use std::cell::Cell;
    use std::path::Path;
    use std::time::{Duration, Instant};

    #[test]
    fn a_burst_is_reported_within_the_longest_wait_however_busy_the_disk() {
        // Something changes every 20 ms for ever: half of it reported paths.
        let n = Cell::new(0);
        let next = |wait: Duration| {
            std::thread::sleep(wait.min(Duration::from_millis(20)));
            n.set(n.get() + 1);
            Some((n.get() % 2 == 0).then(|| format!("m{}.json", n.get() % 6)))
        };
        let began = Instant::now();
        let paths = gather("first".into(), next);
        let took = began.elapsed();
        // Not held back until the disk goes quiet (it never does here); the bound is loose
        // for a busy machine.
        assert!(took >= MAX_WAIT && took < 5 * MAX_WAIT, "{took:?}");
        assert_eq!(paths, ["first", "m2.json", "m4.json", "m0.json"]);
        // Only unreported changes after the first: reported after a quiet spell, not held.
        let began = Instant::now();
        let paths = gather("first".into(), |wait: Duration| {
            std::thread::sleep(wait.min(Duration::from_millis(20)));
            Some(None)
        });
        let took = began.elapsed();
        assert!(took >= QUIET && took < 5 * MAX_WAIT, "{took:?}");
        assert_eq!(paths, ["first"]);
    }

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
            ".dvc/tmp/exps/celery/broker/in/4856_ab-cd.celery.msg",
            ".dvc/tmp/exps/celery/broker/processed/4856_ab-cd.celery.msg",
            ".dvc/tmp/exps/celery/result/celery-task-meta-ab-cd",
            ".dvc/tmp/exps/run/64259c0/64259c0.run",
            ".dvc/tmp/exps/run/64259c0/64259c0.json",
            ".dvc/tmp/exps/tmpik_r0bxa/metrics.json",
            ".dvc/tmp/exps/tmpik_r0bxa/dvclive/plots/metrics/loss.tsv",
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
            ".dvc/tmp/exps/celery/broker/processed/4856_ab.dvc-exp-1@localhost.celery.pidbox.msg",
            ".dvc/tmp/exps/celery/broker/control/celery.pidbox.exchange",
            ".dvc/tmp/exps/run/64259c0/64259c0.out",
            ".dvc/tmp/exps/tmpik_r0bxa",
            ".dvc/tmp/exps/tmpik_r0bxa/.git/index",
            ".dvc/tmp/exps/tmpik_r0bxa/.dvc/tmp/lock",
            ".dvc/tmp/exps/rwlock",
            ".dvc/cache/files/md5/ab/cd",
            "src/__pycache__/x.pyc",
            "",
        ] {
            assert_eq!(seen(no), None, "{no}");
        }
    }
}
