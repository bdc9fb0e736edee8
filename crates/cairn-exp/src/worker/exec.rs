//! The worker's side (`cairn worker objects | run`, hidden commands run over SSH): which
//! cache objects a working copy needs, and the run itself. What they print is read by
//! [`super::run_entry_on`] on the other end, so it is the wire format between two
//! builds of Cairn (the same build: the worker runs the binary it was sent).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use cairn_data::hash::HashKind;
use cairn_data::pointer::HashInfo;
use cairn_data::remote::Wanted;
use cairn_run::CancelToken;
use serde::{Deserialize, Serialize};

use crate::error::ExpError;
use crate::queue::{LogLine, execute};
use crate::run::ExpRunOptions;

/// One cache object (or folder manifest) a working copy refers to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireObject {
    /// Repo-relative path, for messages.
    pub path: String,
    /// File md5, or a folder's manifest id (`….dir`).
    pub md5: String,
    /// Hashed by DVC 2 (md5 after CRLF→LF).
    #[serde(default)]
    pub legacy: bool,
    /// Whether `push: false` is off for it.
    pub push: bool,
}

/// What a run on the worker recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireResult {
    /// Experiment name.
    pub name: String,
    /// The experiment commit.
    pub commit: String,
    /// Its ref (`refs/exps/…`).
    pub refname: String,
    /// The objects the experiment's working copy refers to.
    pub objects: Vec<WireObject>,
}

/// The objects of the working copy at `root` (`.dvc` files' outputs and the cached
/// outputs its lock files record).
pub fn objects(root: &Path) -> Result<Vec<WireObject>, ExpError> {
    let (wanted, _unreadable) = cairn_run::sync::workspace_objects(root)?;
    Ok(wanted
        .into_iter()
        .map(|w| WireObject {
            path: w.path,
            legacy: w.hash.kind == HashKind::LegacyDos2Unix,
            md5: w.hash.md5,
            push: w.push,
        })
        .collect())
}

/// Back to what push and fetch take.
pub fn from_wire(objects: &[WireObject]) -> Vec<Wanted> {
    objects
        .iter()
        .map(|o| Wanted {
            path: o.path.clone(),
            hash: HashInfo {
                md5: o.md5.clone(),
                size: None,
                nfiles: None,
                kind: if o.legacy {
                    HashKind::LegacyDos2Unix
                } else {
                    HashKind::Md5
                },
            },
            // The worker's outputs come back whatever `push:` says: they were made
            // for this machine.
            push: true,
        })
        .collect()
}

/// Runs the experiment in the working copy at `root` (the worker's worktree of the
/// snapshot), its log on stdout line by line; returns what it recorded.
pub fn run(
    root: &Path,
    baseline: &str,
    opts: &ExpRunOptions,
    cancel: &CancelToken,
) -> Result<WireResult, ExpError> {
    let log: LogLine = Arc::new(|line: &str| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    });
    // The worker's folder: the parent of the repository this worktree belongs to.
    let git = cairn_git::Git::discover(root)?;
    let home = git
        .common_dir()
        .and_then(|d| d.parent().map(Path::to_path_buf));
    // Its run folder, `runs/<id>` there (a project may sit in a folder of the repository).
    let run_id = home.as_ref().and_then(|h| {
        let wt = git.root();
        (wt.parent() == Some(h.join("runs").as_path()))
            .then(|| wt.file_name().map(|n| n.to_string_lossy().into_owned()))
            .flatten()
    });
    drop(git);
    let result = (|| {
        if let Some(home) = &home {
            super::env::prepare(home, root, &log, cancel)?;
        }
        run_here(root, baseline, opts, &log, cancel)
    })();
    // A failed or cancelled run leaves nothing to fetch: its folder goes now, which
    // matters when its sender is gone and will not remove it.
    if result.is_err()
        && let (Some(home), Some(id)) = (&home, &run_id)
    {
        let _ = std::process::Command::new("sh")
            .arg("-c")
            .arg(super::host::remove_run_script(id))
            .current_dir(home)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    result
}

fn run_here(
    root: &Path,
    baseline: &str,
    opts: &ExpRunOptions,
    log: &LogLine,
    cancel: &CancelToken,
) -> Result<WireResult, ExpError> {
    let live = |json: &str| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}{json}", super::LIVE_MARK);
        let _ = out.flush();
    };
    let r = execute(root, baseline, opts, log, &live, cancel)?;
    Ok(WireResult {
        name: r.name,
        commit: r.commit,
        refname: r.refname,
        objects: objects(root)?,
    })
}

/// Cancels `cancel` once this process's stdin ends: the sending machine holds it open
/// for as long as it follows the run, so a run whose sender died (killed outright, its
/// connection gone) stops instead of running on with nobody to bring it back.
pub fn cancel_at_end_of_input(cancel: &CancelToken) {
    let cancel = cancel.clone();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        cancel.cancel();
    });
}

/// The line that carries `result` back.
pub fn result_line(result: &WireResult) -> String {
    format!(
        "{}{}",
        super::RESULT_MARK,
        serde_json::to_string(result).expect("serialisable")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_cross_the_wire_unchanged() {
        let o = WireObject {
            path: "data/raw".into(),
            md5: "0123456789abcdef0123456789abcdef.dir".into(),
            legacy: true,
            push: false,
        };
        let back: WireObject = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        let w = &from_wire(&[back])[0];
        assert_eq!(w.hash.md5, o.md5);
        assert_eq!(w.hash.kind, HashKind::LegacyDos2Unix);
        assert!(w.hash.is_dir() && w.push);
        let line = result_line(&WireResult {
            name: "n".into(),
            commit: "c".into(),
            refname: "r".into(),
            objects: vec![o],
        });
        let parsed: WireResult =
            serde_json::from_str(line.strip_prefix(super::super::RESULT_MARK).unwrap()).unwrap();
        assert_eq!(parsed.objects[0].path, "data/raw");
    }
}
