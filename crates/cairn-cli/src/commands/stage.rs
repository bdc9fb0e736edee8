//! `cairn stage add|list`: pipeline stages from the terminal, with `dvc stage`'s flags.

use std::process::ExitCode;

use cairn_pipeline::edit::{self, Edit, NewOut, NewStage, ParamsSpec};
use cairn_pipeline::{LocalFs, OutKind};

use crate::output;

/// Add or list pipeline stages
#[derive(clap::Args)]
pub struct StageArgs {
    #[command(subcommand)]
    command: StageCommand,
}

#[derive(clap::Subcommand)]
enum StageCommand {
    Add(Box<AddArgs>),
    List(ListArgs),
}

/// Add a stage to `dvc.yaml` in the current directory (only the lines of the new stage are
/// written; the rest of the file stays as it is)
#[derive(clap::Args)]
struct AddArgs {
    /// Name of the stage
    #[arg(short, long)]
    name: String,
    /// Replace a stage of the same name
    #[arg(short, long)]
    force: bool,
    /// A dependency (repeatable)
    #[arg(short, long = "deps", value_name = "PATH")]
    deps: Vec<String>,
    /// Params: `key1,key2` from params.yaml or `file:key1,key2` (repeatable)
    #[arg(short, long = "params", value_name = "[FILE:]KEYS")]
    params: Vec<String>,
    /// An output, cached (repeatable)
    #[arg(short, long = "outs", value_name = "PATH")]
    outs: Vec<String>,
    /// An output not cached (repeatable)
    #[arg(short = 'O', long = "outs-no-cache", value_name = "PATH")]
    outs_no_cache: Vec<String>,
    /// An output kept between runs (repeatable)
    #[arg(long = "outs-persist", value_name = "PATH")]
    outs_persist: Vec<String>,
    /// A metrics file, cached (repeatable)
    #[arg(short, long = "metrics", value_name = "PATH")]
    metrics: Vec<String>,
    /// A metrics file not cached (repeatable)
    #[arg(short = 'M', long = "metrics-no-cache", value_name = "PATH")]
    metrics_no_cache: Vec<String>,
    /// A plots file, cached (repeatable)
    #[arg(long = "plots", value_name = "PATH")]
    plots: Vec<String>,
    /// A plots file not cached (repeatable)
    #[arg(long = "plots-no-cache", value_name = "PATH")]
    plots_no_cache: Vec<String>,
    /// Directory to run the command in
    #[arg(short, long)]
    wdir: Option<String>,
    /// Always consider the stage changed
    #[arg(long)]
    always_changed: bool,
    /// A description
    #[arg(long, value_name = "TEXT")]
    desc: Option<String>,
    /// The command
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    command: Vec<String>,
}

/// List the stages of the project
#[derive(clap::Args)]
struct ListArgs {
    /// Only the names
    #[arg(long)]
    name_only: bool,
}

pub fn run(args: StageArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        StageCommand::Add(a) => add(*a),
        StageCommand::List(a) => list(a),
    }
}

/// DVC's `parse_cmd`: one argument is the command; several are joined, quoting those
/// with spaces.
fn parse_cmd(words: &[String]) -> String {
    if words.len() < 2 {
        return words.join(" ");
    }
    words
        .iter()
        .map(|w| {
            if w.is_empty() {
                "\"\"".to_string()
            } else if w.contains(' ') && !w.contains('"') {
                format!("\"{w}\"")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// DVC's `parse_params`: `file:k1,k2` or `k1,k2` (params.yaml).
fn parse_params(specs: &[String]) -> Vec<ParamsSpec> {
    specs
        .iter()
        .map(|spec| {
            let (file, keys) = match spec.rsplit_once(':') {
                Some((f, k)) if !f.is_empty() => (Some(f.to_string()), k),
                Some((_, k)) => (None, k),
                None => (None, spec.as_str()),
            };
            ParamsSpec {
                file,
                keys: keys
                    .split(',')
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let repo = super::repo()?;
    let root = repo.root().to_path_buf();
    let cwd = super::cwd()?;
    let dir = cwd
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let file = if dir.is_empty() {
        "dvc.yaml".to_string()
    } else {
        format!("{dir}/dvc.yaml")
    };
    let out = |paths: &[String], kind: OutKind, cache: bool, persist: bool| {
        paths
            .iter()
            .map(move |p| NewOut {
                path: p.clone(),
                kind,
                cache,
                persist,
            })
            .collect::<Vec<_>>()
    };
    let mut outs = out(&a.outs, OutKind::Out, true, false);
    outs.extend(out(&a.outs_no_cache, OutKind::Out, false, false));
    outs.extend(out(&a.outs_persist, OutKind::Out, true, true));
    outs.extend(out(&a.metrics, OutKind::Metric, true, false));
    outs.extend(out(&a.metrics_no_cache, OutKind::Metric, false, false));
    outs.extend(out(&a.plots, OutKind::Plot, true, false));
    outs.extend(out(&a.plots_no_cache, OutKind::Plot, false, false));
    let stage = NewStage {
        name: a.name.clone(),
        cmd: vec![parse_cmd(&a.command)],
        wdir: a.wdir,
        deps: a.deps,
        params: parse_params(&a.params),
        outs,
        desc: a.desc,
        always_changed: a.always_changed,
    };
    let change = edit::plan(
        &LocalFs::new(&root),
        &Edit::AddStage {
            file: file.clone(),
            stage,
            force: a.force,
        },
    )?;
    edit::write(&root, &change)?;
    output::line(&format!(
        "{} stage '{}' in '{file}'\n\nTo track the changes with git, run:\n\n\tgit add {file}",
        if change
            .before
            .as_deref()
            .is_some_and(|b| b.contains(&format!("{}:", a.name)))
            && a.force
        {
            "Modifying"
        } else {
            "Added"
        },
        a.name
    ));
    Ok(ExitCode::SUCCESS)
}

fn list(a: ListArgs) -> anyhow::Result<ExitCode> {
    let repo = super::repo()?;
    let project = cairn_pipeline::load_project(repo.root())?;
    let stages: Vec<_> = project.stages().filter(|s| !s.data_source).collect();
    let width = stages.iter().map(|s| s.addressing.len()).max().unwrap_or(0);
    for s in stages {
        if a.name_only {
            output::line(&s.addressing);
            continue;
        }
        let about = match &s.desc {
            Some(d) => d.lines().next().unwrap_or_default().to_string(),
            None if s.outs.is_empty() => String::new(),
            None => format!(
                "Outputs {}",
                s.outs
                    .iter()
                    .map(|o| o.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        output::line(format!("{:width$}  {about}", s.addressing).trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_params_are_read_like_dvc() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_cmd(&w(&["python train.py --x 1"])),
            "python train.py --x 1"
        );
        assert_eq!(
            parse_cmd(&w(&["echo", "a b", "", "c\"d e"])),
            "echo \"a b\" \"\" c\"d e"
        );
        let p = parse_params(&w(&["lr,epochs", "other.yaml:a,b", "x.yaml:"]));
        assert_eq!(p[0].file, None);
        assert_eq!(p[0].keys, vec!["lr", "epochs"]);
        assert_eq!(p[1].file.as_deref(), Some("other.yaml"));
        assert_eq!(p[2].keys, Vec::<String>::new());
    }
}
