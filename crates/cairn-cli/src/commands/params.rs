use std::process::ExitCode;

use cairn_exp::diff::{Fmt, Kind, Rev, diff, diff_to_json, read};

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
}

pub fn run(args: ParamsArgs) -> anyhow::Result<ExitCode> {
    let root = super::repo()?.root().to_path_buf();
    match args.command {
        ParamsCommand::Diff(a) => {
            let old = Rev::parse(a.a.as_deref().unwrap_or("HEAD"));
            let new = Rev::parse(a.b.as_deref().unwrap_or("workspace"));
            let d = diff(
                &read(&root, &old, Kind::Params)?,
                &read(&root, &new, Kind::Params)?,
                a.all,
            );
            if a.json {
                output::json(&diff_to_json(&d));
                return Ok(ExitCode::SUCCESS);
            }
            if d.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            let rows = diff_table(&d, "Param", old.label(), new.label(), false, Fmt::Raw);
            output::table(&rows);
            Ok(ExitCode::SUCCESS)
        }
    }
}
