use std::io::{Read, Seek, SeekFrom, Write};
use std::process::ExitCode;
use std::time::Duration;

use cairn_api::workspace::RunLog;
use cairn_api::workspace::types::{RunRecord, timestamp};

use crate::output;

/// List and inspect recorded pipeline runs
#[derive(clap::Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    command: Option<RunsCommand>,
    /// Print as JSON
    #[arg(long, global = true)]
    json: bool,
    /// Runs of every project, not only this one
    #[arg(long)]
    all: bool,
}

#[derive(clap::Subcommand)]
enum RunsCommand {
    /// Show one run: stages, durations, exit codes, environment
    Show {
        /// Run id (see `cairn runs`)
        id: String,
    },
    /// Print a run's logs (one stage, or all)
    Logs {
        /// Run id
        id: String,
        /// Only this stage
        stage: Option<String>,
        /// Keep printing as the log grows, until the run ends
        #[arg(short, long)]
        follow: bool,
    },
}

fn duration(ms: Option<i64>) -> String {
    ms.map(|ms| format!("{:.1}s", ms as f64 / 1000.0))
        .unwrap_or_else(|| "-".into())
}

fn when(r: &RunRecord) -> String {
    timestamp(r.started_ms)
}

pub fn run(args: RunsArgs) -> anyhow::Result<ExitCode> {
    let records = RunLog::open()?;
    match args.command {
        None => {
            let project = if args.all {
                None
            } else {
                Some(super::workspace()?.root().to_path_buf())
            };
            let runs = records.list(project.as_deref())?;
            if args.json {
                output::json(&serde_json::to_value(&runs)?);
            } else if runs.is_empty() {
                output::line("No runs recorded yet; `cairn repro` records one.");
            } else {
                output::line(&format!(
                    "{:<26} {:<10} {:<17} {:<9} {}",
                    "RUN", "STATUS", "STARTED (UTC)", "DURATION", "COMMIT"
                ));
                for r in runs {
                    let d = r.ended_ms.map(|e| e - r.started_ms);
                    let commit = r
                        .git_commit
                        .as_deref()
                        .map(|c| {
                            format!(
                                "{}{}",
                                &c[..c.len().min(8)],
                                if r.dirty { "+dirty" } else { "" }
                            )
                        })
                        .unwrap_or_else(|| "-".into());
                    output::line(&format!(
                        "{:<26} {:<10} {:<17} {:<9} {}",
                        r.id,
                        r.status,
                        when(&r),
                        duration(d),
                        commit
                    ));
                }
            }
        }
        Some(RunsCommand::Show { id }) => {
            let d = records.get(&id)?;
            if args.json {
                output::json(&serde_json::to_value(&d)?);
            } else {
                output::line(&format!(
                    "Run {}  {}  started {} UTC  commit {}",
                    d.run.id,
                    d.run.status,
                    when(&d.run),
                    d.run.git_commit.as_deref().unwrap_or("-")
                ));
                output::line(&format!(
                    "\n{:<32} {:<12} {:>9} {:>5} {:>10}",
                    "STAGE", "OUTCOME", "DURATION", "EXIT", "PEAK RSS"
                ));
                for s in &d.stages {
                    let rss = s
                        .peak_rss_kib
                        .filter(|k| *k > 0)
                        .map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
                        .unwrap_or_else(|| "-".into());
                    output::line(&format!(
                        "{:<32} {:<12} {:>9} {:>5} {:>10}",
                        s.stage,
                        s.outcome,
                        duration(s.duration_ms),
                        s.exit_code
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| "-".into()),
                        rss
                    ));
                    if let Some(m) = s
                        .message
                        .as_deref()
                        .filter(|_| s.outcome == "failed" || s.outcome == "blocked")
                    {
                        output::line(&format!("    {m}"));
                    }
                }
                output::line(&format!("\nEnvironment: {}", d.environment));
            }
        }
        Some(RunsCommand::Logs { id, stage, follow }) => {
            let d = records.get(&id)?;
            let stages: Vec<_> = d
                .stages
                .iter()
                .filter(|s| stage.as_ref().is_none_or(|t| &s.stage == t))
                .collect();
            if stages.is_empty() {
                anyhow::bail!("run `{id}` has no stage `{}`", stage.unwrap_or_default());
            }
            for s in stages {
                let path = records.log_path(&id, &s.stage);
                if !follow {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        output::line(&format!("==> {} <==", s.stage));
                        print!("{text}");
                    }
                    continue;
                }
                follow_log(&records, &id, &path)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a log as it grows until the run is no longer `running`.
fn follow_log(records: &RunLog, id: &str, path: &std::path::Path) -> anyhow::Result<()> {
    let mut pos = 0u64;
    loop {
        if let Ok(mut f) = std::fs::File::open(path) {
            f.seek(SeekFrom::Start(pos))?;
            let mut buf = Vec::new();
            f.read_to_end(&mut buf)?;
            pos += buf.len() as u64;
            std::io::stdout().write_all(&buf)?;
            std::io::stdout().flush()?;
        }
        if !records.is_running(id)? {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
