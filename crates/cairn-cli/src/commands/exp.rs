use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use cairn_api::workspace::types::{
    CancelToken, DiffResult, ExpRunOptions, Fmt, RunEvent, ShowOptions, Sink, StageOutcome, Stream,
    TableOptions, TableStyle, diff_to_json, fmt_value, tabulate_today,
};
use cairn_api::workspace::{ExpRun, Workspace};
use serde_json::json;

use crate::output;

/// Run, compare and manage experiments (stored as `refs/exps/...` like `dvc exp`)
#[derive(clap::Args)]
pub struct ExpArgs {
    #[command(subcommand)]
    command: ExpCommand,
}

#[derive(clap::Subcommand)]
enum ExpCommand {
    Run(RunArgs),
    Show(ShowArgs),
    Diff(DiffArgs),
    Apply(ApplyArgs),
    Branch(BranchArgs),
    Remove(RemoveArgs),
    Rename(RenameArgs),
    List(ListArgs),
    Note(NoteArgs),
}

/// Show, write or remove (--remove) the note on an experiment or commit (a git note under
/// refs/notes/cairn: `git log --notes=cairn` shows it; push refs/notes/cairn to share it)
#[derive(clap::Args)]
pub struct NoteArgs {
    /// Experiment name or any revision
    target: String,
    /// The note to write (replaces the one there)
    text: Option<String>,
    /// Remove the note
    #[arg(long, conflicts_with = "text")]
    remove: bool,
}

