//! What the experiments table can do to one experiment — apply it to the work tree, make
//! a branch of it, rename or delete it (and undo a delete) — with DVC's refs and effects,
//! through the same `cairn-exp` functions as `cairn exp apply|branch|rename|remove`.

use cairn_exp::manage;

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::workspace::Workspace;
use crate::{Api, project_root};

fn view(r: &cairn_exp::refs::ExpRef) -> ExpRefView {
    ExpRefView {
        name: r.name.clone(),
        refname: r.refname.clone(),
        commit: r.commit.clone(),
    }
}

impl Api {
    /// `experiment_action`.
    pub fn experiment_action(&self, args: ExpActionArgs) -> ApiResult<ExpActionResult> {
        let root = project_root(&args.project)?;
        let ws = Workspace::at(&root)?;
        let exp = args.experiment.trim();
        let done = |message: String| ExpActionResult {
            message,
            branch: None,
            removed: Vec::new(),
            saved_changes: None,
            missing: Vec::new(),
        };
        match args.action {
            ExpAction::Apply => {
                if self.is_running(&root) {
                    return Err(ApiError::new(
                        ErrorCode::AlreadyRunning,
                        "a run is in progress in this project; apply the experiment once it has finished",
                    ));
                }
                let a = ws.apply_experiment(exp)?;
                let mut message = format!(
                    "Applied {}: its params, code and outputs are in the work tree (not committed; Save version commits them).",
                    a.name
                );
                if a.saved_changes.is_some() {
                    message
                        .push_str(" Your uncommitted changes were kept in refs/exps/apply/stash.");
                }
                Ok(ExpActionResult {
                    saved_changes: a.saved_changes,
                    missing: a.missing,
                    ..done(message)
                })
            }
            ExpAction::Branch { branch } => {
                let branch = branch.as_deref().map(str::trim).filter(|b| !b.is_empty());
                let (b, _) = ws.branch_experiment(exp, branch)?;
                Ok(ExpActionResult {
                    branch: Some(b.clone()),
                    ..done(format!("Created branch {b} from {exp}."))
                })
            }
            ExpAction::Rename { new_name } => {
                let r = ws.rename_experiment(exp, new_name.trim(), false)?;
                Ok(done(format!("Renamed {exp} to {}.", r.name)))
            }
            ExpAction::Remove => {
                let gone = ws.remove_experiments(&[exp.to_string()], false)?;
                Ok(ExpActionResult {
                    removed: gone.iter().map(view).collect(),
                    ..done(format!("Deleted {exp}."))
                })
            }
            ExpAction::Restore { refs } => {
                let restored = manage::restore(
                    &root,
                    &refs
                        .iter()
                        .map(|r| (r.refname.clone(), r.commit.clone()))
                        .collect::<Vec<_>>(),
                )?;
                Ok(done(format!("Restored {}.", restored.join(", "))))
            }
        }
    }
}

/// Lines of a queue log the app is sent at most.
const QUEUE_LOG_LINES: usize = 2000;

impl Api {
    /// `queue_log`.
    pub fn queue_log(&self, args: QueueLogArgs) -> ApiResult<QueueLog> {
        let ws = Workspace::at(&project_root(&args.project)?)?;
        let log = ws.queue_log(&args.id)?;
        let all: Vec<&str> = log.text.lines().collect();
        let skipped = all.len().saturating_sub(QUEUE_LOG_LINES);
        Ok(QueueLog {
            name: log.name,
            state: log.state,
            worker: log.worker,
            dvc_queue: log.dvc_queue,
            error: log.error,
            lines: all[skipped..].iter().map(|l| l.to_string()).collect(),
            skipped,
        })
    }
}
