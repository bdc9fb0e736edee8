//! `cairn commit`: record tracked data and stage outputs as they are now, as `dvc commit`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use cairn_api::workspace::lock_file_of;
use cairn_api::workspace::types::{
    COMMIT_UNCHANGED, CancelToken, RunEvent, RunOptions, RunStatus, StageOutcome,
};
use clap::Args;

/// Record changes to tracked data and stage outputs: store their current versions in the cache and update dvc.lock and .dvc files, without running anything
#[derive(Args)]
pub struct CommitArgs {
    /// Stages, pipeline or `.dvc` files, or tracked paths; default: everything
    targets: Vec<String>,
    /// Record stages that changed since their record without asking
    #[arg(short, long)]
    force: bool,
    /// Also commit what the targets depend on
    #[arg(short = 'd', long)]
    with_deps: bool,
}

pub fn run(args: CommitArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let opts = RunOptions {
        targets: args.targets,
        force: args.force,
        single_item: !args.with_deps,
        commit_only: true,
        record: false,
        ..RunOptions::default()
    };
    let mut force = args.force;
    let (stages, changed) = dry_run(&ws, &opts)?;
    if !force {
        // What changed since its record: like `dvc commit`, ask before recording it (and
        // refuse when nobody can be asked).
        if !changed.is_empty() {
            let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
            for (stage, what) in &changed {
                if !interactive || !confirm(stage, what)? {
                    anyhow::bail!(
                        "stage `{stage}` {what}: `cairn commit -f` records it as it is now, `cairn repro` runs it"
                    );
                }
            }
            force = true;
        }
    }
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = errors.clone();
    let sink = Arc::new(move |e: RunEvent| {
        if let RunEvent::StageFinished {
            outcome: StageOutcome::Failed,
            message: Some(m),
            ..
        } = e
        {
            seen.lock().expect("errors mutex").push(m);
        }
    });
    let locks = lock_files(&stages);
    let before: Vec<Option<Vec<u8>>> = locks
        .iter()
        .map(|l| std::fs::read(ws.root().join(l)).ok())
        .collect();
    let summary = ws.repro(&RunOptions { force, ..opts }, sink, &CancelToken::new())?;
    for (lock, before) in locks.iter().zip(before) {
        if std::fs::read(ws.root().join(lock)).ok() != before {
            println!("Updating lock file '{lock}'");
        }
    }
    let errors = errors.lock().expect("errors mutex").clone();
    if summary.status == RunStatus::Succeeded && errors.is_empty() {
        // Like `dvc commit`: nothing to say when it worked.
        return Ok(ExitCode::SUCCESS);
    }
    for e in errors
        .iter()
        .chain(summary.error.iter().filter(|e| !errors.contains(e)))
    {
        eprintln!("ERROR: failed to commit - {e}");
    }
    Ok(ExitCode::from(1))
}

/// A dry commit: the targeted stages, and those whose deps, outputs, params or command
/// changed since their record, with what changed.
type DryRun = (Vec<String>, Vec<(String, String)>);

fn dry_run(ws: &cairn_api::workspace::Workspace, opts: &RunOptions) -> anyhow::Result<DryRun> {
    let changed: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = changed.clone();
    let sink = Arc::new(move |e: RunEvent| {
        if let RunEvent::StageFinished {
            stage,
            outcome: StageOutcome::WouldRun,
            message: Some(m),
            ..
        } = e
            && m != COMMIT_UNCHANGED
        {
            seen.lock().expect("changes mutex").push((stage, m));
        }
    });
    let dry = RunOptions {
        dry: true,
        ..opts.clone()
    };
    let summary = ws.repro(&dry, sink, &CancelToken::new())?;
    if let Some(e) = summary.error {
        anyhow::bail!(e);
    }
    let stages = summary.stages.into_iter().map(|(s, _)| s).collect();
    let changed = changed.lock().expect("changes mutex").clone();
    Ok((stages, changed))
}

/// The `dvc.lock` files (repo-relative) that record `stages` (addresses): the one
/// beside each stage's `dvc.yaml`. A `.dvc` file records itself.
fn lock_files(stages: &[String]) -> Vec<String> {
    let mut locks: Vec<String> = stages
        .iter()
        .filter(|s| !s.ends_with(".dvc"))
        .map(|s| lock_file_of(s))
        .collect();
    locks.sort();
    locks.dedup();
    locks
}

/// Asks on the terminal whether to record `stage` although it changed.
fn confirm(stage: &str, what: &str) -> anyhow::Result<bool> {
    loop {
        eprint!("Stage `{stage}` {what}. Are you sure you want to commit it? [y/n] ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer)? == 0 {
            return Ok(false);
        }
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            _ => eprintln!("Please answer y or n."),
        }
    }
}
