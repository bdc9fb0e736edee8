use std::process::ExitCode;

use cairn_pipeline::{build_dag, load_project, to_dot, to_mermaid, to_text};

use crate::output;

/// Show the pipeline's stage graph (edges run from producer to consumer)
#[derive(clap::Args)]
pub struct DagArgs {
    /// Only this stage and what it depends on
    target: Option<String>,
    /// Graphviz DOT, as `dvc dag --dot` prints it
    #[arg(long, conflicts_with_all = ["mermaid", "md", "json"])]
    dot: bool,
    /// Mermaid flowchart, as `dvc dag --mermaid` prints it
    #[arg(long, conflicts_with_all = ["md", "json"])]
    mermaid: bool,
    /// Mermaid wrapped in a Markdown code fence
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Stages and edges as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: DagArgs) -> anyhow::Result<ExitCode> {
    let repo = super::repo()?;
    let project = load_project(repo.root())?;
    let mut dag = build_dag(&project)?;
    if let Some(t) = &args.target {
        let i = dag
            .index_of(t)
            .ok_or_else(|| anyhow::anyhow!("no stage named `{t}`; run `cairn dag` to list them"))?;
        let keep: std::collections::HashSet<usize> =
            dag.repro_plan(&[i], false).into_iter().collect();
        dag = dag.subgraph(&keep);
    }
    let text = if args.dot {
        to_dot(&dag)
    } else if args.mermaid || args.md {
        to_mermaid(&dag, args.md)
    } else if args.json {
        let stages: Vec<_> = project
            .stages()
            .filter(|s| dag.index_of(&s.addressing).is_some())
            .collect();
        let edges: Vec<(&str, &str)> = dag
            .edges()
            .into_iter()
            .map(|(a, b)| (dag.nodes[a].as_str(), dag.nodes[b].as_str()))
            .collect();
        serde_json::json!({"stages": stages, "edges": edges}).to_string() + "\n"
    } else {
        to_text(&dag)
    };
    print!("{text}");
    let _ = output::line;
    Ok(ExitCode::SUCCESS)
}
