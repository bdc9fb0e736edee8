use std::process::ExitCode;

use cairn_api::workspace::types::{Fmt, diff_to_json};

use super::exp::diff_table;
use crate::output;

/// Compare params (params.yaml and every params file the pipeline uses)
#[derive(clap::Args)]
pub struct ParamsArgs {
    #[command(subcommand)]
    command: ParamsCommand,
}

#[derive(clap::Subcommand)]
enum ParamsCommand {
    Diff(DiffArgs),
}

/// Params that differ between two revisions or experiments (default HEAD vs workspace)
#[derive(clap::Args)]
pub struct DiffArgs {
    /// Old revision (default HEAD)
    a: Option<String>,
    /// New revision (default workspace)
    b: Option<String>,
    /// Include unchanged params
    #[arg(long)]
    all: bool,
    /// Print JSON (DVC's `params diff --json` shape)
    #[arg(long)]
    json: bool,
    /// Print the table as Markdown
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Leave out the Path column
    #[arg(long)]
    no_path: bool,
}

pub fn run(args: ParamsArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    match args.command {
        ParamsCommand::Diff(a) => {
            let (old, new, d) = ws.diff_values(false, a.a.as_deref(), a.b.as_deref(), a.all)?;
            if a.json {
                output::json(&diff_to_json(&d));
                return Ok(ExitCode::SUCCESS);
            }
            let rows = diff_table(&d, "Param", old.label(), new.label(), None, Fmt::Raw);
            output::table_or_markdown(&super::exp::without_path(rows, a.no_path), a.md);
            Ok(ExitCode::SUCCESS)
        }
    }
}
