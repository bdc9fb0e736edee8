//! `cairn check-ignore`: whether `.dvcignore` hides paths, and which pattern decides, as
//! `dvc check-ignore` tells it.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use crate::output;

/// Check whether files or directories are excluded by .dvcignore, as `dvc check-ignore` does
#[derive(clap::Args)]
pub struct CheckIgnoreArgs {
    /// File or directory paths to check
    #[arg(required_unless_present = "stdin", conflicts_with = "stdin")]
    targets: Vec<String>,
    /// Show the pattern that decides each path (`FILE:LINE:PATTERN<TAB>PATH`)
    #[arg(short, long)]
    details: bool,
    /// With --details: also list paths no pattern matches (as `::<TAB>PATH`)
    #[arg(short, long, requires = "details")]
    non_matching: bool,
    /// With --details: every pattern on the way (the deciding one is the last)
    #[arg(short, long, requires = "details")]
    all: bool,
    /// Read the paths from standard input, one per line, until an empty line
    #[arg(long)]
    stdin: bool,
}

pub fn run(args: CheckIgnoreArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace()?;
    let mut any = false;
    let mut check = |target: &str| -> anyhow::Result<()> {
        let why = ws.check_ignore(Path::new(target))?;
        if !args.details {
            if why.ignored {
                output::line(target);
                any = true;
            }
            return Ok(());
        }
        let shown = match &why.pattern {
            Some(p) => {
                any = true;
                // Named from the repository root, as DVC names pattern files.
                let file = p
                    .file
                    .as_ref()
                    .map(|f| {
                        f.strip_prefix(ws.root())
                            .unwrap_or(f)
                            .to_string_lossy()
                            .into_owned()
                    })
                    .unwrap_or_default();
                if p.file.is_some() {
                    format!("{file}:{}:{}", p.line, p.pattern)
                } else {
                    format!(":{}", p.pattern)
                }
            }
            None if args.non_matching => "::".to_string(),
            None => return Ok(()),
        };
        output::line(&format!("{shown}\t{target}"));
        Ok(())
    };
    if args.stdin {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            if line.is_empty() {
                break;
            }
            check(&line)?;
        }
    } else {
        for t in &args.targets {
            check(t)?;
        }
    }
    Ok(if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
