use std::process::ExitCode;

use crate::output;

/// Re-hash every cache object; quarantine corrupt ones
#[derive(clap::Args)]
pub struct FsckArgs {
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: FsckArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let report = ws.fsck()?;
    if args.json {
        output::json(&serde_json::to_value(&report)?);
    } else {
        for h in &report.corrupt {
            output::line(&format!(
                "corrupt: {h} (moved to {}/quarantine/)",
                ws.cache_dir().display()
            ));
        }
        output::line(&format!(
            "Checked {} objects, {} corrupt.",
            report.checked,
            report.corrupt.len()
        ));
        if !report.corrupt.is_empty() {
            output::line(
                "Run `cairn status` to see which data lost its cache copy; re-add it or pull it from a remote.",
            );
        }
    }
    Ok(if report.corrupt.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