/// Run an experiment: apply -S overrides, reproduce, record it under refs/exps
#[derive(clap::Args)]
pub struct RunArgs {
    /// Stages to reproduce (default: all)
    targets: Vec<String>,
    /// Override a param: [FILE:]KEY=VALUE (sweeps with --queue: a,b | range(..) | choice(..))
    #[arg(short = 'S', long = "set-param")]
    set_param: Vec<String>,
    /// Experiment name (default: a generated <adjective>-<noun>)
    #[arg(short, long)]
    name: Option<String>,
    /// Run every stage, and replace an experiment of the same name
    #[arg(short, long)]
    force: bool,
    /// Add to the queue instead of running (see `cairn queue start`)
    #[arg(long)]
    queue: bool,
    /// Run now in a separate working copy; the workspace is left as it is
    #[arg(long, conflicts_with = "queue")]
    temp: bool,
    /// Run now on another machine over SSH (ssh://[user@]host[:port]/folder, or /~/folder in its home), like
    /// `--queue` then `cairn queue start --on`; the workspace is left as it is
    #[arg(long, value_name = "URL", conflicts_with_all = ["queue", "temp"])]
    on: Option<String>,
    /// With a sweep, queue a random sample of this many grid points
    #[arg(long)]
    samples: Option<usize>,
    /// Seed for --samples
    #[arg(long)]
    seed: Option<u64>,
    /// Stages to run at once
    #[arg(short, long, default_value_t = 1)]
    jobs: usize,
    /// Commit message for the experiment
    #[arg(short, long)]
    message: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

/// Show the workspace, baseline commits and their experiments with params and metrics
#[derive(clap::Args)]
pub struct ShowArgs {
    /// Print DVC's `exp show --json` structure
    #[arg(long)]
    json: bool,
    /// Baselines: every commit
    #[arg(short = 'A', long)]
    all_commits: bool,
    /// Baselines: every branch
    #[arg(short = 'a', long)]
    all_branches: bool,
    /// Baselines: every tag
    #[arg(short = 'T', long)]
    all_tags: bool,
    /// Baselines: this many commits from each rev (first parents)
    #[arg(short = 'n', long = "num", default_value_t = 1)]
    num: usize,
    /// Baselines: these revisions (default HEAD)
    #[arg(long = "rev")]
    revs: Vec<String>,
    /// Leave out queued experiments
    #[arg(long)]
    hide_queued: bool,
    /// Leave out failed experiments (of dvc's queue)
    #[arg(long)]
    hide_failed: bool,
    /// Only params that stages depend on
    #[arg(long)]
    param_deps: bool,
    /// Baselines by commit id only (no branch/tag names)
    #[arg(long)]
    sha: bool,
    /// Print the table as CSV
    #[arg(long, conflicts_with_all = ["json", "md"])]
    csv: bool,
    /// Print the table as Markdown
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Leave out the workspace row
    #[arg(long)]
    hide_workspace: bool,
    /// Order each baseline's experiments by this metric or param (`name` or `file:name`)
    #[arg(long, value_name = "METRIC/PARAM")]
    sort_by: Option<String>,
    /// Order for --sort-by
    #[arg(long, value_parser = ["asc", "desc"], default_value = "asc", requires = "sort_by")]
    sort_order: String,
    /// Only the metrics and params whose values vary across the rows
    #[arg(long)]
    only_changed: bool,
    /// Leave out the columns matching this regular expression (from the column's start; repeatable)
    #[arg(long, value_name = "REGEX")]
    drop: Vec<String>,
    /// Keep the columns matching this regular expression whatever else says (repeatable)
    #[arg(long, value_name = "REGEX")]
    keep: Vec<String>,
    /// Significant digits of floats in --csv (the text tables use 5, as dvc's do)
    #[arg(long, value_name = "N")]
    precision: Option<usize>,
    /// The table is never paged (accepted as dvc accepts it)
    #[arg(long)]
    no_pager: bool,
}

/// Params and metrics that differ between two experiments or revisions
#[derive(clap::Args)]
pub struct DiffArgs {
    /// Old side (default: the baseline of B, or HEAD)
    a: Option<String>,
    /// New side (default: workspace)
    b: Option<String>,
    /// Include unchanged values
    #[arg(long)]
    all: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Print the tables as Markdown
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Leave out the Path column
    #[arg(long)]
    no_path: bool,
    /// Significant digits of the metrics (default 5)
    #[arg(long, value_name = "N")]
    precision: Option<usize>,
}

/// Write an experiment's results into the workspace (uncommitted)
#[derive(clap::Args)]
pub struct ApplyArgs {
    /// Experiment name, ref or commit
    experiment: String,
}

/// Create a git branch from an experiment
#[derive(clap::Args)]
pub struct BranchArgs {
    /// Experiment name
    experiment: String,
    /// Branch name (default: <experiment>-branch)
    branch: Option<String>,
}

/// Delete experiments
#[derive(clap::Args)]
pub struct RemoveArgs {
    /// Experiment names
    experiments: Vec<String>,
    /// Every experiment of the current baseline
    #[arg(long)]
    all: bool,
}

/// Rename an experiment
#[derive(clap::Args)]
pub struct RenameArgs {
    /// Current name
    experiment: String,
    /// New name
    new_name: String,
    /// Replace an experiment that already has the new name
    #[arg(short, long)]
    force: bool,
}

/// List experiments of the current baseline (all baselines with --all)
#[derive(clap::Args)]
pub struct ListArgs {
    /// Every baseline
    #[arg(short = 'A', long)]
    all: bool,
    /// Only names
    #[arg(long)]
    name_only: bool,
}

pub fn run(args: ExpArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    match args.command {
        ExpCommand::Run(a) => run_cmd(&ws, a),
        ExpCommand::Note(a) => {
            match (&a.text, a.remove) {
                (Some(text), _) => ws.set_note(&a.target, text)?,
                (None, true) => ws.set_note(&a.target, "")?,
                (None, false) => match ws.note(&a.target)? {
                    Some(n) => print!("{n}"),
                    None => anyhow::bail!(
                        "{} has no note; write one with `cairn exp note {} \"TEXT\"`",
                        a.target,
                        a.target
                    ),
                },
            }
            Ok(ExitCode::SUCCESS)
        }
        ExpCommand::Show(a) => show_cmd(&ws, a),
        ExpCommand::Diff(a) => diff_cmd(&ws, a),
        ExpCommand::Apply(a) => {
            let r = ws.apply_experiment(&a.experiment)?;
            for m in &r.missing {
                eprintln!("WARNING: {m} is not available in the cache (pull needed)");
            }
            if let Some(c) = &r.saved_changes {
                eprintln!(
                    "Your uncommitted changes were saved as {} (refs/exps/apply/stash); `git diff HEAD {}` shows them.",
                    &c[..7],
                    &c[..7]
                );
            }
            output::line(&format!(
                "Changes for experiment '{}' have been applied to your current workspace.",
                a.experiment
            ));
            Ok(ExitCode::SUCCESS)
        }
        ExpCommand::Branch(a) => {
            let (b, c) = ws.branch_experiment(&a.experiment, a.branch.as_deref())?;
            output::line(&format!(
                "Git branch '{b}' has been created from experiment '{}' ({}).",
                a.experiment,
                &c[..7]
            ));
            Ok(ExitCode::SUCCESS)
        }
        ExpCommand::Remove(a) => {
            let gone = ws.remove_experiments(&a.experiments, a.all)?;
            let names: Vec<String> = gone.iter().map(|r| r.name.clone()).collect();
            output::line(&format!("Removed experiments: {}", names.join(",")));
            Ok(ExitCode::SUCCESS)
        }
        ExpCommand::Rename(a) => {
            ws.rename_experiment(&a.experiment, &a.new_name, a.force)?;
            output::line(&format!(
                "Renamed experiment '{}' to '{}'.",
                a.experiment, a.new_name
            ));
            Ok(ExitCode::SUCCESS)
        }
        ExpCommand::List(a) => {
            let mut last = String::new();
            for (r, baseline) in ws.list_experiments(a.all)? {
                if a.name_only {
                    output::line(&r.name);
                    continue;
                }
                if r.baseline != last {
                    output::line(&format!("{baseline}:"));
                    last = r.baseline.clone();
                }
                output::line(&format!("\t{} [{}]", &r.commit[..7], r.name));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn sink() -> Sink {
    Arc::new(move |e: RunEvent| {
        let mut out = std::io::stdout().lock();
        match &e {
            RunEvent::StageStarted { stage, cmd } => {
                let _ = writeln!(out, "Running stage '{stage}':");
                for c in cmd {
                    let _ = writeln!(out, "> {c}");
                }
            }
            RunEvent::Output { line, stream, .. } => match stream {
                Stream::Stdout => {
                    let _ = writeln!(out, "{line}");
                }
                Stream::Stderr => eprintln!("{line}"),
            },
            RunEvent::StageFinished {
                stage,
                outcome,
                message,
                ..
            } => {
                let line = match outcome {
                    StageOutcome::UpToDate => format!("Stage '{stage}' didn't change, skipping"),
                    StageOutcome::Restored => {
                        format!("Stage '{stage}' is cached - skipping run, checking out outputs")
                    }
                    StageOutcome::Failed => {
                        format!("ERROR: {}", message.clone().unwrap_or_default())
                    }
                    _ => return,
                };
                let _ = writeln!(out, "{line}");
            }
            _ => {}
        }
    })
}

fn run_cmd(ws: &Workspace, a: RunArgs) -> anyhow::Result<ExitCode> {
    let run = ExpRun {
        options: ExpRunOptions {
            set_params: a.set_param,
            name: a.name,
            targets: a.targets,
            force: a.force,
            jobs: a.jobs,
            message: a.message,
        },
        samples: a.samples,
        seed: a.seed,
    };
    if a.queue {
        let entries = ws.queue_experiments(&run)?;
        if a.json {
            output::json(&json!(
                entries
                    .iter()
                    .map(|e| json!({"id": e.id, "name": e.name, "params": e.set_params}))
                    .collect::<Vec<_>>()
            ));
        } else {
            for e in &entries {
                if !e.set_params.is_empty() {
                    output::line(&format!(
                        "Queueing with overrides '{}'.",
                        e.set_params.join(" ")
                    ));
                }
                output::line(&format!(
                    "Queued experiment '{}' for future execution.",
                    e.name
                ));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let cancel = CancelToken::new();
    let c = cancel.clone();
    let _ = ctrlc::set_handler(move || c.cancel());
    if a.temp || a.on.is_some() {
        let finished = ws.run_experiments_apart(&run, a.on.as_deref(), &cancel, &|f| {
            match &f.error {
                Some(m) => eprintln!("error: experiment '{}' failed: {m}", f.name),
                None => output::line(&format!(
                    "Ran experiment(s): {}\nTo apply the results of an experiment to your workspace run:\n\n\tcairn exp apply <exp>",
                    f.name
                )),
            }
        })?;
        return Ok(if finished.iter().any(|f| f.error.is_some()) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    if let Some(n) = &run.options.name {
        output::line(&format!("Reproducing experiment '{n}'"));
    }
    let r = ws.run_experiment(&run, sink(), &cancel)?;
    if a.json {
        output::json(&json!({
            "name": r.name, "rev": r.commit, "ref": r.refname,
            "baseline": r.baseline, "exp_hash": r.exp_hash,
        }));
    } else {
        output::line(&format!("\nRan experiment(s): {}", r.name));
        output::line("Experiment results have been applied to your workspace.");
    }
    Ok(ExitCode::SUCCESS)
}

fn show_cmd(ws: &Workspace, a: ShowArgs) -> anyhow::Result<ExitCode> {
    let res = ws.show_experiments(&ShowOptions {
        revs: a.revs,
        num: a.num,
        all_branches: a.all_branches,
        all_tags: a.all_tags,
        all_commits: a.all_commits,
        hide_workspace: a.hide_workspace,
        hide_queued: a.hide_queued,
        hide_failed: a.hide_failed,
        param_deps: a.param_deps,
        sha_only: a.sha,
    })?;
    let shown = res.to_json();
    let options = TableOptions {
        precision: a.precision,
        sort_by: a.sort_by,
        descending: a.sort_order == "desc",
        keep: a.keep,
        drop: a.drop,
        only_changed: a.only_changed,
    };
    let table = |style| tabulate_today(&shown, style, &options).map_err(anyhow::Error::msg);
    if a.json {
        output::json(&shown);
    } else if a.csv {
        output::text(&table(TableStyle::Csv)?.to_csv());
    } else {
        let table = table(TableStyle::Human)?;
        let mut rows = vec![table.headers];
        rows.extend(table.rows);
        if a.md {
            output::text(&output::markdown(&rows));
        } else {
            output::table(&rows);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--precision`, as dvc reads it: 0 or absent is its default of 5.
pub fn precision(p: Option<usize>) -> usize {
    p.filter(|p| *p > 0).unwrap_or(5)
}

/// `--no-path`: the table without its first column.
pub fn without_path(mut rows: Vec<Vec<String>>, no_path: bool) -> Vec<Vec<String>> {
    if no_path {
        for r in &mut rows {
            r.remove(0);
        }
    }
    rows
}

/// A diff as DVC's `diff_table` lays it out: per file, its keys sorted; `-` for a side
/// without the value; with `change`, the change column, where `change` is what DVC
/// prints for a value without a numeric change (`-` or `diff not supported`).
pub fn diff_table(
    d: &DiffResult,
    what: &str,
    old: &str,
    new: &str,
    change: Option<&str>,
    fmt: Fmt,
) -> Vec<Vec<String>> {
    let mut header = vec![
        "Path".to_string(),
        what.to_string(),
        old.to_string(),
        new.to_string(),
    ];
    if change.is_some() {
        header.push("Change".into());
    }
    let mut rows = vec![header];
    for (p, ch) in d {
        let mut keys: Vec<_> = ch.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for (k, c) in keys {
            let mut row = vec![
                p.clone(),
                k.clone(),
                fmt_value(c.old.as_ref(), fmt),
                fmt_value(c.new.as_ref(), fmt),
            ];
            if let Some(missing) = change {
                row.push(match &c.diff {
                    Some(v) => fmt_value(Some(v), fmt),
                    None => missing.to_string(),
                });
            }
            rows.push(row);
        }
    }
    rows
}

fn diff_cmd(ws: &Workspace, a: DiffArgs) -> anyhow::Result<ExitCode> {
    let d = ws.experiment_diff(a.a.as_deref(), a.b.as_deref(), a.all)?;
    if a.json {
        output::json(
            &json!({"metrics": diff_to_json(&d.metrics), "params": diff_to_json(&d.params)}),
        );
        return Ok(ExitCode::SUCCESS);
    }
    // Both tables, a blank line between, as `dvc exp diff` prints them.
    let (old, new) = (d.old.label(), d.new.label());
    let unsupported = Some("diff not supported");
    let fmt = Fmt::Sig(precision(a.precision));
    let metrics = diff_table(&d.metrics, "Metric", old, new, unsupported, fmt);
    output::table_or_markdown(&without_path(metrics, a.no_path), a.md);
    output::line("");
    let params = diff_table(&d.params, "Param", old, new, unsupported, Fmt::Raw);
    output::table_or_markdown(&without_path(params, a.no_path), a.md);
    Ok(ExitCode::SUCCESS)
}
